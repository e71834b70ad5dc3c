"""API schemas of the courtesy-card reports: the period asked for, cards by state and district,
uses by partner, month and benefit, refusals by partner and outcome, and the settlement with
its lines. Values are integer fen, with the same in yuan as text (two decimals)."""

from __future__ import annotations

import marshmallow as ma

from core.inputs import Schema
from honours.card_models import CheckOutcome
from honours.services.card_reports import CardState

YEAR = ma.validate.Range(min=2000, max=2100)
MONTH = {"description": "YYYY-MM, the local month (last month by default)"}


class PeriodQuerySchema(Schema):
    year = ma.fields.Integer(
        load_default=None,
        allow_none=True,
        validate=YEAR,
        metadata={"description": "A calendar year (this year when no period is given)"},
    )
    start = ma.fields.Date(
        data_key="from",
        load_default=None,
        allow_none=True,
        metadata={"description": "First local day (the first of `to`'s year if left out)"},
    )
    end = ma.fields.Date(
        data_key="to",
        load_default=None,
        allow_none=True,
        metadata={
            "description": "Last local day, included (the last of `from`'s year if left out)"
        },
    )


class SettlementQuerySchema(Schema):
    month = ma.fields.String(load_default=None, validate=ma.validate.Length(max=7), metadata=MONTH)
    partner_id = ma.fields.Integer(
        load_default=None,
        allow_none=True,
        metadata={
            "description": "One partner (the city: any; a partner's staff: their own, needed "
            "only by the staff of several)"
        },
    )


class PeriodSchema(Schema):
    start = ma.fields.Date(data_key="from")
    end = ma.fields.Date(data_key="to")


class DistrictCardsSchema(Schema):
    district_id = ma.fields.Function(lambda line: line.district.id)
    district = ma.fields.Function(lambda line: line.district.label)
    counts = ma.fields.Function(
        lambda line: {state.value: line.at(state) for state in CardState},
        metadata={"description": "Cards by state: " + ", ".join(s.value for s in CardState)},
    )
    total = ma.fields.Integer()
    issued_in_period = ma.fields.Integer()


class CardsReportSchema(Schema):
    period = ma.fields.Nested(PeriodSchema)
    today = ma.fields.Date(metadata={"description": "The day the states are as of"})
    is_whole = ma.fields.Boolean(metadata={"description": "The whole city, or my region"})
    districts = ma.fields.List(ma.fields.Nested(DistrictCardsSchema))
    total = ma.fields.Integer()
    issued_in_period = ma.fields.Integer()


class FigureSchema(Schema):
    uses = ma.fields.Integer()
    value_fen = ma.fields.Integer(metadata={"description": "What the uses are worth, in fen"})
    value_yuan = ma.fields.String(metadata={"description": "The same in yuan, two decimals"})


class PartnerMonthsSchema(Schema):
    partner_id = ma.fields.Function(lambda line: line.partner.id)
    partner = ma.fields.Function(lambda line: line.partner.name)
    months = ma.fields.Function(
        lambda line: [
            {"month": month.strftime("%Y-%m"), **_figure(figure)}
            for month, figure in sorted(line.by_month.items())
        ],
        metadata={"description": "The months with uses, each with its count and value"},
    )
    total = ma.fields.Nested(FigureSchema)


def _figure(figure) -> dict:
    return {"uses": figure.uses, "value_fen": figure.value_fen, "value_yuan": figure.value_yuan}


class BenefitUsesSchema(Schema):
    benefit_id = ma.fields.Function(lambda line: line.benefit.id)
    benefit = ma.fields.Function(lambda line: line.benefit.name)
    uses = ma.fields.Function(lambda line: line.figure.uses)
    value_fen = ma.fields.Function(lambda line: line.figure.value_fen)
    value_yuan = ma.fields.Function(lambda line: line.figure.value_yuan)


class UsesReportSchema(Schema):
    period = ma.fields.Nested(PeriodSchema)
    is_whole = ma.fields.Boolean()
    partners = ma.fields.List(ma.fields.Nested(PartnerMonthsSchema))
    benefits = ma.fields.List(ma.fields.Nested(BenefitUsesSchema))
    total = ma.fields.Nested(FigureSchema)


class PartnerRefusalsSchema(Schema):
    partner_id = ma.fields.Function(lambda line: line.partner.id)
    partner = ma.fields.Function(lambda line: line.partner.name)
    counts = ma.fields.Function(
        lambda line: {outcome.value: line.at(outcome) for outcome in line.counts},
        metadata={
            "description": "Refused checks by outcome: "
            + ", ".join(o.value for o in CheckOutcome if o is not CheckOutcome.valid)
        },
    )
    total = ma.fields.Integer()


class RefusalsReportSchema(Schema):
    period = ma.fields.Nested(PeriodSchema)
    is_whole = ma.fields.Boolean()
    partners = ma.fields.List(ma.fields.Nested(PartnerRefusalsSchema))
    total = ma.fields.Integer()


class PartnerSettlementSchema(Schema):
    partner_id = ma.fields.Function(lambda line: line.partner.id)
    partner = ma.fields.Function(lambda line: line.partner.name)
    benefits = ma.fields.List(ma.fields.Nested(BenefitUsesSchema))
    total = ma.fields.Nested(FigureSchema)


class SettlementSchema(Schema):
    month = ma.fields.Function(lambda found: found.month.strftime("%Y-%m"))
    is_whole = ma.fields.Boolean(metadata={"description": "Every partner, or the one named"})
    partners = ma.fields.List(ma.fields.Nested(PartnerSettlementSchema))
    total = ma.fields.Nested(FigureSchema)


class SettlementLineSchema(Schema):
    used_at = ma.fields.AwareDateTime()
    card_last4 = ma.fields.String(metadata={"description": "The card number's last 4 digits"})
    benefit = ma.fields.String()
    value_fen = ma.fields.Integer()
    value_yuan = ma.fields.String()
