"""Every report as a table to download (CSV or Excel), with Chinese headers by default and
the filters written at the top."""

from __future__ import annotations

from flask_babel import format_datetime
from flask_babel import gettext as _

from core.auth.models import User
from core.districts import District
from core.errors import NotFound
from core.extensions import db
from core.spreadsheets import Table
from events.models import Campaign
from office import services
from office.services import (
    BREAKDOWNS,
    Figures,
    NoShowFigures,
    NoShowReport,
    ReportFilter,
    ServiceRecord,
)
from volunteer.models import Team

REPORTS = ("summary", *BREAKDOWNS, *services.LISTS)
# A drill-down export holds every line, not one page.
EXPORT_ROWS = 1_000_000


def _figure_headers() -> list[str]:
    return [
        _("Activities held"),
        _("Shifts"),
        _("Person-times"),
        _("Volunteers"),
        _("Hours served"),
        _("Points earned"),
        _("Active teams"),
        _("Points redeemed"),
        _("Active merchants"),
    ]


def _figure_cells(f: Figures) -> list:
    optional = ["" if v is None else v for v in (f.points_redeemed, f.active_merchants)]
    return [
        f.activities,
        f.shifts,
        f.person_times,
        f.volunteers,
        f.hours,
        f.points_earned,
        f.active_teams,
        *optional,
    ]


def describe_filters(filters: ReportFilter) -> list[tuple[str, str]]:
    """The filters in words, for the top of an export."""
    lines = [(_("Year"), str(filters.year))]
    lines.append((_("Season"), filters.season.label if filters.season else _("All seasons")))
    campaign = db.session.get(Campaign, filters.campaign_id) if filters.campaign_id else None
    lines.append((_("Campaign"), campaign.name if campaign else _("All campaigns")))
    district = db.session.get(District, filters.district_id) if filters.district_id else None
    lines.append((_("District"), district.label if district else _("All districts")))
    team = db.session.get(Team, filters.team_id) if filters.team_id else None
    lines.append((_("Team"), team.name if team else _("All teams")))
    lines.append((_("From"), filters.start.isoformat() if filters.start else "—"))
    lines.append((_("To"), filters.end.isoformat() if filters.end else "—"))
    return lines


def report_title(report: str) -> str:
    """What a report is called, in the current language."""
    return {
        "summary": _("Participation summary"),
        "season": _("By season"),
        "campaign": _("By campaign"),
        "district": _("By district"),
        "team": _("By team"),
        "category": _("By activity category"),
        "activities": _("Activities"),
        "teams": _("Teams"),
        "volunteers": _("Volunteers"),
    }[report]


def report_table(viewer: User, filters: ReportFilter, report: str) -> Table:
    """One report as a table. Raises Forbidden, NotFound (unknown report)."""
    if report not in REPORTS:
        raise NotFound(_("No such report."))
    title = report_title(report)
    described = describe_filters(filters)
    if report == "summary":
        figures = services.summary(viewer, filters)
        return Table(title, _figure_headers(), [_figure_cells(figures)], described)
    if report in BREAKDOWNS:
        lines = services.breakdown(viewer, filters, report)
        label = {
            "season": _("Season"),
            "campaign": _("Campaign"),
            "district": _("District"),
            "team": _("Team"),
            "category": _("Category"),
        }[report]
        headers = [label, *_figure_headers()]
        rows = [[line.label, *_figure_cells(line.figures)] for line in lines]
        return Table(title, headers, rows, described)
    page = services.drill_down(viewer, filters, report, per_page=EXPORT_ROWS)
    names = {
        "activities": [_("Activity"), _("Team"), _("District"), _("Campaign")],
        "teams": [_("Team"), _("District")],
        "volunteers": [_("Volunteer")],
    }[report]
    rows = [[*key[1:], *_figure_cells(figures)[:7]] for key, figures in page.items]
    return Table(title, [*names, *_figure_headers()[:7]], rows, described)


def _no_show_cells(f: NoShowFigures) -> list:
    return [f.shifts, f.seats, f.no_shows, "" if f.rate is None else f.rate]


def no_show_table(report: NoShowReport) -> Table:
    """The no-show rates by team and season, then each season's and the whole's."""
    headers = [
        _("Team"),
        _("Season"),
        _("Shifts started"),
        _("Seats held"),
        _("No-shows"),
        _("No-show rate (%)"),
    ]
    rows = [[line.team, line.season.label, *_no_show_cells(line.figures)] for line in report.lines]
    rows.append([])
    for line in report.seasons:
        rows.append([_("All teams"), line.season.label, *_no_show_cells(line.figures)])
    rows.append([_("All teams"), _("All seasons"), *_no_show_cells(report.total)])
    return Table(
        _("No-show rates"),
        headers,
        rows,
        [
            (_("Year"), str(report.year)),
            (_("Season"), report.season.label if report.season else _("All seasons")),
            (_("Counted until"), format_datetime(report.as_of, "yyyy-MM-dd HH:mm")),
            (_("No-show rate"), no_show_rule()),
        ],
    )


def no_show_rule() -> str:
    """What the rate divides by what, as the page and the export say it."""
    return _(
        "No-shows ÷ seats held. A seat is a confirmed sign-up (a no-show included) on a shift"
        " that has started, of a published activity and not cancelled; the waiting list,"
        " cancelled sign-ups and walk-ins are not counted."
    )


def service_record_table(record: ServiceRecord) -> Table:
    """A volunteer's service record with every confirmed shift and the totals per year."""
    headers = [
        _("Date"),
        _("Time"),
        _("Team"),
        _("Activity"),
        _("Campaign"),
        _("Hours"),
        _("Points"),
    ]
    rows = [
        [
            line.day.isoformat(),
            f"{format_datetime(line.starts_at, 'HH:mm')}–{format_datetime(line.ends_at, 'HH:mm')}",
            line.team,
            line.activity,
            line.campaign,
            line.hours,
            line.points,
        ]
        for line in record.lines
    ]
    rows.append([])
    for year, person_times, hours, points in record.totals:
        rows.append(
            [
                _("Total %(year)s", year=year),
                _("%(num)d shifts", num=person_times),
                "",
                "",
                "",
                hours,
                points,
            ]
        )
    volunteer = record.volunteer
    return Table(
        _("Service record"),
        headers,
        rows,
        [(_("Volunteer"), volunteer.display_name), (_("Mobile number"), _masked(volunteer.phone))],
    )


def _masked(phone: str) -> str:
    return f"{phone[:3]}****{phone[-4:]}" if len(phone) == 11 else phone
