"""Recommending a "Lei Feng near you" (推荐身边的雷锋) to receive flowers on Lei Feng day.

In February of a flowers campaign's year, anyone whose mobile number is verified may recommend
a person of a community or village, saying what they do for others. The community's clerks
(and those above them, and the city) screen each one: accepted with the person as entered in
the register, which puts them on the campaign's list, or not accepted with a note.
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from care.flower_models import FlowerRecommendation, RecommendationStatus
from care.models import CareCampaign, CareKind, CareTarget
from care.services.campaigns import NO_CAMPAIGN, in_scope, target_of
from core.auth.models import User
from core.clock import local_day
from core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from core.extensions import db
from core.regions import Region, RegionLevel
from core.rows import Slice, Window, get_or_not_found, insert_unless_present, read_slice
from events.models import Campaign
from honours.models import Person
from honours.services.scope import require_acts_in, require_clerk, scope_of

# The month the public form is open, before Lei Feng day on 5 March.
RECOMMENDATION_MONTH = 2
MIN_DEEDS, MAX_DEEDS = 20, 1000
NO_RECOMMENDATION = _l("No such recommendation.")
PHONE_NOT_VERIFIED = _l("Verify your mobile number first: recommendations are by real name.")


def open_campaign(now: datetime) -> CareCampaign | None:
    """The flowers campaign that takes recommendations at `now` (in February of its year),
    if any: the latest made."""
    day = local_day(now)
    if day.month != RECOMMENDATION_MONTH:
        return None
    return db.session.scalar(
        select(CareCampaign)
        .join(Campaign)
        .where(CareCampaign.kind == CareKind.flowers, Campaign.year == day.year)
        .order_by(CareCampaign.id.desc())
        .limit(1)
    )


def recommend(
    user: User, *, name: str, region_id: int | None, deeds: str, now: datetime
) -> FlowerRecommendation:
    """Recommend a person to receive flowers (an account with a verified phone, in February):
    their name, their community or village and what they do. Once per person and community
    from one account. Flushes. Raises Forbidden (phone not verified), Conflict (the form is
    closed; recommended already), ValidationFailed."""
    if user.phone_verified_at is None:
        raise Forbidden(PHONE_NOT_VERIFIED, code="phone_not_verified")
    care = open_campaign(now)
    if care is None:
        raise Conflict(
            _l("Recommendations for Lei Feng day's flowers are taken in February."),
            code="closed",
        )
    errors: dict[str, list[str]] = {}
    name = (name or "").strip()
    if not name or len(name) > 64:
        errors["name"] = [str(_l("Enter the person's name (at most 64 characters)."))]
    deeds = (deeds or "").strip()
    if not MIN_DEEDS <= len(deeds) <= MAX_DEEDS:
        errors["deeds"] = [
            str(
                _l(
                    "Say what they do for others in %(low)d to %(high)d characters.",
                    low=MIN_DEEDS,
                    high=MAX_DEEDS,
                )
            )
        ]
    region = db.session.get(Region, region_id) if region_id is not None else None
    if region is None or region.level is not RegionLevel.community:
        errors["region_id"] = [str(_l("Choose the community or village they live in."))]
    if errors:
        raise ValidationFailed(errors=errors)
    recommendation = FlowerRecommendation(
        care_campaign_id=care.id,
        name=name,
        region_id=region.id,
        deeds=deeds,
        recommended_by_id=user.id,
        recommended_at=now,
        status=RecommendationStatus.pending,
    )
    try:
        with db.session.begin_nested():
            db.session.add(recommendation)
            db.session.flush()
    except IntegrityError:
        raise Conflict(
            _l("You have recommended this person already."), code="recommended_already"
        ) from None
    return recommendation


def my_recommendations(user: User) -> list[FlowerRecommendation]:
    """The user's own recommendations, newest first, with where each stands."""
    return list(
        db.session.scalars(
            select(FlowerRecommendation)
            .where(FlowerRecommendation.recommended_by_id == user.id)
            .order_by(FlowerRecommendation.id.desc())
        )
    )


def list_recommendations(
    actor: User,
    care_campaign_id: int,
    window: Window,
    *,
    now: datetime,
    status: RecommendationStatus | None = None,
) -> Slice[FlowerRecommendation]:
    """A campaign's recommendations of the clerk's regions (the city: all), waiting first.
    NotFound for a non-clerk or no such campaign."""
    scope = scope_of(actor, now)
    require_clerk(scope)
    get_or_not_found(CareCampaign, care_campaign_id, NO_CAMPAIGN)
    query = (
        select(FlowerRecommendation)
        .options(joinedload(FlowerRecommendation.region))
        .where(
            FlowerRecommendation.care_campaign_id == care_campaign_id,
            in_scope(scope, FlowerRecommendation.region_id),
        )
        .order_by(FlowerRecommendation.status, FlowerRecommendation.id)
    )
    if status is not None:
        query = query.where(FlowerRecommendation.status == status)
    return read_slice(query, window)


def _for_screening(actor: User, recommendation_id: int, now: datetime) -> FlowerRecommendation:
    scope = scope_of(actor, now)
    require_clerk(scope)
    recommendation = db.session.get(FlowerRecommendation, recommendation_id)
    if recommendation is None or not scope.acts_in(recommendation.region_id):
        raise NotFound(NO_RECOMMENDATION)
    return recommendation


def _screened(recommendation: FlowerRecommendation, actor: User, now: datetime, **values) -> None:
    # Conditional: of two clerks screening at once, the second is told it was screened.
    screened = db.session.execute(
        update(FlowerRecommendation)
        .where(
            FlowerRecommendation.id == recommendation.id,
            FlowerRecommendation.status == RecommendationStatus.pending,
        )
        .values(screened_by_id=actor.id, screened_at=now, **values)
        .execution_options(synchronize_session=False)
    ).rowcount
    if screened != 1:
        raise Conflict(_l("This recommendation was screened already."), code="screened_already")
    db.session.refresh(recommendation)


def accept_recommendation(
    actor: User, recommendation_id: int, person_id: int, *, note: str = "", now: datetime
) -> FlowerRecommendation:
    """Accept a recommendation (a clerk of its community or above, or the city), naming the
    person as entered in the register: they go on the campaign's list (once, whoever else
    put them there). Flushes. Raises NotFound, Forbidden (a person outside the clerk's
    regions), ValidationFailed, Conflict (screened already)."""
    recommendation = _for_screening(actor, recommendation_id, now)
    person = db.session.get(Person, person_id)
    if person is None or person.is_merged:
        raise ValidationFailed(errors={"person_id": [str(_l("No such person in the register."))]})
    require_acts_in(scope_of(actor, now), person.region_id)
    care = recommendation.care_campaign
    db.session.execute(
        insert_unless_present(CareTarget, "care_campaign_id", "person_id").values(
            care_campaign_id=care.id,
            person_id=person.id,
            added_by_rule=care.rule.value,
            added_by_id=actor.id,
            added_at=now,
        )
    )
    target = target_of(care.id, person.id)
    _screened(
        recommendation,
        actor,
        now,
        status=RecommendationStatus.accepted,
        target_id=target.id,
        screen_note=(note or "").strip()[:500] or None,
    )
    return recommendation


def decline_recommendation(
    actor: User, recommendation_id: int, *, note: str, now: datetime
) -> FlowerRecommendation:
    """Not accept a recommendation, saying why (a clerk of its community or above, or the
    city). Flushes. Raises NotFound, ValidationFailed, Conflict (screened already)."""
    recommendation = _for_screening(actor, recommendation_id, now)
    note = (note or "").strip()
    if not note or len(note) > 500:
        raise ValidationFailed(errors={"note": [str(_l("Say why (at most 500 characters)."))]})
    _screened(recommendation, actor, now, status=RecommendationStatus.declined, screen_note=note)
    return recommendation
