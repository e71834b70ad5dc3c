"""The card reports' services: exact counts and fen sums on a known data set, months counted in
local time, a clerk's part, the settlement for the city and for a partner's own staff only, and
periods refused with a clear reason."""

from __future__ import annotations

from datetime import date

import pytest

from core.errors import Forbidden, NotFound, ValidationFailed
from honours.card_models import CheckOutcome
from honours.services import card_reports
from honours.services.card_reports import CardState, Figure, Period
from tests.builders import make_user
from tests.honours.builders import NOW
from tests.honours.card_report_builders import report_world

YEAR = Period(date(2026, 1, 1), date(2026, 12, 31))
JAN, FEB, MAR = date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1)


@pytest.fixture
def world(app):
    return report_world()


# The period -------------------------------------------------------------------------------------


def test_the_period_is_this_year_unless_told():
    today = date(2026, 6, 1)
    assert card_reports.period_of(today=today) == YEAR
    assert card_reports.period_of(year=2025, today=today) == Period(
        date(2025, 1, 1), date(2025, 12, 31)
    )
    assert card_reports.period_of(
        start=date(2026, 2, 1), end=date(2026, 2, 28), today=today
    ) == Period(date(2026, 2, 1), date(2026, 2, 28))
    # One end only: the rest of that end's year.
    assert card_reports.period_of(start=date(2026, 3, 5), today=today).end == date(2026, 12, 31)
    assert card_reports.period_of(end=date(2026, 3, 5), today=today).start == date(2026, 1, 1)
    assert [m.month for m in Period(date(2026, 1, 31), date(2026, 3, 1)).months] == [1, 2, 3]


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"start": date(2026, 3, 1), "end": date(2026, 2, 1)}, "to"),
        ({"start": date(1999, 12, 31)}, "from"),
        ({"end": date(2101, 1, 1)}, "to"),
        ({"year": 1900}, "year"),
        ({"start": date(2020, 1, 1), "end": date(2023, 1, 1)}, "to"),
    ],
)
def test_a_bad_period_is_refused_naming_the_field(values, field):
    with pytest.raises(ValidationFailed) as refused:
        card_reports.period_of(**values, today=date(2026, 6, 1))
    assert field in refused.value.errors


def test_the_settlement_month_is_last_month_unless_told():
    assert card_reports.month_of(None, date(2026, 1, 15)) == date(2025, 12, 1)
    assert card_reports.month_of("2026-02", date(2026, 6, 1)) == FEB
    for bad in ("2026-13", "02-2026", "2026", "9999-12", "0001-01", "二月"):
        with pytest.raises(ValidationFailed) as refused:
            card_reports.month_of(bad, date(2026, 6, 1))
        assert "month" in refused.value.errors


# Cards ------------------------------------------------------------------------------------------


def test_cards_are_counted_by_state_and_district(world):
    report = card_reports.cards_report(world["office"], YEAR, now=NOW)

    by_code = {line.district.code: line for line in report.districts}
    assert set(by_code) == {"haigang", "shanhaiguan"}
    haigang = by_code["haigang"]
    assert {state: haigang.at(state) for state in CardState} == {
        CardState.to_print: 1,
        CardState.issued: 1,
        CardState.active: 3,
        CardState.lost: 1,
        CardState.replaced: 1,
        CardState.expired: 2,
        CardState.revoked: 0,
    }
    shanhaiguan = by_code["shanhaiguan"]
    assert shanhaiguan.at(CardState.active) == shanhaiguan.at(CardState.revoked) == 1
    assert report.total == 11 and report.is_whole
    # 张国强's card was made on the last evening of 2025.
    assert (haigang.issued_in_period, shanhaiguan.issued_in_period) == (9, 1)


def test_a_district_clerk_counts_their_districts_cards_only(world):
    report = card_reports.cards_report(world["haigang"], YEAR, now=NOW)

    assert [line.district.code for line in report.districts] == ["haigang"]
    assert report.total == 9 and not report.is_whole


def test_someone_who_clerks_nowhere_reads_no_report(world):
    for report in (card_reports.cards_report, card_reports.uses_report):
        with pytest.raises(NotFound):
            report(make_user(), YEAR, now=NOW)
    with pytest.raises(NotFound):
        card_reports.refusals_report(world["scenic_staff"], YEAR, now=NOW)


# Uses -------------------------------------------------------------------------------------------


def test_uses_are_counted_by_partner_and_local_month_with_their_value_in_fen(world):
    report = card_reports.uses_report(world["office"], YEAR, now=NOW)

    lines = {line.partner.name: line for line in report.partners}
    scenic, bus = lines["老龙头景区"], lines["秦皇岛市公交集团"]
    # 23:30 on January 31 is January's; 00:10 on February 1 is February's; 2025's is out.
    assert scenic.by_month == {JAN: Figure(1, 6050), FEB: Figure(1, 6050), MAR: Figure(1, 30000)}
    assert bus.by_month == {FEB: Figure(2, 400), MAR: Figure(1, 200)}
    assert report.total == Figure(6, 42700)
    assert report.total.value_yuan == "427.00"
    assert report.month_total(FEB) == Figure(3, 6450)
    assert len(report.months) == 12
    assert {(line.benefit.name, line.figure) for line in report.benefits} == {
        ("免费游览老龙头", Figure(2, 12100)),
        ("市内公交免费乘车", Figure(3, 600)),
        ("免费健康体检", Figure(1, 30000)),
    }


def test_a_month_of_uses_ends_at_local_midnight(world):
    february = Period(date(2026, 2, 1), date(2026, 2, 28))
    report = card_reports.uses_report(world["office"], february, now=NOW)

    assert report.total == Figure(3, 6450)
    assert [m.isoformat() for m in report.months] == ["2026-02-01"]


def test_a_district_clerk_sees_the_uses_of_their_districts_holders_only(world):
    haigang = card_reports.uses_report(world["haigang"], YEAR, now=NOW)
    shanhaiguan = card_reports.uses_report(world["shanhaiguan"], YEAR, now=NOW)

    assert haigang.total == Figure(4, 12500)
    assert {line.partner.name: line.total for line in haigang.partners} == {
        "老龙头景区": Figure(2, 12100),
        "秦皇岛市公交集团": Figure(2, 400),
    }
    assert shanhaiguan.total == Figure(2, 30200)


def test_the_reports_cost_a_fixed_number_of_statements(world, count_queries):
    with count_queries() as sent:
        card_reports.uses_report(world["office"], YEAR, now=NOW)
    # The reader's assignments, the uses by partner and month, by benefit, the partners, the
    # benefits: however many uses there are.
    assert len(sent) == 5, str(sent)

    with count_queries() as sent:
        card_reports.cards_report(world["office"], YEAR, now=NOW)
    assert len(sent) == 3, str(sent)

    with count_queries() as sent:
        card_reports.refusals_report(world["office"], YEAR, now=NOW)
    assert len(sent) == 3, str(sent)


# Refusals ---------------------------------------------------------------------------------------


def test_refusals_are_counted_by_partner_and_outcome(world):
    report = card_reports.refusals_report(world["office"], YEAR, now=NOW)

    lines = {line.partner.name: line.counts for line in report.partners}
    assert lines == {
        "老龙头景区": {
            CheckOutcome.unknown: 1,
            CheckOutcome.limit_reached: 1,
            CheckOutcome.identity_mismatch: 1,
        },
        "秦皇岛市公交集团": {CheckOutcome.revoked: 1},
    }
    assert report.total == 4
    assert CheckOutcome.valid not in report.outcomes


def test_a_district_clerk_sees_refusals_of_their_holders_cards_only(world):
    haigang = card_reports.refusals_report(world["haigang"], YEAR, now=NOW)
    shanhaiguan = card_reports.refusals_report(world["shanhaiguan"], YEAR, now=NOW)

    assert {line.partner.name: line.total for line in haigang.partners} == {"老龙头景区": 2}
    assert {line.partner.name: line.counts for line in shanhaiguan.partners} == {
        "秦皇岛市公交集团": {CheckOutcome.revoked: 1}
    }


# Settlement -------------------------------------------------------------------------------------


def test_the_city_settles_each_partner_for_a_month_by_benefit(world):
    found = card_reports.settlement(world["office"], month=FEB, now=NOW)

    assert found.is_whole
    assert [
        (line.partner.name, [(b.benefit.name, b.figure) for b in line.benefits])
        for line in found.partners
    ] == [
        ("秦皇岛市公交集团", [("市内公交免费乘车", Figure(2, 400))]),
        ("老龙头景区", [("免费游览老龙头", Figure(1, 6050))]),
    ]
    assert found.total == Figure(3, 6450)
    assert found.total.value_yuan == "64.50"

    march = card_reports.settlement(
        world["office"], month=MAR, partner_id=world["scenic"].id, now=NOW
    )
    assert [line.total for line in march.partners] == [Figure(1, 30000)]


def test_a_partners_staff_read_their_own_settlement_line_by_line(world):
    staff, scenic = world["scenic_staff"], world["scenic"]

    found = card_reports.settlement(staff, month=JAN, now=NOW)
    partner, lines = card_reports.settlement_lines(staff, month=JAN, now=NOW)

    assert [line.partner.id for line in found.partners] == [scenic.id] and not found.is_whole
    assert found.total == Figure(1, 6050)
    assert partner.id == scenic.id and lines.total == 1
    (line,) = lines.items
    assert line.card_last4 == world["cards"]["c1"].number[-4:]
    assert (line.benefit, line.value_fen, line.value_yuan) == ("免费游览老龙头", 6050, "60.50")
    # A month without uses: their partner, nothing due.
    empty = card_reports.settlement(staff, month=date(2026, 4, 1), now=NOW)
    assert [line.total for line in empty.partners] == [Figure()]


def test_no_one_but_the_city_and_the_partners_own_staff_reads_a_settlement(world):
    with pytest.raises(Forbidden):
        card_reports.settlement(
            world["scenic_staff"], month=FEB, partner_id=world["bus"].id, now=NOW
        )
    with pytest.raises(Forbidden):
        card_reports.settlement_lines(
            world["scenic_staff"], month=FEB, partner_id=world["bus"].id, now=NOW
        )
    for clerk in (world["haigang"], world["street"]):
        with pytest.raises(Forbidden):
            card_reports.settlement(clerk, month=FEB, now=NOW)
    with pytest.raises(NotFound):
        card_reports.settlement(make_user(), month=FEB, now=NOW)
    with pytest.raises(NotFound):
        card_reports.settlement(world["office"], month=FEB, partner_id=999999, now=NOW)
    # The city's lines are one partner's at a time.
    with pytest.raises(ValidationFailed) as refused:
        card_reports.settlement_lines(world["office"], month=FEB, now=NOW)
    assert "partner_id" in refused.value.errors
