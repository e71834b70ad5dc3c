"""The card reports' pages: the office's tabs with their figures, a district clerk's part, a bad
period beside its field, the downloads (CSV and Excel), and a partner's own settlement on the
phone; no one else's."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest
import time_machine

from tests.conftest import sign_in
from tests.honours.builders import NOW
from tests.honours.card_report_builders import report_world

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


def test_the_office_reads_every_tab_with_its_figures(app, world):
    client = as_(app, world["office"])

    cards = client.get("/office/card-reports")
    uses = client.get("/office/card-reports?tab=uses")
    refusals = client.get("/office/card-reports?tab=refusals")
    settlement = client.get("/office/card-reports?tab=settlement&month=2026-02")

    assert cards.status_code == uses.status_code == refusals.status_code == 200
    assert "好人卡统计" in cards.text and "海港区" in cards.text and "山海关区" in cards.text
    assert 'data-testid="cards-total">11<' in cards.text
    assert "¥427.00" in uses.text and "免费健康体检" in uses.text
    assert "身份不符" in refusals.text and "公交" in refusals.text
    assert settlement.status_code == 200
    assert 'data-testid="settlement-total">¥64.50<' in settlement.text
    assert "老龙头景区" in settlement.text and "秦皇岛市公交集团" in settlement.text


def test_the_office_reads_one_partners_statement_line_by_line(app, world):
    client = as_(app, world["office"])
    scenic = world["scenic"]

    page = client.get(f"/office/card-reports?tab=settlement&month=2026-01&partner_id={scenic.id}")

    assert page.status_code == 200
    assert page.text.count('data-testid="line"') == 1
    number = world["cards"]["c1"].number
    assert f"…{number[-4:]}" in page.text and number not in page.text
    assert "2026-01-31 23:30" in page.text


def test_a_district_clerk_reads_their_district_only_and_no_settlement(app, world):
    client = as_(app, world["haigang"])

    cards = client.get("/office/card-reports")
    uses = client.get("/office/card-reports?tab=uses")

    assert "海港区" in cards.text and "山海关区" not in cards.text
    assert 'data-testid="cards-total">9<' in cards.text
    assert "¥125.00" in uses.text and "免费健康体检" not in uses.text
    assert 'data-testid="tab-settlement"' not in cards.text
    # The settlement is the city's: the tab falls back to the cards, the download is refused.
    assert 'data-testid="cards"' in client.get("/office/card-reports?tab=settlement").text
    refused = client.get("/office/card-reports.csv?part=settlement&month=2026-02")
    assert refused.status_code == 403


def test_someone_who_clerks_nowhere_gets_no_report(app, world):
    for user in (world["scenic_staff"],):
        client = as_(app, user)
        assert client.get("/office/card-reports").status_code == 404
        assert client.get("/office/card-reports.csv").status_code == 404


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("from=2026-03-01&to=2026-02-01", "to"),
        ("from=not-a-date", "from"),
        ("year=20x6", "year"),
        ("from=1999-01-01&to=1999-02-01", "from"),
    ],
)
def test_a_bad_period_is_shown_beside_its_field(app, world, query, field):
    client = as_(app, world["office"])

    page = client.get(f"/office/card-reports?tab=uses&{query}")

    assert page.status_code == 422
    assert f'name="{field}"' in page.text and "is-invalid" in page.text
    assert 'data-testid="uses"' not in page.text


def test_a_bad_month_is_shown_beside_its_field(app, world):
    page = as_(app, world["office"]).get("/office/card-reports?tab=settlement&month=2026-13")

    assert page.status_code == 422 and "YYYY-MM" in page.text


def test_a_bad_period_download_is_refused_with_a_reason(app, world):
    response = as_(app, world["office"]).get(
        "/office/card-reports.csv?from=2026-03-01&to=2026-01-01"
    )

    assert response.status_code == 422
    assert "period" in response.text or "期" in response.text


def test_the_period_downloads_open(app, world):
    client = as_(app, world["office"])

    uses = client.get("/office/card-reports.csv?part=uses&year=2026")
    book = client.get("/office/card-reports.xlsx?year=2026")

    assert uses.status_code == 200 and uses.mimetype == "text/csv"
    rows = csv_rows(uses)
    header = rows.index(["合作单位", "月份", "使用次数", "金额（元）", "金额（分）"])
    assert ["老龙头景区", "2026-01", "1", "60.50", "6050"] in rows[header:]
    assert rows[-1] == ["合计", "", "6", "427.00", "42700"]
    assert book.status_code == 200 and book.mimetype == XLSX
    sheets = openpyxl.load_workbook(io.BytesIO(book.get_data()), read_only=True).worksheets
    assert len(sheets) == 4
    cells = [
        value for sheet in sheets for row in sheet.iter_rows(values_only=True) for value in row
    ]
    assert "免费健康体检" in cells and "427.00" in cells and 42700 in cells
    for part in ("cards", "benefits", "refusals"):
        response = client.get(f"/office/card-reports.csv?part={part}")
        assert response.status_code == 200 and len(csv_rows(response)) > 4
    assert client.get("/office/card-reports.pdf").status_code == 404
    assert client.get("/office/card-reports.csv?part=nothing").status_code == 404


def test_the_settlement_downloads_open(app, world):
    client = as_(app, world["office"])
    scenic = world["scenic"]

    every = client.get("/office/card-reports.csv?part=settlement&month=2026-02")
    statement = client.get(
        f"/office/card-reports.csv?part=settlement&month=2026-01&partner_id={scenic.id}"
    )
    book = client.get(
        f"/office/card-reports.xlsx?part=settlement&month=2026-01&partner_id={scenic.id}"
    )

    assert ["秦皇岛市公交集团", "市内公交免费乘车", "2", "4.00", "400"] in csv_rows(every)
    rows = csv_rows(statement)
    last4 = world["cards"]["c1"].number[-4:]
    assert ["2026-01-31 23:30", last4, "免费游览老龙头", "60.50"] in rows
    assert world["cards"]["c1"].number not in statement.get_data().decode("utf-8-sig")
    sheets = openpyxl.load_workbook(io.BytesIO(book.get_data()), read_only=True).worksheets
    assert len(sheets) == 2


def test_a_partners_staff_read_their_own_settlement_on_the_phone(app, world):
    client = as_(app, world["scenic_staff"])

    page = client.get("/partner/settlement?month=2026-01")
    csv_answer = client.get("/partner/settlement.csv?month=2026-01")
    book = client.get("/partner/settlement.xlsx?month=2026-03")

    assert page.status_code == 200
    assert 'data-testid="settlement-total">¥60.50<' in page.text
    assert "老龙头景区" in page.text and "公交" not in page.text
    last4 = world["cards"]["c1"].number[-4:]
    assert ["2026-01-31 23:30", last4, "免费游览老龙头", "60.50"] in csv_rows(csv_answer)
    cells = [
        value
        for row in openpyxl.load_workbook(io.BytesIO(book.get_data())).active.iter_rows(
            values_only=True
        )
        for value in row
    ]
    assert "免费健康体检" in cells and "300.00" in cells


def test_a_partners_staff_read_no_other_partners_settlement(app, world):
    client = as_(app, world["scenic_staff"])
    bus = world["bus"].id

    assert client.get(f"/partner/settlement?partner_id={bus}").status_code == 403
    assert client.get(f"/partner/settlement.csv?partner_id={bus}").status_code == 403
    assert client.get("/partner/settlement.csv?partner_id=999999").status_code == 403
    # Neither the office nor a clerk has a partner's page.
    assert as_(app, world["office"]).get("/partner/settlement").status_code == 403
    assert as_(app, world["haigang"]).get("/partner/settlement").status_code == 403


def test_a_partners_staff_see_a_bad_month_beside_the_field(app, world):
    page = as_(app, world["scenic_staff"]).get("/partner/settlement?month=May")

    assert page.status_code == 422 and "YYYY-MM" in page.text
