"""What volunteers see: shifts to sign up for, their sign-ups, history, totals, calendar."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from flask_babel import lazy_gettext as _l
from icalendar import Calendar, Event
from sqlalchemy import func, select
from sqlalchemy.orm import contains_eager, selectinload

from core.auth.models import User
from core.clock import local_moment
from core.errors import NotFound
from core.extensions import db
from core.rows import Slice, Window, read_slice
from events.models import (
    Activity,
    ActivityStatus,
    AttendanceStatus,
    Campaign,
    CheckIn,
    Season,
    Shift,
    ShiftStatus,
    SignUp,
    SignUpStatus,
)
from events.services._common import ACTIVE_SIGN_UPS
from events.services.seats import find_sign_up
from volunteer.models import ServiceCategory


@dataclass(frozen=True)
class ShiftFilter:
    season: Season | None = None
    campaign_id: int | None = None
    district_id: int | None = None
    day: date | None = None
    category: ServiceCategory | None = None


def browse_shifts(filters: ShiftFilter, *, now: datetime, window: Window) -> Slice[Shift]:
    """Upcoming shifts of published activities, soonest first, the `window` of them with their
    activity, team, district and campaign loaded in the same query, and how many there are."""
    matching = (
        select(Shift)
        .join(Activity, Activity.id == Shift.activity_id)
        .join(Campaign, Campaign.id == Activity.campaign_id)
        .where(
            Activity.status == ActivityStatus.published,
            Shift.status == ShiftStatus.scheduled,
            Shift.ends_at > now,
        )
    )
    if filters.season is not None:
        matching = matching.where(Campaign.season == filters.season)
    if filters.campaign_id:
        matching = matching.where(Activity.campaign_id == filters.campaign_id)
    if filters.district_id:
        matching = matching.where(Activity.district_id == filters.district_id)
    if filters.category is not None:
        matching = matching.where(Activity.category == filters.category)
    if filters.day is not None:
        start = local_moment(filters.day, time.min)
        matching = matching.where(
            Shift.starts_at >= start, Shift.starts_at < start + timedelta(days=1)
        )
    query = matching.options(
        contains_eager(Shift.activity).contains_eager(Activity.campaign),
        contains_eager(Shift.activity).joinedload(Activity.team, innerjoin=True),
        contains_eager(Shift.activity).joinedload(Activity.district, innerjoin=True),
    ).order_by(Shift.starts_at, Shift.id)
    return read_slice(query, window, count=matching.with_only_columns(Shift.id))


def sign_ups_by_shift(user: User | None, shift_ids: list[int]) -> dict[int, SignUp]:
    """The user's sign-ups (any status but cancelled) among these shifts, by shift id."""
    if user is None or not user.is_authenticated or not shift_ids:
        return {}
    query = select(SignUp).where(
        SignUp.user_id == user.id,
        SignUp.shift_id.in_(shift_ids),
        SignUp.status != SignUpStatus.cancelled,
    )
    return {s.shift_id: s for s in db.session.scalars(query)}


def list_upcoming_sign_ups(user: User, *, now: datetime) -> list[SignUp]:
    """The volunteer's confirmed and waiting sign-ups of shifts not yet over, soonest first."""
    query = (
        select(SignUp)
        .join(Shift, Shift.id == SignUp.shift_id)
        .where(
            SignUp.user_id == user.id,
            SignUp.status.in_(ACTIVE_SIGN_UPS),
            Shift.status == ShiftStatus.scheduled,
            Shift.ends_at > now,
        )
        .options(selectinload(SignUp.shift).selectinload(Shift.activity))
        .order_by(Shift.starts_at)
    )
    return list(db.session.scalars(query))


def list_service_history(user: User) -> list[CheckIn]:
    """The volunteer's check-ins, newest first."""
    query = (
        select(CheckIn)
        .join(Shift, Shift.id == CheckIn.shift_id)
        .where(CheckIn.user_id == user.id)
        .options(
            selectinload(CheckIn.shift).selectinload(Shift.activity).selectinload(Activity.team)
        )
        .order_by(Shift.starts_at.desc())
    )
    return list(db.session.scalars(query))


@dataclass(frozen=True)
class ServiceTotal:
    year: int
    season: Season
    shifts: int
    minutes: int
    points: int

    @property
    def hours(self) -> float:
        return round(self.minutes / 60, 1)


def service_totals(user: User) -> list[ServiceTotal]:
    """Confirmed shifts, minutes served and points by campaign year and season (SQL
    aggregation)."""
    query = (
        select(
            Campaign.year,
            Campaign.season,
            func.count(CheckIn.id),
            func.coalesce(func.sum(CheckIn.served_minutes), 0),
            func.coalesce(func.sum(CheckIn.points_due), 0),
        )
        .select_from(CheckIn)
        .join(Shift, Shift.id == CheckIn.shift_id)
        .join(Activity, Activity.id == Shift.activity_id)
        .join(Campaign, Campaign.id == Activity.campaign_id)
        .where(CheckIn.user_id == user.id, CheckIn.status == AttendanceStatus.confirmed)
        .group_by(Campaign.year, Campaign.season)
        .order_by(Campaign.year.desc(), Campaign.season)
    )
    return [ServiceTotal(y, s, n, int(m), int(p)) for y, s, n, m, p in db.session.execute(query)]


@dataclass(frozen=True)
class YearTotal:
    """A campaign year's confirmed service, with its seasons."""

    year: int
    seasons: list[ServiceTotal]

    @property
    def shifts(self) -> int:
        return sum(s.shifts for s in self.seasons)

    @property
    def minutes(self) -> int:
        return sum(s.minutes for s in self.seasons)

    @property
    def points(self) -> int:
        return sum(s.points for s in self.seasons)

    @property
    def hours(self) -> float:
        return round(self.minutes / 60, 1)


def totals_by_year(totals: list[ServiceTotal]) -> list[YearTotal]:
    """The season totals (newest year first, as `service_totals` gives them) grouped by year."""
    years: dict[int, list[ServiceTotal]] = {}
    for total in totals:
        years.setdefault(total.year, []).append(total)
    return [YearTotal(year, seasons) for year, seasons in years.items()]


def shift_calendar(user: User, shift_id: int, *, now: datetime) -> bytes:
    """An iCalendar file of a shift the volunteer signed up for, to add to a phone calendar.
    Raises NotFound (not signed up)."""
    sign_up = find_sign_up(user, shift_id)
    if sign_up is None or sign_up.status not in ACTIVE_SIGN_UPS:
        raise NotFound(_l("You are not signed up for this shift."))
    shift = sign_up.shift
    activity = shift.activity
    calendar = Calendar()
    calendar.add("prodid", "-//volunteer-points//shift//ZH")
    calendar.add("version", "2.0")
    event = Event()
    event.add("uid", f"shift-{shift.id}-user-{user.id}@volunteer-points")
    event.add("dtstamp", now)
    event.add("dtstart", shift.starts_at)
    event.add("dtend", shift.ends_at)
    event.add("summary", f"{activity.title}（{activity.team.name}）")
    event.add("location", activity.address)
    event.add("description", activity.description)
    calendar.add_component(event)
    return calendar.to_ical()
