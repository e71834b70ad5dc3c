"""The care reports as tables to download: a campaign's coverage, those not reached with the
reason, cash by fund source against the budget, goods and open follow-ups; across the years,
persons visited, cash and goods by year and district, the running total of condolence funds
and the past years' totals. Money is written in yuan with two decimals as text, and in fen as
whole numbers, never as floats; headers in the language of the request."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from care.models import CareKind, PastCareTotal
from care.services.reports import CampaignReport, CareReport, RunningTotal
from core.spreadsheets import Table
from honours.services.benefits import yuan_text

# The tables by the name a CSV download asks for, with their labels; Excel holds them together.
CAMPAIGN_PARTS = {
    "coverage": _l("Coverage"),
    "not_reached": _l("Not reached"),
    "funds": _l("Cash by fund source"),
    "goods": _l("Goods"),
    "follow_ups": _l("Open follow-ups"),
    "flowers": _l("Flowers by deliverer"),
}
YEAR_PARTS = {
    "districts": _l("By year and district"),
    "running": _l("Running total of condolence funds"),
    "past": _l("Past years' totals"),
}


def _part(is_whole: bool) -> tuple[str, str]:
    return (_("Part"), _("The whole city") if is_whole else _("My region"))


def _campaign_filters(report: CampaignReport) -> list[tuple[str, str]]:
    return [(_("Care campaign"), report.care.name), _part(report.is_whole)]


def coverage_table(report: CampaignReport) -> Table:
    found = report.coverage
    return Table(
        title=_("Coverage"),
        headers=[_("Whom"), _("Number of persons")],
        rows=[
            [_("On the list"), found.listed],
            [_("Visited"), found.visited],
            [_("Planned"), found.planned],
            [_("Not reached"), found.not_reached_count],
            [_("Not yet"), found.not_yet],
            [_("Visited off the list"), found.off_list],
        ],
        filters=_campaign_filters(report),
    )


def not_reached_table(report: CampaignReport) -> Table:
    return Table(
        title=_("Not reached"),
        headers=[_("Person"), _("District"), _("Why not reached")],
        rows=[
            [line.person.name, line.district.label, line.reason]
            for line in report.coverage.not_reached
        ],
        filters=_campaign_filters(report),
    )


def funds_table(report: CampaignReport) -> Table:
    rows = [
        [
            line.fund_source.label,
            line.budget_yuan,
            line.spent_yuan,
            line.left_yuan,
            line.part_yuan,
            line.budget_fen,
            line.spent_fen,
            line.left_fen,
            line.part_fen,
        ]
        for line in report.funds
    ]
    rows.append(
        [
            _("Total"),
            *(
                yuan_text(fen)
                for fen in (report.budget_fen, report.spent_fen, report.left_fen, report.part_fen)
            ),
            report.budget_fen,
            report.spent_fen,
            report.left_fen,
            report.part_fen,
        ]
    )
    return Table(
        title=_("Cash by fund source"),
        headers=[
            _("Fund source"),
            _("Budget (yuan)"),
            _("Spent (yuan)"),
            _("Left (yuan)"),
            _("Of my part (yuan)"),
            _("Budget (fen)"),
            _("Spent (fen)"),
            _("Left (fen)"),
            _("Of my part (fen)"),
        ],
        rows=rows,
        filters=_campaign_filters(report),
    )


def goods_table(report: CampaignReport) -> Table:
    rows = [[line.item, line.quantity, line.value_yuan, line.value_fen] for line in report.goods]
    rows.append([_("Total"), report.goods_quantity, yuan_text(report.goods_fen), report.goods_fen])
    return Table(
        title=_("Goods"),
        headers=[_("Item"), _("Quantity"), _("Value (yuan)"), _("Value (fen)")],
        rows=rows,
        filters=_campaign_filters(report),
    )


def follow_ups_table(report: CampaignReport) -> Table:
    return Table(
        title=_("Open follow-ups"),
        headers=[_("Visited on"), _("Person"), _("District"), _("Needs found"), _("Follow-up")],
        rows=[
            [
                line.visit_on.isoformat(),
                line.person.name,
                line.district.label,
                line.needs,
                line.follow_up,
            ]
            for line in report.follow_ups
        ],
        filters=_campaign_filters(report),
    )


def flowers_table(report: CampaignReport) -> Table:
    rows = [
        [
            line.deliverer,
            _("Courier company") if line.is_courier else _("Volunteer team"),
            line.planned,
            line.delivered,
            line.failed,
            line.total,
        ]
        for line in report.flowers
    ]
    return Table(
        title=_("Flowers by deliverer"),
        headers=[
            _("Deliverer"),
            _("Kind"),
            _("To deliver"),
            _("Delivered"),
            _("Not delivered"),
            _("Total"),
        ],
        rows=rows,
        filters=_campaign_filters(report),
    )


def campaign_parts(report: CampaignReport) -> dict[str, str]:
    """The campaign's parts (CAMPAIGN_PARTS), the flowers' only for a flowers campaign."""
    return {
        part: label
        for part, label in CAMPAIGN_PARTS.items()
        if part != "flowers" or report.care.kind is CareKind.flowers
    }


def campaign_tables(report: CampaignReport) -> dict[str, Table]:
    """The campaign's tables, by the names of its parts (campaign_parts)."""
    tables = {
        "coverage": coverage_table,
        "not_reached": not_reached_table,
        "funds": funds_table,
        "goods": goods_table,
        "follow_ups": follow_ups_table,
        "flowers": flowers_table,
    }
    return {part: tables[part](report) for part in campaign_parts(report)}


def districts_table(report: CareReport) -> Table:
    rows = []
    for year in report.years:
        rows.extend(
            [
                year.year,
                line.district.label,
                line.persons,
                line.cash_yuan,
                line.goods_yuan,
                line.cash_fen,
                line.goods_fen,
            ]
            for line in year.districts
        )
        rows.append(
            [
                year.year,
                _("Total"),
                year.persons,
                year.cash_yuan,
                year.goods_yuan,
                year.cash_fen,
                year.goods_fen,
            ]
        )
    return Table(
        title=_("By year and district"),
        headers=[
            _("Year"),
            _("District"),
            _("Persons visited"),
            _("Cash (yuan)"),
            _("Goods value (yuan)"),
            _("Cash (fen)"),
            _("Goods value (fen)"),
        ],
        rows=rows,
        filters=[_part(report.is_whole)],
    )


def running_table(running: RunningTotal) -> Table:
    return Table(
        title=_("Running total of condolence funds"),
        headers=[
            _("Year"),
            _("Past total (yuan)"),
            _("Visits (yuan)"),
            _("The year (yuan)"),
            _("Running total (yuan)"),
            _("Running total (fen)"),
        ],
        rows=[
            [
                line.year,
                line.past_yuan,
                line.visits_yuan,
                line.year_yuan,
                line.running_yuan,
                line.running_fen,
            ]
            for line in running.years
        ],
        filters=[_part(True)],
    )


def past_table(totals: list[PastCareTotal]) -> Table:
    return Table(
        title=_("Past years' totals"),
        headers=[
            _("Year"),
            _("Fund source"),
            _("Cash (yuan)"),
            _("Cash (fen)"),
            _("Number of persons"),
            _("Note"),
        ],
        rows=[
            [
                total.year,
                total.fund_source.label,
                yuan_text(total.cash_fen),
                total.cash_fen,
                total.persons,
                total.note,
            ]
            for total in totals
        ],
        filters=[_part(True)],
    )


def year_tables(report: CareReport, totals: list[PastCareTotal] | None) -> dict[str, Table]:
    """The tables across the years, by the names of YEAR_PARTS: the running total and the past
    totals only for the city (`report.running` and `totals` given)."""
    tables = {"districts": districts_table(report)}
    if report.running is not None and totals is not None:
        tables["running"] = running_table(report.running)
        tables["past"] = past_table(totals)
    return tables
