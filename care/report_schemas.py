"""API schemas of the care reports: a campaign's coverage, cash by fund source against the
budget, goods and open follow-ups; persons visited, cash and goods by year and district; the
running total of condolence funds; and the past years' totals the office enters. Money is
integer fen, with the same in yuan as text (two decimals)."""

from __future__ import annotations

import marshmallow as ma

from care.models import FundSource
from care.services import past_totals
from core.inputs import Schema
from honours.services.benefits import yuan_text

FEN = {"description": "In fen"}
YUAN = {"description": "The same in yuan, two decimals"}


def _person(line) -> dict:
    return {"id": line.person.id, "name": line.person.name}


def _district(line) -> dict:
    return {"id": line.district.id, "code": line.district.code, "name": line.district.label}


class NotReachedSchema(Schema):
    person = ma.fields.Function(_person)
    district = ma.fields.Function(_district)
    reason = ma.fields.String(metadata={"description": "Why they were not reached"})


class CoverageSchema(Schema):
    listed = ma.fields.Integer(metadata={"description": "Persons on the list"})
    visited = ma.fields.Integer(metadata={"description": "Visited (a visit paid, not reversed)"})
    planned = ma.fields.Integer(metadata={"description": "A visit planned, none paid"})
    not_reached = ma.fields.List(ma.fields.Nested(NotReachedSchema))
    not_yet = ma.fields.Integer()
    off_list = ma.fields.Integer(metadata={"description": "Persons visited off the list"})
    visited_percent = ma.fields.Integer()


class FundLineSchema(Schema):
    fund_source = ma.fields.Enum(FundSource, by_value=True)
    budget_fen = ma.fields.Integer(metadata=FEN)
    spent_fen = ma.fields.Integer(metadata={"description": "What the campaign's visits spent"})
    left_fen = ma.fields.Integer(metadata=FEN)
    part_fen = ma.fields.Integer(metadata={"description": "The cash of the caller's part"})
    budget_yuan = ma.fields.String(metadata=YUAN)
    spent_yuan = ma.fields.String(metadata=YUAN)
    left_yuan = ma.fields.String(metadata=YUAN)
    part_yuan = ma.fields.String(metadata=YUAN)


class GoodsLineSchema(Schema):
    item = ma.fields.String()
    quantity = ma.fields.Integer()
    value_fen = ma.fields.Integer(metadata=FEN)
    value_yuan = ma.fields.String(metadata=YUAN)


class FollowUpSchema(Schema):
    visit_id = ma.fields.Integer()
    visit_on = ma.fields.Date()
    person = ma.fields.Function(_person)
    district = ma.fields.Function(_district)
    needs = ma.fields.String(metadata={"description": "The needs found (sensitive)"})
    follow_up = ma.fields.String()


class DelivererLineSchema(Schema):
    deliverer = ma.fields.String()
    is_courier = ma.fields.Boolean()
    planned = ma.fields.Integer()
    delivered = ma.fields.Integer()
    failed = ma.fields.Integer()
    total = ma.fields.Integer()


class CampaignReportSchema(Schema):
    care_campaign_id = ma.fields.Function(lambda found: found.care.id)
    name = ma.fields.Function(lambda found: found.care.name)
    year = ma.fields.Function(lambda found: found.care.year)
    is_whole = ma.fields.Boolean(metadata={"description": "The whole city, or my region"})
    coverage = ma.fields.Nested(CoverageSchema)
    funds = ma.fields.List(ma.fields.Nested(FundLineSchema))
    goods = ma.fields.List(ma.fields.Nested(GoodsLineSchema))
    follow_ups = ma.fields.List(ma.fields.Nested(FollowUpSchema))
    # A flowers campaign's deliveries by courier or team (empty for visits).
    flowers = ma.fields.List(ma.fields.Nested(DelivererLineSchema))


class DistrictFiguresSchema(Schema):
    district = ma.fields.Function(_district)
    persons = ma.fields.Integer(metadata={"description": "Persons visited"})
    cash_fen = ma.fields.Integer(metadata=FEN)
    goods_fen = ma.fields.Integer(metadata={"description": "The goods' value, in fen"})
    cash_yuan = ma.fields.String(metadata=YUAN)
    goods_yuan = ma.fields.String(metadata=YUAN)


class YearFiguresSchema(Schema):
    year = ma.fields.Integer()
    districts = ma.fields.List(ma.fields.Nested(DistrictFiguresSchema))
    persons = ma.fields.Integer()
    cash_fen = ma.fields.Integer(metadata=FEN)
    goods_fen = ma.fields.Integer(metadata=FEN)
    cash_yuan = ma.fields.String(metadata=YUAN)
    goods_yuan = ma.fields.String(metadata=YUAN)


class RunningYearSchema(Schema):
    year = ma.fields.Integer()
    past_fen = ma.fields.Integer(metadata={"description": "The past total entered for the year"})
    visits_fen = ma.fields.Integer(metadata={"description": "The cash of the year's visits"})
    year_fen = ma.fields.Integer(metadata=FEN)
    running_fen = ma.fields.Integer(metadata={"description": "The running total to the year's end"})
    running_yuan = ma.fields.String(metadata=YUAN)


class RunningTotalSchema(Schema):
    years = ma.fields.List(ma.fields.Nested(RunningYearSchema))
    total_fen = ma.fields.Integer(metadata=FEN)
    total_yuan = ma.fields.String(metadata=YUAN)


class CareReportSchema(Schema):
    is_whole = ma.fields.Boolean(metadata={"description": "The whole city, or my region"})
    years = ma.fields.List(ma.fields.Nested(YearFiguresSchema))
    running = ma.fields.Nested(
        RunningTotalSchema,
        allow_none=True,
        metadata={"description": "The condolence funds since records began (the city only)"},
    )


class PastTotalWriteSchema(Schema):
    year = ma.fields.Integer(required=True, metadata={"description": "A year before this one"})
    fund_source = ma.fields.Enum(FundSource, by_value=True, required=True)
    cash_fen = ma.fields.Integer(
        required=True,
        validate=ma.validate.Range(min=0, max=past_totals.PAST_TOTAL_MAX_FEN),
        metadata=FEN,
    )
    persons = ma.fields.Integer(
        load_default=0, validate=ma.validate.Range(min=0, max=past_totals.PERSONS_MAX)
    )
    note = ma.fields.String(load_default="", validate=ma.validate.Length(max=past_totals.MAX_NOTE))


class PastTotalSchema(Schema):
    id = ma.fields.Integer()
    year = ma.fields.Integer()
    fund_source = ma.fields.Enum(FundSource, by_value=True)
    cash_fen = ma.fields.Integer(metadata=FEN)
    cash_yuan = ma.fields.Function(lambda total: yuan_text(total.cash_fen), metadata=YUAN)
    persons = ma.fields.Integer()
    note = ma.fields.String()
    recorded_at = ma.fields.AwareDateTime()
