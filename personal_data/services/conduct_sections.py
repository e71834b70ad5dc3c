"""The export's sections about what one did under the conduct clauses and with the card's
later parts: revocations and reinstatements decided, recall tasks closed, clauses written,
breach cases reported, their files and steps, benefit applications made and their steps, the
bus list's service accounts and tokens made or revoked, and the bus lists fetched."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from core.auth.models import ApiToken
from honours.application_models import ApplicationStep, BenefitApplication
from honours.bus_models import BusListFetch, BusServiceAccount
from honours.conduct_models import BreachCase, BreachCaseFile, BreachCaseStep, Clause, ClauseVersion
from honours.revocation_models import RecallTask, Reinstatement, Revocation
from personal_data.services.sections import SectionSpec, _own


def _section(key: str, title, model, via: str, *columns) -> SectionSpec:
    """A section of the rows of `model` whose `via` column names the account."""
    return SectionSpec(key, title, model.__tablename__, via, _own(model, via, *columns))


CONDUCT_SECTIONS: list[SectionSpec] = [
    _section(
        "revocations_decided",
        _l("Revocations of honours I decided"),
        Revocation,
        "decided_by_id",
        Revocation.id,
        Revocation.person_id,
        Revocation.decision_number,
        Revocation.decided_at,
    ),
    _section(
        "reinstatements_decided",
        _l("Honours I gave back after review"),
        Reinstatement,
        "decided_by_id",
        Reinstatement.id,
        Reinstatement.revocation_id,
        Reinstatement.decided_at,
    ),
    _section(
        "recall_tasks_closed",
        _l("Recall tasks I closed"),
        RecallTask,
        "closed_by_id",
        RecallTask.id,
        RecallTask.person_id,
        RecallTask.status,
        RecallTask.closed_at,
    ),
    _section(
        "clauses_entered",
        _l("Conduct clauses I entered"),
        Clause,
        "created_by_id",
        Clause.id,
        Clause.kind,
        Clause.created_at,
    ),
    _section(
        "clause_versions_written",
        _l("Versions of conduct clauses I wrote"),
        ClauseVersion,
        "created_by_id",
        ClauseVersion.id,
        ClauseVersion.clause_id,
        ClauseVersion.number,
        ClauseVersion.title,
        ClauseVersion.created_at,
    ),
    _section(
        "breach_cases_reported",
        _l("Breach cases I reported or entered"),
        BreachCase,
        "reported_by_id",
        BreachCase.id,
        BreachCase.person_id,
        BreachCase.source_kind,
        BreachCase.received_at,
    ),
    _section(
        "breach_case_files_added",
        _l("Evidence I added to breach cases"),
        BreachCaseFile,
        "added_by_id",
        BreachCaseFile.id,
        BreachCaseFile.case_id,
        BreachCaseFile.added_at,
    ),
    _section(
        "breach_case_steps_taken",
        _l("Steps I took in breach cases"),
        BreachCaseStep,
        "actor_id",
        BreachCaseStep.id,
        BreachCaseStep.case_id,
        BreachCaseStep.action,
        BreachCaseStep.at,
    ),
    _section(
        "benefit_applications_made",
        _l("Benefit applications I made"),
        BenefitApplication,
        "applied_by_id",
        BenefitApplication.id,
        BenefitApplication.person_id,
        BenefitApplication.benefit_id,
        BenefitApplication.status,
        BenefitApplication.applied_at,
    ),
    _section(
        "benefit_application_steps_taken",
        _l("Steps I took on benefit applications"),
        ApplicationStep,
        "actor_id",
        ApplicationStep.id,
        ApplicationStep.application_id,
        ApplicationStep.to_status,
        ApplicationStep.at,
    ),
    _section(
        "bus_service_accounts_made",
        _l("Service accounts I made for a bus company"),
        BusServiceAccount,
        "created_by_id",
        BusServiceAccount.id,
        BusServiceAccount.partner_id,
        BusServiceAccount.created_at,
    ),
    _section(
        "bus_service_account",
        _l("The bus company this service account serves"),
        BusServiceAccount,
        "user_id",
        BusServiceAccount.id,
        BusServiceAccount.partner_id,
        BusServiceAccount.created_at,
    ),
    _section(
        "bus_lists_fetched",
        _l("Bus lists I fetched"),
        BusListFetch,
        "user_id",
        BusListFetch.id,
        BusListFetch.export_id,
        BusListFetch.channel,
        BusListFetch.fetched_at,
    ),
    _section(
        "tokens_made",
        _l("API tokens I made for others"),
        ApiToken,
        "created_by_id",
        ApiToken.id,
        ApiToken.user_id,
        ApiToken.scope,
        ApiToken.created_at,
    ),
    _section(
        "tokens_revoked",
        _l("API tokens I revoked"),
        ApiToken,
        "revoked_by_id",
        ApiToken.id,
        ApiToken.user_id,
        ApiToken.revoked_at,
    ),
]
