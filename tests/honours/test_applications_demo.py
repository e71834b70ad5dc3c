"""The demo shows benefits by application: both departments with their staff, an application
at every status, the district clerk's one to propose, the holder's own closed and granted."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from sqlalchemy import func, select

from core.demo import DEMO_PASSWORD
from core.extensions import db
from honours.application_models import ApplicationStatus, BenefitApplication
from honours.demo_applications import HOLDER, STAFF_PHONES
from tests.test_demo import load_demo

# The demo's content is the same on either database: checked on the SQLite pass (conftest).
pytestmark = pytest.mark.demo_content

CITY = ZoneInfo("Asia/Shanghai")


def test_demo_holds_applications_at_every_status_for_each_to_act_on(app, runner):
    now = datetime(2027, 3, 16, 10, 0, tzinfo=CITY)
    load_demo(runner, now)

    statuses = dict(
        db.session.execute(
            select(BenefitApplication.status, func.count()).group_by(BenefitApplication.status)
        ).all()
    )
    assert set(statuses) == set(ApplicationStatus)
    pages = {}
    with time_machine.travel(now, tick=False):
        for phone, url in (
            ("13500000003", "/honours/applications?status=applied"),
            (STAFF_PHONES[1], "/partner/applications"),
            (HOLDER[0], "/me/card/applications"),
        ):
            client = app.test_client()
            client.post("/login", data={"phone": phone, "password": DEMO_PASSWORD})
            pages[phone] = client.get(url)
    assert 'data-testid="count-applied">' in pages["13500000003"].text
    assert "就近入学" in pages[STAFF_PHONES[1]].text
    mine = pages[HOLDER[0]]
    assert mine.status_code == 200 and "子女入学帮扶：就近入学" in mine.text

    before = db.session.scalar(select(func.count()).select_from(BenefitApplication))
    load_demo(runner, now + timedelta(hours=1))
    assert db.session.scalar(select(func.count()).select_from(BenefitApplication)) == before
