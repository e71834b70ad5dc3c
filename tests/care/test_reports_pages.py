"""The care reports' pages: the office's figures by year and district with the running total
and the past totals it enters, a campaign's report, a district clerk's part only, the CSV and
Excel downloads in the reader's language, and the care charts on the office dashboard."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest
import time_machine
from sqlalchemy import func, select

from care.models import PastCareTotal
from core.extensions import db
from tests.builders import make_team, make_user
from tests.care.reports_builders import report_world
from tests.conftest import sign_in
from tests.honours.builders import NOW

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture(autouse=True)
def at_now():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def world(app):
    return report_world()


def as_(app, user):
    return sign_in(app.test_client(), user)


def csv_rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig"))))


def test_the_office_reads_the_years_the_running_total_and_the_past_totals(app, world):
    page = as_(app, world["office"]).get("/care/reports")

    assert page.status_code == 200
    assert "关爱统计" in page.text and "历年慰问金台账" in page.text
    assert 'data-testid="running-total">¥104085.06<' in page.text
    assert 'data-testid="year-cash">2800.50<' in page.text
    assert "海港区" in page.text and "山海关区" in page.text
    assert 'data-testid="past-total-form"' in page.text


def test_the_office_enters_a_past_total_once(app, world):
    client = as_(app, world["office"])
    form = {"year": "2021", "fund_source": "donations", "cash_yuan": "1234.5", "persons": "12"}

    made = client.post("/care/reports/past-totals", data={**form, "note": "慈善总会"})
    again = client.post("/care/reports/past-totals", data=form, follow_redirects=True)
    this_year = client.post("/care/reports/past-totals", data={**form, "year": "2026"})

    assert made.status_code == 302
    total = db.session.scalar(select(PastCareTotal).where(PastCareTotal.year == 2021))
    assert (total.cash_fen, total.persons, total.note) == (123_450, 12, "慈善总会")
    assert "已登记；已登记的合计不再修改" in again.text
    assert this_year.status_code == 422 and "往年年份" in this_year.text
    assert db.session.scalar(select(func.count()).select_from(PastCareTotal)) == 4


def test_a_district_clerk_reads_their_part_without_the_running_total(app, world):
    client = as_(app, world["haigang"])

    page = client.get("/care/reports")
    report = client.get(f"/care/campaigns/{world['care'].id}/report")
    refused = client.post(
        "/care/reports/past-totals",
        data={"year": "2021", "fund_source": "donations", "cash_yuan": "1", "persons": "1"},
    )

    assert page.status_code == 200
    assert "海港区" in page.text and "山海关区" not in page.text
    assert "running-total" not in page.text and "past-total-form" not in page.text
    assert 'data-testid="year-cash">1500.50<' in page.text
    assert report.status_code == 200
    assert 'data-testid="listed">3<' in report.text and "丙" not in report.text
    assert "独居，冬季取暖困难" in report.text and 'data-testid="part">1000.00<' in report.text
    assert refused.status_code == 302
    assert db.session.scalar(select(func.count()).select_from(PastCareTotal)) == 3


def test_the_campaign_report_shows_coverage_cash_goods_and_follow_ups(app, world):
    page = as_(app, world["office"]).get(f"/care/campaigns/{world['care'].id}/report")

    assert page.status_code == 200
    assert 'data-testid="listed">6<' in page.text and 'data-testid="visited">3<' in page.text
    assert "本人婉拒" in page.text and "名单内已走访 50%" in page.text
    assert (
        'data-testid="spent">2300.00<' in page.text and 'data-testid="left">7700.00<' in page.text
    )
    assert "米面油礼包" in page.text and "380.00" in page.text
    assert page.text.count('data-testid="follow-up"') == 3


def test_no_one_but_a_clerk_reads_the_reports(app, world, volunteer_client):
    assert volunteer_client.get("/care/reports").status_code == 404
    assert volunteer_client.get(f"/care/campaigns/{world['care'].id}/report").status_code == 404
    assert volunteer_client.get("/care/reports.csv").status_code == 404


def test_the_downloads_open_in_chinese_and_in_english(app, world):
    office = world["office"]
    client = as_(app, office)
    care_id = world["care"].id

    funds = client.get(f"/care/campaigns/{care_id}/report.csv?part=funds")
    book = client.get(f"/care/campaigns/{care_id}/report.xlsx")
    years = client.get("/care/reports.xlsx")
    running = client.get("/care/reports.csv?part=running")
    office.locale = "en"
    english = as_(app, office).get(f"/care/campaigns/{care_id}/report.csv?part=funds")

    assert funds.status_code == 200 and funds.mimetype == "text/csv"
    rows = csv_rows(funds)
    assert rows[0] == ["慰问金（按资金来源）"]
    assert rows[4][:4] == ["资金来源", "预算（元）", "已支出（元）", "结余（元）"]
    assert rows[-1][:4] == ["合计", "15000.00", "2800.50", "12199.50"]
    assert book.mimetype == XLSX
    assert len(openpyxl.load_workbook(io.BytesIO(book.data)).sheetnames) == 5
    assert len(openpyxl.load_workbook(io.BytesIO(years.data)).sheetnames) == 3
    assert csv_rows(running)[-1][-2:] == ["104085.06", "10408506"]
    english_rows = csv_rows(english)
    assert english_rows[0] == ["Cash by fund source"]
    assert english_rows[4][:4] == ["Fund source", "Budget (yuan)", "Spent (yuan)", "Left (yuan)"]
    assert as_(app, world["haigang"]).get("/care/reports.csv?part=running").status_code == 404


def test_the_office_dashboard_draws_the_funds_by_year_and_the_latest_coverage(app, world):
    office = as_(app, world["office"]).get("/reports?year=2026")
    leader = make_user(display_name="队长")
    make_team(leader)
    led = as_(app, leader).get("/reports?year=2026")

    assert office.status_code == 200
    assert 'id="chart-care-funds"' in office.text and 'id="chart-care-coverage"' in office.text
    assert 'data-testid="care-running-total">¥104085.06<' in office.text
    assert "2800.50" in office.text
    assert led.status_code == 200 and "chart-care" not in led.text


def test_the_api_answers_the_figures_and_writes_a_past_total_once(app, world, bearer):
    office, haigang = bearer(world["office"]), bearer(world["haigang"])
    client = app.test_client()
    care_id = world["care"].id
    body = {"year": 2021, "fund_source": "enterprises", "cash_fen": 250_000, "persons": 5}

    whole = client.get("/api/v1/care/reports", headers=office).json
    part = client.get("/api/v1/care/reports", headers=haigang).json
    report = client.get(f"/api/v1/care/campaigns/{care_id}/report", headers=haigang).json
    made = client.post("/api/v1/care/past-totals", json=body, headers=office)
    again = client.post("/api/v1/care/past-totals", json=body, headers=office)
    listed = client.get("/api/v1/care/past-totals", headers=office)
    refused = client.get("/api/v1/care/past-totals", headers=haigang)

    assert whole["running"]["total_fen"] == 10_408_506
    assert whole["running"]["total_yuan"] == "104085.06"
    assert part["running"] is None and part["years"][0]["cash_fen"] == 150_050
    assert report["coverage"]["listed"] == 3 and report["coverage"]["not_reached"][0]["reason"]
    assert {line["fund_source"]: line["part_fen"] for line in report["funds"]} == {
        "city_budget": 100_000,
        "moral_fund": 50_050,
    }
    assert made.status_code == 201 and made.json["cash_yuan"] == "2500.00"
    assert again.status_code == 409 and again.json["code"] == "recorded_already"
    assert listed.status_code == 200 and len(listed.json) == 4
    assert refused.status_code == 403
