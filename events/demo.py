"""Demo data of events: last year's and this year's four campaigns, and activities of the demo
teams in each, with shifts in the past (attendance replayed through the services at the time it
happened) and in the future (open for sign-up)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import select

from core.auth.services import find_user_by_phone
from core.clock import utcnow
from core.demo import OFFICE
from core.extensions import db
from core.settings import current_settings
from events import services
from events.models import Activity, Campaign, Season
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
        location = (
            {"latitude": activity.latitude, "longitude": activity.longitude}
            if activity.has_geofence
            else {}
        )
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


def load() -> list[tuple[str, str, str]]:
    """Create what is missing; the demo adds no accounts of its own."""
    now = utcnow()
    office = find_user_by_phone(OFFICE[0])
    # Last year too, so that a whole year of four seasons and a year-over-year comparison are
    # there to look at whatever the date.
    this_year = services.local_day(now).year
    for year in (this_year - 1, this_year):
        services.create_standard_year(office, year)
        campaigns = {c.season: c for c in services.list_campaigns(year=year)}
        for spec in ACTIVITIES:
            _load_activity(spec, campaigns[spec.season], now)
    return []
