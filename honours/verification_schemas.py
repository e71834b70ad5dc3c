"""API schemas of card verification: a check (scanned code or typed number) and its answer,
valid or invalid only; a use of a benefit; a reported identity mismatch; the partner's uses."""

from __future__ import annotations

import marshmallow as ma

from core.inputs import Schema
from honours.card_models import BenefitArea, BenefitKind, LimitPeriod

PARTNER_ID = {
    "description": "The partner checked for, for staff of several partners (else their only one)"
}


class CheckWriteSchema(Schema):
    code = ma.fields.String(
        load_default=None,
        allow_none=True,
        validate=ma.validate.Length(max=200),
        metadata={"description": "What the card's QR code carries (scanned); or give `number`"},
    )
    number = ma.fields.String(
        load_default=None,
        allow_none=True,
        validate=ma.validate.Length(max=40),
        metadata={"description": "The card's printed number, 10 digits (spaces allowed)"},
    )
    partner_id = ma.fields.Integer(load_default=None, allow_none=True, metadata=PARTNER_ID)


class BenefitLeftSchema(Schema):
    id = ma.fields.Function(lambda left: left.benefit.id)
    name = ma.fields.Function(lambda left: left.benefit.name)
    area = ma.fields.Function(
        lambda left: left.benefit.area.value, metadata={"enum": [a.value for a in BenefitArea]}
    )
    kind = ma.fields.Function(
        lambda left: left.benefit.kind.value, metadata={"enum": [k.value for k in BenefitKind]}
    )
    discount_percent = ma.fields.Function(
        lambda left: left.benefit.discount_percent,
        metadata={"description": "The share of the price the holder pays, in per cent"},
    )
    value_fen = ma.fields.Function(lambda left: left.benefit.value_fen)
    limit_count = ma.fields.Function(lambda left: left.benefit.limit_count)
    limit_period = ma.fields.Function(
        lambda left: left.benefit.limit_period.value if left.benefit.limit_period else None,
        metadata={"enum": [p.value for p in LimitPeriod]},
    )
    left = ma.fields.Integer(
        allow_none=True, metadata={"description": "Uses left this period; null: no limit"}
    )


class CheckSchema(Schema):
    """Valid or invalid; the holder's details only for a valid card, and nothing more: no
    reason for an invalid one."""

    check_id = ma.fields.Integer()
    valid = ma.fields.Boolean(attribute="is_valid")
    card_id = ma.fields.Integer(allow_none=True)
    name = ma.fields.String(allow_none=True)
    id_last4 = ma.fields.String(
        allow_none=True, metadata={"description": "The last 4 characters of the ID number"}
    )
    photo_url = ma.fields.String(
        allow_none=True,
        metadata={"description": "The holder's photo, for this check's staff member for a while"},
    )
    benefits = ma.fields.List(ma.fields.Nested(BenefitLeftSchema))


class UseWriteSchema(Schema):
    card_id = ma.fields.Integer(required=True, metadata={"description": "From a valid check"})
    benefit_id = ma.fields.Integer(required=True)
    partner_id = ma.fields.Integer(load_default=None, allow_none=True, metadata=PARTNER_ID)


class MismatchWriteSchema(Schema):
    card_id = ma.fields.Integer(required=True, metadata={"description": "From a valid check"})
    partner_id = ma.fields.Integer(load_default=None, allow_none=True, metadata=PARTNER_ID)


class MismatchSchema(Schema):
    check_id = ma.fields.Integer(attribute="id")
    checked_at = ma.fields.AwareDateTime()


class UseSchema(Schema):
    id = ma.fields.Integer()
    benefit_id = ma.fields.Integer()
    benefit_name = ma.fields.Function(lambda use: use.benefit.name)
    card_number_tail = ma.fields.Function(
        lambda use: use.card.number[-4:],
        metadata={"description": "The last 4 digits of the card's number"},
    )
    staff_name = ma.fields.Function(lambda use: use.staff.display_name)
    used_at = ma.fields.AwareDateTime()
    value_fen = ma.fields.Integer(metadata={"description": "What the use is worth, in fen"})


class UsesSummarySchema(Schema):
    month = ma.fields.Function(lambda found: found.month.strftime("%Y-%m"))
    count = ma.fields.Function(lambda found: found.uses.total)
    value_fen = ma.fields.Integer(metadata={"description": "The month's uses' worth, in fen"})


class UsesQuerySchema(Schema):
    month = ma.fields.String(
        load_default=None,
        validate=ma.validate.Regexp(r"^\d{4}-(0[1-9]|1[0-2])$"),
        metadata={"description": "YYYY-MM, the local month (this month by default)"},
    )
    partner_id = ma.fields.Integer(load_default=None, allow_none=True, metadata=PARTNER_ID)
