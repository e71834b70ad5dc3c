"""China's working-day calendar (工作日): weekends off, the State Council's public holidays
off, and the make-up working days (调休上班) on, as the office keeps them in the `holiday`
table. Every time limit counted in working days is counted here."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from flask_babel import lazy_gettext as _l
from sqlalchemy import String, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from core.auth.models import User
from core.auth.services import require_office
from core.db import enum_column
from core.errors import ValidationFailed
from core.extensions import db
from core.rows import get_or_not_found


class DayKind(enum.Enum):
    """What the State Council's notice makes of a date."""

    day_off = "day_off"  # 放假: a weekday off
    make_up_workday = "make_up_workday"  # 调休上班: a Saturday or Sunday worked


DAY_KIND_LABELS = {
    DayKind.day_off: _l("Day off (放假)"),
    DayKind.make_up_workday: _l("Make-up working day (调休上班)"),
}


class Holiday(db.Model):
    """One date of the holiday calendar: a day off or a make-up working day, with the name of
    the holiday it belongs to (春节, 国庆节 ...). One row per date."""

    __tablename__ = "holiday"

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(unique=True)
    kind: Mapped[DayKind] = mapped_column(enum_column(DayKind))
    name: Mapped[str] = mapped_column(String(64))


# The State Council's notice for 2026 (国务院办公厅关于2026年部分节假日安排的通知, 4 November
# 2025, 国办发明电〔2025〕7号): (first day off, last day off, name, make-up working days).
# Later years are added by the office when their notice is out (the holidays page, the API).
SCHEDULES = {
    2026: [
        (date(2026, 1, 1), date(2026, 1, 3), "元旦", [date(2026, 1, 4)]),
        (date(2026, 2, 15), date(2026, 2, 23), "春节", [date(2026, 2, 14), date(2026, 2, 28)]),
        (date(2026, 4, 4), date(2026, 4, 6), "清明节", []),
        (date(2026, 5, 1), date(2026, 5, 5), "劳动节", [date(2026, 5, 9)]),
        (date(2026, 6, 19), date(2026, 6, 21), "端午节", []),
        (date(2026, 9, 25), date(2026, 9, 27), "中秋节", []),
        (date(2026, 10, 1), date(2026, 10, 7), "国庆节", [date(2026, 9, 20), date(2026, 10, 10)]),
    ],
}

NAME_MAX = 64
# Time limits are a few weeks at most; a bound keeps a typo from looping for ever.
MAX_WORKING_DAYS = 366
# The oldest and newest dates the calendar takes: older notices than the platform are no use.
FIRST_YEAR, LAST_YEAR = 2000, 2100


@dataclass(frozen=True)
class WorkCalendar:
    """The holiday table as two sets of dates: plain Python, so the arithmetic below is pure
    and tests can build one by hand."""

    days_off: frozenset[date] = frozenset()
    make_up_workdays: frozenset[date] = frozenset()

    def is_working_day(self, day: date) -> bool:
        """A weekday that is not a day off, or a weekend day the notice makes a working day."""
        if day in self.make_up_workdays:
            return True
        return day.weekday() < 5 and day not in self.days_off


def load_calendar() -> WorkCalendar:
    """The calendar as the office keeps it (the table holds a few dozen rows a year)."""
    rows = db.session.execute(select(Holiday.day, Holiday.kind)).all()
    return WorkCalendar(
        days_off=frozenset(day for day, kind in rows if kind is DayKind.day_off),
        make_up_workdays=frozenset(day for day, kind in rows if kind is DayKind.make_up_workday),
    )


def add_working_days(start: date, n: int, calendar: WorkCalendar) -> date:
    """The n-th working day after `start` (`start` itself never counts; n = 0 gives `start`).
    Raises ValueError for n outside 0..MAX_WORKING_DAYS."""
    if not 0 <= n <= MAX_WORKING_DAYS:
        raise ValueError(f"n must be within 0..{MAX_WORKING_DAYS}")
    day = start
    while n:
        day += timedelta(days=1)
        if calendar.is_working_day(day):
            n -= 1
    return day


def working_days_between(start: date, end: date, calendar: WorkCalendar) -> int:
    """How many working days come after `start` up to and including `end` (0 when `end` is not
    after `start`): the working days a case has taken when received on `start`."""
    count = 0
    day = start
    while day < end:
        day += timedelta(days=1)
        count += calendar.is_working_day(day)
    return count


def working_day_deadline(
    start_at: datetime, n: int, calendar: WorkCalendar, zone: tzinfo
) -> datetime:
    """When a time limit of n working days, counted from the UTC moment `start_at`, runs out:
    the end (midnight, local time in `zone`) of the n-th working day after the local day of
    `start_at`, returned in UTC. Something received on a Friday evening with 5 working days has
    until the end of the next Friday, or later when holidays fall between."""
    first = start_at.astimezone(zone).date()
    last = add_working_days(first, n, calendar)
    end = datetime.combine(last + timedelta(days=1), time(0, 0), tzinfo=zone)
    return end.astimezone(UTC)


# The office's table -----------------------------------------------------------------------------


def list_holidays(year: int | None = None) -> list[Holiday]:
    """The calendar's dates in order, of one year or all."""
    query = select(Holiday).order_by(Holiday.day)
    if year is not None:
        query = query.where(Holiday.day >= date(year, 1, 1), Holiday.day <= date(year, 12, 31))
    return list(db.session.scalars(query))


def years_held() -> list[int]:
    """The years the table has dates for, newest first."""
    return sorted({day.year for day in db.session.scalars(select(Holiday.day))}, reverse=True)


def add_holiday(office: User, *, day: date, kind: DayKind, name: str) -> Holiday:
    """Add a date to the calendar (the office): a day off (放假) or a make-up working day
    (调休上班, which the notices only ever put on a Saturday or Sunday).

    Raises Forbidden (not the office), ValidationFailed (no name or too long a one, a date
    outside FIRST_YEAR..LAST_YEAR, a make-up working day on a weekday, a date already in the
    calendar)."""
    require_office(office)
    name = (name or "").strip()
    errors: dict[str, list[str]] = {}
    if not name:
        errors["name"] = [str(_l("Enter the holiday's name, such as 春节."))]
    elif len(name) > NAME_MAX:
        errors["name"] = [str(_l("Enter at most %(n)d characters.", n=NAME_MAX))]
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        errors["day"] = [
            str(_l("Enter a date from %(first)d to %(last)d.", first=FIRST_YEAR, last=LAST_YEAR))
        ]
    elif kind is DayKind.make_up_workday and day.weekday() < 5:
        errors["day"] = [str(_l("A make-up working day falls on a Saturday or Sunday."))]
    elif db.session.scalar(select(Holiday.id).where(Holiday.day == day)) is not None:
        errors["day"] = [str(_l("This date is in the calendar already; remove it first."))]
    if errors:
        raise ValidationFailed(errors=errors)
    holiday = Holiday(day=day, kind=kind, name=name)
    try:
        with db.session.begin_nested():
            db.session.add(holiday)
    except IntegrityError:
        # Another office added the same date at the same moment.
        raise ValidationFailed(
            errors={"day": [str(_l("This date is in the calendar already; remove it first."))]}
        ) from None
    return holiday


def remove_holiday(office: User, holiday_id: int) -> Holiday:
    """Take a date out of the calendar (the office); it becomes an ordinary day again.
    Raises Forbidden or NotFound."""
    require_office(office)
    holiday = get_or_not_found(Holiday, holiday_id, _l("This date is not in the calendar."))
    db.session.delete(holiday)
    db.session.flush()
    return holiday


def ensure_holidays() -> int:
    """Add the dates of SCHEDULES that the table lacks (a date the office changed is left as it
    is); return how many were added."""
    taken = set(db.session.scalars(select(Holiday.day)))
    added = 0
    for schedule in SCHEDULES.values():
        for first, last, name, make_up in schedule:
            dates = [
                (first + timedelta(days=i), DayKind.day_off) for i in range((last - first).days + 1)
            ]
            dates += [(day, DayKind.make_up_workday) for day in make_up]
            for day, kind in dates:
                if day not in taken:
                    db.session.add(Holiday(day=day, kind=kind, name=name))
                    taken.add(day)
                    added += 1
    db.session.flush()
    return added
