"""Who the reminders tell of breach cases: the clerks answerable for a step past its time
limit, and the district clerks when a person's statement period has ended. Read by the
reminders' finders; the time limits themselves are set on the case by each step
(honours.services.breach_case_steps)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from core.extensions import db
from honours.conduct_models import BreachCase, CaseStage
from honours.services.scope import city_user_ids, district_clerk_ids

DISTRICT_STAGES = (
    CaseStage.assigned,
    CaseStage.investigating,
    CaseStage.warning_talk,
    CaseStage.notifying,
)


@dataclass(frozen=True)
class CaseDue:
    """A case the reminders tell someone of: a step past its time limit (`subject` names the
    case and stage), or a statement period that has ended."""

    case_id: int
    person_name: str
    stage: CaseStage
    due_at: datetime
    subject: str
    user_ids: frozenset[int]


def _district_answerable(cases: list[BreachCase], now: datetime) -> dict[int, set[int]]:
    clerks = district_clerk_ids({c.district_id for c in cases}, now)
    city: set[int] | None = None
    told = {}
    for case in cases:
        users = clerks.get(case.district_id)
        if not users:
            # A district without a clerk: the city hears of it.
            city = city_user_ids(now) if city is None else city
            users = city
        told[case.id] = users
    return told


def overdue_cases(now: datetime) -> list[CaseDue]:
    """Open cases whose step is past its time limit, each with the clerks answerable for the
    step: the district's (the city where it has none) for investigating, the talk and telling
    the person; the city's for its review, the decision and a request for review."""
    cases = list(
        db.session.scalars(
            select(BreachCase)
            .where(BreachCase.stage_due_at.is_not(None), BreachCase.stage_due_at <= now)
            .options(joinedload(BreachCase.person))
            .order_by(BreachCase.id)
        )
    )
    local = [c for c in cases if c.stage in DISTRICT_STAGES]
    told = _district_answerable(local, now)
    city = city_user_ids(now) if len(local) < len(cases) else set()
    return [
        CaseDue(
            case_id=case.id,
            person_name=case.person.name,
            stage=case.stage,
            due_at=case.stage_due_at,
            subject=f"breach_case:{case.id}:{case.stage.value}",
            user_ids=frozenset(told.get(case.id, city)),
        )
        for case in cases
    ]


def statement_periods_ended(now: datetime) -> list[CaseDue]:
    """Cases waiting for the decision whose statement period has ended, each with the
    district clerks to tell (the city where the district has none)."""
    cases = list(
        db.session.scalars(
            select(BreachCase)
            .where(BreachCase.stage == CaseStage.statement, BreachCase.statement_due_at <= now)
            .options(joinedload(BreachCase.person))
            .order_by(BreachCase.id)
        )
    )
    told = _district_answerable(cases, now)
    return [
        CaseDue(
            case_id=case.id,
            person_name=case.person.name,
            stage=case.stage,
            due_at=case.statement_due_at,
            subject=f"breach_case:{case.id}:statement_ended",
            user_ids=frozenset(told[case.id]),
        )
        for case in cases
    ]
