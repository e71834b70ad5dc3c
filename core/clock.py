"""The one clock: every "now" comes from here, so tests can set it (time-machine patches it)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, tzinfo
from zoneinfo import ZoneInfo

from flask import current_app


def utcnow() -> datetime:
    """Return the current time, timezone-aware, in UTC."""
    return datetime.now(UTC)


def local_zone() -> tzinfo:
    """Return the zone that times are shown in (TIMEZONE, default Asia/Shanghai)."""
    return ZoneInfo(current_app.config["TIMEZONE"])


def to_local(moment: datetime) -> datetime:
    """Convert a stored UTC datetime to the display zone."""
    return moment.astimezone(local_zone())


def local_day(moment: datetime) -> date:
    """The calendar day of a UTC moment in the display zone."""
    return moment.astimezone(local_zone()).date()


def local_moment(day: date, at: time = time.min) -> datetime:
    """A wall-clock time of the display zone (midnight by default) as an aware UTC datetime."""
    return datetime.combine(day, at, tzinfo=local_zone()).astimezone(UTC)
