"""Builders for the events API tests: each adds and flushes, and never commits."""

from __future__ import annotations

from datetime import datetime, timedelta

from core.auth.models import User
from core.extensions import db
from events import services
from events.models import Activity, ActivityStatus, Shift
from tests.builders import make_user


def make_volunteers(count: int, name: str = "志愿者") -> list[User]:
    return [make_user(display_name=f"{name}{n + 1}") for n in range(count)]


def make_shift_at(
    activity: Activity,
    starts_at: datetime,
    ends_at: datetime,
    *,
    capacity: int = 5,
    walk_ins: bool = False,
) -> Shift:
    """A shift at exact times; the activity is published on the way (as tests.builders does)."""
    shift = services.add_shift(
        activity.team.founder,
        activity.id,
        starts_at=starts_at,
        ends_at=ends_at,
        capacity=capacity,
        allows_walk_ins=walk_ins,
        now=starts_at - timedelta(days=1),
    )
    if activity.status is ActivityStatus.draft:
        activity.status = ActivityStatus.published
        activity.published_at = starts_at
        db.session.flush()
    return shift
