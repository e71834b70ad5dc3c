"""Participation figures of the civilization office (文明办): totals, breakdowns, charts,
drill-down lists and a volunteer's service record, all computed by SQL aggregation.

What the figures mean:
- person-times (人次): confirmed attendances; a no-show or an unconfirmed check-in is none;
- hours served: the confirmed minutes / 60; points earned: the confirmed points due;
- activities held, shifts and active teams: those with at least one confirmed attendance;
- a shift counts on the local day it starts (also when it runs past midnight), and in the
  year and season of its activity's campaign (the winter campaign of 2026 runs into 2027);
- points redeemed and active merchants: purchases not reversed, on the days the filters
  cover (the date range, else the windows of the chosen campaigns); they have no team, so a
  team filter or a leader's view leaves them out.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, and_, case, distinct, func, select

from core.auth.models import Role, User
from core.auth.services import require_office
from core.clock import local_day
from core.collation import in_pinyin_order, pinyin_key
from core.districts import District, district_label
from core.errors import Forbidden, NotFound
from core.extensions import db
from events import services as events
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
from points.models import Merchant, Redemption, RedemptionStatus
from reminders import services as reminders
from reminders.models import EmailStatus
from volunteer import services as volunteers
from volunteer.models import ServiceCategory, Team, TeamStatus


@dataclass(frozen=True)
class ReportFilter:
    """What a report covers. The year is the campaigns' year; the rest narrow it."""

    year: int
    season: Season | None = None
    campaign_id: int | None = None
    district_id: int | None = None
    team_id: int | None = None
    start: date | None = None
    end: date | None = None


@dataclass(frozen=True)
class Scope:
    """Whose figures a viewer may see: everything (the office) or some teams (a leader)."""

    team_ids: tuple[int, ...] | None

    @property
    def is_everything(self) -> bool:
        return self.team_ids is None


@dataclass
class Figures:
    """The participation figures of one report or one line of a breakdown."""

    activities: int = 0
    shifts: int = 0
    person_times: int = 0
    volunteers: int = 0
    minutes: int = 0
    points_earned: int = 0
    active_teams: int = 0
    points_redeemed: int | None = None
    active_merchants: int | None = None

    @property
    def hours(self) -> float:
        return round(self.minutes / 60, 1)


@dataclass
class Line:
    """One line of a breakdown: what it is about (key and label) and its figures."""

    key: Any
    label: str
    figures: Figures


@dataclass
class Page:
    """One page of a drill-down list."""

    items: list[Any]
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(math.ceil(self.total / self.per_page), 1)


def report_scope(viewer: User) -> Scope:
    """The office sees everything, a team leader their teams; anyone else is Forbidden."""
    if viewer.role is Role.office:
        return Scope(None)
    if viewer.role is Role.volunteer:
        led = volunteers.led_team_ids(viewer)
        if led:
            return Scope(tuple(sorted(led)))
    raise Forbidden(_l("Reports are for the civilization office and team leaders."))


def _check_team(filters: ReportFilter, scope: Scope) -> None:
    if (
        filters.team_id is not None
        and not scope.is_everything
        and filters.team_id not in scope.team_ids
    ):
        raise Forbidden(_l("You can see the figures of your own teams only."))


# Building the queries ---------------------------------------------------------------------


def _attendance_where(filters: ReportFilter, scope: Scope) -> list:
    conditions = [CheckIn.status == AttendanceStatus.confirmed, Campaign.year == filters.year]
    if filters.season is not None:
        conditions.append(Campaign.season == filters.season)
    if filters.campaign_id is not None:
        conditions.append(Campaign.id == filters.campaign_id)
    if filters.district_id is not None:
        conditions.append(Activity.district_id == filters.district_id)
    if filters.team_id is not None:
        conditions.append(Activity.team_id == filters.team_id)
    if filters.start is not None:
        conditions.append(Shift.service_day >= filters.start)
    if filters.end is not None:
        conditions.append(Shift.service_day <= filters.end)
    if not scope.is_everything:
        conditions.append(Activity.team_id.in_(scope.team_ids))
    return conditions


def _attendance(filters: ReportFilter, scope: Scope, *columns) -> Select:
    """Confirmed check-ins with their shift, activity and campaign, filtered."""
    return (
        select(*columns)
        .select_from(CheckIn)
        .join(Shift, Shift.id == CheckIn.shift_id)
        .join(Activity, Activity.id == Shift.activity_id)
        .join(Campaign, Campaign.id == Activity.campaign_id)
        .where(*_attendance_where(filters, scope))
    )


METRICS = (
    func.count(distinct(Activity.id)).label("activities"),
    func.count(distinct(Shift.id)).label("shifts"),
    func.count(CheckIn.id).label("person_times"),
    func.count(distinct(CheckIn.user_id)).label("volunteers"),
    func.coalesce(func.sum(CheckIn.served_minutes), 0).label("minutes"),
    func.coalesce(func.sum(CheckIn.points_due), 0).label("points_earned"),
    func.count(distinct(Activity.team_id)).label("active_teams"),
)


def _figures(row) -> Figures:
    return Figures(
        activities=row.activities,
        shifts=row.shifts,
        person_times=row.person_times,
        volunteers=row.volunteers,
        minutes=int(row.minutes),
        points_earned=int(row.points_earned),
        active_teams=row.active_teams,
    )


def _redeems(filters: ReportFilter, scope: Scope) -> bool:
    return scope.is_everything and filters.team_id is None


def _redemptions(filters: ReportFilter, *columns) -> Select:
    """Purchases not reversed on the days the filters cover: each is joined to the campaign
    whose window holds its day (campaigns of a year do not overlap)."""
    query = (
        select(*columns)
        .select_from(Redemption)
        .join(Merchant, Merchant.id == Redemption.merchant_id)
        .join(
            Campaign,
            and_(
                Redemption.redeemed_on >= Campaign.starts_on,
                Redemption.redeemed_on <= Campaign.ends_on,
            ),
        )
        .where(Redemption.status == RedemptionStatus.completed, Campaign.year == filters.year)
    )
    if filters.season is not None:
        query = query.where(Campaign.season == filters.season)
    if filters.campaign_id is not None:
        query = query.where(Campaign.id == filters.campaign_id)
    if filters.district_id is not None:
        query = query.where(Merchant.district_id == filters.district_id)
    if filters.start is not None:
        query = query.where(Redemption.redeemed_on >= filters.start)
    if filters.end is not None:
        query = query.where(Redemption.redeemed_on <= filters.end)
    return query


REDEEMED = (
    func.coalesce(func.sum(Redemption.total), 0).label("points_redeemed"),
    func.count(distinct(Redemption.merchant_id)).label("active_merchants"),
)


# The reports --------------------------------------------------------------------------------


def summary(viewer: User, filters: ReportFilter) -> Figures:
    """The figures of everything the filters cover that the viewer may see. Raises Forbidden."""
    scope = report_scope(viewer)
    _check_team(filters, scope)
    figures = _figures(db.session.execute(_attendance(filters, scope, *METRICS)).one())
    if _redeems(filters, scope):
        row = db.session.execute(_redemptions(filters, *REDEEMED)).one()
        figures.points_redeemed = int(row.points_redeemed)
        figures.active_merchants = row.active_merchants
    return figures


def year_over_year(viewer: User, filters: ReportFilter) -> tuple[Figures, Figures]:
    """This year's figures and last year's with the same other filters (a date range moves
    back a year too; a campaign is matched by its season)."""
    campaign = db.session.get(Campaign, filters.campaign_id) if filters.campaign_id else None
    last = replace(
        filters,
        year=filters.year - 1,
        campaign_id=None,
        season=campaign.season if campaign is not None else filters.season,
        start=_year_before(filters.start),
        end=_year_before(filters.end),
    )
    return summary(viewer, filters), summary(viewer, last)


def _year_before(day: date | None) -> date | None:
    if day is None or day.year == 1:
        return None
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


BREAKDOWNS = ("season", "campaign", "district", "team", "category")


def breakdown(viewer: User, filters: ReportFilter, by: str) -> list[Line]:
    """The figures per season, campaign, district, team or activity category, largest first
    (seasons and campaigns in calendar order). Raises Forbidden, NotFound (unknown `by`)."""
    scope = report_scope(viewer)
    _check_team(filters, scope)
    if by not in BREAKDOWNS:
        raise NotFound(_l("No such report."))
    keys, labels = _grouping(by)
    query = _attendance(filters, scope, *keys, *labels, *METRICS).group_by(*keys, *labels)
    if by == "district":
        query = query.join(District, District.id == Activity.district_id)
    if by == "team":
        query = query.join(Team, Team.id == Activity.team_id)
    width = len(keys) + len(labels)
    lines = {
        tuple(row[: len(keys)]): Line(row[0], _label(by, row[:width]), _figures(row))
        for row in db.session.execute(query)
    }
    if _redeems(filters, scope) and by in ("season", "campaign", "district"):
        _add_redeemed(filters, by, lines)
    ordered = list(lines.values())
    if by == "season":
        order = {season: n for n, season in enumerate(Season)}
        ordered.sort(key=lambda line: order[line.key])
    elif by == "campaign":
        ordered.sort(key=lambda line: line.label)
    else:
        ordered.sort(key=lambda line: (-line.figures.person_times, pinyin_key(str(line.label))))
    return ordered


def _grouping(by: str) -> tuple[list, list]:
    if by == "season":
        return [Campaign.season], []
    if by == "campaign":
        return [Campaign.id], [Campaign.starts_on, Campaign.name]
    if by == "district":
        return [District.id], [District.position, District.name, District.name_en]
    if by == "team":
        return [Team.id], [Team.name]
    return [Activity.category], []


def _label(by: str, values) -> str:
    if by == "season":
        return Season(values[0]).label
    if by == "category":
        return ServiceCategory(values[0]).label
    if by == "campaign":
        _, starts_on, name = values
        return f"{starts_on:%Y-%m-%d} {name}"
    if by == "district":
        _, _, name, name_en = values
        return district_label(name, name_en)
    return values[1]


def _add_redeemed(filters: ReportFilter, by: str, lines: dict) -> None:
    key = {"season": Campaign.season, "campaign": Campaign.id, "district": Merchant.district_id}[by]
    query = _redemptions(filters, key, *REDEEMED).group_by(key)
    for line in lines.values():
        line.figures.points_redeemed, line.figures.active_merchants = 0, 0
    for row in db.session.execute(query):
        line = lines.get((row[0],))
        if line is None:
            continue  # purchases where nobody served: not a line of this breakdown
        line.figures.points_redeemed = int(row.points_redeemed)
        line.figures.active_merchants = row.active_merchants


# Charts --------------------------------------------------------------------------------------


@dataclass
class Charts:
    """What the dashboard draws; each chart's table is the same data."""

    weeks: list[date] = field(default_factory=list)
    person_times_by_season: dict[str, list[int]] = field(default_factory=dict)
    months: list[str] = field(default_factory=list)
    earned_by_month: list[int] = field(default_factory=list)
    redeemed_by_month: list[int] | None = None

    @property
    def season_series(self) -> list[dict[str, Any]]:
        """The weekly series in season order, for the chart (a JSON object would be sorted)."""
        by_label = self.person_times_by_season
        return [
            {"season": season.value, "name": season.label, "data": by_label[season.label]}
            for season in Season
            if season.label in by_label
        ]


def _week_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def charts(viewer: User, filters: ReportFilter) -> Charts:
    """Person-times per week by season, and points earned against redeemed per month. The
    database sums per day; days are put into weeks and months here (a year has at most a few
    hundred). Raises Forbidden."""
    scope = report_scope(viewer)
    _check_team(filters, scope)
    per_day = db.session.execute(
        _attendance(
            filters,
            scope,
            Shift.service_day,
            Campaign.season,
            func.count(CheckIn.id),
            func.coalesce(func.sum(CheckIn.points_due), 0),
        ).group_by(Shift.service_day, Campaign.season)
    ).all()
    redeemed_per_day = []
    if _redeems(filters, scope):
        redeemed_per_day = db.session.execute(
            _redemptions(filters, Redemption.redeemed_on, func.sum(Redemption.total)).group_by(
                Redemption.redeemed_on
            )
        ).all()
    days = [row[0] for row in per_day] + [row[0] for row in redeemed_per_day]
    result = Charts()
    if not days:
        result.redeemed_by_month = [] if _redeems(filters, scope) else None
        return result
    first, last = _week_of(min(days)), _week_of(max(days))
    result.weeks = [first + timedelta(weeks=n) for n in range((last - first).days // 7 + 1)]
    index = {week: n for n, week in enumerate(result.weeks)}
    by_season: dict[Season, list[int]] = {}
    earned: dict[str, int] = defaultdict(int)
    for day, season, person_times, points in per_day:
        series = by_season.setdefault(Season(season), [0] * len(result.weeks))
        series[index[_week_of(day)]] += person_times
        earned[f"{day:%Y-%m}"] += int(points)
    result.person_times_by_season = {
        season.label: by_season[season] for season in Season if season in by_season
    }
    redeemed: dict[str, int] = defaultdict(int)
    for day, total in redeemed_per_day:
        redeemed[f"{day:%Y-%m}"] += int(total)
    result.months = sorted(set(earned) | set(redeemed))
    result.earned_by_month = [earned[m] for m in result.months]
    result.redeemed_by_month = (
        [redeemed[m] for m in result.months] if _redeems(filters, scope) else None
    )
    return result


# Drill-down lists ----------------------------------------------------------------------------

LISTS = ("activities", "teams", "volunteers")


def _page_of(query: Select, count_of, page: int, per_page: int, make) -> Page:
    total = db.session.scalar(select(func.count()).select_from(count_of.subquery()))
    # A page past the last shows the last (and an absurd number never reaches the database).
    page = min(max(page, 1), max(math.ceil(total / per_page), 1))
    rows = db.session.execute(query.limit(per_page).offset((page - 1) * per_page)).all()
    return Page([make(row) for row in rows], page, per_page, total)


def drill_down(
    viewer: User, filters: ReportFilter, what: str, *, page: int = 1, per_page: int = 25
) -> Page:
    """The activities, teams or volunteers behind the figures, most person-times first, one
    page at a time (per_page None: all, for exports). Raises Forbidden, NotFound."""
    scope = report_scope(viewer)
    _check_team(filters, scope)
    if what not in LISTS:
        raise NotFound(_l("No such report."))
    if what == "activities":
        keys = [Activity.id, Activity.title, Team.name, District.name, Campaign.name]
        base = (
            _attendance(filters, scope, *keys, *METRICS)
            .join(Team, Team.id == Activity.team_id)
            .join(District, District.id == Activity.district_id)
        )
        count_of = _attendance(filters, scope, Activity.id).group_by(Activity.id)
    elif what == "teams":
        keys = [Team.id, Team.name, District.name]
        base = (
            _attendance(filters, scope, *keys, *METRICS)
            .join(Team, Team.id == Activity.team_id)
            .join(District, District.id == Team.district_id)
        )
        count_of = _attendance(filters, scope, Activity.team_id).group_by(Activity.team_id)
    else:
        keys = [User.id, User.display_name]
        base = _attendance(filters, scope, *keys, *METRICS).join(User, User.id == CheckIn.user_id)
        count_of = _attendance(filters, scope, CheckIn.user_id).group_by(CheckIn.user_id)
    query = base.group_by(*keys).order_by(func.count(CheckIn.id).desc(), keys[1], keys[0])
    width = len(keys)
    return _page_of(
        query,
        count_of,
        page,
        per_page,
        lambda row: (tuple(row[:width]), _figures(row)),
    )


# No-show rates ---------------------------------------------------------------------------------


@dataclass
class NoShowFigures:
    """Seats held on shifts that have started, and how many of them were no-shows."""

    shifts: int = 0
    seats: int = 0
    no_shows: int = 0

    @property
    def rate(self) -> float | None:
        """No-shows per hundred seats, to one decimal; None where no seat was held."""
        return round(100 * self.no_shows / self.seats, 1) if self.seats else None

    def add(self, other: NoShowFigures) -> None:
        self.shifts += other.shifts
        self.seats += other.seats
        self.no_shows += other.no_shows


@dataclass
class NoShowLine:
    """One team in one season."""

    team_id: int
    team: str
    season: Season
    figures: NoShowFigures


@dataclass
class NoShowSeason:
    """One season, all teams together."""

    season: Season
    figures: NoShowFigures


@dataclass
class NoShowReport:
    """No-show rates of a year (and season) by team and season, with each season's and the
    whole's; counted up to `as_of`."""

    year: int
    season: Season | None
    as_of: datetime
    lines: list[NoShowLine]
    seasons: list[NoShowSeason]
    total: NoShowFigures


# What counts: a seat is a sign-up that held a place when its shift started (confirmed, or
# confirmed and then marked no-show: only a confirmed sign-up can be). Waiting-list and
# cancelled sign-ups held none, and walk-ins had no sign-up to miss. The shifts are those that
# have started, of activities that were published and of shifts not cancelled.
SEATED = (SignUpStatus.confirmed, SignUpStatus.no_show)


def no_show_rates(
    viewer: User, *, year: int, season: Season | None = None, now: datetime
) -> NoShowReport:
    """The no-show rate of each team in each season of a campaign year: no-shows ÷ seats
    (see SEATED) on the team's shifts that started by `now`. A team whose started shifts held
    no seat has a rate of None. One aggregate query. Raises Forbidden (not the office)."""
    require_office(viewer)
    missed = case((SignUp.status == SignUpStatus.no_show, 1), else_=0)
    query = (
        select(
            Team.id,
            Team.name,
            Campaign.season,
            func.count(distinct(Shift.id)),
            func.count(SignUp.id),
            func.coalesce(func.sum(missed), 0),
        )
        .select_from(Shift)
        .join(Activity, Activity.id == Shift.activity_id)
        .join(Campaign, Campaign.id == Activity.campaign_id)
        .join(Team, Team.id == Activity.team_id)
        .outerjoin(SignUp, and_(SignUp.shift_id == Shift.id, SignUp.status.in_(SEATED)))
        .where(
            Campaign.year == year,
            Activity.status != ActivityStatus.draft,
            Shift.status == ShiftStatus.scheduled,
            Shift.starts_at <= now,
        )
        .group_by(Team.id, Team.name, Campaign.season)
    )
    if season is not None:
        query = query.where(Campaign.season == season)
    lines = [
        NoShowLine(team_id, name, Season(key), NoShowFigures(shifts, seats, int(no_shows)))
        for team_id, name, key, shifts, seats, no_shows in db.session.execute(query)
    ]
    order = {s: n for n, s in enumerate(Season)}
    lines.sort(key=lambda line: (pinyin_key(line.team), line.team_id, order[line.season]))
    by_season = {s: NoShowFigures() for s in Season if any(ln.season is s for ln in lines)}
    total = NoShowFigures()
    for line in lines:
        by_season[line.season].add(line.figures)
        total.add(line.figures)
    seasons = [NoShowSeason(key, figures) for key, figures in by_season.items()]
    return NoShowReport(year, season, now, lines, seasons, total)


# A volunteer's service record ----------------------------------------------------------------


@dataclass
class RecordLine:
    """One confirmed shift of a volunteer's service record (服务记录)."""

    day: date
    starts_at: Any
    ends_at: Any
    team: str
    activity: str
    campaign: str
    minutes: int
    points: int
    # The campaign's year, the one the totals count the shift in (a winter campaign runs on
    # into the next calendar year).
    campaign_year: int

    @property
    def hours(self) -> float:
        return round(self.minutes / 60, 1)


@dataclass
class ServiceRecord:
    """Every confirmed shift of a volunteer, with totals per campaign year (the year the
    reports use)."""

    volunteer: User
    lines: list[RecordLine]
    totals: list[tuple[int, int, float, int]]  # year, person-times, hours, points


def service_record(viewer: User, volunteer_id: int) -> ServiceRecord:
    """A volunteer's service record, for the volunteer or the office. Raises Forbidden,
    NotFound."""
    if viewer.id != volunteer_id and viewer.role is not Role.office:
        raise Forbidden(_l("A service record is seen by the volunteer and the office only."))
    volunteer = db.session.get(User, volunteer_id)
    if volunteer is None or volunteer.role is not Role.volunteer:
        raise NotFound(_l("No such volunteer."))
    confirmed = [CheckIn.user_id == volunteer.id, CheckIn.status == AttendanceStatus.confirmed]
    rows = db.session.execute(
        select(
            Shift.service_day,
            Shift.starts_at,
            Shift.ends_at,
            Team.name,
            Activity.title,
            Campaign.name,
            CheckIn.served_minutes,
            CheckIn.points_due,
            Campaign.year,
        )
        .select_from(CheckIn)
        .join(Shift, Shift.id == CheckIn.shift_id)
        .join(Activity, Activity.id == Shift.activity_id)
        .join(Team, Team.id == Activity.team_id)
        .join(Campaign, Campaign.id == Activity.campaign_id)
        .where(*confirmed)
        .order_by(Shift.starts_at.desc())
    ).all()
    by_year: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0])
    for total in events.service_totals(volunteer):
        sums = by_year[total.year]
        sums[0], sums[1], sums[2] = (
            sums[0] + total.shifts,
            sums[1] + total.minutes,
            sums[2] + total.points,
        )
    return ServiceRecord(
        volunteer,
        [RecordLine(*row[:6], int(row[6] or 0), int(row[7] or 0), row[8]) for row in rows],
        [
            (year, n, round(m / 60, 1), p)
            for year, (n, m, p) in sorted(by_year.items(), reverse=True)
        ],
    )


def filter_choices(viewer: User, year: int) -> dict[str, list]:
    """What the filter form offers the viewer: campaigns of the year, districts, and the teams
    the viewer may see."""
    scope = report_scope(viewer)
    campaigns = db.session.scalars(
        select(Campaign).where(Campaign.year == year).order_by(Campaign.starts_on)
    ).all()
    teams = select(Team).order_by(in_pinyin_order(Team.name))
    if not scope.is_everything:
        teams = teams.where(Team.id.in_(scope.team_ids))
    else:
        teams = teams.where(Team.status == TeamStatus.approved)
    districts = db.session.scalars(select(District).order_by(District.position)).all()
    return {
        "campaigns": list(campaigns),
        "teams": list(db.session.scalars(teams)),
        "districts": list(districts),
    }


def default_report_year(today: date) -> int:
    """The year a report opens on: that of a campaign running today (the winter campaign
    counts in the year it starts and runs on into January and February), else today's."""
    running = db.session.scalar(
        select(func.max(Campaign.year)).where(
            Campaign.starts_on <= today, Campaign.ends_on >= today
        )
    )
    return running or today.year


def report_years() -> list[int]:
    """The years that have campaigns, newest first."""
    return list(db.session.scalars(select(Campaign.year).distinct().order_by(Campaign.year.desc())))


@dataclass
class OfficeWork:
    """What waits for the office: team applications, campaigns, merchants, failed email."""

    pending_teams: int
    campaigns: list[Campaign]
    merchants: int
    failed_emails: int


def office_work(office: User, *, now: datetime) -> OfficeWork:
    """The office's start page: its queues and the campaigns that have not ended by `now`.
    Raises Forbidden for anyone else."""
    require_office(office)
    today = local_day(now)
    return OfficeWork(
        pending_teams=len(volunteers.list_teams_to_decide(office)),
        campaigns=list(
            db.session.scalars(
                select(Campaign).where(Campaign.ends_on >= today).order_by(Campaign.starts_on)
            )
        ),
        merchants=db.session.scalar(select(func.count(Merchant.id))),
        failed_emails=reminders.email_summary(failures=0).counts[EmailStatus.failed],
    )
