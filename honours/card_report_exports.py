"""The card reports as tables to download: cards by status and district, uses by partner and
month, uses by benefit, refusals by partner and outcome, and the settlement (every partner's
total, or one partner's statement line by line). Values are written in yuan with two decimals
as text, and in fen as whole numbers, never as floats."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from core.clock import to_local
from core.spreadsheets import Table
from honours.services.card_reports import (
    CardsReport,
    Period,
    RefusalsReport,
    Settlement,
    SettlementLine,
    UsesReport,
)

# The tables by the name a CSV download asks for, with their labels; Excel holds those of the
# period (or of the settlement) together.
PERIOD_PARTS = {
    "cards": _l("Cards by status"),
    "uses": _l("Uses by partner and month"),
    "benefits": _l("Uses by benefit"),
    "refusals": _l("Refusals"),
}


def _period_filters(period: Period, is_whole: bool) -> list[tuple[str, str]]:
    return [
        (_("Period"), f"{period.start.isoformat()} – {period.end.isoformat()}"),
        (_("Part"), _("The whole city") if is_whole else _("My region")),
    ]


def cards_table(report: CardsReport) -> Table:
    rows = [
        [
            line.district.label,
            *(line.at(state) for state in report.states),
            line.total,
            line.issued_in_period,
        ]
        for line in report.districts
    ]
    rows.append(
        [
            _("Total"),
            *(report.total_at(state) for state in report.states),
            report.total,
            report.issued_in_period,
        ]
    )
    return Table(
        title=_("Cards by status"),
        headers=[
            _("District"),
            *(state.label for state in report.states),
            _("Total"),
            _("Issued in the period"),
        ],
        rows=rows,
        filters=[
            *_period_filters(report.period, report.is_whole),
            (_("Status on"), report.today.isoformat()),
        ],
    )


def uses_table(report: UsesReport) -> Table:
    rows = [
        [
            line.partner.name,
            month.strftime("%Y-%m"),
            figure.uses,
            figure.value_yuan,
            figure.value_fen,
        ]
        for line in report.partners
        for month in report.months
        if (figure := line.at(month)).uses
    ]
    total = report.total
    rows.append([_("Total"), "", total.uses, total.value_yuan, total.value_fen])
    return Table(
        title=_("Uses by partner and month"),
        headers=[_("Partner"), _("Month"), _("Uses"), _("Value (yuan)"), _("Value (fen)")],
        rows=rows,
        filters=_period_filters(report.period, report.is_whole),
    )


def benefits_table(report: UsesReport) -> Table:
    rows = [
        [line.benefit.name, line.figure.uses, line.figure.value_yuan, line.figure.value_fen]
        for line in report.benefits
    ]
    total = report.total
    rows.append([_("Total"), total.uses, total.value_yuan, total.value_fen])
    return Table(
        title=_("Uses by benefit"),
        headers=[_("Benefit"), _("Uses"), _("Value (yuan)"), _("Value (fen)")],
        rows=rows,
        filters=_period_filters(report.period, report.is_whole),
    )


def refusals_table(report: RefusalsReport) -> Table:
    rows = [
        [line.partner.name, *(line.at(outcome) for outcome in report.outcomes), line.total]
        for line in report.partners
    ]
    rows.append(
        [_("Total"), *(report.total_at(outcome) for outcome in report.outcomes), report.total]
    )
    return Table(
        title=_("Refusals"),
        headers=[_("Partner"), *(outcome.label for outcome in report.outcomes), _("Total")],
        rows=rows,
        filters=_period_filters(report.period, report.is_whole),
    )


def period_tables(cards: CardsReport, uses: UsesReport, refusals: RefusalsReport) -> dict:
    """The period's tables, by the names of PERIOD_PARTS."""
    return {
        "cards": cards_table(cards),
        "uses": uses_table(uses),
        "benefits": benefits_table(uses),
        "refusals": refusals_table(refusals),
    }


def settlement_table(found: Settlement) -> Table:
    """Every partner's uses for the month by benefit, with the value due."""
    rows = [
        [
            line.partner.name,
            each.benefit.name,
            each.figure.uses,
            each.figure.value_yuan,
            each.figure.value_fen,
        ]
        for line in found.partners
        for each in line.benefits
    ]
    total = found.total
    rows.append([_("Total"), "", total.uses, total.value_yuan, total.value_fen])
    return Table(
        title=_("Settlement"),
        headers=[_("Partner"), _("Benefit"), _("Uses"), _("Value (yuan)"), _("Value (fen)")],
        rows=rows,
        filters=[(_("Month"), found.month.strftime("%Y-%m"))],
    )


def statement_table(found: Settlement, lines: list[SettlementLine]) -> Table:
    """One partner's statement for the month, as it may be sent to them: each use's local
    time, the card's last 4 digits, the benefit and its value; the total below."""
    (line,) = found.partners
    rows = [
        [
            to_local(each.used_at).strftime("%Y-%m-%d %H:%M"),
            each.card_last4,
            each.benefit,
            each.value_yuan,
        ]
        for each in lines
    ]
    rows.append(
        [
            _("Total"),
            "",
            ngettext("%(num)d use", "%(num)d uses", line.total.uses),
            line.total.value_yuan,
        ]
    )
    return Table(
        title=_("Settlement statement"),
        headers=[_("Time"), _("Card (last 4 digits)"), _("Benefit"), _("Value (yuan)")],
        rows=rows,
        filters=[(_("Partner"), line.partner.name), (_("Month"), found.month.strftime("%Y-%m"))],
    )
