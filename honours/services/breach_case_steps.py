"""The steps of a breach case (违规处理), each by its role and only from its stage:

assigned → investigating → city review (the district clerk investigates and records findings)
→ no breach (closed) | a warning talk, recorded by the district (closed) | revocation proposed
→ the person told (how, when) → the statement period of 10 working days (a statement recorded,
or none) → the city's decision: revoke (honours.services.revocation) or keep (closed) → one
request for review by the person, within its time limit → upheld or overturned by the city.

The district's steps may be taken by the city too (a district without a clerk); the city's
are the city's alone. Each step appends a step record and moves the case; nothing recorded
is changed later. A step taken from another stage is a Conflict. Every step locks the case
row first, so that two deciders at once make one decision.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time

from flask_babel import lazy_gettext as _l

from core.auth.models import User
from core.clock import local_day, local_moment, local_zone
from core.errors import Conflict, Forbidden, ValidationFailed
from core.extensions import db
from core.settings import ConductSettings
from core.workdays import WorkCalendar, working_day_deadline
from honours.conduct_models import (
    BreachCase,
    BreachCaseHonour,
    BreachCaseStep,
    CaseOutcome,
    CaseStage,
    ReviewOutcome,
    StepAction,
)
from honours.models import Honour, Person
from honours.services.breach_cases import load_case, require_stage
from honours.services.revocation import reinstate_honours, revoke_honours
from honours.services.scope import scope_of

OPINION_MAX = 4000
HOW_MAX = 200
TALK_BY_MAX = 120

ONLY_CITY = _l("Only the city's civilization office decides on a breach case.")


@dataclass(frozen=True)
class Deadlines:
    """What the time limits of a case are measured with: the settings and the calendar."""

    settings: ConductSettings
    calendar: WorkCalendar

    def after(self, start: datetime, days: int) -> datetime:
        return working_day_deadline(start, days, self.calendar, local_zone())


def _opinion(value: str | None, *, field: str = "opinion", required: bool = True) -> str:
    text = (value or "").strip()
    if required and not text:
        raise ValidationFailed(errors={field: [str(_l("This field is required."))]})
    if len(text) > OPINION_MAX:
        raise ValidationFailed(
            errors={field: [str(_l("At most %(n)d characters.", n=OPINION_MAX))]}
        )
    return text


def _move(
    case: BreachCase,
    actor: User | None,
    action: StepAction,
    to: CaseStage,
    now: datetime,
    *,
    opinion: str = "",
    due: datetime | None = None,
) -> BreachCase:
    db.session.add(
        BreachCaseStep(
            case_id=case.id,
            action=action,
            from_stage=case.stage,
            to_stage=to,
            actor_id=actor.id if actor is not None else None,
            at=now,
            opinion=opinion,
        )
    )
    if to is not case.stage:
        case.stage = to
        case.stage_entered_at = now
        case.stage_due_at = due
    if to is CaseStage.closed:
        case.closed_at = now
    db.session.flush()
    return case


def _as_handler(actor: User, case_id: int, now: datetime) -> BreachCase:
    return load_case(scope_of(actor, now), case_id, lock=True)


def _as_city(actor: User, case_id: int, now: datetime) -> BreachCase:
    scope = scope_of(actor, now)
    case = load_case(scope, case_id, lock=True)
    if not scope.is_city:
        raise Forbidden(ONLY_CITY)
    return case


# The district -----------------------------------------------------------------------------------


def start_investigation(actor: User, case_id: int, opinion: str | None, *, now: datetime):
    """The district clerk takes the case up (调查核实); the district's time limit runs on from
    the assignment. The city may, for a district without a clerk. Raises NotFound, Conflict
    (not assigned)."""
    case = _as_handler(actor, case_id, now)
    require_stage(case, CaseStage.assigned)
    due = case.stage_due_at
    return _move(
        case,
        actor,
        StepAction.investigation_started,
        CaseStage.investigating,
        now,
        opinion=_opinion(opinion, required=False),
        due=due,
    )


def record_findings(
    actor: User, case_id: int, findings: str | None, *, now: datetime, deadlines: Deadlines
) -> BreachCase:
    """The district clerk (or the city, as in start_investigation) records what the
    investigation found and sends the case to the city's review. Raises NotFound,
    ValidationFailed (no findings), Conflict (not under investigation)."""
    case = _as_handler(actor, case_id, now)
    require_stage(case, CaseStage.investigating)
    text = _opinion(findings, field="findings")
    case.findings = text
    due = deadlines.after(now, deadlines.settings.city_review_days)
    return _move(
        case, actor, StepAction.findings, CaseStage.city_review, now, opinion=text, due=due
    )


# The city's review ------------------------------------------------------------------------------


class ReviewChoice:
    """What the city's review may conclude."""

    no_breach = "no_breach"
    warning = "warning"
    propose_revocation = "propose_revocation"
    ALL = (no_breach, warning, propose_revocation)


def _proposed_honours(person: Person, honour_ids: Sequence[int]) -> list[Honour]:
    wanted = set(honour_ids)
    held = {h.id: h for h in person.honours if not h.is_revoked}
    if not wanted or not wanted <= set(held):
        raise ValidationFailed(
            errors={"honour_ids": [str(_l("Choose honours this person holds."))]}
        )
    return [held[i] for i in sorted(wanted)]


def conclude_review(
    actor: User,
    case_id: int,
    choice: str,
    opinion: str | None,
    *,
    honour_ids: Sequence[int] = (),
    now: datetime,
    deadlines: Deadlines,
) -> BreachCase:
    """The city concludes its review (市级审核): no breach (the case is closed), a warning
    talk (the district records it), or a proposed revocation of the honours named (the
    person is to be told). Raises NotFound, Forbidden (not the city), ValidationFailed (no
    opinion, a choice or honours unknown), Conflict (not at the city's review)."""
    case = _as_city(actor, case_id, now)
    require_stage(case, CaseStage.city_review)
    if choice not in ReviewChoice.ALL:
        raise ValidationFailed(errors={"choice": [str(_l("Choose a conclusion."))]})
    text = _opinion(opinion)
    step_due = deadlines.after(now, deadlines.settings.step_days)
    if choice == ReviewChoice.no_breach:
        case.outcome, case.decided_at = CaseOutcome.no_breach, now
        return _move(case, actor, StepAction.no_breach, CaseStage.closed, now, opinion=text)
    if choice == ReviewChoice.warning:
        case.outcome, case.decided_at = CaseOutcome.warning, now
        return _move(
            case, actor, StepAction.warning, CaseStage.warning_talk, now, opinion=text, due=step_due
        )
    honours = _proposed_honours(case.person, honour_ids)
    db.session.add_all(BreachCaseHonour(case_id=case.id, honour_id=h.id) for h in honours)
    return _move(
        case,
        actor,
        StepAction.revocation_proposed,
        CaseStage.notifying,
        now,
        opinion=text,
        due=step_due,
    )


# Steps the district or the city records ---------------------------------------------------------


def _past_day(value: date | None, now: datetime, field: str) -> date:
    today = local_day(now)
    if value is None:
        return today
    if value > today:
        raise ValidationFailed(errors={field: [str(_l("This day has not come yet."))]})
    return value


def record_talk(
    actor: User,
    case_id: int,
    *,
    talk_on: date | None,
    talk_by: str | None,
    summary: str | None,
    now: datetime,
) -> BreachCase:
    """Record the warning talk (约谈提醒): the day, who held it and what was said; the case is
    closed. The district or the city. Raises NotFound, ValidationFailed, Conflict (no talk
    was decided)."""
    case = _as_handler(actor, case_id, now)
    require_stage(case, CaseStage.warning_talk)
    held_by = (talk_by or "").strip()
    if not held_by or len(held_by) > TALK_BY_MAX:
        raise ValidationFailed(
            errors={
                "talk_by": [
                    str(_l("Name who held the talk (%(n)d characters at most).", n=TALK_BY_MAX))
                ]
            }
        )
    case.talk_on = _past_day(talk_on, now, "talk_on")
    case.talk_by = held_by
    case.talk_summary = _opinion(summary, field="summary")
    return _move(
        case, actor, StepAction.talk_held, CaseStage.closed, now, opinion=case.talk_summary
    )


def moment_of_day(day: date, now: datetime) -> datetime:
    """The moment a page's day stands for: now for today, else noon of that day (local)."""
    if day == local_day(now):
        return now
    return local_moment(day, time(12, 0))


def record_told(
    actor: User,
    case_id: int,
    *,
    told_at: datetime | None,
    how: str | None,
    now: datetime,
    deadlines: Deadlines,
) -> BreachCase:
    """Record that the person was told of the proposed revocation, how (a letter handed over,
    a call, in person) and when; the statement period (陈述申辩期) of 10 working days runs from
    then. The district or the city. Raises NotFound, ValidationFailed (how, a moment in the
    future), Conflict (no revocation proposed)."""
    case = _as_handler(actor, case_id, now)
    require_stage(case, CaseStage.notifying)
    told_how = (how or "").strip()
    if not told_how or len(told_how) > HOW_MAX:
        raise ValidationFailed(
            errors={
                "how": [
                    str(_l("Say how the person was told (%(n)d characters at most).", n=HOW_MAX))
                ]
            }
        )
    moment = told_at or now
    if moment > now or moment < case.stage_entered_at:
        raise ValidationFailed(errors={"told_at": [str(_l("Between the proposal and now."))]})
    case.told_at, case.told_how = moment, told_how
    case.statement_due_at = deadlines.after(moment, deadlines.settings.statement_days)
    # The city decides within its review time after the statement period ends.
    due = deadlines.after(case.statement_due_at, deadlines.settings.city_review_days)
    return _move(
        case, actor, StepAction.person_told, CaseStage.statement, now, opinion=told_how, due=due
    )


def record_statement(
    actor: User, case_id: int, statement: str | None, *, now: datetime
) -> BreachCase:
    """Record the person's statement (陈述申辩), once. The district or the city. Raises
    NotFound, ValidationFailed (empty), Conflict (not in the statement period, or a statement
    recorded already)."""
    case = _as_handler(actor, case_id, now)
    require_stage(case, CaseStage.statement)
    if case.statement_at is not None:
        raise Conflict(_l("The person's statement is recorded already."))
    case.statement = _opinion(statement, field="statement")
    case.statement_at = now
    return _move(
        case, actor, StepAction.statement, CaseStage.statement, now, opinion=case.statement
    )


# The decision and the review ---------------------------------------------------------------------


class Decision:
    revoke = "revoke"
    keep = "keep"
    ALL = (revoke, keep)


def decide_case(
    actor: User,
    case_id: int,
    decision: str,
    opinion: str | None,
    *,
    decision_number: str | None = None,
    now: datetime,
    deadlines: Deadlines,
) -> BreachCase:
    """The city decides a proposed revocation: revoke the honours proposed (撤销荣誉称号,
    through honours.services.revocation in the same unit of work) or keep them; the case is
    closed, and after a revocation the person may ask for review within its time limit. Not
    before the statement period has ended, unless the statement is in.

    Raises NotFound, Forbidden (not the city), ValidationFailed (no reason, a choice unknown),
    Conflict (not in the statement period, the period still running without a statement, an
    honour revoked already)."""
    case = _as_city(actor, case_id, now)
    require_stage(case, CaseStage.statement)
    if decision not in Decision.ALL:
        raise ValidationFailed(errors={"decision": [str(_l("Choose revoke or keep."))]})
    text = _opinion(opinion)
    if case.statement_at is None and now < case.statement_due_at:
        raise Conflict(
            _l(
                "The person may answer until %(day)s and has not yet: decide after that.",
                day=case.statement_due_at.astimezone(local_zone()).strftime("%Y-%m-%d %H:%M"),
            ),
            code="statement_period_running",
        )
    if case.statement_at is None:
        _move(case, None, StepAction.no_statement, CaseStage.statement, now)
    case.decided_at = now
    if decision == Decision.keep:
        case.outcome = CaseOutcome.kept
        return _move(case, actor, StepAction.kept, CaseStage.closed, now, opinion=text)
    revocation = revoke_honours(
        actor,
        case.person_id,
        [h.id for h in case.honours],
        reason=text,
        now=now,
        decision_number=decision_number,
    )
    case.outcome, case.revocation_id = CaseOutcome.revoked, revocation.id
    case.review_until = deadlines.after(now, deadlines.settings.review_request_days)
    return _move(case, actor, StepAction.revoked, CaseStage.closed, now, opinion=text)


def request_review(
    actor: User, case_id: int, reason: str | None, *, now: datetime, deadlines: Deadlines
) -> BreachCase:
    """Record the person's request for review (复核申请) of a revocation, as the district or
    the city received it: once, within its time limit. Raises NotFound, ValidationFailed (no
    reason), Conflict (no revocation to review, a request made already, too late)."""
    case = _as_handler(actor, case_id, now)
    if case.review_requested_at is not None:
        raise Conflict(
            _l("The person has asked for review already: one request only."),
            code="review_requested",
        )
    require_stage(case, CaseStage.closed)
    if case.outcome is not CaseOutcome.revoked:
        raise Conflict(_l("Only a revocation may be reviewed."))
    if now > case.review_until:
        raise Conflict(_l("The time to ask for review has passed."), code="review_too_late")
    case.review_reason = _opinion(reason, field="reason")
    case.review_requested_at = now
    case.closed_at = None
    due = deadlines.after(now, deadlines.settings.city_review_days)
    return _move(
        case,
        actor,
        StepAction.review_requested,
        CaseStage.review,
        now,
        opinion=case.review_reason,
        due=due,
    )


def decide_review(
    actor: User, case_id: int, outcome: ReviewOutcome | None, opinion: str | None, *, now: datetime
) -> BreachCase:
    """The city decides the request for review (复核决定): the decision upheld, or overturned
    and the revoked honours given back (reinstate_honours); the case is closed for good.
    Raises NotFound, Forbidden (not the city), ValidationFailed, Conflict (no review
    requested)."""
    case = _as_city(actor, case_id, now)
    require_stage(case, CaseStage.review)
    if not isinstance(outcome, ReviewOutcome):
        raise ValidationFailed(errors={"outcome": [str(_l("Choose upheld or overturned."))]})
    text = _opinion(opinion)
    case.review_outcome = outcome
    if outcome is ReviewOutcome.upheld:
        action = StepAction.review_upheld
    else:
        # Overturned: the honours the decision revoked are given back in the same unit of work.
        action = StepAction.review_overturned
        reinstate_honours(actor, case.revocation_id, reason=text, now=now)
    return _move(case, actor, action, CaseStage.closed, now, opinion=text)
