"""The register under concurrent clerks (meaningful on PostgreSQL; SQLite's writers take turns
anyway): the same person entered twice at once, and one duplicate merged twice at once."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from core.errors import Conflict, ValidationFailed
from core.extensions import db
from honours import services
from honours.models import Person
from tests.concurrency import run_at_once
from tests.honours.builders import NOW, id_number, make_office, make_person, make_places, scope


def test_the_same_id_number_entered_at_once_makes_one_record(app):
    places = make_places()
    office = make_office()
    region_id, office_id = places["wenhuali"].id, office.id
    number = id_number(date(1950, 1, 2))

    def enter(i):
        clerk = db.session.get(type(office), office_id)
        values = {"name": f"王德厚{i}", "id_number": number, "region_id": region_id}
        return services.enter_person(clerk, scope(clerk), values, now=NOW).id

    results = run_at_once(app, 4, enter)

    entered = [r for r in results if isinstance(r, int)]
    assert len(entered) == 1, results
    assert all(isinstance(r, Conflict) for r in results if r not in entered), results
    assert db.session.scalar(select(func.count()).select_from(Person)) == 1


def test_one_duplicate_merged_twice_at_once_is_merged_once(app):
    places = make_places()
    office = make_office()
    first = make_person(places["wenhuali"], office, id_number=None)
    second = make_person(places["wenhuali"], office, id_number=None, phone="13803350005")
    duplicate = make_person(places["wenhuali"], office)
    office_id, survivors, duplicate_id = office.id, (first.id, second.id), duplicate.id

    def merge(i):
        clerk = db.session.get(type(office), office_id)
        return services.merge_persons(
            clerk, scope(clerk), survivors[i], duplicate_id, reason="重复", now=NOW
        ).id

    results = run_at_once(app, 2, merge)

    merged = [r for r in results if isinstance(r, int)]
    assert len(merged) == 1, results
    assert all(isinstance(r, ValidationFailed) for r in results if r not in merged), results
    assert db.session.get(Person, duplicate_id).merged_into_id == merged[0]
