"""Office pages: the office's start page, the participation dashboard with its drill-down
lists and exports (the office; a team leader sees their own teams), and service records."""

from __future__ import annotations

from flask import Blueprint, Response, render_template, request
from flask_login import current_user

from care.services.reports import dashboard_care
from core.auth.access import Who, role_required
from core.auth.models import Role
from core.clock import local_day, utcnow
from core.errors import NotFound
from core.spreadsheets import Table, csv_bytes, xlsx_bytes
from office import exports, services
from office.forms import NoShowFilterForm, ReportFilterForm
from volunteer.services import led_team_ids

bp = Blueprint("office", __name__)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@bp.app_context_processor
def _leads_a_team():
    def leads() -> bool:
        return bool(current_user.is_authenticated and current_user.role is Role.volunteer) and (
            bool(led_team_ids(current_user))
        )

    return {"leads_a_team": leads}


FILTER_KEYS = ("year", "season", "campaign", "district", "team", "start", "end")


def _filters():
    """The report filters of this request, the form that shows them, and the filters as query
    arguments for links (only those: any other argument could clash with a link's own)."""
    services.report_scope(current_user)
    form = ReportFilterForm(request.args)
    default_year = services.default_report_year(local_day(utcnow()))
    years = services.report_years()
    year = request.args.get("year", type=int)
    choices = services.filter_choices(current_user, year if year in years else default_year)
    form.offer(years, choices, default_year)
    query = {key: value for key in FILTER_KEYS if (value := request.args.get(key))}
    return form, form.report_filter(), query


def _download(tables: list[Table], name: str, fmt: str) -> Response:
    """The tables as an attachment: an Excel workbook with a sheet each, or the one table as
    CSV."""
    if fmt == "xlsx":
        response = Response(xlsx_bytes(tables), mimetype=XLSX)
    else:
        (table,) = tables
        response = Response(csv_bytes(table), mimetype="text/csv; charset=utf-8")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


@bp.get("/office")
@role_required(Role.office)
def home():
    work = services.office_work(current_user, now=utcnow())
    return render_template("office/home.html", work=work)


@bp.get("/reports")
@role_required(Who.leader, Role.office, owner="team")
def dashboard():
    form, filters, query = _filters()
    now_figures, last_figures = services.year_over_year(current_user, filters)
    return render_template(
        "office/dashboard.html",
        form=form,
        filters=filters,
        figures=now_figures,
        last_year=last_figures,
        breakdowns={
            by: services.breakdown(current_user, filters, by) for by in services.BREAKDOWNS
        },
        charts=services.charts(current_user, filters),
        care=dashboard_care(current_user, now=utcnow()),
        titles=exports.report_title,
        query=query,
    )


@bp.get("/reports/<what>")
@role_required(Who.leader, Role.office, owner="team")
def drill_down(what: str):
    form, filters, query = _filters()
    page = services.drill_down(
        current_user, filters, what, page=request.args.get("page", 1, type=int)
    )
    return render_template(
        "office/drill_down.html",
        form=form,
        what=what,
        page=page,
        title=exports.report_title(what),
        query=query,
        is_office=current_user.role is Role.office,
    )


@bp.get("/reports/export/<report>.<fmt>")
@role_required(Who.leader, Role.office, owner="team")
def export(report: str, fmt: str):
    _, filters, _ = _filters()
    if fmt not in ("csv", "xlsx") or (report == "all" and fmt == "csv"):
        raise NotFound()
    if report == "all":
        tables = [exports.report_table(current_user, filters, r) for r in exports.REPORTS]
        return _download(tables, f"report-{filters.year}", fmt)
    table = exports.report_table(current_user, filters, report)
    return _download([table], f"{report}-{filters.year}", fmt)


def _no_show_report():
    """The no-show report for this request's year and season, and the form that shows them."""
    now = utcnow()
    form = NoShowFilterForm(request.args)
    form.offer(services.report_years(), services.default_report_year(local_day(now)))
    year, season = form.chosen()
    return form, services.no_show_rates(current_user, year=year, season=season, now=now)


@bp.get("/reports/no-shows")
@role_required(Role.office)
def no_shows():
    form, report = _no_show_report()
    query = {"year": report.year, **({"season": report.season.value} if report.season else {})}
    return render_template(
        "office/no_shows.html",
        form=form,
        report=report,
        query=query,
        rule=exports.no_show_rule(),
    )


@bp.get("/reports/no-shows.<fmt>")
@role_required(Role.office)
def no_shows_export(fmt: str):
    if fmt not in ("csv", "xlsx"):
        raise NotFound()
    _, report = _no_show_report()
    return _download([exports.no_show_table(report)], f"no-shows-{report.year}", fmt)


def _record_page(volunteer_id: int):
    record = services.service_record(current_user, volunteer_id)
    return render_template("office/service_record.html", record=record)


def _record_export(volunteer_id: int, fmt: str):
    if fmt not in ("csv", "xlsx"):
        raise NotFound()
    table = exports.service_record_table(services.service_record(current_user, volunteer_id))
    return _download([table], f"service-record-{volunteer_id}", fmt)


@bp.get("/me/service-record")
@role_required(Role.volunteer, owner="self")
def my_record():
    return _record_page(current_user.id)


@bp.get("/me/service-record.<fmt>")
@role_required(Role.volunteer, owner="self")
def my_record_export(fmt: str):
    return _record_export(current_user.id, fmt)


@bp.get("/office/volunteers/<int:volunteer_id>/service-record")
@role_required(Role.office)
def volunteer_record(volunteer_id: int):
    return _record_page(volunteer_id)


@bp.get("/office/volunteers/<int:volunteer_id>/service-record.<fmt>")
@role_required(Role.office)
def volunteer_record_export(volunteer_id: int, fmt: str):
    return _record_export(volunteer_id, fmt)
