"""The office's figures against values worked out by hand on a small fixed year: a volunteer
who served in two seasons, a no-show, an unconfirmed check-in, a shift crossing midnight local
time, a redemption and a reversed one."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import pytest
import time_machine

from core.auth.models import Role
from core.clock import local_moment
from core.errors import Forbidden
from events import services as events
from events.models import Season
from office import services as office
from office.services import ReportFilter
from points import services as points
from tests.builders import make_activity, make_merchant, make_team, make_user
from tests.events.builders import make_shift_at

YEAR = 2025


@dataclass
class World:
    office: object
    team_a: object
    team_b: object
    v1: object
    v2: object
    v3: object
    spring: object
    summer: object
    s2: object


def _serve(leader, shift, volunteer, *, arrive=None, confirm=True):
    row = events.check_in_by_leader(
        leader, shift.id, phone=volunteer.phone, now=arrive or shift.starts_at, leader_days=7
    )
    events.check_out_by_leader(leader, row.id, now=shift.ends_at)
    if confirm:
        events.confirm_attendance(leader, shift.id, now=shift.ends_at + timedelta(minutes=5))
    return row


@pytest.fixture
def world(app):
    # Activities are planned before their campaign ends: build the year as it happened.
    with time_machine.travel(datetime(YEAR, 2, 20, tzinfo=UTC), tick=False):
        yield build_world()


def build_world() -> World:
    office_user = make_user(role=Role.office, display_name="文明办")

    def campaign(season, starts, ends):
        return events.create_campaign(
            office_user,
            name=f"{YEAR} {season.value}",
            season=season,
            year=YEAR,
            starts_on=starts,
            ends_on=ends,
            points_per_hour=10,
            max_points_per_shift=80,
        )

    spring = campaign(Season.spring, date(YEAR, 3, 1), date(YEAR, 5, 31))
    summer = campaign(Season.tourist_season, date(YEAR, 6, 1), date(YEAR, 8, 31))
    team_a = make_team(name="海港甲队", district_code="haigang")
    team_b = make_team(name="北戴河乙队", district_code="beidaihe")
    v1, v2, v3 = (make_user(display_name=n) for n in ("两季志愿者", "缺席志愿者", "迟到志愿者"))
    a1 = make_activity(team_a, spring)
    a2 = make_activity(team_b, summer)
    a3 = make_activity(team_a, summer)

    # Spring, 5 March 09:00–11:00: v1 serves 120 min (20 points), v3 arrives at 09:30 and
    # serves 90 min (one full hour: 10 points), v2 signed up and never came.
    s1 = make_shift_at(
        a1, local_moment(date(YEAR, 3, 5), time(9)), local_moment(date(YEAR, 3, 5), time(11))
    )
    events.sign_up(v2, s1.id, now=s1.starts_at - timedelta(days=2))
    lead_a, lead_b = team_a.founder, team_b.founder
    events.check_in_by_leader(lead_a, s1.id, phone=v1.phone, now=s1.starts_at, leader_days=7)
    events.check_in_by_leader(
        lead_a, s1.id, phone=v3.phone, now=s1.starts_at + timedelta(minutes=30), leader_days=7
    )
    for row in events.attendance_sheet(
        lead_a, s1.id, now=s1.starts_at + timedelta(hours=1), leader_days=7
    ):
        if row.check_in is not None:
            events.check_out_by_leader(lead_a, row.check_in.id, now=s1.ends_at)
    after = s1.ends_at + timedelta(minutes=5)
    events.confirm_attendance(lead_a, s1.id, now=after)
    (no_show,) = [
        r
        for r in events.attendance_sheet(lead_a, s1.id, now=after, leader_days=7)
        if r.state == "expected"
    ]
    events.mark_no_show(lead_a, no_show.sign_up.id, now=after)

    # Summer, 10 July 22:00 to 11 July 02:00 local: v1 serves 240 min (40 points); it counts
    # on 10 July.
    s2 = make_shift_at(
        a2, local_moment(date(YEAR, 7, 10), time(22)), local_moment(date(YEAR, 7, 11), time(2))
    )
    _serve(lead_b, s2, v1)
    # Summer, 1 August: v3 checked in and out, the leader never confirmed: not counted.
    s3 = make_shift_at(
        a3, local_moment(date(YEAR, 8, 1), time(9)), local_moment(date(YEAR, 8, 1), time(10))
    )
    _serve(lead_a, s3, v3, confirm=False)

    # v1 (60 points) spends 30 at a Haigang merchant on 15 July, and 10 more that are reversed.
    merchant, staff, (item,) = make_merchant(items=(("毛巾", 10, None),))
    bought_at = local_moment(date(YEAR, 7, 15), time(10))
    code = points.issue_redeem_code(v1, now=bought_at, lifetime_minutes=5)
    points.redeem(staff, code=code.code, lines=[(item.id, 3)], key="kept", now=bought_at)
    later = bought_at + timedelta(hours=1)
    code = points.issue_redeem_code(v1, now=later, lifetime_minutes=5)
    undone, _ = points.redeem(staff, code=code.code, lines=[(item.id, 1)], key="undone", now=later)
    points.reverse_redemption(staff, undone.id, now=later + timedelta(minutes=5), window_days=7)
    assert merchant.district.code == "haigang"

    return World(office_user, team_a, team_b, v1, v2, v3, spring, summer, s2)


def test_the_years_totals(world):
    figures = office.summary(world.office, ReportFilter(year=YEAR))

    assert figures.person_times == 3  # v1 twice, v3 once; no-show and unconfirmed are none
    assert figures.volunteers == 2
    assert figures.minutes == 120 + 90 + 240
    assert figures.hours == 7.5
    assert figures.points_earned == 20 + 10 + 40
    assert (figures.activities, figures.shifts, figures.active_teams) == (2, 2, 2)
    assert figures.points_redeemed == 30  # the reversed purchase does not count
    assert figures.active_merchants == 1


def test_by_season_a_volunteer_counts_in_each_season_served(world):
    lines = {
        line.key: line.figures
        for line in office.breakdown(world.office, ReportFilter(year=YEAR), "season")
    }

    assert set(lines) == {Season.spring, Season.tourist_season}
    assert (lines[Season.spring].person_times, lines[Season.spring].volunteers) == (2, 2)
    assert lines[Season.spring].minutes == 210
    assert (lines[Season.tourist_season].person_times, lines[Season.tourist_season].volunteers) == (
        1,
        1,
    )
    assert lines[Season.tourist_season].minutes == 240
    assert lines[Season.spring].points_redeemed == 0
    assert lines[Season.tourist_season].points_redeemed == 30


def test_by_district_team_and_category(world):
    f = ReportFilter(year=YEAR)
    districts = {line.label: line.figures for line in office.breakdown(world.office, f, "district")}
    teams = {
        line.label: line.figures.person_times for line in office.breakdown(world.office, f, "team")
    }

    assert {name: d.person_times for name, d in districts.items()} == {"海港区": 2, "北戴河区": 1}
    assert districts["海港区"].points_redeemed == 30
    assert teams == {"海港甲队": 2, "北戴河乙队": 1}
    categories = office.breakdown(world.office, f, "category")
    assert sum(line.figures.person_times for line in categories) == 3


def test_filters_narrow_the_figures(world):
    def person_times(**kw):
        return office.summary(world.office, ReportFilter(year=YEAR, **kw))

    assert person_times(season=Season.spring).person_times == 2
    assert person_times(campaign_id=world.summer.id).person_times == 1
    haigang = person_times(district_id=world.team_a.district_id)
    assert (haigang.person_times, haigang.points_redeemed) == (2, 30)
    by_team = person_times(team_id=world.team_b.id)
    assert (by_team.person_times, by_team.points_redeemed) == (1, None)
    # The shift running past midnight counts on the day it starts.
    assert person_times(start=date(YEAR, 7, 10), end=date(YEAR, 7, 10)).person_times == 1
    assert person_times(start=date(YEAR, 7, 11), end=date(YEAR, 7, 11)).person_times == 0
    july = person_times(start=date(YEAR, 7, 1), end=date(YEAR, 7, 31))
    assert july.points_redeemed == 30


def test_empty_filters_give_zeros(world):
    nothing = office.summary(world.office, ReportFilter(year=YEAR - 1))

    assert (nothing.person_times, nothing.volunteers, nothing.minutes) == (0, 0, 0)
    assert nothing.points_redeemed == 0
    assert office.breakdown(world.office, ReportFilter(year=YEAR - 1), "team") == []
    charts = office.charts(world.office, ReportFilter(year=YEAR - 1))
    assert charts.weeks == [] and charts.months == []


def test_the_charts_by_week_and_month(world):
    charts = office.charts(world.office, ReportFilter(year=YEAR))

    spring_week = date(YEAR, 3, 3)  # the Monday of 5 March
    midnight_week = date(YEAR, 7, 7)  # the Monday of 10 July
    by_season = charts.person_times_by_season
    assert by_season[Season.spring.label][charts.weeks.index(spring_week)] == 2
    assert by_season[Season.tourist_season.label][charts.weeks.index(midnight_week)] == 1
    assert sum(sum(series) for series in by_season.values()) == 3
    months = dict(zip(charts.months, charts.earned_by_month, strict=True))
    assert months == {f"{YEAR}-03": 30, f"{YEAR}-07": 40}
    redeemed = dict(zip(charts.months, charts.redeemed_by_month, strict=True))
    assert redeemed[f"{YEAR}-07"] == 30


def test_the_volunteer_list_and_the_service_record(world):
    page = office.drill_down(world.office, ReportFilter(year=YEAR), "volunteers")

    assert page.total == 2
    (first_key, first), (second_key, second) = page.items
    assert first_key[1] == "两季志愿者" and (first.person_times, first.minutes) == (2, 360)
    assert second_key[1] == "迟到志愿者" and second.person_times == 1

    record = office.service_record(world.v1, world.v1.id)
    assert [line.day for line in record.lines] == [date(YEAR, 7, 10), date(YEAR, 3, 5)]
    assert [line.hours for line in record.lines] == [4.0, 2.0]
    assert record.totals == [(YEAR, 2, 6.0, 60)]
    assert office.service_record(world.v2, world.v2.id).lines == []


def test_a_leader_sees_their_own_teams_only(world):
    leader = world.team_a.founder
    figures = office.summary(leader, ReportFilter(year=YEAR))

    assert figures.person_times == 2
    assert figures.points_redeemed is None
    teams = office.drill_down(leader, ReportFilter(year=YEAR), "teams")
    assert [key[1] for key, _ in teams.items] == ["海港甲队"]
    with pytest.raises(Forbidden):
        office.summary(leader, ReportFilter(year=YEAR, team_id=world.team_b.id))


def test_others_may_not_see_the_reports_or_someone_elses_record(world):
    with pytest.raises(Forbidden):
        office.summary(world.v1, ReportFilter(year=YEAR))
    with pytest.raises(Forbidden):
        office.service_record(world.v3, world.v1.id)
    assert office.service_record(world.office, world.v1.id).lines
