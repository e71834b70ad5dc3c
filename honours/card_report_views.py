"""Pages of the courtesy-card reports (好人卡统计): the office's cards by status, uses by partner,
month and benefit, refusals and the settlement with each partner, over a period, with CSV and
Excel downloads (a district clerk reads their district's part; the settlement is the city's);
and a partner's own settlement statement on the staff's phone."""

from __future__ import annotations

from flask import Blueprint, Response, render_template, request
from flask_login import current_user
from sqlalchemy import select

from core.auth.access import Who, role_required
from core.auth.models import Role
from core.clock import local_day, utcnow
from core.errors import NotFound, ValidationFailed
from core.extensions import db
from core.rows import Window
from core.spreadsheets import Table, csv_bytes, xlsx_bytes
from honours.card_models import Partner
from honours.card_report_exports import (
    PERIOD_PARTS,
    period_tables,
    settlement_table,
    statement_table,
)
from honours.card_report_forms import ReportForm
from honours.services import card_reports
from honours.services.partner_staff import partners_of

bp = Blueprint("card_reports", __name__)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Clerks are accounts holding an assignment to a region (core.auth.assignments): the service
# keeps each to their regions' persons, and the settlement to the city.
CLERKS = (Role.volunteer, Role.office)
TABS = ("cards", "uses", "refusals", "settlement")
LINES_PER_PAGE = 50


def _page_number() -> int:
    return max(1, min(request.args.get("page", 1, type=int), 10_000))


def _download(tables: list[Table], name: str, fmt: str) -> Response:
    if fmt == "xlsx":
        response = Response(xlsx_bytes(tables), mimetype=XLSX)
    else:
        (table,) = tables
        response = Response(csv_bytes(table), mimetype="text/csv; charset=utf-8")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


def _checked(form: ReportForm) -> None:
    """Raise the form's own errors (a malformed date or year) as the service would."""
    if not form.validate():
        raise ValidationFailed(
            errors={
                name: [str(message) for message in field.errors]
                for name, field in form.fields_by_query_name().items()
                if field.errors
            }
        )


def _period(form: ReportForm, today) -> card_reports.Period:
    _checked(form)
    return card_reports.period_of(
        year=form.year.data, start=form.start.data, end=form.end.data, today=today
    )


def _month(form: ReportForm, today):
    _checked(form)
    return card_reports.month_of(form.month.data, today)


# The office ------------------------------------------------------------------------------------


def _settlement(form: ReportForm, now, window: Window | None, *, whole: bool):
    """The month's settlement and its lines when one partner is named or `whole` (every
    partner's total, for the city) is not asked for; else None for the lines."""
    month = _month(form, local_day(now))
    partner_id = form.partner_id.data
    lines = None
    if partner_id is not None or not whole:
        partner, lines = card_reports.settlement_lines(
            current_user, month=month, partner_id=partner_id, window=window, now=now
        )
        partner_id = partner.id
    found = card_reports.settlement(current_user, month=month, partner_id=partner_id, now=now)
    return found, lines


@bp.get("/office/card-reports")
@role_required(*CLERKS, owner="self")
def reports():
    now = utcnow()
    scope = card_reports.report_scope(current_user, now)
    tab = request.args.get("tab", "cards")
    if tab not in TABS or (tab == "settlement" and not scope.is_city):
        tab = "cards"
    form = ReportForm(request.args)
    partners = []
    found, lines, number = None, None, _page_number()
    try:
        if tab == "settlement":
            partners = list(db.session.scalars(select(Partner).order_by(Partner.name)))
            window = Window((number - 1) * LINES_PER_PAGE, LINES_PER_PAGE)
            found, lines = _settlement(form, now, window, whole=True)
        else:
            period = _period(form, local_day(now))
            report = {
                "cards": card_reports.cards_report,
                "uses": card_reports.uses_report,
                "refusals": card_reports.refusals_report,
            }[tab]
            found = report(current_user, period, now=now)
    except ValidationFailed as error:
        form.show(error)
    page = render_template(
        "honours/card_reports/office.html",
        tab=tab,
        form=form,
        found=found,
        lines=lines,
        number=number,
        pages=max(1, -(-lines.total // LINES_PER_PAGE)) if lines else 1,
        partners=partners,
        query=form.query(),
        is_city=scope.is_city,
        parts=PERIOD_PARTS,
    )
    return page, 422 if found is None else 200


def _settlement_download(form: ReportForm, fmt: str, now) -> Response:
    found, lines = _settlement(form, now, None, whole=True)
    name = f"card-settlement-{found.month:%Y-%m}"
    if lines is None:
        return _download([settlement_table(found)], name, fmt)
    statement = statement_table(found, lines.items)
    name = f"{name}-{found.partners[0].partner.id}"
    if fmt == "csv":
        return _download([statement], name, fmt)
    return _download([settlement_table(found), statement], name, fmt)


@bp.get("/office/card-reports.<fmt>")
@role_required(*CLERKS, owner="self")
def export(fmt: str):
    if fmt not in ("csv", "xlsx"):
        raise NotFound()
    now = utcnow()
    card_reports.report_scope(current_user, now)
    form = ReportForm(request.args)
    part = request.args.get("part", "cards")
    if part == "settlement":
        return _settlement_download(form, fmt, now)
    if part not in PERIOD_PARTS:
        raise NotFound()
    period = _period(form, local_day(now))
    tables = period_tables(
        card_reports.cards_report(current_user, period, now=now),
        card_reports.uses_report(current_user, period, now=now),
        card_reports.refusals_report(current_user, period, now=now),
    )
    name = f"card-reports-{period.start:%Y%m%d}-{period.end:%Y%m%d}"
    if fmt == "xlsx":
        return _download(list(tables.values()), name, fmt)
    return _download([tables[part]], f"{name}-{part}", fmt)


# A partner's staff -----------------------------------------------------------------------------


@bp.get("/partner/settlement")
@role_required(Who.partner_staff)
def partner_settlement():
    now = utcnow()
    form = ReportForm(request.args)
    mine = partners_of(current_user, now)
    if len(mine) > 1 and form.partner_id.data is None:
        return render_template("honours/card_reports/choose.html", mine=mine)
    number = _page_number()
    found = lines = None
    try:
        window = Window((number - 1) * LINES_PER_PAGE, LINES_PER_PAGE)
        found, lines = _settlement(form, now, window, whole=False)
    except ValidationFailed as error:
        form.show(error)
    page = render_template(
        "honours/card_reports/partner.html",
        form=form,
        found=found,
        lines=lines,
        number=number,
        pages=max(1, -(-lines.total // LINES_PER_PAGE)) if lines else 1,
        several=len(mine) > 1,
        query=form.query(),
    )
    return page, 422 if found is None else 200


@bp.get("/partner/settlement.<fmt>")
@role_required(Who.partner_staff)
def partner_settlement_export(fmt: str):
    if fmt not in ("csv", "xlsx"):
        raise NotFound()
    now = utcnow()
    found, lines = _settlement(ReportForm(request.args), now, None, whole=False)
    partner = found.partners[0].partner
    name = f"settlement-{found.month:%Y-%m}-{partner.id}"
    return _download([statement_table(found, lines.items)], name, fmt)
