"""Office pages: who may see the dashboard, drill-downs and exports, what a team leader sees,
the exports opened back, bad filters, pagination and service records."""

from __future__ import annotations

import codecs
import csv
import io
import json
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import openpyxl
import pytest
import time_machine
from flask_babel import gettext
from sqlalchemy import select

from core.auth.models import Role, User
from core.clock import local_day, utcnow
from core.districts import District
from core.extensions import db
from events import services as events
from events.models import Campaign, Season, Shift
from office import services as office
from office.services import ReportFilter
from points import services as points
from tests.builders import (
    make_activity,
    make_campaign,
    make_merchant,
    make_shift,
    make_team,
    make_user,
)
from tests.conftest import sign_in
from tests.events.builders import make_volunteers
from volunteer.models import Team

SHANGHAI = ZoneInfo("Asia/Shanghai")  # the tests' TIMEZONE
FIGURES = [
    "Activities held",
    "Shifts",
    "Person-times",
    "Volunteers",
    "Hours served",
    "Points earned",
    "Active teams",
    "Points redeemed",
    "Active merchants",
]
# The English msgids of each report's headers and title.
HEADERS = {
    "summary": FIGURES,
    "season": ["Season", *FIGURES],
    "campaign": ["Campaign", *FIGURES],
    "district": ["District", *FIGURES],
    "team": ["Team", *FIGURES],
    "category": ["Category", *FIGURES],
    "activities": ["Activity", "Team", "District", "Campaign", *FIGURES[:7]],
    "teams": ["Team", "District", *FIGURES[:7]],
    "volunteers": ["Volunteer", *FIGURES[:7]],
}
TITLES = {
    "summary": "Participation summary",
    "season": "By season",
    "campaign": "By campaign",
    "district": "By district",
    "team": "By team",
    "category": "By activity category",
    "activities": "Activities",
    "teams": "Teams",
    "volunteers": "Volunteers",
}
REPORTS = list(HEADERS)
BREAKDOWNS = ["season", "campaign", "district", "team", "category"]
LISTS = ["activities", "teams", "volunteers"]
FILTER_FIELDS = ["year", "season", "campaign", "district", "team", "start", "end"]


# Building attendance ---------------------------------------------------------------------


def past_shift(activity, *, days_ago: int, hours: int = 2, capacity: int = 5) -> Shift:
    """A shift that started `days_ago` days ago, inside make_campaign's window."""
    return make_shift(activity, starts_in_hours=-24 * days_ago, hours=hours, capacity=capacity)


def serve(shift: Shift, *volunteers: User) -> None:
    """The volunteers served the whole shift, and the leader confirmed it."""
    leader = shift.activity.team.founder
    for volunteer in volunteers:
        row = events.check_in_by_leader(
            leader, shift.id, phone=volunteer.phone, now=shift.starts_at, leader_days=7
        )
        events.check_out_by_leader(leader, row.id, now=shift.ends_at)
    events.confirm_attendance(leader, shift.id, now=shift.ends_at + timedelta(minutes=1))


@dataclass
class World:
    campaign: Campaign
    team_a: Team
    team_b: Team
    va: User
    vb1: User
    vb2: User

    @property
    def year(self) -> int:
        return self.campaign.year


@pytest.fixture
def world(app) -> World:
    """Team A (Haigang): one volunteer served 2 h. Team B (Beidaihe): two volunteers served
    2 h each. Every 2 h earn 20 points; one of team B's volunteers spent 10 of them."""
    campaign = make_campaign()
    team_a = make_team(name="海港甲队", district_code="haigang")
    team_b = make_team(name="北戴河乙队", district_code="beidaihe")
    va, vb1, vb2 = (
        make_user(display_name=n) for n in ("甲队志愿者", "乙队志愿者一", "乙队志愿者二")
    )
    serve(past_shift(make_activity(team_a, campaign), days_ago=3), va)
    serve(past_shift(make_activity(team_b, campaign), days_ago=2), vb1, vb2)
    _merchant, staff, (item,) = make_merchant(items=(("环保袋", 10, None),))
    now = utcnow()
    code = points.issue_redeem_code(vb1, now=now, lifetime_minutes=5)
    points.redeem(staff, code=code.code, lines=[(item.id, 1)], key="world-bag", now=now)
    db.session.commit()
    return World(campaign, team_a, team_b, va, vb1, vb2)


@pytest.fixture
def leader_client(app, world):
    return sign_in(app.test_client(), world.team_a.founder)


# Reading pages and files --------------------------------------------------------------------


def figures_of(html: str) -> list[str]:
    return re.findall(r'data-testid="figure">\s*([^<]*?)\s*<', html)


def rows_of(html: str) -> list[list[str]]:
    """The cells' text of each data-testid="row" line of a drill-down."""
    found = []
    for row in re.findall(r'<tr data-testid="row">(.*?)</tr>', html, flags=re.S):
        cells = re.findall(r"<td[^>]*>(.*?)</td>", row, flags=re.S)
        found.append([re.sub(r"<[^>]+>", "", c).strip() for c in cells])
    return found


def total_of(html: str) -> str:
    (total,) = re.findall(r'data-testid="total">\s*([^<]*?)\s*<', html)
    return total


def chart_data(html: str) -> dict:
    (data,) = re.findall(
        r'<script type="application/json" id="chart-data">(.*?)</script>', html, flags=re.S
    )
    return json.loads(data)


def field_tag(html: str, name: str) -> str:
    (tag,) = re.findall(rf'<(?:select|input)\b[^>]*\bname="{name}"[^>]*>', html)
    return tag


def table_of(html: str, testid: str) -> str:
    """The table marked data-testid=`testid`."""
    start = html.index(f'data-testid="{testid}"')
    return html[start : html.index("</table>", start)]


@dataclass
class Sheet:
    """An export read back: its title, its filters (label → value), headers and rows."""

    title: str
    filters: dict[str, str]
    headers: list
    rows: list[list]


def read_csv(response) -> Sheet:
    body = response.data
    assert body.startswith(codecs.BOM_UTF8)
    lines = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    blank = lines.index([])
    return Sheet(
        lines[0][0],
        {line[0]: line[1] for line in lines[1:blank]},
        lines[blank + 1],
        lines[blank + 2 :],
    )


def read_sheet(ws) -> Sheet:
    values = [list(row) for row in ws.iter_rows(values_only=True)]
    blank = next(n for n, row in enumerate(values) if n and all(v is None for v in row))
    headers = values[blank + 1]
    while headers and headers[-1] is None:
        headers.pop()
    return Sheet(
        values[0][0],
        {row[0]: row[1] for row in values[1:blank]},
        headers,
        [row[: len(headers)] for row in values[blank + 2 :]],
    )


def open_xlsx(response) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(response.data))


def read_xlsx(response) -> Sheet:
    (ws,) = open_xlsx(response).worksheets
    return read_sheet(ws)


def in_chinese(app, *msgids: str) -> list[str]:
    """What the pages and exports show for these msgids in the default language."""
    with app.test_request_context():
        return [gettext(m) for m in msgids]


def cells(f) -> list:
    """The figures as an export writes them: an empty cell for a figure that does not apply."""
    values = [
        f.activities,
        f.shifts,
        f.person_times,
        f.volunteers,
        f.hours,
        f.points_earned,
        f.active_teams,
        f.points_redeemed,
        f.active_merchants,
    ]
    return ["" if v is None else v for v in values]


def expected_rows(app, viewer: User, filters: ReportFilter, report: str) -> list[list]:
    """A report's lines worked out by the services."""
    with app.test_request_context():
        if report == "summary":
            return [cells(office.summary(viewer, filters))]
        if report in BREAKDOWNS:
            return [
                [str(line.label), *cells(line.figures)]
                for line in office.breakdown(viewer, filters, report)
            ]
        page = office.drill_down(viewer, filters, report, per_page=1000)
        return [[*key[1:], *cells(figures)[:7]] for key, figures in page.items]


def as_csv(rows: list[list]) -> list[list[str]]:
    return [[str(v) for v in row] for row in rows]


def assert_attachment(response, name: str) -> None:
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;"), disposition
    assert f'filename="{name}"' in disposition


# 1. Access ------------------------------------------------------------------------------------

REPORT_PAGES = [
    "/reports",
    "/reports/activities",
    "/reports/teams",
    "/reports/volunteers",
    "/reports/export/summary.csv",
    "/reports/export/team.xlsx",
    "/reports/export/volunteers.csv",
    "/reports/export/all.xlsx",
]


@pytest.mark.parametrize("url", REPORT_PAGES)
def test_the_office_opens_the_reports(world, office_client, url):
    assert office_client.get(url).status_code == 200


@pytest.mark.parametrize("url", REPORT_PAGES)
def test_a_volunteer_who_leads_no_team_is_refused_the_reports(world, volunteer_client, url):
    assert volunteer_client.get(url).status_code == 403


@pytest.mark.parametrize("url", REPORT_PAGES)
def test_merchant_staff_are_refused_the_reports(world, merchant_client, url):
    assert merchant_client.get(url).status_code == 403


@pytest.mark.parametrize(
    "url", [*REPORT_PAGES, "/office", "/me/service-record", "/office/volunteers/1/service-record"]
)
def test_signed_out_visitors_are_sent_to_sign_in(world, client, url):
    response = client.get(url)

    assert response.status_code == 302
    assert urlsplit(response.headers["Location"]).path == "/login"


def test_the_office_start_page_is_for_the_office_only(
    world, office_client, leader_client, volunteer_client, merchant_client
):
    home = office_client.get("/office")
    assert home.status_code == 200
    assert 'data-testid="to-dashboard"' in home.text
    assert leader_client.get("/office").status_code == 403
    assert volunteer_client.get("/office").status_code == 403
    assert merchant_client.get("/office").status_code == 403


# 2. A team leader sees their own teams only ------------------------------------------------


def test_a_leader_sees_the_figures_of_their_own_team_only(world, leader_client, office_client):
    year = world.year

    mine = leader_client.get(f"/reports?year={year}")
    everything = office_client.get(f"/reports?year={year}")

    assert mine.status_code == everything.status_code == 200
    # activities, shifts, person-times, volunteers, hours, points earned, active teams
    assert figures_of(mine.text) == ["1", "1", "1", "1", "2.0", "20", "1"]
    assert figures_of(everything.text) == ["2", "2", "3", "3", "6.0", "60", "2"]
    assert chart_data(mine.text)["teams"] == [world.team_a.name]
    assert chart_data(mine.text)["redeemed"] is None
    assert sorted(chart_data(everything.text)["teams"]) == sorted(
        [world.team_a.name, world.team_b.name]
    )
    assert world.team_b.name not in mine.text
    assert world.vb1.display_name not in mine.text


@pytest.mark.parametrize("query", ["", "&team={other}"])
def test_a_leader_drill_downs_list_their_own_team_only(world, leader_client, query):
    query = query.format(other=world.team_b.id)

    teams = leader_client.get(f"/reports/teams?year={world.year}{query}")
    volunteers = leader_client.get(f"/reports/volunteers?year={world.year}{query}")
    activities = leader_client.get(f"/reports/activities?year={world.year}{query}")

    assert teams.status_code == volunteers.status_code == activities.status_code == 200
    assert [row[0] for row in rows_of(teams.text)] == [world.team_a.name]
    assert total_of(teams.text) == "1"
    assert [row[0] for row in rows_of(volunteers.text)] == [world.va.display_name]
    assert [row[1] for row in rows_of(activities.text)] == [world.team_a.name]
    for page in (teams, volunteers, activities):
        assert world.team_b.name not in page.text
        assert world.vb1.display_name not in page.text


def test_a_leader_asking_for_another_team_gets_their_own_figures(world, leader_client):
    response = leader_client.get(f"/reports?year={world.year}&team={world.team_b.id}")

    assert response.status_code == 200
    assert "is-invalid" in field_tag(response.text, "team")
    assert figures_of(response.text) == ["1", "1", "1", "1", "2.0", "20", "1"]
    assert world.team_b.name not in response.text


@pytest.mark.parametrize("query", ["", "&team={other}"])
def test_a_leader_exports_hold_their_own_team_only(app, world, leader_client, query):
    query = query.format(other=world.team_b.id)

    team_csv = leader_client.get(f"/reports/export/team.csv?year={world.year}{query}")
    summary_csv = leader_client.get(f"/reports/export/summary.csv?year={world.year}{query}")
    everything = leader_client.get(f"/reports/export/all.xlsx?year={world.year}{query}")

    assert team_csv.status_code == summary_csv.status_code == everything.status_code == 200
    lines = read_csv(team_csv).rows
    assert [line[0] for line in lines] == [world.team_a.name]
    assert lines[0][1:8] == ["1", "1", "1", "1", "2.0", "20", "1"]
    # Purchases have no team: a leader's export leaves them out.
    assert read_csv(summary_csv).rows == [["1", "1", "1", "1", "2.0", "20", "1", "", ""]]
    (all_teams,) = in_chinese(app, "All teams")
    assert read_csv(team_csv).filters[in_chinese(app, "Team")[0]] == all_teams
    book = open_xlsx(everything)
    written = {v for ws in book.worksheets for row in ws.iter_rows(values_only=True) for v in row}
    assert world.team_a.name in written
    assert world.team_b.name not in written
    assert world.vb1.display_name not in written


def test_the_office_exports_hold_every_team(world, office_client):
    response = office_client.get(f"/reports/export/team.csv?year={world.year}")

    # Team B served 2 person-times, team A 1: largest first.
    assert [line[0] for line in read_csv(response).rows] == [world.team_b.name, world.team_a.name]


def test_the_office_may_filter_by_any_team(world, office_client):
    response = office_client.get(f"/reports?year={world.year}&team={world.team_b.id}")

    assert response.status_code == 200
    assert "is-invalid" not in response.text
    assert figures_of(response.text) == ["1", "1", "2", "2", "4.0", "40", "1"]


# 3. Exports opened back -------------------------------------------------------------------


def test_the_workbook_of_all_reports_has_a_sheet_per_report_matching_the_figures(
    app, world, office_client, office_user
):
    response = office_client.get(f"/reports/export/all.xlsx?year={world.year}")

    assert response.status_code == 200
    assert response.mimetype == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert_attachment(response, f"report-{world.year}.xlsx")
    book = open_xlsx(response)
    assert len(book.worksheets) == 9
    filters = ReportFilter(year=world.year)
    (year_label,) = in_chinese(app, "Year")
    for report, ws in zip(REPORTS, book.worksheets, strict=True):
        sheet = read_sheet(ws)
        assert sheet.title == in_chinese(app, TITLES[report])[0]
        assert sheet.filters[year_label] == str(world.year)
        assert sheet.headers == in_chinese(app, *HEADERS[report]), report
        assert sheet.rows == expected_rows(app, office_user, filters, report), report
    summary = read_sheet(book.worksheets[0]).rows
    assert summary == [[2, 2, 3, 3, 6, 60, 2, 10, 1]]


@pytest.mark.parametrize("report", REPORTS)
def test_each_report_exports_as_csv_and_xlsx_with_its_filters_and_figures(
    app, world, office_client, office_user, report
):
    haigang = db.session.scalar(select(District).where(District.code == "haigang"))
    query = f"year={world.year}&district={haigang.id}&season={world.campaign.season.value}"
    filters = ReportFilter(year=world.year, district_id=haigang.id, season=world.campaign.season)
    expected = expected_rows(app, office_user, filters, report)
    assert expected, report  # team A served in Haigang: every report has a line
    headers = in_chinese(app, *HEADERS[report])
    year_label, district_label, season_label = in_chinese(app, "Year", "District", "Season")
    with app.test_request_context():
        district_name, season_name = haigang.label, str(world.campaign.season.label)

    as_text = office_client.get(f"/reports/export/{report}.csv?{query}")
    as_book = office_client.get(f"/reports/export/{report}.xlsx?{query}")

    assert as_text.status_code == as_book.status_code == 200
    assert as_text.mimetype == "text/csv"
    assert_attachment(as_text, f"{report}-{world.year}.csv")
    assert_attachment(as_book, f"{report}-{world.year}.xlsx")
    for sheet, rows in ((read_csv(as_text), as_csv(expected)), (read_xlsx(as_book), expected)):
        assert sheet.title == in_chinese(app, TITLES[report])[0]
        assert sheet.filters[year_label] == str(world.year)
        assert sheet.filters[district_label] == district_name
        assert sheet.filters[season_label] == season_name
        assert sheet.headers == headers
        assert sheet.rows == rows
    if report == "summary":
        # Only team A's one volunteer served in Haigang: the district filter was applied.
        assert expected[0][:7] == [1, 1, 1, 1, 2.0, 20, 1]


# 4. Formula neutralisation -------------------------------------------------------------------

FORMULA = '=HYPERLINK("x")'


@pytest.fixture
def formula_team(app):
    campaign = make_campaign()
    team = make_team(name=FORMULA)
    serve(past_shift(make_activity(team, campaign), days_ago=1), make_user(display_name="+1"))
    db.session.commit()
    return team, campaign.year


def test_a_name_that_looks_like_a_formula_is_written_as_text_in_csv(formula_team, office_client):
    team, year = formula_team

    by_team = read_csv(office_client.get(f"/reports/export/team.csv?year={year}"))
    teams = read_csv(office_client.get(f"/reports/export/teams.csv?year={year}"))
    volunteers = read_csv(office_client.get(f"/reports/export/volunteers.csv?year={year}"))
    filtered = read_csv(
        office_client.get(f"/reports/export/summary.csv?year={year}&team={team.id}")
    )

    assert [line[0] for line in by_team.rows] == [f"'{FORMULA}"]
    assert [line[0] for line in teams.rows] == [f"'{FORMULA}"]
    assert [line[0] for line in volunteers.rows] == ["'+1"]
    assert f"'{FORMULA}" in filtered.filters.values()
    assert FORMULA not in filtered.filters.values()


def test_a_name_that_looks_like_a_formula_is_a_plain_string_in_xlsx(formula_team, office_client):
    _team, year = formula_team

    response = office_client.get(f"/reports/export/all.xlsx?year={year}")

    book = open_xlsx(response)
    found = [
        cell
        for ws in book.worksheets
        for row in ws.iter_rows()
        for cell in row
        if cell.value == FORMULA
    ]
    assert len(found) >= 3  # by team, activities, teams
    assert all(cell.data_type == "s" for cell in found)
    formulas = [
        cell
        for ws in book.worksheets
        for row in ws.iter_rows()
        for cell in row
        if cell.data_type == "f"
    ]
    assert formulas == []


# 5. Nothing to show -----------------------------------------------------------------------


def test_a_fresh_database_shows_zeros(office_client):
    response = office_client.get("/reports")

    assert response.status_code == 200
    assert figures_of(response.text) == ["0", "0", "0", "0", "0.0", "0", "0"]
    for what in LISTS:
        page = office_client.get(f"/reports/{what}")
        assert page.status_code == 200
        assert rows_of(page.text) == []
        assert total_of(page.text) == "0"


def test_a_year_without_service_shows_zeros(app, world, office_client):
    last_year = world.year - 1
    events.create_campaign(
        make_user(role=Role.office),
        name="去年春季",
        season=Season.spring,
        year=last_year,
        starts_on=date(last_year, 3, 1),
        ends_on=date(last_year, 5, 31),
    )
    db.session.commit()

    response = office_client.get(f"/reports?year={last_year}")
    summary = read_csv(office_client.get(f"/reports/export/summary.csv?year={last_year}"))

    assert response.status_code == 200
    assert "is-invalid" not in response.text
    assert figures_of(response.text) == ["0", "0", "0", "0", "0.0", "0", "0"]
    assert summary.filters[in_chinese(app, "Year")[0]] == str(last_year)
    assert summary.rows == [["0", "0", "0", "0", "0.0", "0", "0", "0", "0"]]


def _selected_year(html: str) -> str:
    select_html = re.search(r'<select[^>]*name="year".*?</select>', html, flags=re.S).group(0)
    return re.search(r'<option selected value="(\d+)"|<option value="(\d+)" selected', select_html)


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        # The winter campaign counts in the year it starts and runs on into the new year.
        (date(2031, 1, 20), 2030),
        (date(2030, 12, 20), 2030),
        # Between campaigns: the calendar year.
        (date(2031, 3, 5), 2031),
    ],
)
def test_the_reports_open_on_the_year_of_the_campaign_running_today(
    app, office_user, today, expected
):
    events.create_campaign(
        office_user,
        name="2030冬季",
        season=Season.winter,
        year=2030,
        starts_on=date(2030, 12, 1),
        ends_on=date(2031, 2, 28),
    )
    db.session.commit()

    with time_machine.travel(datetime.combine(today, time(12), tzinfo=SHANGHAI), tick=False):
        page = sign_in(app.test_client(), office_user).get("/reports")

    assert page.status_code == 200
    assert f"{expected}" in re.search(r"<h1[^>]*>(.*?)</h1>", page.text, flags=re.S).group(1)
    chosen = _selected_year(page.text)
    assert chosen is not None and expected in {int(g) for g in chosen.groups() if g}


@pytest.mark.parametrize("report", REPORTS)
def test_exports_of_an_empty_report_open_and_have_headers(app, office_client, report):
    year = local_day(utcnow()).year

    as_text = office_client.get(f"/reports/export/{report}.csv")
    as_book = office_client.get(f"/reports/export/{report}.xlsx")

    assert as_text.status_code == as_book.status_code == 200
    headers = in_chinese(app, *HEADERS[report])
    empty = [[0, 0, 0, 0, 0.0, 0, 0, 0, 0]] if report == "summary" else []
    (year_label,) = in_chinese(app, "Year")
    for sheet, rows in ((read_csv(as_text), as_csv(empty)), (read_xlsx(as_book), empty)):
        assert sheet.headers == headers
        assert sheet.rows == rows
        assert sheet.filters[year_label] == str(year)


def test_an_empty_workbook_of_all_reports_still_opens(office_client):
    book = open_xlsx(office_client.get("/reports/export/all.xlsx"))

    assert len(book.worksheets) == 9


# 6. Bad input -----------------------------------------------------------------------------


def test_bad_filters_are_shown_as_errors_and_change_nothing(world, office_client):
    bad = (
        "/reports?year=abc&start=2026-99-01&end=x&campaign=zzz&district=-1&team=999999"
        "&season=spring2"
    )

    response = office_client.get(bad)
    plain = office_client.get("/reports")

    assert response.status_code == 200
    for name in FILTER_FIELDS:
        assert "is-invalid" in field_tag(response.text, name), name
    assert "is-invalid" not in plain.text
    assert figures_of(response.text) == figures_of(plain.text)
    assert figures_of(plain.text) == ["2", "2", "3", "3", "6.0", "60", "2"]


def test_bad_filters_on_a_drill_down_and_an_export_change_nothing(world, office_client):
    bad = "year=abc&start=2026-99-01&end=x&campaign=zzz&district=-1&team=999999&season=spring2"

    page = office_client.get(f"/reports/teams?{bad}")
    export = office_client.get(f"/reports/export/team.csv?{bad}")

    assert page.status_code == export.status_code == 200
    assert "is-invalid" in field_tag(page.text, "team")
    assert total_of(page.text) == "2"
    assert len(read_csv(export).rows) == 2


def test_an_end_before_the_start_is_an_error(world, office_client):
    response = office_client.get("/reports?start=2026-05-02&end=2026-05-01")

    assert response.status_code == 200
    assert "is-invalid" in field_tag(response.text, "end")
    assert "is-invalid" not in field_tag(response.text, "start")


@pytest.mark.parametrize(
    "url",
    [
        "/reports/export/unknown.csv",
        "/reports/export/unknown.xlsx",
        "/reports/export/all.csv",
        "/reports/export/summary.pdf",
        "/reports/unknown",
        "/me/service-record.pdf",
    ],
)
def test_unknown_reports_and_formats_are_not_found(office_client, volunteer_client, url):
    who = volunteer_client if url.startswith("/me/") else office_client

    assert who.get(url).status_code == 404


@pytest.mark.parametrize("page", ["-3", "abc", "0", "99"])
def test_a_bad_page_number_still_answers(world, office_client, page):
    response = office_client.get(f"/reports/activities?page={page}")

    assert response.status_code == 200
    assert total_of(response.text) == "2"


def test_the_filter_form_submitted_blank_or_valid_shows_no_error(world, office_client):
    haigang = db.session.scalar(select(District).where(District.code == "haigang"))
    blank = f"/reports?year={world.year}&season=&campaign=&district=&team=&start=&end="
    chosen = (
        f"/reports?year={world.year}&season={world.campaign.season.value}"
        f"&campaign={world.campaign.id}&district={haigang.id}&team={world.team_a.id}"
        f"&start={world.campaign.starts_on}&end={world.campaign.ends_on}"
    )

    as_sent, narrowed = office_client.get(blank), office_client.get(chosen)

    assert as_sent.status_code == narrowed.status_code == 200
    assert "is-invalid" not in as_sent.text
    assert "is-invalid" not in narrowed.text
    assert figures_of(as_sent.text) == ["2", "2", "3", "3", "6.0", "60", "2"]
    assert figures_of(narrowed.text) == ["1", "1", "1", "1", "2.0", "20", "1"]


@pytest.mark.parametrize(
    "url",
    ["/reports?report=x", "/reports?fmt=x", "/reports/teams?report=x", "/reports?_method=POST"],
)
def test_unknown_query_parameters_are_ignored(world, office_client, url):
    assert office_client.get(url).status_code == 200


@pytest.mark.parametrize(
    "url",
    [
        "/reports?year=99999999999999999999",
        "/reports/export/summary.csv?year=99999999999999999999",
        "/reports/teams?page=99999999999999999999",
        "/reports?start=0001-01-01",
        "/reports?end=0001-02-01",
    ],
)
def test_out_of_range_numbers_and_dates_answer_without_error(world, office_client, url):
    assert office_client.get(url).status_code == 200


# 7. Pagination ---------------------------------------------------------------------------


@pytest.fixture
def crowd(app):
    """30 volunteers who served one shift together."""
    campaign = make_campaign()
    volunteers = make_volunteers(30, "分页志愿者")
    shift = past_shift(make_activity(make_team(), campaign), days_ago=1, capacity=40)
    serve(shift, *volunteers)
    db.session.commit()
    return campaign.year, volunteers


def test_a_drill_down_shows_25_lines_a_page(crowd, office_client):
    year, volunteers = crowd
    url = f"/reports/volunteers?year={year}"

    first = office_client.get(url)
    second = office_client.get(f"{url}&page=2")
    export = read_csv(office_client.get(f"/reports/export/volunteers.csv?year={year}"))

    assert first.status_code == second.status_code == 200
    assert len(rows_of(first.text)) == 25
    assert len(rows_of(second.text)) == 5
    assert total_of(first.text) == total_of(second.text) == "30"
    names = [row[0] for row in rows_of(first.text) + rows_of(second.text)]
    assert sorted(names) == sorted(v.display_name for v in volunteers)
    assert "page=2" in first.text
    assert "page=1" in second.text
    assert len(export.rows) == 30


def test_a_stray_what_parameter_does_not_break_the_pagination(crowd, office_client):
    year, _volunteers = crowd

    assert office_client.get(f"/reports/volunteers?year={year}&what=x").status_code == 200


# 8. Service records ----------------------------------------------------------------------


@pytest.fixture
def served(app, volunteer):
    """The volunteer served two 2-hour shifts for team A; another volunteer one for team B."""
    campaign = make_campaign()
    team_a = make_team(name="海港甲队")
    team_b = make_team(name="北戴河乙队", district_code="beidaihe")
    activity = make_activity(team_a, campaign)
    serve(past_shift(activity, days_ago=3), volunteer)
    serve(past_shift(activity, days_ago=2), volunteer)
    other = make_user(display_name="另一位志愿者")
    serve(past_shift(make_activity(team_b, campaign), days_ago=1), other)
    db.session.commit()
    return campaign, team_a, team_b, other


def record_rows(html: str) -> list[list[str]]:
    table = table_of(html, "record")
    body = table[table.index("<tbody>") :]
    return [
        [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", r, re.S)]
        for r in re.findall(r"<tr>(.*?)</tr>", body, flags=re.S)
    ]


def totals_text(html: str) -> str:
    start = html.index('data-testid="totals"')
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html[start : html.index("<table", start)]))


def test_a_volunteer_sees_their_own_service_record(served, volunteer_client):
    campaign, team_a, team_b, _other = served

    response = volunteer_client.get("/me/service-record")

    assert response.status_code == 200
    lines = record_rows(response.text)
    assert len(lines) == 2
    assert all(line[2] == team_a.name and line[5:] == ["2.0", "20"] for line in lines)
    totals = totals_text(response.text)
    assert str(campaign.year) in totals
    assert "4.0" in totals and "40" in totals
    assert team_b.name not in response.text
    assert 'data-testid="record-csv"' in response.text


def test_a_volunteer_downloads_their_service_record(app, served, volunteer_client, volunteer):
    campaign, team_a, _team_b, _other = served

    as_text = volunteer_client.get("/me/service-record.csv")
    as_book = volunteer_client.get("/me/service-record.xlsx")

    assert as_text.status_code == as_book.status_code == 200
    assert_attachment(as_text, f"service-record-{volunteer.id}.csv")
    assert_attachment(as_book, f"service-record-{volunteer.id}.xlsx")
    headers = in_chinese(app, "Date", "Time", "Team", "Activity", "Campaign", "Hours", "Points")
    with app.test_request_context():
        total = gettext("Total %(year)s", year=campaign.year)
    text, book = read_csv(as_text), read_xlsx(as_book)
    assert text.headers == book.headers == headers
    assert [line[2] for line in text.rows[:2]] == [team_a.name, team_a.name]
    assert [line[5:] for line in text.rows[:2]] == [["2.0", "20"], ["2.0", "20"]]
    assert text.rows[2] == []
    assert text.rows[3][0] == total and text.rows[3][5:] == ["4.0", "40"]
    assert len(text.rows) == 4
    assert [line[2] for line in book.rows[:2]] == [team_a.name, team_a.name]
    assert [line[5:] for line in book.rows[:2]] == [[2, 20], [2, 20]]
    assert book.rows[3][0] == total and book.rows[3][5:] == [4, 40]
    assert volunteer.display_name in text.filters.values()
    assert volunteer.phone not in text.filters.values()


def test_another_volunteers_record_is_for_the_office(
    served, volunteer_client, office_client, merchant_client
):
    _campaign, _team_a, team_b, other = served
    url = f"/office/volunteers/{other.id}/service-record"

    assert volunteer_client.get(url).status_code == 403
    assert volunteer_client.get(f"{url}.csv").status_code == 403
    assert merchant_client.get(url).status_code == 403
    page = office_client.get(url)
    assert page.status_code == 200
    assert other.display_name in page.text
    assert [line[2] for line in record_rows(page.text)] == [team_b.name]
    export = read_csv(office_client.get(f"{url}.csv"))
    assert [line[2] for line in export.rows if len(line) > 2 and line[2]] == [team_b.name]
    assert office_client.get(f"{url}.xlsx").status_code == 200


def test_only_volunteers_have_a_service_record(served, office_client, office_user):
    not_a_volunteer = f"/office/volunteers/{office_user.id}/service-record"

    assert office_client.get(not_a_volunteer).status_code == 404
    assert office_client.get(f"{not_a_volunteer}.xlsx").status_code == 404
    assert office_client.get("/office/volunteers/999999/service-record").status_code == 404
    assert office_client.get("/office/volunteers/999999/service-record.csv").status_code == 404
    assert office_client.get("/me/service-record").status_code == 403


def test_a_volunteer_without_service_has_an_empty_record(volunteer_client, app):
    page = volunteer_client.get("/me/service-record")
    export = read_csv(volunteer_client.get("/me/service-record.csv"))

    assert page.status_code == 200
    assert record_rows(page.text) == []
    assert export.headers == in_chinese(
        app, "Date", "Time", "Team", "Activity", "Campaign", "Hours", "Points"
    )
    assert export.rows == [[]]
