"""The care reports through the services and their tables: a campaign's coverage, cash against
the budget, goods and open follow-ups, figures by year and district and the running total,
exact to the fen, with reversals, past totals and people not reached; a district clerk's part;
past totals written once; the downloads' headers in Chinese and in English."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from flask_babel import refresh

from care.models import FundSource
from care.report_exports import campaign_tables, year_tables
from care.services import past_totals, reports
from core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from tests.builders import make_user
from tests.care.reports_builders import QUILT, RICE, report_world
from tests.honours.builders import NOW

pytestmark = pytest.mark.usefixtures("app")


@pytest.fixture
def world():
    return report_world()


def _funds(report) -> dict:
    return {
        line.fund_source: (line.budget_fen, line.spent_fen, line.left_fen, line.part_fen)
        for line in report.funds
    }


def test_the_office_reads_the_whole_campaign_exact_to_the_fen(world):
    report = reports.campaign_report(world["office"], world["care"].id, now=NOW)

    coverage = report.coverage
    assert report.is_whole
    assert (coverage.listed, coverage.visited, coverage.planned, coverage.not_yet) == (6, 3, 1, 1)
    assert [(n.person.name, n.district.code, n.reason) for n in coverage.not_reached] == [
        ("丁", "haigang", "本人婉拒")
    ]
    assert coverage.off_list == 1 and coverage.visited_percent == 50
    # A's first visit was reversed: its 1,000.00 went back; A anew 800.00, G 200.00, C
    # 1,000.00 and E's planned 300.00 stay charged.
    assert _funds(report) == {
        FundSource.city_budget: (1_000_000, 230_000, 770_000, 230_000),
        FundSource.moral_fund: (500_000, 50_050, 449_950, 50_050),
    }
    assert (report.budget_fen, report.spent_fen, report.left_fen) == (1_500_000, 280_050, 1_219_950)
    assert [(g.item, g.quantity, g.value_fen) for g in report.goods] == [
        (RICE, 6, 38_000),
        (QUILT, 1, 12_345),
    ]
    assert report.goods_fen == 50_345
    assert sorted(f.person.name for f in report.follow_ups) == ["丙", "庚", "甲"]
    needs = {f.person.name: f.needs for f in report.follow_ups}
    assert needs["甲"] == "独居，冬季取暖困难" and needs["丙"] == "行动不便，需要轮椅"


def test_a_district_clerk_reads_only_their_districts_part(world):
    haigang = reports.campaign_report(world["haigang"], world["care"].id, now=NOW)
    shanhaiguan = reports.campaign_report(world["shanhaiguan"], world["care"].id, now=NOW)

    assert not haigang.is_whole
    mine = haigang.coverage
    assert (mine.listed, mine.visited, mine.planned, mine.not_yet, mine.off_list) == (3, 2, 0, 0, 1)
    assert [n.person.name for n in mine.not_reached] == ["丁"]
    # The budget is the campaign's; the part is the cash of their district's visits.
    assert _funds(haigang) == {
        FundSource.city_budget: (1_000_000, 230_000, 770_000, 100_000),
        FundSource.moral_fund: (500_000, 50_050, 449_950, 50_050),
    }
    assert [(g.item, g.quantity, g.value_fen) for g in haigang.goods] == [
        (RICE, 4, 34_000),
        (QUILT, 1, 12_345),
    ]
    assert sorted(f.person.name for f in haigang.follow_ups) == ["庚", "甲"]
    theirs = shanhaiguan.coverage
    assert (theirs.listed, theirs.visited, theirs.planned, theirs.not_yet) == (3, 1, 1, 1)
    assert theirs.not_reached == [] and theirs.off_list == 0
    assert {line.part_fen for line in shanhaiguan.funds} == {130_000, 0}
    assert [f.person.name for f in shanhaiguan.follow_ups] == ["丙"]


def test_a_community_clerk_reads_their_community_and_no_one_else_reads_at_all(world):
    community = reports.campaign_report(world["community"], world["care"].id, now=NOW)

    assert community.coverage.listed == 3
    assert [f.person.name for f in community.follow_ups] == ["丙"]
    with pytest.raises(NotFound):
        reports.campaign_report(make_user(), world["care"].id, now=NOW)
    with pytest.raises(NotFound):
        reports.campaign_report(world["office"], world["care"].id + 1000, now=NOW)
    with pytest.raises(NotFound):
        reports.care_report(make_user(), now=NOW)


def test_years_and_districts_count_visits_paid_and_cash_not_reversed(world):
    report = reports.care_report(world["office"], now=NOW)

    (year,) = report.years
    assert year.year == 2026
    lines = {
        line.district.code: (line.persons, line.cash_fen, line.goods_fen) for line in year.districts
    }
    # Haigang: A (anew), B and G visited; Shanhaiguan: C visited, E only planned.
    assert lines == {"haigang": (3, 150_050, 46_345), "shanhaiguan": (1, 130_000, 4_000)}
    assert (year.persons, year.cash_fen, year.cash_yuan) == (4, 280_050, "2800.50")


def test_the_running_total_adds_the_past_totals_and_the_visits_year_by_year(world):
    running = reports.care_report(world["office"], now=NOW).running

    assert [(y.year, y.past_fen, y.visits_fen, y.running_fen) for y in running.years] == [
        (2022, 5_000, 0, 5_000),
        (2023, 0, 0, 5_000),
        (2024, 10_123_456, 0, 10_128_456),
        (2025, 0, 0, 10_128_456),
        (2026, 0, 280_050, 10_408_506),
    ]
    assert (running.total_fen, running.total_yuan) == (10_408_506, "104085.06")


def test_a_district_clerk_reads_their_districts_by_year_and_not_the_running_total(world):
    report = reports.care_report(world["haigang"], now=NOW)

    assert report.running is None and not report.is_whole
    (year,) = report.years
    assert [(line.district.code, line.cash_fen) for line in year.districts] == [
        ("haigang", 150_050)
    ]
    with pytest.raises(Forbidden):
        past_totals.list_past_totals(world["haigang"], now=NOW)


def test_a_past_total_is_recorded_once_for_a_past_year_by_the_office(world):
    office = world["office"]
    values = {"fund_source": FundSource.donations, "cash_fen": 1, "persons": 1, "note": ""}

    with pytest.raises(Conflict) as refused:
        past_totals.record_past_total(office, year=2022, **values, now=NOW)
    assert "2022" in str(refused.value.message)
    with pytest.raises(ValidationFailed) as this_year:
        past_totals.record_past_total(office, year=2026, **values, now=NOW)
    assert "year" in this_year.value.errors
    with pytest.raises(Forbidden):
        past_totals.record_past_total(world["haigang"], year=2021, **values, now=NOW)
    # The year before is past only once the local year has turned (Asia/Shanghai).
    new_year = datetime(2026, 12, 31, 16, 30, tzinfo=UTC)
    made = past_totals.record_past_total(office, year=2026, **values, now=new_year)
    assert made.year == 2026
    listed = past_totals.list_past_totals(office, now=NOW)
    assert [(t.year, t.fund_source) for t in listed][:2] == [
        (2026, FundSource.donations),
        (2024, FundSource.city_budget),
    ]


def test_the_latest_visit_campaign_and_the_running_total_for_the_dashboard(world):
    found = reports.dashboard_care(world["office"], now=NOW)

    assert found.latest.id == world["care"].id
    assert found.coverage.visited == 3 and found.running.total_fen == 10_408_506
    assert reports.dashboard_care(world["haigang"], now=NOW) is None


@pytest.mark.parametrize(
    ("language", "headers"),
    [
        ("zh-CN", ["资金来源", "预算（元）", "已支出（元）", "结余（元）"]),
        ("en", ["Fund source", "Budget (yuan)", "Spent (yuan)", "Left (yuan)"]),
    ],
)
def test_the_downloads_have_headers_in_the_language_of_the_request(app, world, language, headers):
    office = world["office"]
    # A page takes the language the user chose; the API the client's Accept-Language.
    with app.test_request_context("/api/v1/care/reports", headers={"Accept-Language": language}):
        # The test's own app context may have chosen a language already: choose again.
        refresh()
        campaign = campaign_tables(reports.campaign_report(office, world["care"].id, now=NOW))
        years = year_tables(
            reports.care_report(office, now=NOW), past_totals.list_past_totals(office, now=NOW)
        )

    assert campaign["funds"].headers[:4] == headers
    assert campaign["funds"].rows[-1][1:4] == ["15000.00", "2800.50", "12199.50"]
    assert set(years) == {"districts", "running", "past"}
    assert years["running"].rows[-1][-2:] == ["104085.06", 10_408_506]
    assert years["districts"].headers[0] == ("年份" if language == "zh-CN" else "Year")
