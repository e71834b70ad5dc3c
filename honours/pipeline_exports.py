"""A round's pipeline as tables to download: one per part (by channel, by district, the time
at each level, the overdue nominations, the quotas), a sheet each in Excel, one to a CSV."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from core.clock import to_local
from core.spreadsheets import Table
from honours.services.pipeline_report import PipelineReport, StageCounts

# The parts by the name a CSV download asks for, with their labels; Excel holds them all.
PARTS = {
    "districts": _l("By district"),
    "channels": _l("By channel"),
    "levels": _l("Time at each level"),
    "overdue": _l("Overdue"),
    "quotas": _l("Quotas"),
}


def _filters(report: PipelineReport) -> list[tuple[str, str]]:
    return [
        (_("Round"), report.round.name),
        (_("Part"), _("The whole round") if report.is_whole else _("My region")),
    ]


def _by_stage(report: PipelineReport, title: str, first: str, lines: list[StageCounts]):
    rows = [
        [line.key.label, *(line.at(stage) for stage in report.stages), line.total] for line in lines
    ]
    rows.append([_("Total"), *(report.stage_total(stage) for stage in report.stages), report.total])
    return Table(
        title=title,
        headers=[first, *(stage.label for stage in report.stages), _("Total")],
        rows=rows,
        filters=_filters(report),
    )


def pipeline_tables(report: PipelineReport) -> dict[str, Table]:
    """The report's parts as tables, by the names of PARTS."""
    return {
        "districts": _by_stage(
            report, _("By district and stage"), _("District"), report.by_district
        ),
        "channels": _by_stage(report, _("By channel and stage"), _("Channel"), report.by_channel),
        "levels": Table(
            title=_("Time at each level"),
            headers=[
                _("Level"),
                _("Nominations acted on"),
                _("Median working days"),
                _("Longest, working days"),
            ],
            rows=[
                [
                    level.stage.label,
                    level.stays,
                    "" if level.median_days is None else level.median_days,
                    "" if level.max_days is None else level.max_days,
                ]
                for level in report.levels
            ],
            filters=_filters(report),
        ),
        "overdue": Table(
            title=_("Overdue"),
            headers=[
                _("Nomination"),
                _("Nominee"),
                _("District"),
                _("Level"),
                _("Reached the level"),
                _("Due by"),
                _("Working days late"),
            ],
            rows=[
                [
                    item.nomination.id,
                    item.nomination.nominee_name,
                    item.nomination.district.label,
                    item.nomination.stage.label,
                    to_local(item.nomination.stage_entered_at).strftime("%Y-%m-%d %H:%M"),
                    to_local(item.due_at).strftime("%Y-%m-%d %H:%M"),
                    item.days_late,
                ]
                for item in report.overdue
            ],
            filters=_filters(report),
        ),
        "quotas": Table(
            title=_("Quotas"),
            headers=[_("District"), _("Quota"), _("Used"), _("Places left")],
            rows=[
                [
                    line.district.label,
                    "" if line.quota is None else line.quota,
                    line.used,
                    "" if line.left is None else line.left,
                ]
                for line in report.quotas
            ],
            filters=_filters(report),
        ),
    }
