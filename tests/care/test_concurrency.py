"""Visits at the same moment, each a request of its own (meaningful on PostgreSQL, where the
conditional updates and row locks decide; SQLite's writers take turns): cash never passes the
budget, one of two edits of a version wins, a visit is reversed once, and a budget is never
lowered below what its visits spent."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from care.models import CareBudget, FundSource, VisitReversal, VisitVersion
from care.services import budgets, campaigns, visits
from care.services.reconcile import verify_care
from core.auth.assignments import AssignmentKind
from core.auth.models import User
from core.errors import Conflict, ValidationFailed
from core.extensions import db
from tests.care.builders import details, make_care_campaign, make_visit
from tests.care.visits_builders import locked_visit
from tests.concurrency import run_at_once
from tests.honours.builders import NOW, make_clerk, make_office, make_places
from tests.honours.card_builders import make_honoured

pytestmark = pytest.mark.postgres


def _budget(care_id: int) -> CareBudget:
    return db.session.scalars(
        select(CareBudget)
        .where(
            CareBudget.care_campaign_id == care_id,
            CareBudget.fund_source == FundSource.city_budget,
        )
        .execution_options(populate_existing=True)
    ).one()


def _world(city_budget_fen: int):
    """A winter campaign with `city_budget_fen` from the city budget, two good people of 文化里
    on its list, and two clerks of the place."""
    places = make_places()
    office = make_office()
    people = [make_honoured(places["wenhuali"], office, name=name) for name in ("李善行", "王德厚")]
    care = make_care_campaign(office, budget={FundSource.city_budget: city_budget_fen})
    campaigns.make_list(office, care.id, now=NOW)
    clerks = [
        make_clerk(AssignmentKind.community_clerk, places["wenhuali"]),
        make_clerk(AssignmentKind.street_clerk, places["wenhualu"]),
    ]
    return office, care, people, clerks


def test_two_visits_at_once_never_spend_past_the_budget(app):
    _, care, people, clerks = _world(150_000)
    care_id = care.id
    person_ids = [p.id for p in people]
    clerk_ids = [c.id for c in clerks]

    def record(i: int):
        clerk = db.session.get(User, clerk_ids[i])
        return visits.record_visit(
            clerk, care_id, person_ids[i], details(cash_fen=100_000), now=NOW, done=True
        ).id

    results = run_at_once(app, 2, record)

    made = [r for r in results if isinstance(r, int)]
    assert len(made) == 1, results
    (refused,) = [r for r in results if r not in made]
    assert isinstance(refused, ValidationFailed) and refused.code == "over_budget", results
    budget = _budget(care_id)
    assert (budget.spent_fen, budget.budget_fen) == (100_000, 150_000)
    assert verify_care() == []


def test_two_edits_of_one_version_at_once_one_wins(app):
    _, care, people, clerks = _world(1_000_000)
    visit = make_visit(clerks[0], care, people[0])
    care_id, visit_id = care.id, visit.id
    clerk_ids = [c.id for c in clerks]
    cash = [120_000, 150_000]

    def edit(i: int):
        clerk = db.session.get(User, clerk_ids[i])
        return visits.edit_visit(
            clerk, visit_id, details(cash_fen=cash[i]), expected_version=1, now=NOW
        ).cash_fen

    results = run_at_once(app, 2, edit)

    won = [r for r in results if isinstance(r, int)]
    assert len(won) == 1, results
    (lost,) = [r for r in results if r not in won]
    assert isinstance(lost, Conflict) and lost.code == "changed_meanwhile", results
    counted = db.session.scalar(
        select(func.count()).select_from(VisitVersion).where(VisitVersion.visit_id == visit_id)
    )
    assert counted == 1
    assert _budget(care_id).spent_fen == won[0]
    assert verify_care() == []


def test_two_reversals_at_once_reverse_the_visit_once(app):
    office, care, people, _ = _world(1_000_000)
    visit = locked_visit(office, care, people[0])
    city_staff = make_clerk(AssignmentKind.city_staff)
    care_id, visit_id = care.id, visit.id
    actors = [office.id, city_staff.id, office.id]

    def reverse(i: int):
        actor = db.session.get(User, actors[i])
        return visits.reverse_visit(actor, visit_id, f"资金来源记错{i}", now=NOW).id

    results = run_at_once(app, 3, reverse)

    made = [r for r in results if isinstance(r, int)]
    assert len(made) == 1, results
    assert all(isinstance(r, Conflict) for r in results if r not in made), results
    assert db.session.scalar(select(func.count()).select_from(VisitReversal)) == 1
    assert _budget(care_id).spent_fen == 0
    assert verify_care() == []


def test_a_budget_lowered_while_a_visit_charges_never_falls_below_what_was_spent(app):
    office, care, people, clerks = _world(200_000)
    care_id, person_id = care.id, people[0].id
    office_id, clerk_id = office.id, clerks[0].id

    def act(i: int):
        if i == 0:
            clerk = db.session.get(User, clerk_id)
            return visits.record_visit(
                clerk, care_id, person_id, details(cash_fen=150_000), now=NOW, done=True
            ).cash_fen
        actor = db.session.get(User, office_id)
        return budgets.set_budget(
            actor, care_id, FundSource.city_budget, 100_000, reason="压减", now=NOW
        ).budget_fen

    results = run_at_once(app, 2, act)

    done = [r for r in results if isinstance(r, int)]
    assert len(done) == 1, results
    assert all(isinstance(r, ValidationFailed) for r in results if r not in done), results
    budget = _budget(care_id)
    assert budget.spent_fen <= budget.budget_fen
    assert (budget.spent_fen, budget.budget_fen) in {(150_000, 200_000), (0, 100_000)}
    assert verify_care() == []
