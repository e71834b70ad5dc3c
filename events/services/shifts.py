"""Shifts (班次) and series of shifts: adding, changing and cancelling them, who manages one."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from core.auth.models import User
from core.clock import local_day, local_moment, local_zone
from core.errors import Conflict
from core.extensions import db
from core.rows import get_or_not_found
from events.models import Activity, ActivityStatus, NoticeKind, Shift, ShiftSeries, ShiftStatus
from events.services._common import _WITH_ACTIVITY, _invalid
from events.services.activities import _notify, managed_activity
from events.services.seats import _close_shift, _promote_waiting
from volunteer import services as volunteers

MAX_SHIFT_LENGTH = timedelta(hours=24)
MAX_SERIES_SHIFTS = 366
MAX_CAPACITY = 10_000


def _check_shift_times(activity: Activity, starts_at: datetime, ends_at: datetime) -> None:
    if ends_at <= starts_at:
        raise _invalid("ends_at", _l("A shift must end after it starts."))
    if ends_at - starts_at > MAX_SHIFT_LENGTH:
        raise _invalid("ends_at", _l("A shift lasts 24 hours at most."))
    if not activity.campaign.is_open_on(local_day(starts_at)):
        raise _invalid("starts_at", _l("The shift must start within the campaign's dates."))


def _check_capacity(capacity: int) -> None:
    if not 1 <= capacity <= MAX_CAPACITY:
        raise _invalid("capacity", _l("Enter a capacity of 1 to 10000."))


def _open_for_shifts(leader: User, activity_id: int) -> Activity:
    activity = managed_activity(leader, activity_id)
    if activity.status in (ActivityStatus.completed, ActivityStatus.cancelled):
        raise Conflict(_l("This activity is closed."))
    return activity


def add_shift(
    leader: User,
    activity_id: int,
    *,
    starts_at: datetime,
    ends_at: datetime,
    capacity: int,
    allows_walk_ins: bool,
    now: datetime,
) -> Shift:
    """Add one shift that starts in the future. Raises Forbidden, NotFound, Conflict (activity
    closed, or the same shift exists), ValidationFailed (times, capacity)."""
    activity = _open_for_shifts(leader, activity_id)
    # A shift made after the fact could be filled in by hand and earn points for service
    # nobody saw; missed records go through a volunteer's correction request instead.
    if starts_at <= now:
        raise _invalid("starts_at", _l("A new shift must start in the future."))
    _check_shift_times(activity, starts_at, ends_at)
    _check_capacity(capacity)
    duplicate = db.session.scalar(
        select(Shift.id).where(
            Shift.activity_id == activity.id, Shift.starts_at == starts_at, Shift.ends_at == ends_at
        )
    )
    if duplicate:
        raise Conflict(_l("This activity has a shift at exactly that time already."))
    shift = Shift(
        activity=activity,
        starts_at=starts_at,
        ends_at=ends_at,
        capacity=capacity,
        allows_walk_ins=allows_walk_ins,
    )
    db.session.add(shift)
    db.session.flush()
    return shift


@dataclass(frozen=True)
class SeriesSpec:
    """Shifts on chosen weekdays (0 = Monday) between two days, at the same local times; an
    end time at or before the start time ends the next day."""

    first_day: date
    last_day: date
    weekdays: frozenset[int]
    start_time: time
    end_time: time
    capacity: int
    allows_walk_ins: bool = False

    def key(self) -> str:
        data = {
            "first": self.first_day.isoformat(),
            "last": self.last_day.isoformat(),
            "weekdays": sorted(self.weekdays),
            "start": self.start_time.isoformat(),
            "end": self.end_time.isoformat(),
            "capacity": self.capacity,
            "walk_ins": self.allows_walk_ins,
        }
        return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()

    def windows(self) -> list[tuple[datetime, datetime]]:
        result = []
        day = self.first_day
        while day <= self.last_day:
            if day.weekday() in self.weekdays:
                end_day = day if self.end_time > self.start_time else day + timedelta(days=1)
                result.append(
                    (local_moment(day, self.start_time), local_moment(end_day, self.end_time))
                )
            day += timedelta(days=1)
        return result


def add_shift_series(
    leader: User, activity_id: int, spec: SeriesSpec, *, now: datetime
) -> tuple[ShiftSeries, int]:
    """Create a series of shifts in one step; return the series and how many shifts were made.

    The same series submitted again returns the first one and makes nothing new; a shift that
    exists already at the same time, or whose start has passed, is skipped. Raises Forbidden,
    NotFound, Conflict, ValidationFailed (dates, weekdays, capacity, too many shifts).
    """
    activity = _open_for_shifts(leader, activity_id)
    if spec.last_day < spec.first_day:
        raise _invalid("last_day", _l("The last day must not be before the first."))
    if not spec.weekdays or not spec.weekdays <= set(range(7)):
        raise _invalid("weekdays", _l("Choose at least one weekday."))
    if spec.start_time == spec.end_time:
        raise _invalid("end_time", _l("A shift must end after it starts."))
    _check_capacity(spec.capacity)
    windows = spec.windows()
    if not windows:
        raise _invalid("weekdays", _l("None of the chosen weekdays falls between these days."))
    windows = [(starts_at, ends_at) for starts_at, ends_at in windows if starts_at > now]
    if not windows:
        raise _invalid("last_day", _l("Every shift of this series would start in the past."))
    if len(windows) > MAX_SERIES_SHIFTS:
        raise _invalid("last_day", _l("A series makes 366 shifts at most."))
    for starts_at, ends_at in windows:
        _check_shift_times(activity, starts_at, ends_at)
    key = spec.key()
    series = db.session.scalar(
        select(ShiftSeries).where(ShiftSeries.activity_id == activity.id, ShiftSeries.key == key)
    )
    if series is not None:
        return series, 0
    series = ShiftSeries(activity_id=activity.id, key=key, description=_describe(spec))
    db.session.add(series)
    db.session.flush()
    existing = {
        (starts_at, ends_at)
        for starts_at, ends_at in db.session.execute(
            select(Shift.starts_at, Shift.ends_at).where(Shift.activity_id == activity.id)
        )
    }
    made = 0
    for starts_at, ends_at in windows:
        if (starts_at, ends_at) in existing:
            continue
        db.session.add(
            Shift(
                activity_id=activity.id,
                series_id=series.id,
                starts_at=starts_at,
                ends_at=ends_at,
                capacity=spec.capacity,
                allows_walk_ins=spec.allows_walk_ins,
            )
        )
        made += 1
    db.session.flush()
    return series, made


def _describe(spec: SeriesSpec) -> str:
    days = "".join("一二三四五六日"[d] for d in sorted(spec.weekdays))
    return (
        f"{spec.first_day.isoformat()}–{spec.last_day.isoformat()} 周{days} "
        f"{spec.start_time.strftime('%H:%M')}–{spec.end_time.strftime('%H:%M')}"
    )


def get_shift(shift_id: int) -> Shift:
    """Return the shift with its activity (every rule about a shift asks about both); raise
    NotFound if there is none."""
    return get_or_not_found(Shift, shift_id, _l("No such shift."), options=[_WITH_ACTIVITY])


def managed_shift(user: User, shift_id: int) -> Shift:
    """Return the shift if the user leads its team (or is the office); raise NotFound or
    Forbidden."""
    shift = get_shift(shift_id)
    volunteers.require_team_manager(user, shift.activity.team_id)
    return shift


def _series_from(shift: Shift, rest_of_series: bool) -> list[Shift]:
    if not rest_of_series or shift.series_id is None:
        return [shift]
    query = (
        select(Shift)
        .where(
            Shift.series_id == shift.series_id,
            Shift.starts_at >= shift.starts_at,
            Shift.status == ShiftStatus.scheduled,
        )
        .order_by(Shift.starts_at)
    )
    return list(db.session.scalars(query))


def update_shift(
    leader: User,
    shift_id: int,
    *,
    start_time: time,
    end_time: time,
    capacity: int,
    allows_walk_ins: bool,
    rest_of_series: bool,
    now: datetime,
) -> list[Shift]:
    """Change the local times, capacity and walk-ins of one shift, or of it and the later shifts
    of its series; volunteers signed up to a shift whose times change are told.

    Raises Forbidden, NotFound, Conflict (cancelled or started, or capacity below the seats
    taken), ValidationFailed.
    """
    first = managed_shift(leader, shift_id)
    if first.activity.status in (ActivityStatus.completed, ActivityStatus.cancelled):
        raise Conflict(_l("This activity is closed."))
    if first.status is not ShiftStatus.scheduled or first.starts_at <= now:
        raise Conflict(_l("Only a scheduled shift that has not started can be changed."))
    _check_capacity(capacity)
    # Known gap: volunteers already signed up are not re-checked for overlaps with the new
    # times; they are told of the change and can cancel.
    shifts = _series_from(first, rest_of_series)
    for shift in shifts:
        get_or_not_found(Shift, shift.id, lock=True, message=_l("No such shift."))
        day = local_day(shift.starts_at)
        starts_at = local_moment(day, start_time)
        end_day = day if end_time > start_time else day + timedelta(days=1)
        ends_at = local_moment(end_day, end_time)
        _check_shift_times(shift.activity, starts_at, ends_at)
        if starts_at <= now:
            raise _invalid("start_time", _l("A shift cannot be moved into the past."))
        if capacity < shift.seats_taken:
            raise Conflict(
                _l("%(n)d volunteers hold a place already.", n=shift.seats_taken),
                errors={"capacity": [str(_l("Not below the places taken."))]},
            )
        taken = db.session.scalar(
            select(Shift.id).where(
                Shift.activity_id == shift.activity_id,
                Shift.id != shift.id,
                Shift.starts_at == starts_at,
                Shift.ends_at == ends_at,
            )
        )
        if taken:
            raise Conflict(_l("This activity has a shift at exactly that time already."))
        if (starts_at, ends_at) != (shift.starts_at, shift.ends_at):
            when = starts_at.astimezone(local_zone()).strftime("%m-%d %H:%M")
            _notify(shift.activity, [shift.id], NoticeKind.changed, when, now)
        shift.starts_at, shift.ends_at = starts_at, ends_at
        shift.capacity = capacity
        shift.allows_walk_ins = allows_walk_ins
    db.session.flush()
    for shift in shifts:
        _promote_waiting(shift, now)
    return shifts


def cancel_shift(
    leader: User, shift_id: int, *, rest_of_series: bool, reason: str, now: datetime
) -> list[Shift]:
    """Cancel one shift, or it and the later shifts of its series; their volunteers are told.

    Raises Forbidden, NotFound, Conflict (already cancelled or started), ValidationFailed.
    """
    first = managed_shift(leader, shift_id)
    if first.status is not ShiftStatus.scheduled or first.starts_at <= now:
        raise Conflict(_l("Only a scheduled shift that has not started can be cancelled."))
    reason = (reason or "").strip()
    if not reason:
        raise _invalid("reason", _l("Give a reason."))
    shifts = _series_from(first, rest_of_series)
    _notify(first.activity, [s.id for s in shifts], NoticeKind.cancelled, reason, now)
    for shift in shifts:
        _close_shift(shift, now)
    db.session.flush()
    return shifts
