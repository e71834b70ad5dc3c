"""API schemas of points expiry: the city's policy, its history, the office's figures and what
of a balance expires soon. Names start with PointsExpir so that they do not clash in the
OpenAPI document."""

from __future__ import annotations

import marshmallow as ma

from core.inputs import Schema
from points.lot_models import ExpiryRule

# Requests ------------------------------------------------------------------------------


class PointsExpiryPolicyUpdateSchema(Schema):
    rule = ma.fields.Enum(
        ExpiryRule,
        by_value=True,
        required=True,
        metadata={
            "description": "never; months: `months` months after earning; "
            "following_year_end: at the end of the calendar year after earning"
        },
    )
    months = ma.fields.Integer(
        load_default=None,
        allow_none=True,
        metadata={"description": "For the months rule only: 1 to 120"},
    )


# Answers -------------------------------------------------------------------------------


class PointsExpiryPolicyVersionSchema(Schema):
    rule = ma.fields.Enum(ExpiryRule, by_value=True, attribute="policy.rule")
    months = ma.fields.Integer(allow_none=True, attribute="policy.months")
    since = ma.fields.Date(
        attribute="policy.since",
        metadata={"description": "In force from this local day; earlier points count from it"},
    )
    set_at = ma.fields.AwareDateTime(attribute="policy.set_at")
    set_by = ma.fields.String(allow_none=True, metadata={"description": "The office account"})


class PointsExpiryPolicySchema(Schema):
    rule = ma.fields.Enum(
        ExpiryRule, by_value=True, metadata={"description": "The rule in force (never: none set)"}
    )
    months = ma.fields.Integer(allow_none=True)
    since = ma.fields.Date(allow_none=True)
    history = ma.fields.List(
        ma.fields.Nested(PointsExpiryPolicyVersionSchema),
        metadata={"description": "Every version, newest (the one in force) first"},
    )


class PointsExpiredMonthSchema(Schema):
    month = ma.fields.Date(metadata={"description": "The first day of the local month"})
    points = ma.fields.Integer()


class PointsExpiryFiguresSchema(Schema):
    next_month = ma.fields.Date(metadata={"description": "The first day of next month"})
    expiring_next_month = ma.fields.Integer(
        metadata={"description": "Points that expire next month, as balances stand now"}
    )
    expired_by_month = ma.fields.List(
        ma.fields.Nested(PointsExpiredMonthSchema),
        metadata={"description": "The last 12 months, this one last"},
    )


class PointsExpiringSoonSchema(Schema):
    amount = ma.fields.Integer()
    first_day = ma.fields.Date(
        metadata={"description": "The first day on which some of these points are expired"}
    )
