"""The demo's points expiry: the city's policy, points expired month by month, and 李志强 with
points expiring within the month, shown beside his balance and told in his inbox."""

from __future__ import annotations

from datetime import datetime

import pytest
import time_machine
from sqlalchemy import select

from core.auth.services import find_user_by_phone
from core.demo import OFFICE
from core.extensions import db
from points.lot_models import ExpiryRule
from points.services import expiry, verify_ledger
from reminders.models import Notification, NotificationKind
from tests.test_demo import CITY, load_demo

# The demo's content is the same on either database: checked on the SQLite pass (conftest).
pytestmark = pytest.mark.demo_content


def test_demo_has_a_policy_expired_points_and_a_volunteer_warned_of_points_expiring(app, runner):
    now = datetime(2027, 4, 8, 10, 0, tzinfo=CITY)
    load_demo(runner, now)

    with time_machine.travel(now, tick=False):
        policy = expiry.current_policy()
        assert (policy.rule, policy.months) == (ExpiryRule.months, 12)
        li = find_user_by_phone("13900000001")
        soon = expiry.expiring_soon(li, now=now)
        assert soon is not None and soon.amount >= 25
        figures = expiry.expiry_figures(find_user_by_phone(OFFICE[0]), now=now)
    assert sum(1 for _, points in figures.expired_by_month if points) >= 3
    told = db.session.scalars(
        select(Notification.subject).where(
            Notification.user_id == li.id, Notification.kind == NotificationKind.points_expiring
        )
    ).all()
    assert "points_expiring:2027-04:30" in told
    assert verify_ledger().ok
