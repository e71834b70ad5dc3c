"""API schemas of the flowers of Lei Feng day: a delivery task as its clerks read it (no
address) with its attempts, a task as its deliverer reads it (the address and phone whole),
planning, recording delivered (by a photo's upload key) or not, and the recommendations of a
"Lei Feng near you" with their screening."""

from __future__ import annotations

import marshmallow as ma

from care.flower_models import (
    AttemptOutcome,
    DeliveryStatus,
    FailReason,
    RecommendationStatus,
)
from care.services import flower_desk, flowers, recommendations
from core.inputs import MULTILINE, Schema
from honours.schemas import NamedSchema, PlaceSchema, UserBriefSchema

UPLOAD_KEY = r"^[A-Za-z0-9_-]{43}$"


class DeliveryPersonSchema(Schema):
    id = ma.fields.Integer()
    name = ma.fields.String()
    district = ma.fields.Nested(PlaceSchema)


class DeliveryShiftSchema(Schema):
    id = ma.fields.Integer()
    starts_at = ma.fields.AwareDateTime()
    team = ma.fields.Nested(NamedSchema, attribute="activity.team")


class DeliveryPhotoSchema(Schema):
    key = ma.fields.String(
        attribute="public_key",
        metadata={"description": "The photo's key: GET /api/v1/uploads/{key} gives the image"},
    )


class DeliveryAttemptSchema(Schema):
    """One step of a task: planned (again), delivered or not, by whom and when."""

    attempt = ma.fields.Integer()
    outcome = ma.fields.Enum(AttemptOutcome, by_value=True)
    courier_id = ma.fields.Integer(allow_none=True)
    shift_id = ma.fields.Integer(allow_none=True)
    deliver_on = ma.fields.Date(allow_none=True)
    fail_reason = ma.fields.Enum(FailReason, by_value=True, allow_none=True)
    note = ma.fields.String(allow_none=True)
    by = ma.fields.Nested(UserBriefSchema)
    at = ma.fields.AwareDateTime()


class DeliverySchema(Schema):
    """A delivery task (送花任务) as its clerks read it: to whom (no address), by whom, on which
    day, where it stands, and its attempts."""

    id = ma.fields.Integer()
    care_campaign_id = ma.fields.Integer()
    person = ma.fields.Nested(DeliveryPersonSchema, attribute="target.person")
    status = ma.fields.Enum(DeliveryStatus, by_value=True)
    courier = ma.fields.Nested(NamedSchema, allow_none=True)
    shift = ma.fields.Nested(DeliveryShiftSchema, allow_none=True)
    deliver_on = ma.fields.Date(allow_none=True)
    attempt = ma.fields.Integer()
    delivered_at = ma.fields.AwareDateTime(allow_none=True)
    photo = ma.fields.Nested(DeliveryPhotoSchema, allow_none=True)
    fail_reason = ma.fields.Enum(FailReason, by_value=True, allow_none=True)
    fail_note = ma.fields.String(allow_none=True)


class DeliveryDetailSchema(DeliverySchema):
    attempts = ma.fields.List(ma.fields.Nested(DeliveryAttemptSchema))


class DeliveryQuerySchema(Schema):
    status = ma.fields.Enum(
        DeliveryStatus, by_value=True, metadata={"description": "Only the tasks in this status"}
    )


class DeliveriesMadeSchema(Schema):
    made = ma.fields.Integer(metadata={"description": "How many tasks were made"})


class PlanDeliverySchema(Schema):
    deliver_on = ma.fields.Date(required=True, metadata={"description": "The day to deliver"})
    courier_id = ma.fields.Integer(
        load_default=None,
        allow_none=True,
        metadata={"description": "An approved courier company (a card partner); or shift_id"},
    )
    shift_id = ma.fields.Integer(
        load_default=None, allow_none=True, metadata={"description": "A shift; or courier_id"}
    )


class PlanDeliveriesSchema(PlanDeliverySchema):
    delivery_ids = ma.fields.List(
        ma.fields.Integer(),
        required=True,
        validate=ma.validate.Length(min=1, max=flower_desk.MAX_PLANNED),
        metadata={"description": "The tasks to plan, none delivered"},
    )


class DeliveriesPlannedSchema(Schema):
    planned = ma.fields.Integer()


class MyDeliverySchema(Schema):
    """A task as its deliverer reads it: the name, the community, and while it is to be
    made the address and phone whole (each reading logged)."""

    id = ma.fields.Integer(attribute="delivery.id")
    status = ma.fields.Enum(DeliveryStatus, by_value=True, attribute="delivery.status")
    deliver_on = ma.fields.Date(attribute="delivery.deliver_on", allow_none=True)
    attempt = ma.fields.Integer(attribute="delivery.attempt")
    name = ma.fields.String()
    region = ma.fields.String()
    address = ma.fields.String(allow_none=True)
    phone = ma.fields.String(allow_none=True)


class DeliveryPhotoUploadSchema(Schema):
    photo = ma.fields.Raw(
        required=True,
        metadata={"type": "string", "format": "binary", "description": "A JPEG or PNG photo"},
    )


class DeliveredSchema(Schema):
    photo_key = ma.fields.String(
        required=True,
        validate=ma.validate.Regexp(UPLOAD_KEY),
        metadata={"description": "The key of the photo sent to this task's photo endpoint"},
    )


class FailedSchema(Schema):
    reason = ma.fields.Enum(FailReason, by_value=True, required=True)
    note = ma.fields.String(
        load_default="",
        validate=ma.validate.Length(max=flowers.MAX_NOTE),
        metadata={"description": "What happened (required for other)"},
    )


class RecommendationCreateSchema(Schema):
    name = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=64))
    region_id = ma.fields.Integer(
        required=True, metadata={"description": "Their community or village (a region)"}
    )
    deeds = ma.fields.String(
        required=True,
        validate=ma.validate.Length(min=recommendations.MIN_DEEDS, max=recommendations.MAX_DEEDS),
        metadata={**MULTILINE, "description": "What they do for others"},
    )


class RecommendationSchema(Schema):
    """A recommendation of a Lei Feng near you (推荐身边的雷锋) and where it stands."""

    id = ma.fields.Integer()
    care_campaign_id = ma.fields.Integer()
    name = ma.fields.String()
    region = ma.fields.Nested(PlaceSchema)
    deeds = ma.fields.String(metadata=MULTILINE)
    recommended_at = ma.fields.AwareDateTime()
    status = ma.fields.Enum(RecommendationStatus, by_value=True)
    person_id = ma.fields.Integer(attribute="target.person_id", allow_none=True)
    screened_at = ma.fields.AwareDateTime(allow_none=True)
    screen_note = ma.fields.String(allow_none=True)


class RecommendationQuerySchema(Schema):
    status = ma.fields.Enum(
        RecommendationStatus,
        by_value=True,
        metadata={"description": "Only the recommendations in this status"},
    )


class AcceptRecommendationSchema(Schema):
    person_id = ma.fields.Integer(
        required=True, metadata={"description": "The person of the register it means"}
    )
    note = ma.fields.String(load_default="", validate=ma.validate.Length(max=500))


class DeclineRecommendationSchema(Schema):
    note = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=500))
