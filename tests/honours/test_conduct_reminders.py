"""Reminders of breach cases: a step past its time limit tells the clerks answerable for it
once, and the end of a person's statement period tells the district clerks once, however often
the scheduler runs; the inbox renders both in both languages. Two deciders at once make one
decision and one revocation (PostgreSQL)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from core.auth.models import User
from core.errors import Conflict
from core.extensions import db
from core.settings import current_settings
from honours.conduct_models import BreachCase, CaseOutcome, CaseStage
from honours.revocation_models import Revocation
from honours.services import breach_case_steps as steps
from reminders import services
from reminders.messages import render
from reminders.models import Notification, NotificationKind
from tests.concurrency import run_at_once
from tests.honours.conduct_builders import DEADLINES, advance, conduct_world, report


@pytest.fixture
def world(app):
    return conduct_world()


def run(now) -> int:
    return services.create_due_notifications(now=now, settings=current_settings().reminders)


def told(kind: NotificationKind) -> list[tuple[int, str]]:
    return [
        tuple(row)
        for row in db.session.execute(
            select(Notification.user_id, Notification.subject)
            .where(Notification.kind == kind)
            .order_by(Notification.user_id, Notification.subject)
        )
    ]


def test_an_overdue_investigation_tells_the_district_once(world):
    case = report(world.reporter, world.person, [world.clauses["p1"]])
    run(case.stage_due_at - timedelta(minutes=1))
    assert told(NotificationKind.breach_case_overdue) == []
    late = case.stage_due_at + timedelta(hours=1)
    run(late)
    run(late + timedelta(hours=1))
    assert told(NotificationKind.breach_case_overdue) == [
        (world.district.id, f"breach_case:{case.id}:assigned")
    ]


def test_an_overdue_city_review_tells_the_city(world):
    case = report(world.reporter, world.person, [world.clauses["p1"]])
    advance(case, world, CaseStage.city_review)
    late = case.stage_due_at + timedelta(hours=1)
    run(late)
    run(late)
    assert told(NotificationKind.breach_case_overdue) == [
        (world.office.id, f"breach_case:{case.id}:city_review")
    ]


def test_the_end_of_the_statement_period_tells_the_district_once(app, world):
    case = report(world.reporter, world.person, [world.clauses["p1"]])
    advance(case, world, CaseStage.statement)
    run(case.statement_due_at - timedelta(minutes=1))
    assert told(NotificationKind.breach_statement_ended) == []
    run(case.statement_due_at + timedelta(minutes=1))
    run(case.statement_due_at + timedelta(hours=2))
    assert told(NotificationKind.breach_statement_ended) == [
        (world.district.id, f"breach_case:{case.id}:statement_ended")
    ]
    notification = db.session.scalar(
        select(Notification).where(Notification.kind == NotificationKind.breach_statement_ended)
    )
    with app.test_request_context():
        with force_locale("zh_CN"):
            assert "王德明" in render(notification).title
        with force_locale("en"):
            assert render(notification).url == f"/honours/cases/{case.id}"


def test_a_decided_case_is_not_reminded(world):
    case = report(world.reporter, world.person, [world.clauses["p1"]])
    advance(case, world, CaseStage.statement)
    after = case.statement_due_at + timedelta(minutes=1)
    steps.decide_case(
        world.office, case.id, steps.Decision.keep, "保留", now=after, deadlines=DEADLINES
    )
    run(after + timedelta(days=60))
    assert told(NotificationKind.breach_statement_ended) == []
    assert told(NotificationKind.breach_case_overdue) == []


@pytest.mark.postgres
def test_two_deciders_at_once_make_one_decision_and_one_revocation(app, world):
    case = report(world.reporter, world.person, [world.clauses["p1"]])
    advance(case, world, CaseStage.statement)
    case_id, office_id = case.id, world.office.id
    after = case.statement_due_at + timedelta(minutes=1)

    def decide(i: int):
        actor = db.session.get(User, office_id)
        decided = steps.decide_case(
            actor, case_id, steps.Decision.revoke, f"撤销{i}", now=after, deadlines=DEADLINES
        )
        return decided.revocation_id

    results = run_at_once(app, 2, decide)

    made = [r for r in results if isinstance(r, int)]
    assert len(made) == 1, results
    assert all(isinstance(r, Conflict) for r in results if r not in made), results
    assert db.session.scalar(select(func.count()).select_from(Revocation)) == 1
    decided = db.session.get(BreachCase, case_id)
    assert decided.outcome is CaseOutcome.revoked and decided.revocation_id == made[0]
