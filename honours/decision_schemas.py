"""API schemas of a round's decision, its honour certificates and its pipeline report."""

from __future__ import annotations

import marshmallow as ma

from core.inputs import Schema
from honours.models import HonourCategory
from honours.nomination_models import Channel, Stage
from honours.schemas import HonourSchema, HonourTypeSchema, PlaceSchema
from honours.services.decision import DOCUMENT_NUMBER_MAX


class DecisionWriteSchema(Schema):
    document_number = ma.fields.String(
        required=True,
        validate=ma.validate.Length(min=1, max=DOCUMENT_NUMBER_MAX),
        metadata={"description": "The committee's document number, such as 秦文明委〔2026〕12号"},
    )
    decided_on = ma.fields.Date(required=True)


class RoundDecisionSchema(Schema):
    document_number = ma.fields.String()
    decided_on = ma.fields.Date()
    recorded_at = ma.fields.AwareDateTime()


class DecisionApprovedSchema(Schema):
    nomination_id = ma.fields.Integer(attribute="nomination.id")
    honour = ma.fields.Nested(HonourSchema)


class DecisionWaitingSchema(Schema):
    nomination_id = ma.fields.Integer(attribute="nomination.id")
    nominee_name = ma.fields.String(attribute="nomination.nominee_name")
    district = ma.fields.Nested(PlaceSchema, attribute="nomination.district")
    category = ma.fields.Enum(HonourCategory, by_value=True, attribute="nomination.category")
    has_unanswered_objection = ma.fields.Boolean(
        metadata={"description": "An objection not answered yet holds the decision"}
    )


class DecisionViewSchema(Schema):
    round_id = ma.fields.Integer(attribute="round.id")
    notice_closes_at = ma.fields.AwareDateTime(allow_none=True)
    decision = ma.fields.Nested(
        RoundDecisionSchema,
        allow_none=True,
        metadata={"description": "None until the decision is recorded"},
    )
    approved = ma.fields.List(
        ma.fields.Nested(DecisionApprovedSchema),
        metadata={"description": "The honours the decision made (those of my region)"},
    )
    waiting = ma.fields.List(
        ma.fields.Nested(DecisionWaitingSchema),
        metadata={"description": "The entries on notice the decision waits for (my region)"},
    )


class HonourCertificateSchema(Schema):
    honour_id = ma.fields.Integer(attribute="honour.id")
    honour_type = ma.fields.Nested(HonourTypeSchema, attribute="honour.honour_type")
    awarded_on = ma.fields.Date(attribute="honour.awarded_on")
    number = ma.fields.String(attribute="document.number")
    check_code = ma.fields.String(attribute="document.check_code")
    issued_at = ma.fields.AwareDateTime(attribute="document.issued_at")
    is_revoked = ma.fields.Boolean(attribute="document.is_revoked")


class PipelineChannelSchema(Schema):
    channel = ma.fields.Enum(Channel, by_value=True, attribute="key")
    counts = ma.fields.Dict(
        keys=ma.fields.String(),
        values=ma.fields.Integer(),
        attribute="by_value",
        metadata={"description": "The count at each stage"},
    )
    total = ma.fields.Integer()


class PipelineDistrictSchema(Schema):
    district = ma.fields.Nested(PlaceSchema, attribute="key")
    counts = ma.fields.Dict(
        keys=ma.fields.String(),
        values=ma.fields.Integer(),
        attribute="by_value",
        metadata={"description": "The count at each stage"},
    )
    total = ma.fields.Integer()


class PipelineLevelSchema(Schema):
    stage = ma.fields.Enum(Stage, by_value=True)
    stays = ma.fields.Integer(metadata={"description": "Nominations the level acted on"})
    median_days = ma.fields.Float(allow_none=True, metadata={"description": "Working days"})
    max_days = ma.fields.Integer(allow_none=True, metadata={"description": "Working days"})


class PipelineOverdueSchema(Schema):
    nomination_id = ma.fields.Integer(attribute="nomination.id")
    nominee_name = ma.fields.String(attribute="nomination.nominee_name")
    district = ma.fields.Nested(PlaceSchema, attribute="nomination.district")
    stage = ma.fields.Enum(Stage, by_value=True, attribute="nomination.stage")
    stage_entered_at = ma.fields.AwareDateTime(attribute="nomination.stage_entered_at")
    due_at = ma.fields.AwareDateTime()
    days_late = ma.fields.Integer(metadata={"description": "Working days past the limit"})


class PipelineQuotaSchema(Schema):
    district = ma.fields.Nested(PlaceSchema)
    quota = ma.fields.Integer(allow_none=True)
    used = ma.fields.Integer(
        metadata={"description": "Nominations forwarded to the city or beyond, not set aside"}
    )
    left = ma.fields.Integer(allow_none=True)


class PipelineReportSchema(Schema):
    round_id = ma.fields.Integer(attribute="round.id")
    is_whole = ma.fields.Boolean(
        metadata={"description": "The whole round (the city), or the reader's region"}
    )
    total = ma.fields.Integer()
    by_channel = ma.fields.List(ma.fields.Nested(PipelineChannelSchema))
    by_district = ma.fields.List(ma.fields.Nested(PipelineDistrictSchema))
    levels = ma.fields.List(ma.fields.Nested(PipelineLevelSchema))
    overdue = ma.fields.List(ma.fields.Nested(PipelineOverdueSchema))
    quotas = ma.fields.List(ma.fields.Nested(PipelineQuotaSchema))
