"""Pages of the care reports (关爱统计): persons visited, cash and goods by year and district,
the running total of condolence funds with the past years' totals the office enters, and a
care campaign's coverage, cash against the budget, goods and open follow-ups; each with CSV
and Excel downloads. A clerk reads their regions' part; the running total is the city's."""

from __future__ import annotations

from flask import Blueprint, Response, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from care.report_exports import YEAR_PARTS, campaign_parts, campaign_tables, year_tables
from care.report_forms import PastTotalForm
from care.services import past_totals, reports
from core.auth.access import role_required
from core.auth.models import Role
from core.clock import utcnow
from core.errors import NotFound
from core.pages import submit
from core.spreadsheets import Table, csv_bytes, xlsx_bytes
from honours.services.benefits import yuan_text

bp = Blueprint("care_reports", __name__)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Clerks are accounts holding an assignment to a region: the services keep each to their
# regions' persons, and the running total and the past totals to the city.
CLERKS = (Role.volunteer, Role.office)


def _download(tables: list[Table], name: str, fmt: str) -> Response:
    if fmt == "xlsx":
        response = Response(xlsx_bytes(tables), mimetype=XLSX)
    else:
        (table,) = tables
        response = Response(csv_bytes(table), mimetype="text/csv; charset=utf-8")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


def _reports_page(form: PastTotalForm | None = None):
    now = utcnow()
    found = reports.care_report(current_user, now=now)
    form = form or PastTotalForm(formdata=None)
    page = render_template(
        "care/reports.html",
        found=found,
        totals=past_totals.list_past_totals(current_user, now=now) if found.is_whole else None,
        form=form,
        parts=YEAR_PARTS if found.is_whole else {"districts": YEAR_PARTS["districts"]},
        yuan=yuan_text,
    )
    return page, form.status


@bp.get("/care/reports")
@role_required(*CLERKS)
def care_reports():
    return _reports_page()


@bp.post("/care/reports/past-totals")
@role_required(*CLERKS)
def record_past_total():
    form = PastTotalForm()
    done = submit(
        form,
        lambda: past_totals.record_past_total(
            current_user,
            year=form.year.data,
            fund_source=form.source,
            cash_fen=form.cash_fen(),
            persons=form.persons.data,
            note=form.note.data or "",
            now=utcnow(),
        ),
        done=lambda total: _(
            "The %(year)d total from %(source)s is recorded: %(yuan)s yuan.",
            year=total.year,
            source=total.fund_source.label,
            yuan=yuan_text(total.cash_fen),
        ),
        then=url_for(".care_reports"),
        refused_to=url_for(".care_reports"),
    )
    return done or _reports_page(form)


@bp.get("/care/reports.<fmt>")
@role_required(*CLERKS)
def care_reports_export(fmt: str):
    if fmt not in ("csv", "xlsx"):
        raise NotFound()
    now = utcnow()
    found = reports.care_report(current_user, now=now)
    totals = past_totals.list_past_totals(current_user, now=now) if found.is_whole else None
    tables = year_tables(found, totals)
    if fmt == "xlsx":
        return _download(list(tables.values()), "care-reports", fmt)
    part = request.args.get("part", "districts")
    if part not in tables:
        raise NotFound()
    return _download([tables[part]], f"care-reports-{part}", fmt)


@bp.get("/care/campaigns/<int:care_campaign_id>/report")
@role_required(*CLERKS)
def campaign_report(care_campaign_id: int):
    found = reports.campaign_report(current_user, care_campaign_id, now=utcnow())
    return render_template("care/campaign_report.html", found=found, parts=campaign_parts(found))


@bp.get("/care/campaigns/<int:care_campaign_id>/report.<fmt>")
@role_required(*CLERKS)
def campaign_report_export(care_campaign_id: int, fmt: str):
    if fmt not in ("csv", "xlsx"):
        raise NotFound()
    found = reports.campaign_report(current_user, care_campaign_id, now=utcnow())
    tables = campaign_tables(found)
    name = f"care-campaign-{care_campaign_id}"
    if fmt == "xlsx":
        return _download(list(tables.values()), name, fmt)
    part = request.args.get("part", "coverage")
    if part not in tables:
        raise NotFound()
    return _download([tables[part]], f"{name}-{part}", fmt)
