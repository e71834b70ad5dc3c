"""Demo data of events: last year's and this year's four campaigns, and activities of the demo
teams in each, with shifts in the past (attendance replayed through the services at the time it
happened) and in the future (open for sign-up); and, on each day the demo is loaded, a shift
running now and one waiting for its leader to confirm the attendance."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, select

from core.auth.models import User
from core.auth.services import find_user_by_phone
from core.clock import to_local, utcnow
from core.consent import services as consents
from core.consent.models import ConsentKind
from core.demo import OFFICE
from core.errors import Conflict
from core.extensions import db
from core.settings import current_settings
from events import services
from events.models import (
    Activity,
    AttendanceStatus,
    Campaign,
    CheckIn,
    Season,
    Shift,
    SignUp,
    SignUpStatus,
)
from volunteer.demo import VOLUNTEERS
from volunteer.models import ServiceCategory, Team


@dataclass(frozen=True)
class DemoActivity:
    team: str
    season: Season
    title: str
    category: ServiceCategory
    address: str
    day: int  # days after the campaign's first day
    start: time
    end: time
    capacity: int
    weekly: int = 1  # how many weeks in a row (a series when more than one)
    geofence: tuple[float, float] | None = None


ACTIVITIES = [
    DemoActivity(
        "未淑云道德模范志愿服务队",
        Season.spring,
        "学雷锋纪念日为道德模范献花",
        ServiceCategory.flower_delivery,
        "海港区文明实践中心",
        4,
        time(9),
        time(11, 30),
        8,
    ),
    DemoActivity(
        "“暖阳”志愿服务队",
        Season.spring,
        "学雷锋便民服务：义务理发、家电维修",
        ServiceCategory.free_haircut,
        "昌黎县城关镇文明实践所广场",
        4,
        time(14),
        time(17),
        6,
    ),
    DemoActivity(
        "爱先行志愿服务队",
        Season.tourist_season,
        "北戴河鸽子窝景区文明引导",
        ServiceCategory.tourist_guidance,
        "北戴河区鸽子窝公园东门",
        33,
        time(8),
        time(12),
        6,
        weekly=6,
        geofence=(39.8445, 119.5159),
    ),
    DemoActivity(
        "爱先行志愿服务队",
        Season.tourist_season,
        "海滨路口协助交警交通劝导",
        ServiceCategory.traffic_duty,
        "北戴河区海宁路与保二路交叉口",
        49,
        time(7),
        time(9),
        4,
    ),
    DemoActivity(
        "“暖阳”志愿服务队",
        Season.autumn_harvest,
        "昌黎葡萄采摘助农",
        ServiceCategory.farm_help,
        "昌黎县十里铺乡葡萄园",
        18,
        time(8),
        time(12),
        8,
    ),
    DemoActivity(
        "未淑云道德模范志愿服务队",
        Season.autumn_harvest,
        "重阳节走访老党员、退役军人",
        ServiceCategory.visits,
        "海港区建设大街社区",
        47,
        time(9),
        time(11, 30),
        5,
    ),
    DemoActivity(
        "“暖阳”志愿服务队",
        Season.winter,
        "初冬暖心走访独居老人",
        ServiceCategory.visits,
        "昌黎县城关镇敬老院",
        0,
        time(9),
        time(11, 30),
        6,
    ),
    DemoActivity(
        "未淑云道德模范志愿服务队",
        Season.winter,
        "新春走访慰问道德模范和身边好人",
        ServiceCategory.visits,
        "海港区各社区（集合点：文明实践中心）",
        19,
        time(9),
        time(12),
        6,
    ),
    DemoActivity(
        "爱先行志愿服务队",
        Season.winter,
        "冬季海滩清洁",
        ServiceCategory.cleaning,
        "北戴河区老虎石海滩",
        4,
        time(9),
        time(11),
        10,
        weekly=4,
    ),
]


def _members(team: Team) -> list:
    return [m.user for m in team.memberships if m.user_id != team.founder_id]


def _replay_attendance(shift, leader, team: Team, index: int) -> None:
    """Sign-ups a few days before, check-ins by QR code on site, and confirmation after."""
    members = _members(team)
    before = shift.starts_at - timedelta(days=3)
    for member in members:
        services.sign_up(member, shift.id, now=before)
    came = members[:-1] if index % 2 == 0 else members
    secret = current_settings().check_in_secret
    for offset, member in enumerate(came):
        at = shift.starts_at - timedelta(minutes=10 - offset)
        token, _ = services.check_in_code(leader, shift.id, now=at, secret=secret)
        activity = shift.activity
        location = {}
        if activity.has_geofence:
            # The first such check-in page asked for the location consent, and they agreed.
            consents.give_consent(member, ConsentKind.location, now=at)
            location = {"latitude": activity.latitude, "longitude": activity.longitude}
        services.check_in(member, token, now=at, secret=secret, **location)
        # On the first day of a series one volunteer forgets to check out: the leader sees it.
        forgot = index == 0 and offset == 1 and len(activity.shifts) > 1
        if not forgot:
            services.check_out(member, shift.id, now=shift.ends_at + timedelta(minutes=offset))
    after = shift.ends_at + timedelta(hours=2)
    services.confirm_attendance(leader, shift.id, now=after)
    for sign_up in services.attendance_sheet(
        leader, shift.id, now=after, leader_days=current_settings().leader_correction_days
    ):
        if sign_up.state == "expected":
            services.mark_no_show(leader, sign_up.sign_up.id, now=after)


def _load_activity(spec: DemoActivity, campaign: Campaign, now: datetime) -> None:
    team = db.session.scalar(select(Team).where(Team.name == spec.team))
    if team is None or db.session.scalar(
        select(Activity.id).where(
            Activity.team_id == team.id,
            Activity.campaign_id == campaign.id,
            Activity.title == spec.title,
        )
    ):
        return
    leader = team.founder
    first_day: date = campaign.starts_on + timedelta(days=spec.day)
    planned_at = min(now, services.local_moment(first_day - timedelta(days=14), time(9)))
    latitude, longitude = spec.geofence or (None, None)
    activity = services.create_activity(
        leader,
        team_id=team.id,
        campaign_id=campaign.id,
        title=spec.title,
        category=spec.category,
        place=services.Place(spec.address, latitude, longitude, 300 if spec.geofence else None),
        description=campaign.description,
        now=planned_at,
    )
    services.add_shift_series(
        leader,
        activity.id,
        services.SeriesSpec(
            first_day=first_day,
            last_day=first_day + timedelta(weeks=spec.weekly - 1),
            weekdays=frozenset({first_day.weekday()}),
            start_time=spec.start,
            end_time=spec.end,
            capacity=spec.capacity,
            allows_walk_ins=spec.weekly > 1,
        ),
        now=planned_at,
    )
    db.session.refresh(activity)
    if not any(s.ends_at > planned_at for s in activity.shifts):
        return
    services.publish_activity(leader, activity.id, now=planned_at)
    for index, shift in enumerate(activity.shifts):
        if shift.ends_at + timedelta(hours=2) <= now:
            _replay_attendance(shift, leader, team, index)
        elif shift.starts_at > now:
            for member in _members(team)[:2]:
                services.sign_up(member, shift.id, now=now)
    if all(s.ends_at <= now for s in activity.shifts):
        services.complete_activity(leader, activity.id, now=now)


# On each day the demo is loaded this team's leader finds something to do: a shift that started
# about an hour ago (check volunteers in by QR code or by mobile number) and one that ended an
# hour ago with volunteers checked in (confirm the attendance). Both take walk-ins and have no
# geofence, so that a newcomer at a desk can try them.
ON_DUTY_TEAM = "未淑云道德模范志愿服务队"
ON_DUTY_TITLE = "新时代文明实践中心志愿值守"
ON_DUTY_ADDRESS = "海港区文化路新时代文明实践中心"
ON_DUTY_DESCRIPTION = (
    "在新时代文明实践中心值守：接待来访的老人和群众，帮老人用手机报名活动、查询积分，"
    "整理积分超市货架，讲解积分兑换。"
)
ON_DUTY_HOURS = 3
ON_DUTY_CAPACITY = 6
# Who signs up for each shift, in order (a volunteer who holds another shift at that time is
# passed over for the next demo volunteer). All but the last check in: on the running shift the
# last has not arrived yet, on the ended one they did not come.
RUNNING_CREW = ["13900000007", "13900000003", "13900000001"]
ENDED_CREW = ["13900000002", "13900000005", "13900000009"]


@dataclass(frozen=True)
class OnDuty:
    """The day's pair of shifts: the one running when the demo was loaded and the one before."""

    ended: Shift
    running: Shift


def on_duty_title(day: date) -> str:
    return f"{ON_DUTY_TITLE}（{day.month}月{day.day}日）"


def _on_duty_windows(now: datetime) -> tuple[tuple[datetime, datetime], ...]:
    """The running shift starts on the local hour before last (an hour or a little more ago),
    the ended one finishes when it starts."""
    hour = to_local(now).replace(minute=0, second=0, microsecond=0).astimezone(UTC)
    starts = hour - timedelta(hours=1)
    length = timedelta(hours=ON_DUTY_HOURS)
    return (starts - length, starts), (starts, starts + length)


def find_on_duty(now: datetime) -> OnDuty | None:
    """The pair of shifts made on the local day of `now`, if there is one."""
    day = services.local_day(now)
    shifts = list(
        db.session.scalars(
            select(Shift)
            .join(Activity)
            .join(Team, Team.id == Activity.team_id)
            .where(
                Team.name == ON_DUTY_TEAM,
                Activity.title == on_duty_title(day),
                # The same title a year before is another day's.
                Shift.starts_at >= services.local_moment(day - timedelta(days=1)),
            )
            .order_by(Shift.starts_at)
        )
    )
    return OnDuty(*shifts) if len(shifts) == 2 else None


def _campaign_on(day: date, office: User) -> Campaign:
    """The campaign open on a day. Between two seasons (May) the office opens one for that
    month, so that there is a shift today whatever the date."""
    campaign = db.session.scalar(
        select(Campaign)
        .where(Campaign.starts_on <= day, Campaign.ends_on >= day)
        .order_by(Campaign.starts_on.desc(), Campaign.id)
        .limit(1)
    )
    if campaign is not None:
        return campaign
    before = db.session.scalar(select(func.max(Campaign.ends_on)).where(Campaign.ends_on < day))
    after = db.session.scalar(select(func.min(Campaign.starts_on)).where(Campaign.starts_on > day))
    first = day.replace(day=1)
    last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    starts_on = max(first, before + timedelta(days=1)) if before else first
    ends_on = min(last, after - timedelta(days=1)) if after else last
    season = db.session.scalar(
        select(Campaign.season).where(Campaign.starts_on == (after or before)).limit(1)
    )
    return services.create_campaign(
        office,
        name=f"{day.year}年{day.month}月文明实践常态化志愿服务",
        season=season or Season.spring,
        year=day.year,
        starts_on=starts_on,
        ends_on=ends_on,
        description="两季活动之间，各志愿服务队在新时代文明实践中心（所、站）开展常态化志愿服务。",
    )


def _sign_up_crew(shift: Shift, wanted: list[str], others: set[int], at: datetime) -> list[User]:
    """Sign up as many volunteers as `wanted` names, those named first; anyone in `others` or
    holding another shift at that time is passed over."""
    phones = wanted + [phone for phone, *_ in VOLUNTEERS if phone not in wanted]
    crew: list[User] = []
    for phone in phones:
        if len(crew) == len(wanted):
            break
        user = find_user_by_phone(phone)
        if user is None or user.id in others:
            continue
        try:
            services.sign_up(user, shift.id, now=at)
        except Conflict as error:
            if error.code != "overlapping_shift":
                raise
            continue
        crew.append(user)
    return crew


def _check_in_by_code(leader: User, volunteer: User, shift: Shift, at: datetime) -> None:
    secret = current_settings().check_in_secret
    token, _ = services.check_in_code(leader, shift.id, now=at, secret=secret)
    services.check_in(volunteer, token, now=at, secret=secret)


def _load_on_duty(now: datetime, office: User) -> None:
    team = db.session.scalar(select(Team).where(Team.name == ON_DUTY_TEAM))
    if team is None or find_on_duty(now) is not None:
        return
    leader = team.founder
    day = services.local_day(now)
    title = on_duty_title(day)
    planned_at = services.local_moment(day - timedelta(days=2), time(9))
    signed_up_at = services.local_moment(day - timedelta(days=1), time(12))
    shifts, activities = [], {}
    for starts_at, ends_at in _on_duty_windows(now):
        # Each shift in the campaign open on its day: in the small hours of a campaign's first
        # day the ended shift began in the one before.
        campaign = _campaign_on(services.local_day(starts_at), office)
        if campaign.id not in activities:
            activities[campaign.id] = services.create_activity(
                leader,
                team_id=team.id,
                campaign_id=campaign.id,
                title=title,
                category=ServiceCategory.elderly_care,
                place=services.Place(ON_DUTY_ADDRESS),
                description=ON_DUTY_DESCRIPTION,
                now=planned_at,
            )
        shifts.append(
            services.add_shift(
                leader,
                activities[campaign.id].id,
                starts_at=starts_at,
                ends_at=ends_at,
                capacity=ON_DUTY_CAPACITY,
                allows_walk_ins=True,
                now=planned_at,
            )
        )
    for activity in activities.values():
        services.publish_activity(leader, activity.id, now=planned_at)
    ended, running = shifts
    ended_crew = _sign_up_crew(ended, ENDED_CREW, set(), signed_up_at)
    running_crew = _sign_up_crew(running, RUNNING_CREW, {u.id for u in ended_crew}, signed_up_at)
    for offset, volunteer in enumerate(ended_crew[: max(len(ended_crew) - 1, 1)]):
        _check_in_by_code(
            leader, volunteer, ended, ended.starts_at - timedelta(minutes=12 - offset)
        )
        services.check_out(volunteer, ended.id, now=ended.ends_at + timedelta(minutes=2 + offset))
    for offset, volunteer in enumerate(running_crew[: max(len(running_crew) - 1, 1)]):
        _check_in_by_code(leader, volunteer, running, running.starts_at + timedelta(minutes=offset))


def describe_on_duty(now: datetime) -> list[str]:
    """What the leader of the day's pair has to do, a line per shift, as the demo prints it."""
    pair = find_on_duty(now)
    if pair is None:
        return []
    leader = pair.running.activity.team.founder
    lines = [
        f"Today for the leader {leader.phone} {leader.display_name} "
        f"({ON_DUTY_TEAM}), {pair.running.activity.title}:"
    ]
    for shift in (pair.ended, pair.running):
        check_ins = list(
            db.session.scalars(
                select(CheckIn).where(CheckIn.shift_id == shift.id).order_by(CheckIn.id)
            )
        )
        came = {c.user_id for c in check_ins}
        expected = [
            s.user
            for s in db.session.scalars(
                select(SignUp).where(SignUp.shift_id == shift.id).order_by(SignUp.id)
            )
            if s.user_id not in came and s.status is SignUpStatus.confirmed
        ]
        if shift.starts_at <= now < shift.ends_at:
            state = "running now"
        elif any(c.status is AttendanceStatus.pending for c in check_ins):
            state = "ended, attendance to confirm"
        else:
            state = "ended"
        times = "–".join(to_local(t).strftime("%H:%M") for t in (shift.starts_at, shift.ends_at))
        names = ", ".join(c.user.display_name for c in check_ins) or "nobody"
        waiting = ", ".join(f"{u.display_name} {u.phone}" for u in expected) or "nobody"
        lines.append(f"  {times}  {state}: checked in {names}; signed up, not checked in {waiting}")
    return lines


def load() -> list[tuple[str, str, str]]:
    """Create what is missing; the demo adds no accounts of its own."""
    now = utcnow()
    office = find_user_by_phone(OFFICE[0])
    # Last year too, so that a whole year of four seasons and a year-over-year comparison are
    # there to look at whatever the date.
    this_year = services.local_day(now).year
    for year in (this_year - 1, this_year):
        services.create_standard_year(office, year)
        # The standard campaigns only: the one the demo opens between two seasons is not
        # where the season's activities belong.
        standard = {spec["name"] for spec in services.standard_campaigns(year)}
        campaigns = {c.season: c for c in services.list_campaigns(year=year) if c.name in standard}
        for spec in ACTIVITIES:
            _load_activity(spec, campaigns[spec.season], now)
    _load_on_duty(now, office)
    return []
