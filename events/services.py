"""Event rules: campaigns and their points rule, activities, shifts, sign-ups, check-in by QR
code, attendance and corrections."""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from icalendar import Calendar, Event
from itsdangerous import BadSignature, URLSafeSerializer
from lunardate import LunarDate
from sqlalchemy import and_, func, select, update
from sqlalchemy.orm import contains_eager, joinedload, selectinload

from core.auth import services as auth
from core.auth.models import Role, User
from core.clock import local_day, local_moment, local_zone
from core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from core.extensions import db
from core.rows import get_or_not_found
from events.models import (
    Activity,
    ActivityNotice,
    ActivityStatus,
    AttendanceStatus,
    BonusDay,
    Campaign,
    CheckIn,
    CheckInChange,
    CheckInMethod,
    CorrectionRequest,
    CorrectionStatus,
    NoticeKind,
    Season,
    Shift,
    ShiftSeries,
    ShiftStatus,
    SignUp,
    SignUpStatus,
)
from points import services as ledger
from volunteer import services as volunteers
from volunteer.models import ServiceCategory, TeamStatus

CHECK_IN_OPENS_BEFORE = timedelta(minutes=30)
QR_ROTATION_SECONDS = 60
QR_VALID_SECONDS = 120
MAX_SHIFT_LENGTH = timedelta(hours=24)
MAX_SERIES_SHIFTS = 366
MAX_CAPACITY = 10_000
ACTIVE_SIGN_UPS = (SignUpStatus.confirmed, SignUpStatus.waiting)
# Rules about a shift nearly always ask about its activity too: one round trip for both.
_WITH_ACTIVITY = joinedload(Shift.activity, innerjoin=True)


def _invalid(field: str, message) -> ValidationFailed:
    return ValidationFailed(errors={field: [str(message)]})


# Campaigns (善行四季) ------------------------------------------------------------------


@dataclass(frozen=True)
class BonusDaySpec:
    day: date
    multiplier: int
    label: str = ""


def _require_office(user: User) -> None:
    if user.role is not Role.office:
        raise Forbidden()


def _check_campaign(
    *,
    name: str,
    year: int,
    starts_on: date,
    ends_on: date,
    points_per_hour: int,
    max_points_per_shift: int,
    bonus_days: list[BonusDaySpec],
) -> str:
    name = (name or "").strip()
    if not name:
        raise _invalid("name", _l("Enter the campaign's name."))
    if not 2000 <= year <= 2100:
        raise _invalid("year", _l("Enter a year between 2000 and 2100."))
    if starts_on > ends_on:
        raise _invalid("ends_on", _l("The campaign must end on or after its first day."))
    if (ends_on - starts_on).days > 366:
        raise _invalid("ends_on", _l("A campaign lasts a year at most."))
    if not 0 <= points_per_hour <= 1000:
        raise _invalid("points_per_hour", _l("Enter 0 to 1000 points per hour."))
    if not 0 <= max_points_per_shift <= 10000:
        raise _invalid("max_points_per_shift", _l("Enter a cap of 0 to 10000 points."))
    days = [b.day for b in bonus_days]
    if len(days) != len(set(days)):
        raise _invalid("bonus_days", _l("Each bonus day may appear once."))
    for bonus in bonus_days:
        if not starts_on <= bonus.day <= ends_on:
            raise _invalid("bonus_days", _l("Bonus days must fall inside the campaign."))
        if not 1 <= bonus.multiplier <= 10:
            raise _invalid("bonus_days", _l("A multiplier is 1 to 10."))
    return name


def create_campaign(
    office: User,
    *,
    name: str,
    season: Season,
    year: int,
    starts_on: date,
    ends_on: date,
    description: str = "",
    points_per_hour: int = 10,
    max_points_per_shift: int = 80,
    bonus_days: list[BonusDaySpec] | None = None,
) -> Campaign:
    """The office creates a seasonal campaign with its points rule.

    Raises Forbidden (not office) or ValidationFailed (window, rule or bonus days).
    """
    _require_office(office)
    bonus_days = bonus_days or []
    name = _check_campaign(
        name=name,
        year=year,
        starts_on=starts_on,
        ends_on=ends_on,
        points_per_hour=points_per_hour,
        max_points_per_shift=max_points_per_shift,
        bonus_days=bonus_days,
    )
    campaign = Campaign(
        name=name[:120],
        season=season,
        year=year,
        starts_on=starts_on,
        ends_on=ends_on,
        description=(description or "").strip(),
        points_per_hour=points_per_hour,
        max_points_per_shift=max_points_per_shift,
        bonus_days=[
            BonusDay(day=b.day, multiplier=b.multiplier, label=b.label) for b in bonus_days
        ],
    )
    db.session.add(campaign)
    db.session.flush()
    return campaign


def update_campaign(
    office: User,
    campaign_id: int,
    *,
    name: str,
    starts_on: date,
    ends_on: date,
    description: str,
    points_per_hour: int,
    max_points_per_shift: int,
    bonus_days: list[BonusDaySpec],
) -> Campaign:
    """The office changes a campaign; points already confirmed stay as they were.

    Raises Forbidden, NotFound, ValidationFailed (also when a shift would fall outside).
    """
    _require_office(office)
    campaign = get_campaign(campaign_id)
    name = _check_campaign(
        name=name,
        year=campaign.year,
        starts_on=starts_on,
        ends_on=ends_on,
        points_per_hour=points_per_hour,
        max_points_per_shift=max_points_per_shift,
        bonus_days=bonus_days,
    )
    outside = db.session.scalar(
        select(func.count())
        .select_from(Shift)
        .join(Activity)
        .where(Activity.campaign_id == campaign.id, Shift.status == ShiftStatus.scheduled)
        .where(
            (Shift.starts_at < local_moment(starts_on, time.min))
            | (Shift.starts_at >= local_moment(ends_on + timedelta(days=1), time.min))
        )
    )
    if outside:
        raise _invalid("starts_on", _l("Some shifts would fall outside the new dates."))
    campaign.name = name[:120]
    campaign.starts_on, campaign.ends_on = starts_on, ends_on
    campaign.description = (description or "").strip()
    campaign.points_per_hour = points_per_hour
    campaign.max_points_per_shift = max_points_per_shift
    # The old rows go first: a day kept would otherwise meet itself in the unique constraint.
    campaign.bonus_days.clear()
    db.session.flush()
    campaign.bonus_days = [
        BonusDay(day=b.day, multiplier=b.multiplier, label=b.label) for b in bonus_days
    ]
    db.session.flush()
    return campaign


def get_campaign(campaign_id: int) -> Campaign:
    """Return the campaign; raise NotFound if there is none."""
    return get_or_not_found(Campaign, campaign_id, _l("No such campaign."))


def list_campaigns(*, year: int | None = None) -> list[Campaign]:
    """Campaigns, newest first, optionally of one year."""
    query = select(Campaign).options(selectinload(Campaign.bonus_days))
    if year is not None:
        query = query.where(Campaign.year == year)
    return list(db.session.scalars(query.order_by(Campaign.starts_on.desc(), Campaign.id)))


def list_campaigns_open_for_planning(today: date) -> list[Campaign]:
    """Campaigns that have not ended: activities can be planned in them."""
    query = select(Campaign).where(Campaign.ends_on >= today).order_by(Campaign.starts_on)
    return list(db.session.scalars(query))


def _last_of_february(year: int) -> date:
    return date(year, 3, 1) - timedelta(days=1)


def standard_campaigns(year: int) -> list[dict]:
    """The city's four campaigns of a year, with their usual windows and bonus days."""
    double_ninth = LunarDate(year, 9, 9).to_solar_date()
    spring_festival = LunarDate(year + 1, 1, 1).to_solar_date()
    return [
        {
            "season": Season.spring,
            "name": f"{year}年春季·学雷锋志愿服务月",
            "starts_on": date(year, 3, 1),
            "ends_on": date(year, 4, 30),
            "description": "学雷锋纪念日（3月5日）为道德模范、身边好人献花；"
            "走上街头开展环境清洁、义务理发、家电维修等便民服务。",
            "bonus_days": [BonusDaySpec(date(year, 3, 5), 2, "学雷锋纪念日")],
        },
        {
            "season": Season.tourist_season,
            "name": f"{year}年旅游旺季志愿服务",
            "starts_on": date(year, 6, 1),
            "ends_on": date(year, 8, 31),
            "description": "旅游旺季在景区开展文明引导、游客咨询，在繁忙路口协助交警开展交通劝导。",
            "bonus_days": [],
        },
        {
            "season": Season.autumn_harvest,
            "name": f"{year}年秋季助农与关爱行动",
            "starts_on": date(year, 9, 1),
            "ends_on": date(year, 11, 30),
            "description": "秋收时节助农帮扶；关爱空巢老人；八一、重阳节走访慰问退役军人和老党员。",
            "bonus_days": [BonusDaySpec(double_ninth, 2, "重阳节")],
        },
        {
            "season": Season.winter,
            "name": f"{year}年冬季走访慰问",
            "starts_on": date(year, 12, 1),
            "ends_on": _last_of_february(year + 1),
            "description": "元旦、春节期间走访慰问道德模范、身边好人，送去慰问金和节日祝福。",
            "bonus_days": [
                BonusDaySpec(date(year + 1, 1, 1), 2, "元旦"),
                BonusDaySpec(spring_festival, 2, "春节"),
            ],
        },
    ]


def create_standard_year(office: User, year: int) -> list[Campaign]:
    """Create the four standard campaigns of a year; a season that has a campaign that year
    already is left alone. Returns the campaigns created."""
    _require_office(office)
    if not 2000 <= year <= 2100:
        raise _invalid("year", _l("Enter a year between 2000 and 2100."))
    existing = set(db.session.scalars(select(Campaign.season).where(Campaign.year == year)))
    created = []
    for spec in standard_campaigns(year):
        if spec["season"] not in existing:
            created.append(create_campaign(office, year=year, **spec))
    return created


def points_for(campaign: Campaign, minutes: int, day: date) -> int:
    """Points earned for serving `minutes` in one shift on a (local) day: points per full hour,
    capped per shift, then multiplied on a bonus day (the bonus rewards the day, so it is not
    eaten by the cap)."""
    base = (max(minutes, 0) // 60) * campaign.points_per_hour
    return min(base, campaign.max_points_per_shift) * campaign.multiplier_on(day)


# Activities (活动) -----------------------------------------------------------------------


@dataclass(frozen=True)
class Place:
    address: str
    latitude: float | None = None
    longitude: float | None = None
    checkin_radius_m: int | None = None


def _check_place(place: Place) -> Place:
    address = (place.address or "").strip()
    if not address:
        raise _invalid("address", _l("Enter where the activity takes place."))
    has_lat, has_lng = place.latitude is not None, place.longitude is not None
    if has_lat != has_lng:
        raise _invalid("latitude", _l("Give both latitude and longitude, or neither."))
    if has_lat and not _on_the_map(place.latitude, place.longitude):
        raise _invalid("latitude", _l("These coordinates are not on the map."))
    radius = place.checkin_radius_m
    if radius is not None:
        if not has_lat:
            raise _invalid("checkin_radius_m", _l("A check-in radius needs coordinates."))
        if not 20 <= radius <= 5000:
            raise _invalid("checkin_radius_m", _l("Enter a radius of 20 to 5000 metres."))
    return Place(address[:200], place.latitude, place.longitude, radius)


def get_activity(activity_id: int) -> Activity:
    """Return the activity; raise NotFound if there is none."""
    return get_or_not_found(Activity, activity_id, _l("No such activity."))


def managed_activity(user: User, activity_id: int) -> Activity:
    """Return the activity if the user leads its team (or is the office); raise NotFound or
    Forbidden."""
    activity = get_activity(activity_id)
    volunteers.require_team_manager(user, activity.team_id)
    return activity


def visible_activity(user: User | None, activity_id: int) -> Activity:
    """Return an activity the user may see: published or closed ones for everyone, drafts only
    for its team's leaders and the office. Raises NotFound."""
    activity = get_activity(activity_id)
    if activity.status is ActivityStatus.draft and not can_manage(user, activity):
        raise NotFound(_l("No such activity."))
    return activity


def can_manage(user: User | None, activity: Activity) -> bool:
    """Whether the user may change the activity (a leader of its team, or the office)."""
    if user is None or not user.is_authenticated:
        return False
    return user.role is Role.office or volunteers.is_team_leader(user, activity.team_id)


def create_activity(
    leader: User,
    *,
    team_id: int,
    campaign_id: int,
    title: str,
    category: ServiceCategory,
    place: Place,
    description: str,
    now: datetime,
) -> Activity:
    """A leader drafts an activity of their team inside a campaign that has not ended.

    Raises Forbidden (not a leader of the team), NotFound, Conflict (team not approved),
    ValidationFailed (title, place, campaign over).
    """
    team = volunteers.require_team_manager(leader, team_id)
    if team.status is not TeamStatus.approved:
        raise Conflict(_l("The team has not been approved yet."))
    campaign = get_campaign(campaign_id)
    if campaign.ends_on < local_day(now):
        raise _invalid("campaign_id", _l("This campaign is over; choose a current one."))
    title = (title or "").strip()
    if not title:
        raise _invalid("title", _l("Enter a title."))
    place = _check_place(place)
    activity = Activity(
        team_id=team.id,
        campaign_id=campaign.id,
        district_id=team.district_id,
        title=title[:120],
        category=category,
        address=place.address,
        latitude=place.latitude,
        longitude=place.longitude,
        checkin_radius_m=place.checkin_radius_m,
        description=(description or "").strip(),
        status=ActivityStatus.draft,
        created_by_id=leader.id,
        created_at=now,
    )
    db.session.add(activity)
    db.session.flush()
    return activity


def _signed_up_users(shift_ids: list[int]) -> list[tuple[int, int]]:
    """(user id, shift id) of the active sign-ups of these shifts."""
    if not shift_ids:
        return []
    query = select(SignUp.user_id, SignUp.shift_id).where(
        SignUp.shift_id.in_(shift_ids), SignUp.status.in_(ACTIVE_SIGN_UPS)
    )
    return [tuple(row) for row in db.session.execute(query)]


def _notify(activity: Activity, shift_ids: list[int], kind: NoticeKind, message: str, now):
    for user_id, shift_id in _signed_up_users(shift_ids):
        db.session.add(
            ActivityNotice(
                user_id=user_id,
                activity_id=activity.id,
                shift_id=shift_id,
                kind=kind,
                message=message,
                created_at=now,
            )
        )


def update_activity(
    leader: User,
    activity_id: int,
    *,
    title: str,
    category: ServiceCategory,
    place: Place,
    description: str,
    now: datetime,
) -> Activity:
    """A leader edits an open activity; if it is published and the title or place changed,
    its signed-up volunteers are told. Raises Forbidden, NotFound, Conflict (closed),
    ValidationFailed."""
    activity = managed_activity(leader, activity_id)
    if activity.status in (ActivityStatus.completed, ActivityStatus.cancelled):
        raise Conflict(_l("This activity is closed."))
    title = (title or "").strip()
    if not title:
        raise _invalid("title", _l("Enter a title."))
    place = _check_place(place)
    moved = (activity.title, activity.address) != (title[:120], place.address)
    activity.title = title[:120]
    activity.category = category
    activity.address = place.address
    activity.latitude, activity.longitude = place.latitude, place.longitude
    activity.checkin_radius_m = place.checkin_radius_m
    activity.description = (description or "").strip()
    if moved and activity.status is ActivityStatus.published:
        shift_ids = [s.id for s in activity.shifts if s.status is ShiftStatus.scheduled]
        _notify(activity, shift_ids, NoticeKind.changed, f"{activity.title} · {place.address}", now)
    db.session.flush()
    return activity


def publish_activity(leader: User, activity_id: int, *, now: datetime) -> Activity:
    """Open a draft for sign-ups. Raises Forbidden, NotFound, Conflict (not a draft, or no
    future shift)."""
    activity = managed_activity(leader, activity_id)
    if activity.status is not ActivityStatus.draft:
        raise Conflict(_l("Only a draft can be published."))
    if not any(s.status is ShiftStatus.scheduled and s.ends_at > now for s in activity.shifts):
        raise Conflict(_l("Add at least one upcoming shift before publishing."))
    activity.status = ActivityStatus.published
    activity.published_at = now
    db.session.flush()
    return activity


def cancel_activity(leader: User, activity_id: int, *, reason: str, now: datetime) -> Activity:
    """Cancel an activity with a reason: its shifts and sign-ups are cancelled and every
    signed-up volunteer gets a notice. Raises Forbidden, NotFound, Conflict, ValidationFailed."""
    activity = managed_activity(leader, activity_id)
    if activity.status in (ActivityStatus.completed, ActivityStatus.cancelled):
        raise Conflict(_l("This activity is closed."))
    reason = (reason or "").strip()
    if not reason:
        raise _invalid("reason", _l("Give a reason."))
    open_shifts = [s for s in activity.shifts if s.status is ShiftStatus.scheduled]
    _notify(activity, [s.id for s in open_shifts], NoticeKind.cancelled, reason, now)
    for shift in open_shifts:
        _close_shift(shift, now)
    activity.status = ActivityStatus.cancelled
    activity.cancel_reason = reason
    activity.closed_at = now
    db.session.flush()
    return activity


def complete_activity(leader: User, activity_id: int, *, now: datetime) -> Activity:
    """Mark a published activity completed once all its shifts are over. Raises Forbidden,
    NotFound, Conflict."""
    activity = managed_activity(leader, activity_id)
    if activity.status is not ActivityStatus.published:
        raise Conflict(_l("Only a published activity can be completed."))
    if any(s.status is ShiftStatus.scheduled and s.ends_at > now for s in activity.shifts):
        raise Conflict(_l("Some shifts have not ended yet."))
    activity.status = ActivityStatus.completed
    activity.closed_at = now
    db.session.flush()
    return activity


def _close_shift(shift: Shift, now: datetime) -> None:
    shift.status = ShiftStatus.cancelled
    db.session.execute(
        update(SignUp)
        .where(SignUp.shift_id == shift.id, SignUp.status.in_(ACTIVE_SIGN_UPS))
        .values(status=SignUpStatus.cancelled, cancelled_at=now)
    )
    db.session.execute(update(Shift).where(Shift.id == shift.id).values(seats_taken=0))
    db.session.expire(shift, ["seats_taken"])


# Shifts (班次) ---------------------------------------------------------------------------


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


# Sign-ups (报名) and the waiting list (候补) ---------------------------------------------


class ShiftFull(Conflict):
    code = "shift_full"
    default_message = _l("This shift is full. You can join the waiting list.")


def _take_seat(shift_id: int) -> bool:
    """Take one seat if one is free. The condition sits in the UPDATE itself, so however many
    requests race for the last seat, the database gives it to one."""
    result = db.session.execute(
        update(Shift)
        .where(Shift.id == shift_id, Shift.seats_taken < Shift.capacity)
        .values(seats_taken=Shift.seats_taken + 1)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def _free_seat(shift_id: int) -> None:
    db.session.execute(
        update(Shift)
        .where(Shift.id == shift_id, Shift.seats_taken > 0)
        .values(seats_taken=Shift.seats_taken - 1)
        .execution_options(synchronize_session=False)
    )


def _promote_waiting(shift: Shift, now: datetime) -> list[SignUp]:
    """Give free seats to the waiting list, first come first served."""
    promoted = []
    while True:
        candidate = db.session.scalar(
            select(SignUp)
            .where(SignUp.shift_id == shift.id, SignUp.status == SignUpStatus.waiting)
            .order_by(SignUp.created_at, SignUp.id)
            .limit(1)
            .with_for_update(skip_locked=True)
        )
        if candidate is None or not _take_seat(shift.id):
            break
        candidate.status = SignUpStatus.confirmed
        candidate.promoted_at = now
        promoted.append(candidate)
        db.session.flush()
    db.session.expire(shift, ["seats_taken"])
    return promoted


@dataclass(frozen=True)
class _Held:
    """A shift (with its activity) and what a volunteer holds on it, read under their lock."""

    shift: Shift
    sign_up: SignUp | None
    check_in: CheckIn | None


def _lock_volunteer(user: User, shift_id: int) -> _Held | None:
    """Take the volunteer's turn, then read the shift, their sign-up and their check-in on it
    in one query (None if there is no such shift). One volunteer's sign-ups and check-ins take
    turns, so two at once cannot both pass the overlap check or both create the check-in."""
    db.session.execute(select(User.id).where(User.id == user.id).with_for_update())
    # A query of its own after the lock: a PostgreSQL statement sees only what was committed
    # when it began, so reading in the locking statement would miss what the turn before
    # ours has just written.
    row = db.session.execute(
        select(Shift, SignUp, CheckIn)
        .outerjoin(SignUp, and_(SignUp.shift_id == Shift.id, SignUp.user_id == user.id))
        .outerjoin(CheckIn, and_(CheckIn.shift_id == Shift.id, CheckIn.user_id == user.id))
        .where(Shift.id == shift_id)
        .options(_WITH_ACTIVITY)
        .execution_options(populate_existing=True)
    ).one_or_none()
    return None if row is None else _Held(row.Shift, row.SignUp, row.CheckIn)


def _locked_on_shift(user: User, shift_id: int) -> _Held:
    held = _lock_volunteer(user, shift_id)
    if held is None:
        raise NotFound(_l("No such shift."))
    return held


def _overlapping(user: User, shift: Shift) -> Shift | None:
    query = (
        select(Shift)
        .join(SignUp, SignUp.shift_id == Shift.id)
        .where(
            SignUp.user_id == user.id,
            SignUp.status.in_(ACTIVE_SIGN_UPS),
            Shift.id != shift.id,
            Shift.status == ShiftStatus.scheduled,
            Shift.starts_at < shift.ends_at,
            Shift.ends_at > shift.starts_at,
        )
        .limit(1)
    )
    return db.session.scalar(query)


def _bookable(shift: Shift, now: datetime) -> None:
    if shift.activity.status is ActivityStatus.cancelled:
        raise Conflict(_l("This activity has been cancelled."), code="cancelled")
    if shift.status is ShiftStatus.cancelled:
        raise Conflict(_l("This shift has been cancelled."), code="cancelled")
    if shift.activity.status is not ActivityStatus.published:
        raise Conflict(_l("This activity is not open for sign-up."), code="not_open")
    if shift.starts_at <= now:
        raise Conflict(_l("This shift has started; sign-up is closed."), code="started")


def find_sign_up(user: User, shift_id: int) -> SignUp | None:
    return db.session.scalar(
        select(SignUp).where(SignUp.shift_id == shift_id, SignUp.user_id == user.id)
    )


def sign_up(user: User, shift_id: int, *, now: datetime, join_waiting_list: bool = False) -> SignUp:
    """Sign a volunteer up for a shift: a seat if one is free, else the waiting list when asked
    for. Signing up again returns the sign-up held.

    Raises NotFound, Forbidden (not a volunteer), Conflict (cancelled, not open, started, an
    overlapping shift held) and ShiftFull (offer the waiting list).
    """
    if user.role is not Role.volunteer:
        raise Forbidden(_l("Only volunteers can sign up for shifts."))
    locked = _locked_on_shift(user, shift_id)
    shift, held = locked.shift, locked.sign_up
    _bookable(shift, now)
    if held is not None and held.status in ACTIVE_SIGN_UPS:
        return held
    clash = _overlapping(user, shift)
    if clash is not None:
        when = clash.starts_at.astimezone(local_zone()).strftime("%m-%d %H:%M")
        raise Conflict(
            _l(
                "You hold another shift at that time: %(title)s, %(when)s.",
                title=clash.activity.title,
                when=when,
            ),
            code="overlapping_shift",
        )
    if _take_seat(shift.id):
        status = SignUpStatus.confirmed
    elif join_waiting_list:
        status = SignUpStatus.waiting
    else:
        raise ShiftFull()
    if held is None:
        held = SignUp(shift_id=shift.id, user_id=user.id)
        db.session.add(held)
    held.status, held.created_at = status, now
    held.cancelled_at = held.promoted_at = None
    db.session.flush()
    db.session.expire(shift, ["seats_taken"])
    return held


def cancel_sign_up(user: User, shift_id: int, *, now: datetime) -> SignUp:
    """A volunteer cancels their sign-up until the cut-off before the start
    (SIGN_UP_CANCEL_CUTOFF_HOURS); a freed seat goes to the first on the waiting list.

    Raises NotFound (no sign-up) or Conflict (past the cut-off: ask the leader).
    """
    locked = _locked_on_shift(user, shift_id)
    shift, held = locked.shift, locked.sign_up
    if held is None or held.status not in ACTIVE_SIGN_UPS:
        raise NotFound(_l("You are not signed up for this shift."))
    cutoff = timedelta(hours=current_app.config["SIGN_UP_CANCEL_CUTOFF_HOURS"])
    if held.status is SignUpStatus.confirmed and now > shift.starts_at - cutoff:
        raise Conflict(
            _l(
                "Cancelling closes %(hours)d hours before the start; please tell the leader.",
                hours=current_app.config["SIGN_UP_CANCEL_CUTOFF_HOURS"],
            ),
            code="too_late",
        )
    was_confirmed = held.status is SignUpStatus.confirmed
    held.status, held.cancelled_at = SignUpStatus.cancelled, now
    db.session.flush()
    if was_confirmed:
        _free_seat(shift.id)
        _promote_waiting(shift, now)
    return held


def waiting_position(sign_up_row: SignUp) -> int | None:
    """1 for the first on the waiting list; None if not waiting."""
    if sign_up_row.status is not SignUpStatus.waiting:
        return None
    ahead = db.session.scalar(
        select(func.count()).where(
            SignUp.shift_id == sign_up_row.shift_id,
            SignUp.status == SignUpStatus.waiting,
            (SignUp.created_at < sign_up_row.created_at)
            | and_(SignUp.created_at == sign_up_row.created_at, SignUp.id < sign_up_row.id),
        )
    )
    return ahead + 1


# Check-in (签到) by rotating QR code, check-out (签退) --------------------------------------


class CheckInCodeInvalid(ValidationFailed):
    code = "check_in_code_invalid"
    default_message = _l(
        "This code has expired or is not valid. Ask the leader to show the current code."
    )


def _code_serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="shift-check-in")


def check_in_code(leader: User, shift_id: int, *, now: datetime) -> tuple[str, int]:
    """The code a leader shows on site: a signed token of the shift and the current minute.
    Returns the token and the seconds until the next one. Raises Forbidden, NotFound."""
    shift = managed_shift(leader, shift_id)
    window = int(now.timestamp()) // QR_ROTATION_SECONDS
    token = _code_serializer().dumps({"s": shift.id, "w": window})
    return token, QR_ROTATION_SECONDS - int(now.timestamp()) % QR_ROTATION_SECONDS


def _code_shift_id(token: str, *, now: datetime) -> int:
    """The shift id a scanned code names, if the code is genuine and at most QR_VALID_SECONDS
    old. Raises CheckInCodeInvalid."""
    try:
        data = _code_serializer().loads(token)
        shift_id, window = int(data["s"]), int(data["w"])
    except (BadSignature, KeyError, TypeError, ValueError):
        raise CheckInCodeInvalid() from None
    if not 0 <= now.timestamp() - window * QR_ROTATION_SECONDS <= QR_VALID_SECONDS:
        raise CheckInCodeInvalid()
    return shift_id


def read_check_in_code(token: str, *, now: datetime) -> Shift:
    """The shift of a scanned code, if the code is genuine and at most QR_VALID_SECONDS old.
    Raises CheckInCodeInvalid."""
    shift = db.session.get(Shift, _code_shift_id(token, now=now), options=[_WITH_ACTIVITY])
    if shift is None:
        raise CheckInCodeInvalid()
    return shift


def distance_m(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """Great-circle distance in metres (haversine)."""
    r = 6_371_000
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * r * math.asin(math.sqrt(a))


def _on_the_map(latitude: float, longitude: float) -> bool:
    # NaN would make every distance comparison false and so pass any geofence.
    return (
        math.isfinite(latitude)
        and math.isfinite(longitude)
        and -90 <= latitude <= 90
        and -180 <= longitude <= 180
    )


def find_check_in(user_id: int, shift_id: int) -> CheckIn | None:
    return db.session.scalar(
        select(CheckIn).where(CheckIn.shift_id == shift_id, CheckIn.user_id == user_id)
    )


def _admit(
    user: User, shift: Shift, held: SignUp | None, *, walk_ins_allowed: bool, now: datetime
) -> bool:
    """Make sure the volunteer holds a seat on the shift (`held`: their sign-up, read under
    their lock); return whether they came as a walk-in. Raises Conflict when they may not or
    there is no room."""
    if held is not None and held.status in (SignUpStatus.confirmed, SignUpStatus.no_show):
        # A volunteer marked absent who turns out to have come keeps the seat they held.
        held.status = SignUpStatus.confirmed
        return False
    if not walk_ins_allowed:
        raise Conflict(
            _l("You are not signed up for this shift, and it takes no walk-ins."),
            code="not_signed_up",
        )
    if not _take_seat(shift.id):
        raise ShiftFull(_l("This shift is full."))
    if held is None:
        held = SignUp(shift_id=shift.id, user_id=user.id, created_at=now)
        db.session.add(held)
    held.status, held.cancelled_at = SignUpStatus.confirmed, None
    db.session.expire(shift, ["seats_taken"])
    return True


def check_in(
    user: User,
    token: str,
    *,
    now: datetime,
    latitude: float | None = None,
    longitude: float | None = None,
) -> tuple[CheckIn, bool]:
    """A volunteer checks in by scanning the shift's code; returns the check-in and whether it
    was made now (a repeated scan returns the first one).

    Raises CheckInCodeInvalid, ValidationFailed (outside the window, location missing or too
    far), Conflict (cancelled, not signed up and no walk-ins, full).
    """
    if user.role is not Role.volunteer:
        raise Forbidden(_l("Only volunteers check in to shifts."))
    held = _lock_volunteer(user, _code_shift_id(token, now=now))
    if held is None:
        raise CheckInCodeInvalid()
    shift = held.shift
    if held.check_in is not None:
        return held.check_in, False
    if (
        shift.status is ShiftStatus.cancelled
        or shift.activity.status is not ActivityStatus.published
    ):
        raise Conflict(_l("This shift is not open for check-in."), code="not_open")
    if now < shift.starts_at - CHECK_IN_OPENS_BEFORE:
        raise _invalid("time", _l("Check-in opens 30 minutes before the start."))
    if now > shift.ends_at:
        raise _invalid("time", _l("This shift has ended; ask the leader to record you."))
    activity = shift.activity
    if activity.has_geofence:
        if latitude is None or longitude is None or not _on_the_map(latitude, longitude):
            raise _invalid("location", _l("Allow the location so that we can check you in."))
        away = distance_m(latitude, longitude, activity.latitude, activity.longitude)
        if away > activity.checkin_radius_m:
            raise _invalid(
                "location",
                _l(
                    "You are %(away)d m from the place; check-in works within %(radius)d m. "
                    "Ask the leader to check you in.",
                    away=round(away),
                    radius=activity.checkin_radius_m,
                ),
            )
    walk_in = _admit(user, shift, held.sign_up, walk_ins_allowed=shift.allows_walk_ins, now=now)
    row = CheckIn(
        shift_id=shift.id,
        user_id=user.id,
        is_walk_in=walk_in,
        method=CheckInMethod.qr,
        checked_in_at=now,
        latitude=latitude,
        longitude=longitude,
    )
    db.session.add(row)
    db.session.flush()
    return row, True


def _audit(row: CheckIn, actor: User, field: str, old, new, reason: str, now: datetime):
    def text(value):
        return value.isoformat() if isinstance(value, datetime) else value

    db.session.add(
        CheckInChange(
            check_in_id=row.id,
            actor_id=actor.id,
            field=field,
            old_value=text(old),
            new_value=text(new),
            reason=reason,
            created_at=now,
        )
    )


def require_recent_for_leader(user: User, shift: Shift, *, now: datetime, leader_days: int) -> None:
    """A leader changes who served on a shift, and for how long, only until `leader_days` after
    its end; then the record is settled (reports have read it) and only the office changes it.
    Raises Forbidden."""
    if user.role is not Role.office and shift.ends_at <= now - timedelta(days=leader_days):
        raise Forbidden(
            _l(
                "This shift ended more than %(days)d days ago: ask the office to change its "
                "record.",
                days=leader_days,
            ),
            code="record_settled",
        )


def check_in_by_leader(
    leader: User, shift_id: int, *, phone: str, now: datetime, leader_days: int
) -> CheckIn:
    """A leader checks a volunteer in by mobile number (no phone, or the location refused), or
    adds a walk-in after the shift. Returns the existing check-in if there is one.

    Raises Forbidden (not theirs; ended more than `leader_days` ago), NotFound (no such
    volunteer), Conflict (shift cancelled or full).
    """
    shift = managed_shift(leader, shift_id)
    require_recent_for_leader(leader, shift, now=now, leader_days=leader_days)
    if shift.status is ShiftStatus.cancelled:
        raise Conflict(_l("This shift has been cancelled."))
    if now < shift.starts_at - CHECK_IN_OPENS_BEFORE:
        raise _invalid("time", _l("Check-in opens 30 minutes before the start."))
    volunteer = auth.find_user_by_phone(auth.normalize_phone(phone))
    if volunteer is None or volunteer.role is not Role.volunteer:
        raise _invalid("phone", _l("No volunteer has this mobile number."))
    held = _locked_on_shift(volunteer, shift.id)
    if held.check_in is not None:
        return held.check_in
    # The leader stands for the team on site, so walk-ins are theirs to admit.
    walk_in = _admit(volunteer, shift, held.sign_up, walk_ins_allowed=True, now=now)
    row = CheckIn(
        shift_id=shift.id,
        user_id=volunteer.id,
        is_walk_in=walk_in,
        method=CheckInMethod.leader,
        checked_in_at=min(now, shift.ends_at),
    )
    db.session.add(row)
    db.session.flush()
    _audit(row, leader, "checked_in_at", None, row.checked_in_at, "checked in by the leader", now)
    return row


def check_out(user: User, shift_id: int, *, now: datetime) -> CheckIn:
    """A volunteer checks out (a button or a second scan); checking out twice keeps the first.

    Raises NotFound (not checked in)."""
    row = find_check_in(user.id, shift_id)
    if row is None:
        raise NotFound(_l("You have not checked in to this shift."))
    if row.checked_out_at is None:
        row.checked_out_at = max(now, row.checked_in_at)
        db.session.flush()
    return row


def managed_check_in(user: User, check_in_id: int, *, lock: bool = False) -> CheckIn:
    """Return the check-in if the user leads its shift's team (or is the office); raise
    NotFound or Forbidden. With `lock`, the row is loaded FOR UPDATE."""
    row = get_or_not_found(CheckIn, check_in_id, lock=lock, message=_l("No such check-in."))
    volunteers.require_team_manager(user, row.shift.activity.team_id)
    return row


def check_out_by_leader(leader: User, check_in_id: int, *, now: datetime) -> CheckIn:
    """A leader checks a volunteer out now. Raises Forbidden, NotFound."""
    row = managed_check_in(leader, check_in_id, lock=True)
    if row.checked_out_at is None:
        row.checked_out_at = max(min(now, row.shift.ends_at), row.checked_in_at)
        _audit(
            row,
            leader,
            "checked_out_at",
            None,
            row.checked_out_at,
            "checked out by the leader",
            now,
        )
        db.session.flush()
    return row


# Attendance (考勤确认) ---------------------------------------------------------------------


def served_minutes(shift: Shift, checked_in_at: datetime, checked_out_at: datetime) -> int:
    """Minutes served: check-in to check-out, clamped to the shift."""
    start = max(checked_in_at, shift.starts_at)
    end = min(checked_out_at, shift.ends_at)
    return max(int((end - start).total_seconds() // 60), 0)


def close_ended_shifts(*, now: datetime, shift_id: int | None = None) -> int:
    """Check out at the shift's end everyone who forgot to (of one shift, or of all), flagged
    for the leader to confirm or correct. Returns how many were checked out. Safe to run any
    number of times."""
    query = (
        select(CheckIn)
        .join(Shift, Shift.id == CheckIn.shift_id)
        .where(CheckIn.checked_out_at.is_(None), Shift.ends_at <= now)
        .options(selectinload(CheckIn.shift))
    )
    if shift_id is not None:
        query = query.where(Shift.id == shift_id)
    rows = db.session.scalars(query).all()
    for row in rows:
        row.checked_out_at = max(row.shift.ends_at, row.checked_in_at)
        row.is_auto_checked_out = True
    db.session.flush()
    return len(rows)


@dataclass
class AttendanceLine:
    """One volunteer on a leader's attendance sheet."""

    user: User
    sign_up: SignUp | None
    check_in: CheckIn | None

    @property
    def state(self) -> str:
        if self.check_in is not None:
            if self.check_in.status is AttendanceStatus.confirmed:
                return "confirmed"
            if self.check_in.is_auto_checked_out:
                return "needs_review"
            return "checked_out" if self.check_in.checked_out_at else "checked_in"
        if self.sign_up is not None and self.sign_up.status is SignUpStatus.no_show:
            return "no_show"
        if self.sign_up is not None and self.sign_up.status is SignUpStatus.waiting:
            return "waiting"
        return "expected"


def attendance_sheet(leader: User, shift_id: int, *, now: datetime) -> list[AttendanceLine]:
    """Everyone signed up or checked in, for the leader (forgotten check-outs are closed first
    if the shift has ended). Raises Forbidden, NotFound."""
    shift = managed_shift(leader, shift_id)
    if shift.ends_at <= now:
        close_ended_shifts(now=now, shift_id=shift.id)
    sign_ups = db.session.scalars(
        select(SignUp)
        .where(SignUp.shift_id == shift.id, SignUp.status != SignUpStatus.cancelled)
        .options(selectinload(SignUp.user))
    ).all()
    check_ins = db.session.scalars(
        select(CheckIn).where(CheckIn.shift_id == shift.id).options(selectinload(CheckIn.user))
    ).all()
    lines: dict[int, AttendanceLine] = {
        s.user_id: AttendanceLine(s.user, s, None) for s in sign_ups
    }
    for row in check_ins:
        line = lines.setdefault(row.user_id, AttendanceLine(row.user, None, None))
        line.check_in = row
    order = {"needs_review": 0, "checked_in": 1, "checked_out": 2, "expected": 3}
    return sorted(lines.values(), key=lambda ln: (order.get(ln.state, 9), ln.user.display_name))


def _confirm(row: CheckIn, leader: User, now: datetime) -> None:
    """Fix the minutes and points of a check-in and credit the points in the same unit of
    work; run again after a correction, it posts only the difference."""
    shift = row.shift
    row.served_minutes = served_minutes(shift, row.checked_in_at, row.checked_out_at)
    row.points_due = points_for(
        shift.activity.campaign, row.served_minutes, local_day(shift.starts_at)
    )
    row.status = AttendanceStatus.confirmed
    row.confirmed_at = now
    row.confirmed_by_id = leader.id
    ledger.settle_attendance(
        row.user,
        row.id,
        row.points_due,
        actor=leader,
        memo=f"{shift.activity.title} · {shift.starts_at.astimezone(local_zone()):%Y-%m-%d}",
        now=now,
    )


def confirm_attendance(
    leader: User, shift_id: int, *, check_in_ids: list[int] | None = None, now: datetime
) -> list[CheckIn]:
    """After the shift the leader confirms attendance: all at once (`check_in_ids` None: every
    check-in that is not flagged) or the ones named (flagged ones included). Confirmation fixes
    the served minutes and the points due by the campaign's rule. Confirming again changes
    nothing. Returns the check-ins confirmed now.

    Raises Forbidden, NotFound, Conflict (the shift has not ended).
    """
    shift = managed_shift(leader, shift_id)
    if shift.ends_at > now:
        raise Conflict(_l("Attendance can be confirmed once the shift has ended."))
    close_ended_shifts(now=now, shift_id=shift.id)
    query = (
        select(CheckIn)
        .where(CheckIn.shift_id == shift.id, CheckIn.status == AttendanceStatus.pending)
        .with_for_update()
    )
    if check_in_ids is None:
        query = query.where(CheckIn.is_auto_checked_out.is_(False))
    else:
        query = query.where(CheckIn.id.in_(check_in_ids))
    rows = list(db.session.scalars(query))
    for row in rows:
        _confirm(row, leader, now)
    db.session.flush()
    return rows


def mark_no_show(leader: User, sign_up_id: int, *, now: datetime) -> SignUp:
    """Mark a confirmed volunteer who never came as a no-show, once the shift has started.

    Raises Forbidden, NotFound, Conflict (checked in, not confirmed, not started)."""
    held = get_or_not_found(SignUp, sign_up_id, lock=True, message=_l("No such sign-up."))
    shift = managed_shift(leader, held.shift_id)
    if shift.starts_at > now:
        raise Conflict(_l("A no-show can be marked once the shift has started."))
    if find_check_in(held.user_id, shift.id) is not None:
        raise Conflict(_l("This volunteer has checked in."))
    if held.status is SignUpStatus.no_show:
        return held
    if held.status is not SignUpStatus.confirmed:
        raise Conflict(_l("Only a confirmed sign-up can be a no-show."))
    held.status = SignUpStatus.no_show
    db.session.flush()
    return held


def correct_times(
    leader: User,
    check_in_id: int,
    *,
    checked_in_at: datetime,
    checked_out_at: datetime,
    reason: str,
    now: datetime,
    leader_days: int,
) -> CheckIn:
    """A leader corrects a check-in's times, with a reason kept in the audit trail. On a
    confirmed check-in the minutes and points are worked out again.

    Raises Forbidden (not theirs; ended more than `leader_days` ago), NotFound,
    ValidationFailed (order of times, no reason).
    """
    row = managed_check_in(leader, check_in_id, lock=True)
    require_recent_for_leader(leader, row.shift, now=now, leader_days=leader_days)
    reason = (reason or "").strip()
    if not reason:
        raise _invalid("reason", _l("Give a reason."))
    _apply_times(row, leader, checked_in_at, checked_out_at, reason, now)
    return row


def _apply_times(row: CheckIn, actor: User, checked_in_at, checked_out_at, reason, now) -> None:
    if checked_out_at < checked_in_at:
        raise _invalid("checked_out_at", _l("Check-out cannot be before check-in."))
    shift = row.shift
    if checked_in_at > shift.ends_at or checked_out_at < shift.starts_at - CHECK_IN_OPENS_BEFORE:
        raise _invalid("checked_in_at", _l("These times do not overlap the shift."))
    for field, new in (("checked_in_at", checked_in_at), ("checked_out_at", checked_out_at)):
        old = getattr(row, field)
        if old != new:
            _audit(row, actor, field, old, new, reason, now)
            setattr(row, field, new)
    row.is_auto_checked_out = False
    if row.status is AttendanceStatus.confirmed:
        _confirm(row, actor, now)
    db.session.flush()


def check_in_history(viewer: User, check_in_id: int) -> list[CheckInChange]:
    """Who changed a check-in, what and why; for the volunteer, the team's leaders and the
    office. Raises NotFound, Forbidden."""
    row = db.session.get(CheckIn, check_in_id)
    if row is None:
        raise NotFound(_l("No such check-in."))
    if row.user_id != viewer.id:
        volunteers.require_team_manager(viewer, row.shift.activity.team_id)
    query = (
        select(CheckInChange)
        .where(CheckInChange.check_in_id == check_in_id)
        .options(selectinload(CheckInChange.actor))
        .order_by(CheckInChange.created_at, CheckInChange.id)
    )
    return list(db.session.scalars(query))


# Corrections asked by volunteers ---------------------------------------------------------


def request_correction(
    user: User,
    shift_id: int,
    *,
    checked_in_at: datetime,
    checked_out_at: datetime,
    message: str,
    now: datetime,
) -> CorrectionRequest:
    """A volunteer asks the leader to fix their record of a shift that has started (forgotten
    check-in, wrong times). Raises NotFound (not theirs), Conflict (not started, one already
    pending), ValidationFailed."""
    shift = get_shift(shift_id)
    held = find_sign_up(user, shift.id)
    was_expected = held is not None and held.status in (
        SignUpStatus.confirmed,
        SignUpStatus.no_show,
    )
    if not was_expected and find_check_in(user.id, shift.id) is None:
        raise NotFound(_l("You were not signed up for this shift."))
    if shift.starts_at > now:
        raise Conflict(_l("This shift has not started yet."))
    message = (message or "").strip()
    if not message:
        raise _invalid("message", _l("Tell the leader what happened."))
    if checked_out_at < checked_in_at:
        raise _invalid("checked_out_at", _l("Check-out cannot be before check-in."))
    pending = db.session.scalar(
        select(CorrectionRequest.id).where(
            CorrectionRequest.shift_id == shift.id,
            CorrectionRequest.user_id == user.id,
            CorrectionRequest.status == CorrectionStatus.pending,
        )
    )
    if pending:
        raise Conflict(_l("You have a request for this shift waiting already."))
    request_row = CorrectionRequest(
        shift_id=shift.id,
        user_id=user.id,
        checked_in_at=checked_in_at,
        checked_out_at=checked_out_at,
        message=message,
        created_at=now,
    )
    db.session.add(request_row)
    db.session.flush()
    return request_row


def list_correction_requests(leader: User, shift_id: int) -> list[CorrectionRequest]:
    """Pending requests of a shift, for its leaders. Raises Forbidden, NotFound."""
    shift = managed_shift(leader, shift_id)
    query = (
        select(CorrectionRequest)
        .where(
            CorrectionRequest.shift_id == shift.id,
            CorrectionRequest.status == CorrectionStatus.pending,
        )
        .options(selectinload(CorrectionRequest.user))
        .order_by(CorrectionRequest.created_at)
    )
    return list(db.session.scalars(query))


def managed_correction(user: User, request_id: int, *, lock: bool = False) -> CorrectionRequest:
    """Return the correction request if the user leads its shift's team (or is the office);
    raise NotFound or Forbidden. With `lock`, the row is loaded FOR UPDATE."""
    request_row = get_or_not_found(
        CorrectionRequest, request_id, lock=lock, message=_l("No such request.")
    )
    managed_shift(user, request_row.shift_id)
    return request_row


def decide_correction(
    leader: User,
    request_id: int,
    *,
    accept: bool,
    reply: str,
    now: datetime,
    leader_days: int,
) -> CorrectionRequest:
    """The leader accepts (the times are applied, a missing check-in is made, and after the
    shift it is confirmed) or refuses with a reply. Raises Forbidden (not theirs; the shift
    ended more than `leader_days` ago), NotFound, Conflict, ValidationFailed."""
    request_row = managed_correction(leader, request_id, lock=True)
    shift = get_shift(request_row.shift_id)
    require_recent_for_leader(leader, shift, now=now, leader_days=leader_days)
    if request_row.status is not CorrectionStatus.pending:
        raise Conflict(_l("This request has been decided already."))
    reply = (reply or "").strip()
    if not accept and not reply:
        raise _invalid("reply", _l("Tell the volunteer why."))
    if accept:
        volunteer = request_row.user
        held = _locked_on_shift(volunteer, shift.id)
        row = held.check_in
        if row is None:
            _admit(volunteer, shift, held.sign_up, walk_ins_allowed=True, now=now)
            row = CheckIn(
                shift_id=shift.id,
                user_id=volunteer.id,
                method=CheckInMethod.leader,
                checked_in_at=request_row.checked_in_at,
                checked_out_at=request_row.checked_out_at,
            )
            db.session.add(row)
            db.session.flush()
            _audit(row, leader, "created", None, None, request_row.message, now)
        _apply_times(
            row,
            leader,
            request_row.checked_in_at,
            request_row.checked_out_at,
            request_row.message,
            now,
        )
        if row.status is AttendanceStatus.pending and shift.ends_at <= now:
            _confirm(row, leader, now)
    request_row.status = CorrectionStatus.accepted if accept else CorrectionStatus.refused
    request_row.reply = reply or None
    request_row.decided_at = now
    request_row.decided_by_id = leader.id
    db.session.flush()
    return request_row


def list_team_activities(viewer: User, team_id: int) -> list[Activity]:
    """A team's activities, drafts included, newest first: for its leaders and the office.
    Raises Forbidden, NotFound."""
    volunteers.require_team_manager(viewer, team_id)
    query = (
        select(Activity)
        .where(Activity.team_id == team_id)
        .options(selectinload(Activity.campaign), selectinload(Activity.shifts))
        .order_by(Activity.created_at.desc(), Activity.id.desc())
    )
    return list(db.session.scalars(query))


# What volunteers see -------------------------------------------------------------------


@dataclass(frozen=True)
class ShiftFilter:
    season: Season | None = None
    campaign_id: int | None = None
    district_id: int | None = None
    day: date | None = None
    category: ServiceCategory | None = None


def browse_shifts(filters: ShiftFilter, *, now: datetime, limit: int = 200) -> list[Shift]:
    """Upcoming shifts of published activities, soonest first, with their activity, team,
    district and campaign loaded in the same query."""
    query = (
        select(Shift)
        .join(Activity, Activity.id == Shift.activity_id)
        .join(Campaign, Campaign.id == Activity.campaign_id)
        .where(
            Activity.status == ActivityStatus.published,
            Shift.status == ShiftStatus.scheduled,
            Shift.ends_at > now,
        )
        .options(
            contains_eager(Shift.activity).contains_eager(Activity.campaign),
            contains_eager(Shift.activity).joinedload(Activity.team, innerjoin=True),
            contains_eager(Shift.activity).joinedload(Activity.district, innerjoin=True),
        )
        .order_by(Shift.starts_at, Shift.id)
        .limit(limit)
    )
    if filters.season is not None:
        query = query.where(Campaign.season == filters.season)
    if filters.campaign_id:
        query = query.where(Activity.campaign_id == filters.campaign_id)
    if filters.district_id:
        query = query.where(Activity.district_id == filters.district_id)
    if filters.category is not None:
        query = query.where(Activity.category == filters.category)
    if filters.day is not None:
        start = local_moment(filters.day, time.min)
        query = query.where(Shift.starts_at >= start, Shift.starts_at < start + timedelta(days=1))
    return list(db.session.scalars(query))


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


def shift_calendar(user: User, shift_id: int, *, now: datetime) -> bytes:
    """An iCalendar file of a shift the volunteer signed up for, to add to a phone calendar.
    Raises NotFound (not signed up)."""
    held = find_sign_up(user, shift_id)
    if held is None or held.status not in ACTIVE_SIGN_UPS:
        raise NotFound(_l("You are not signed up for this shift."))
    shift = held.shift
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
