"""API schemas for gifting points: family links, gifts, charity pools and their awards. Names
start with FamilyLink/PointsGift/PointsPool so that they do not clash in the OpenAPI document."""

from __future__ import annotations

import marshmallow as ma

from core.inputs import MULTILINE, Schema
from points.gift_models import MAX_AWARD_REASON, MAX_GIFT_NOTE, GiftKind, LinkStatus, Relation

# Requests ------------------------------------------------------------------------------


class FamilyLinkCreateSchema(Schema):
    phone = ma.fields.String(
        required=True,
        validate=ma.validate.Length(max=20),
        metadata={"description": "The family member's mobile number; they must be a volunteer"},
    )
    relation = ma.fields.Enum(
        Relation,
        by_value=True,
        required=True,
        metadata={"description": "What they are to you"},
    )


class FamilyLinkAnswerSchema(Schema):
    accept = ma.fields.Boolean(
        required=True, metadata={"description": "true confirms the link, false declines it"}
    )


class PointsGiftCreateSchema(Schema):
    kind = ma.fields.Enum(GiftKind, by_value=True, required=True)
    recipient_id = ma.fields.Integer(
        load_default=None,
        allow_none=True,
        metadata={"description": "For `family`: a family member of a confirmed link"},
    )
    team_id = ma.fields.Integer(
        load_default=None,
        allow_none=True,
        metadata={"description": "For `team_pool`: an approved team"},
    )
    amount = ma.fields.Integer(required=True)
    note = ma.fields.String(
        load_default="",
        validate=ma.validate.Length(max=MAX_GIFT_NOTE),
        metadata={"description": "Shown to the family member in their history"},
    )


class PointsPoolAwardCreateSchema(Schema):
    team_id = ma.fields.Integer(
        load_default=None,
        allow_none=True,
        metadata={"description": "The team whose pool pays; null or left out: the city's pool"},
    )
    recipient_id = ma.fields.Integer(required=True, metadata={"description": "A volunteer"})
    amount = ma.fields.Integer(required=True)
    reason = ma.fields.String(
        required=True,
        validate=ma.validate.Length(max=MAX_AWARD_REASON),
        metadata={**MULTILINE, "description": "The volunteer sees it in their history"},
    )


# Responses -----------------------------------------------------------------------------


class PointsPersonSchema(Schema):
    """One of a family link or a gift, by name only (no mobile number)."""

    id = ma.fields.Integer()
    display_name = ma.fields.String()


class FamilyLinkSchema(Schema):
    id = ma.fields.Integer()
    requester = ma.fields.Nested(PointsPersonSchema)
    relative = ma.fields.Nested(PointsPersonSchema)
    relation = ma.fields.Enum(
        Relation, by_value=True, metadata={"description": "What the relative is to the requester"}
    )
    status = ma.fields.Enum(LinkStatus, by_value=True)
    created_at = ma.fields.AwareDateTime()
    answered_at = ma.fields.AwareDateTime(allow_none=True)
    ended_at = ma.fields.AwareDateTime(allow_none=True)


class PointsGiftSchema(Schema):
    id = ma.fields.Integer()
    kind = ma.fields.Enum(GiftKind, by_value=True)
    giver = ma.fields.Nested(PointsPersonSchema)
    recipient = ma.fields.Nested(PointsPersonSchema, allow_none=True)
    team_id = ma.fields.Integer(allow_none=True)
    amount = ma.fields.Integer()
    note = ma.fields.String()
    created_at = ma.fields.AwareDateTime()
    given_on = ma.fields.Date(metadata={"description": "The local day, which the cap counts by"})


class PointsPoolSchema(Schema):
    team_id = ma.fields.Integer(allow_none=True, metadata={"description": "null: the city's"})
    name = ma.fields.String()
    balance = ma.fields.Integer()


class PointsPoolAwardSchema(Schema):
    id = ma.fields.Integer()
    team_id = ma.fields.Integer(allow_none=True, metadata={"description": "null: the city's"})
    recipient = ma.fields.Nested(PointsPersonSchema)
    amount = ma.fields.Integer()
    reason = ma.fields.String()
    created_at = ma.fields.AwareDateTime()
