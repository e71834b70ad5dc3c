"""Cards issued or reported lost at the same moment, each a request of its own (meaningful on
PostgreSQL, where the partial unique index of live cards decides; SQLite's writers take turns):
two clerks issuing to one person make one card; one card reported lost twice at once is
replaced once."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from core.auth.assignments import AssignmentKind
from core.auth.models import User
from core.errors import Conflict
from core.extensions import db
from honours.card_models import CardStatus, CourtesyCard
from honours.services import cards
from tests.concurrency import run_at_once
from tests.honours.builders import NOW, make_clerk, make_office, make_places, scope
from tests.honours.card_builders import make_card, make_honoured


def _count(*where) -> int:
    return db.session.scalar(select(func.count()).select_from(CourtesyCard).where(*where))


@pytest.mark.postgres
def test_two_clerks_issuing_to_one_person_at_once_make_one_card(app):
    places = make_places()
    office = make_office()
    district = make_clerk(AssignmentKind.district_clerk, places["haigang"])
    person_id = make_honoured(places["wenhuali"], office).id
    actors = [district.id, office.id, district.id]

    def issue(i: int):
        actor = db.session.get(User, actors[i])
        return cards.issue_card(actor, scope(actor), person_id, valid_until=None, now=NOW).id

    results = run_at_once(app, 3, issue)

    made = [r for r in results if isinstance(r, int)]
    assert len(made) == 1, results
    assert all(isinstance(r, Conflict) for r in results if r not in made), results
    assert _count(CourtesyCard.person_id == person_id) == 1


@pytest.mark.postgres
def test_one_card_reported_lost_twice_at_once_is_replaced_once(app):
    places = make_places()
    office = make_office()
    district = make_clerk(AssignmentKind.district_clerk, places["haigang"])
    card_id = make_card(make_honoured(places["wenhuali"], office), office).id
    district_id = district.id

    def lose(i: int):
        actor = db.session.get(User, district_id)
        return cards.report_lost(actor, scope(actor), card_id, note=None, now=NOW).replacement.id

    results = run_at_once(app, 2, lose)

    made = [r for r in results if isinstance(r, int)]
    assert len(made) == 1, results
    assert all(isinstance(r, Conflict) for r in results if r not in made), results
    assert _count(CourtesyCard.status == CardStatus.to_print) == 1
    assert _count(CourtesyCard.replaces_id == card_id) == 1
