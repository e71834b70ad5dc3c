"""The export's sections about what one did in the four seasons of care: care campaigns made,
budgets set or changed, people put on a list or marked not reached, visits recorded, verified
and locked, the versions of visits one edited, reversals and the past years' totals entered;
in Lei Feng day's flowers, the steps of deliveries one planned or made and the
recommendations one made or screened. The rows name the people cared for by ids only: their
names, needs, deeds and the relatives' names are theirs, not the account's."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from care.flower_models import FlowerAttempt, FlowerRecommendation
from care.models import (
    BudgetChange,
    CareCampaign,
    CareTarget,
    PastCareTotal,
    Visit,
    VisitReversal,
    VisitVersion,
)
from personal_data.services.sections import SectionSpec, _own


def _section(key: str, title, model, via: str, *columns) -> SectionSpec:
    """A section of the rows of `model` whose `via` column names the account."""
    return SectionSpec(key, title, model.__tablename__, via, _own(model, via, *columns))


CARE_SECTIONS: list[SectionSpec] = [
    _section(
        "care_campaigns_made",
        _l("Care campaigns I made"),
        CareCampaign,
        "created_by_id",
        CareCampaign.id,
        CareCampaign.campaign_id,
        CareCampaign.kind,
        CareCampaign.name,
        CareCampaign.rule,
        CareCampaign.created_at,
    ),
    _section(
        "care_budget_changes",
        _l("Care budgets I set or changed"),
        BudgetChange,
        "changed_by_id",
        BudgetChange.id,
        BudgetChange.budget_id,
        BudgetChange.old_fen,
        BudgetChange.new_fen,
        BudgetChange.reason,
        BudgetChange.changed_at,
    ),
    _section(
        "care_targets_added",
        _l("People I put on a care campaign's list"),
        CareTarget,
        "added_by_id",
        CareTarget.id,
        CareTarget.care_campaign_id,
        CareTarget.person_id,
        CareTarget.added_by_rule,
        CareTarget.added_at,
    ),
    _section(
        "care_targets_skipped",
        _l("People on a care list I marked not reached"),
        CareTarget,
        "skipped_by_id",
        CareTarget.id,
        CareTarget.care_campaign_id,
        CareTarget.person_id,
        CareTarget.skipped_at,
    ),
    _section(
        "care_visits_recorded",
        _l("Visits I recorded"),
        Visit,
        "created_by_id",
        Visit.id,
        Visit.care_campaign_id,
        Visit.person_id,
        Visit.status,
        Visit.visit_on,
        Visit.cash_fen,
        Visit.fund_source,
        Visit.created_at,
    ),
    _section(
        "care_visits_verified",
        _l("Visits I verified"),
        Visit,
        "verified_by_id",
        Visit.id,
        Visit.care_campaign_id,
        Visit.person_id,
        Visit.verified_at,
    ),
    _section(
        "care_visits_locked",
        _l("Visits I locked"),
        Visit,
        "locked_by_id",
        Visit.id,
        Visit.care_campaign_id,
        Visit.locked_at,
    ),
    _section(
        "care_visit_versions",
        _l("Changes I made to visits"),
        VisitVersion,
        "changed_by_id",
        VisitVersion.id,
        VisitVersion.visit_id,
        VisitVersion.version,
        VisitVersion.changed_at,
    ),
    _section(
        "care_visit_reversals",
        _l("Visits I reversed"),
        VisitReversal,
        "reversed_by_id",
        VisitReversal.id,
        VisitReversal.visit_id,
        VisitReversal.cash_fen,
        VisitReversal.reversed_at,
    ),
    _section(
        "care_past_totals",
        _l("Past years' condolence funds I entered"),
        PastCareTotal,
        "recorded_by_id",
        PastCareTotal.id,
        PastCareTotal.year,
        PastCareTotal.fund_source,
        PastCareTotal.cash_fen,
        PastCareTotal.persons,
        PastCareTotal.recorded_at,
    ),
    _section(
        "care_flower_steps",
        _l("Flower deliveries I planned, delivered or could not deliver"),
        FlowerAttempt,
        "by_id",
        FlowerAttempt.id,
        FlowerAttempt.delivery_id,
        FlowerAttempt.attempt,
        FlowerAttempt.outcome,
        FlowerAttempt.deliver_on,
        FlowerAttempt.at,
    ),
    _section(
        "care_flower_recommendations",
        _l("People I recommended for Lei Feng day's flowers"),
        FlowerRecommendation,
        "recommended_by_id",
        FlowerRecommendation.id,
        FlowerRecommendation.care_campaign_id,
        FlowerRecommendation.status,
        FlowerRecommendation.recommended_at,
    ),
    _section(
        "care_flower_recommendations_screened",
        _l("Recommendations for flowers I screened"),
        FlowerRecommendation,
        "screened_by_id",
        FlowerRecommendation.id,
        FlowerRecommendation.care_campaign_id,
        FlowerRecommendation.status,
        FlowerRecommendation.screened_at,
    ),
]
