"""The office's no-show rates by team and season against figures worked out by hand: seats are
confirmed sign-ups (no-shows included) on shifts that have started; the waiting list, a
cancelled sign-up and a shift still to come are not counted; a team whose shifts held no seat
has no rate rather than a division by zero."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import pytest
import time_machine

from core.auth.models import Role
from core.clock import local_moment
from core.extensions import db
from events import services as events
from events.models import Season
from office import services as office
from tests.builders import make_activity, make_team, make_user
from tests.conftest import sign_in
from tests.events.builders import make_shift_at, make_volunteers

YEAR = 2025
NOW = datetime(YEAR, 8, 20, 4, tzinfo=UTC)  # 12:00 in Shanghai, in the summer campaign


@dataclass
class World:
    office: object
    team_a: object
    team_b: object
    team_c: object


def _shift(activity, day: date, *, capacity: int = 5):
    return make_shift_at(
        activity, local_moment(day, time(9)), local_moment(day, time(11)), capacity=capacity
    )


def _seats(shift, people, *, missing: int = 0) -> None:
    """Everyone signs up the day before; the last `missing` of them never come."""
    for person in people:
        events.sign_up(person, shift.id, now=shift.starts_at - timedelta(days=1))
    for person in people[len(people) - missing :]:
        sign_up = events.find_sign_up(person, shift.id)
        events.mark_no_show(shift.activity.team.founder, sign_up.id, now=shift.ends_at)


@pytest.fixture
def world(app):
    with time_machine.travel(datetime(YEAR, 2, 20, tzinfo=UTC), tick=False):
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
        team_a, team_b, team_c = (make_team(name=n) for n in ("安平队", "北山队", "长青队"))
        people = make_volunteers(6)

        # A, spring: 4 seats, 1 no-show (25%); a fifth waits and a sixth cancelled.
        a_spring = _shift(make_activity(team_a, spring), date(YEAR, 3, 5), capacity=4)
        before = a_spring.starts_at - timedelta(days=2)
        events.sign_up(people[5], a_spring.id, now=before)
        events.cancel_sign_up(people[5], a_spring.id, now=before, cutoff_hours=24)
        for person in people[:4]:
            events.sign_up(person, a_spring.id, now=before)
        events.sign_up(people[4], a_spring.id, now=before, join_waiting_list=True)
        _seats(a_spring, people[:4], missing=1)
        # A, summer: 2 seats, 1 no-show (50%).
        _seats(_shift(make_activity(team_a, summer), date(YEAR, 7, 1)), people[:2], missing=1)
        # B, spring: 2 seats, no no-show (0%); B's shift after NOW is not counted.
        b_activity = make_activity(team_b, spring)
        _seats(_shift(b_activity, date(YEAR, 4, 1)), people[:2])
        b_summer = make_activity(team_b, summer)
        _seats(_shift(b_summer, date(YEAR, 8, 30)), people[:3])
        # C, summer: a shift that started with nobody signed up.
        _shift(make_activity(team_c, summer), date(YEAR, 7, 2))
        db.session.commit()
    return World(office_user, team_a, team_b, team_c)


def _rates(report):
    return {
        (line.team, line.season): (line.figures.seats, line.figures.no_shows, line.figures.rate)
        for line in report.lines
    }


def test_rates_by_team_and_season(world):
    report = office.no_show_rates(world.office, year=YEAR, now=NOW)

    assert _rates(report) == {
        ("安平队", Season.spring): (4, 1, 25.0),
        ("安平队", Season.tourist_season): (2, 1, 50.0),
        ("北山队", Season.spring): (2, 0, 0.0),
        ("长青队", Season.tourist_season): (0, 0, None),
    }
    seasons = {
        s.season: (s.figures.seats, s.figures.no_shows, s.figures.rate) for s in report.seasons
    }
    assert seasons == {Season.spring: (6, 1, 16.7), Season.tourist_season: (2, 1, 50.0)}
    assert (report.total.shifts, report.total.seats, report.total.rate) == (4, 8, 25.0)
    spring = office.no_show_rates(world.office, year=YEAR, season=Season.spring, now=NOW)
    assert {line.team for line in spring.lines} == {"安平队", "北山队"}
    assert office.no_show_rates(world.office, year=YEAR - 1, now=NOW).lines == []


def test_the_office_page_and_its_csv_with_chinese_headers(app, world):
    with time_machine.travel(NOW, tick=False):
        client = sign_in(app.test_client(), world.office)
        page = client.get(f"/reports/no-shows?year={YEAR}")
        exported = client.get(f"/reports/no-shows.csv?year={YEAR}&season=spring")
        workbook = client.get(f"/reports/no-shows.xlsx?year={YEAR}")
        leader = sign_in(app.test_client(), world.team_a.founder)
        refused = leader.get(f"/reports/no-shows?year={YEAR}")

    assert page.status_code == 200
    row = page.text.split(f'data-testid="line-{world.team_a.id}-spring"')[1].split("</tr>")[0]
    assert "25.0%" in row
    row = page.text.split(f'data-testid="line-{world.team_c.id}-tourist_season"')[1]
    assert "—" in row.split("</tr>")[0]
    assert "缺席率 = 缺席人次 ÷ 占用名额" in page.text
    lines = list(csv.reader(io.StringIO(exported.data.decode("utf-8-sig"))))
    assert lines[0] == ["缺席率统计"]
    header = lines.index(
        ["志愿服务队", "季节", "已开始班次", "占用名额", "缺席人次", "缺席率（%）"]
    )
    assert lines[header + 1][:1] == ["安平队"] and lines[header + 1][-1] == "25.0"
    assert ["北山队", "春季：学雷锋日", "1", "2", "0", "0.0"] in lines
    assert workbook.status_code == 200 and workbook.data[:2] == b"PK"
    assert refused.status_code == 403


def test_the_api_gives_the_office_the_rates_and_refuses_a_leader(app, world, bearer):
    with time_machine.travel(NOW, tick=False):
        ok = app.test_client().get(
            f"/api/v1/reports/no-shows?year={YEAR}&season=tourist_season",
            headers=bearer(world.office),
        )
        refused = app.test_client().get(
            f"/api/v1/reports/no-shows?year={YEAR}", headers=bearer(world.team_a.founder)
        )
        no_year = app.test_client().get("/api/v1/reports/no-shows", headers=bearer(world.office))

    assert ok.status_code == 200, ok.json
    body = ok.json
    assert [(ln["team"], ln["season"], ln["figures"]["rate"]) for ln in body["lines"]] == [
        ("安平队", "tourist_season", 50.0),
        ("长青队", "tourist_season", None),
    ]
    assert body["total"] == {"shifts": 2, "seats": 2, "no_shows": 1, "rate": 50.0}
    assert refused.status_code == 403 and refused.json["code"]
    assert no_year.status_code == 422
