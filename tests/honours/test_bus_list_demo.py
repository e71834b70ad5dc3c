"""The demo shows the bus list: the bus company's service account with its token, the lists of
the last nights with a lost card among the numbers no longer valid, each fetched by its system;
the office's page of the bus company shows them; loading again changes nothing."""

from __future__ import annotations

from datetime import datetime, time

import pytest
import time_machine
from sqlalchemy import func, select

from core.auth.services import find_user_by_phone
from core.demo import DEMO_PASSWORD, OFFICE
from core.extensions import db
from honours.bus_models import BusListExport, BusListFetch, BusServiceAccount
from honours.card_models import Partner
from honours.demo_bus import BUS_COMPANY, NIGHTS, TOKEN_NAME
from tests.conftest import sign_in
from tests.test_demo import CITY

# The demo's content is the same on either database: checked on the SQLite pass (conftest).
pytestmark = pytest.mark.demo_content

AT = datetime.combine(datetime.now(CITY).date(), time(10, 0), tzinfo=CITY)


def _load(runner):
    with time_machine.travel(AT, tick=False):
        result = runner.invoke(args=["demo-data"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()


def test_the_demo_shows_the_bus_list(app, runner):
    _load(runner)
    partner = db.session.scalar(select(Partner).where(Partner.name == BUS_COMPANY))

    exports = db.session.scalars(
        select(BusListExport)
        .where(BusListExport.partner_id == partner.id)
        .order_by(BusListExport.night)
    ).all()
    assert len(exports) == NIGHTS
    assert all(e.valid_count > 0 for e in exports)
    assert [e.invalid_count for e in exports] == [0, 0, 1, 0]
    assert db.session.scalar(select(func.count()).select_from(BusListFetch)) == NIGHTS
    assert db.session.scalar(select(BusServiceAccount.partner_id)) == partner.id

    with time_machine.travel(AT, tick=False):
        office = sign_in(app.test_client(), find_user_by_phone(OFFICE[0]), DEMO_PASSWORD)
        page = office.get(f"/office/card-partners/{partner.id}").text
    assert page.count('data-testid="bus-export"') == NIGHTS and TOKEN_NAME in page

    _load(runner)
    assert db.session.scalar(select(func.count()).select_from(BusListExport)) == NIGHTS
