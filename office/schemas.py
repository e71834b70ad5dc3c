"""API schemas for the office's reports and service records (names start with Report or
VolunteerService so that they do not clash in the OpenAPI document)."""

from __future__ import annotations

import marshmallow as ma

from core.inputs import Schema
from events.models import Season
from office.services import ReportFilter


class ReportQuerySchema(Schema):
    year = ma.fields.Integer(required=True, validate=ma.validate.Range(min=2000, max=2100))
    season = ma.fields.Enum(Season)
    campaign_id = ma.fields.Integer()
    district_id = ma.fields.Integer()
    team_id = ma.fields.Integer()
    start = ma.fields.Date(metadata={"description": "First local day"})
    end = ma.fields.Date(metadata={"description": "Last local day, included"})

    @ma.validates_schema
    def _ordered(self, data, **kwargs):
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            raise ma.ValidationError("The end is before the start.", "end")

    @ma.post_load
    def _filter(self, data, **kwargs) -> ReportFilter:
        return ReportFilter(**data)


class ReportFiguresSchema(Schema):
    activities = ma.fields.Integer()
    shifts = ma.fields.Integer()
    person_times = ma.fields.Integer(metadata={"description": "Confirmed attendances (人次)"})
    volunteers = ma.fields.Integer()
    hours = ma.fields.Float()
    points_earned = ma.fields.Integer()
    active_teams = ma.fields.Integer()
    points_redeemed = ma.fields.Integer(allow_none=True)
    active_merchants = ma.fields.Integer(allow_none=True)


class ReportLineSchema(Schema):
    key = ma.fields.Function(lambda line: getattr(line.key, "value", line.key))
    label = ma.fields.String()
    figures = ma.fields.Nested(ReportFiguresSchema)


class ReportNoShowQuerySchema(Schema):
    year = ma.fields.Integer(required=True, validate=ma.validate.Range(min=2000, max=2100))
    season = ma.fields.Enum(Season)


class ReportNoShowFiguresSchema(Schema):
    shifts = ma.fields.Integer(metadata={"description": "Shifts that have started"})
    seats = ma.fields.Integer(
        metadata={"description": "Confirmed sign-ups on them, no-shows included"}
    )
    no_shows = ma.fields.Integer()
    rate = ma.fields.Float(
        allow_none=True,
        metadata={"description": "No-shows per hundred seats; null where no seat was held"},
    )


class ReportNoShowLineSchema(Schema):
    team_id = ma.fields.Integer()
    team = ma.fields.String()
    season = ma.fields.Enum(Season)
    figures = ma.fields.Nested(ReportNoShowFiguresSchema)


class ReportNoShowSeasonSchema(Schema):
    season = ma.fields.Enum(Season)
    figures = ma.fields.Nested(ReportNoShowFiguresSchema)


class ReportNoShowsSchema(Schema):
    year = ma.fields.Integer()
    season = ma.fields.Enum(Season, allow_none=True)
    as_of = ma.fields.AwareDateTime(metadata={"description": "Shifts started by then count"})
    lines = ma.fields.List(ma.fields.Nested(ReportNoShowLineSchema))
    seasons = ma.fields.List(
        ma.fields.Nested(ReportNoShowSeasonSchema),
        metadata={"description": "Each season's figures, all teams together"},
    )
    total = ma.fields.Nested(ReportNoShowFiguresSchema)


class VolunteerServiceLineSchema(Schema):
    day = ma.fields.Date()
    starts_at = ma.fields.AwareDateTime()
    ends_at = ma.fields.AwareDateTime()
    team = ma.fields.String()
    activity = ma.fields.String()
    campaign = ma.fields.String()
    hours = ma.fields.Float()
    points = ma.fields.Integer()


class VolunteerServiceYearSchema(Schema):
    year = ma.fields.Integer()
    person_times = ma.fields.Integer()
    hours = ma.fields.Float()
    points = ma.fields.Integer()


class VolunteerServiceRecordSchema(Schema):
    lines = ma.fields.List(ma.fields.Nested(VolunteerServiceLineSchema))
    totals = ma.fields.List(ma.fields.Nested(VolunteerServiceYearSchema))
