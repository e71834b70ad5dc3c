"""Two schedulers making the night's bus lists at the same moment make one list per partner
(meaningful on PostgreSQL, where the unique (partner, night) decides; SQLite's writers take
turns)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from core.extensions import db
from honours.bus_models import BusListExport, BusListLine, ListMaker
from honours.services import bus_list
from tests.concurrency import run_at_once
from tests.honours.builders import NOW, make_office, make_places
from tests.honours.bus_builders import make_bus_partner
from tests.honours.card_builders import make_card, make_honoured


@pytest.mark.postgres
def test_two_runs_at_once_make_one_list_per_partner(app):
    places = make_places()
    office = make_office()
    make_bus_partner(office=office, name="秦皇岛公交")
    make_bus_partner(office=office, name="北戴河公交")
    make_card(make_honoured(places["wenhuali"], office, name="甲"), office)

    results = run_at_once(
        app, 3, lambda i: bus_list.make_exports(now=NOW, made_by=ListMaker.job).made
    )

    assert all(isinstance(r, int) for r in results), results
    assert sum(results) == 2
    assert db.session.scalar(select(func.count()).select_from(BusListExport)) == 2
    assert db.session.scalar(select(func.count()).select_from(BusListLine)) == 2
