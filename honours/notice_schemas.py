"""API schemas of the public notice (公示): the notices and their entries as the public sees
them, likes, objections (the objector's and the clerks' views) and their answers, and the
office's view of a round's notice."""

from __future__ import annotations

import marshmallow as ma
from flask import url_for

from core.clock import utcnow
from core.inputs import MULTILINE, Schema
from honours.models import HonourCategory
from honours.nomination_models import ObjectionOutcome, Stage
from honours.schemas import PlaceSchema
from honours.services import notice
from honours.services.notice import TEXT_MAX


def _photo_url(entry) -> str | None:
    if not entry.has_photo:
        return None
    return url_for("notice.photo", round_id=entry.round_id, nomination_id=entry.nomination_id)


class PublicEntrySchema(Schema):
    nomination_id = ma.fields.Integer()
    name = ma.fields.String()
    district = ma.fields.Nested(PlaceSchema)
    town = ma.fields.Nested(
        PlaceSchema,
        allow_none=True,
        metadata={"description": "The street or town (镇街), when the nominee's place is below"},
    )
    category = ma.fields.Enum(HonourCategory, by_value=True)
    summary = ma.fields.String()
    deeds = ma.fields.String(metadata={"description": "The deeds as approved for publication"})
    photo_url = ma.fields.Function(
        _photo_url,
        allow_none=True,
        metadata={"description": "The entry's photo, served while the entry is on the notice"},
    )
    likes = ma.fields.Integer()


class PublicNoticeBriefSchema(Schema):
    round_id = ma.fields.Integer()
    name = ma.fields.String()
    opens_at = ma.fields.AwareDateTime()
    closes_at = ma.fields.AwareDateTime()
    is_running = ma.fields.Boolean(
        metadata={"description": "Objections and likes are taken while the notice runs"}
    )
    entry_count = ma.fields.Integer()


class PublicNoticeSchema(PublicNoticeBriefSchema):
    entries = ma.fields.List(ma.fields.Nested(PublicEntrySchema))


class LikeResultSchema(Schema):
    nomination_id = ma.fields.Integer()
    likes = ma.fields.Integer(metadata={"description": "The entry's likes since"})
    counted = ma.fields.Boolean(
        metadata={"description": "False when this account had liked the entry today already"}
    )


class ObjectionCreateSchema(Schema):
    text = ma.fields.String(
        required=True, metadata=MULTILINE, validate=ma.validate.Length(min=1, max=TEXT_MAX)
    )
    is_name_confirmed = ma.fields.Boolean(
        required=True,
        metadata={"description": "The objector confirms they object under their real name"},
    )


class MyObjectionSchema(Schema):
    """An objection as its objector reads it."""

    id = ma.fields.Integer()
    nomination_id = ma.fields.Integer()
    nominee_name = ma.fields.String(attribute="nomination.nominee_name")
    round_id = ma.fields.Integer(attribute="nomination.round_id")
    text = ma.fields.String()
    filed_at = ma.fields.AwareDateTime()
    due_on = ma.fields.Date(metadata={"description": "The last working day of its answer"})
    outcome = ma.fields.Enum(ObjectionOutcome, by_value=True, allow_none=True)
    answer = ma.fields.String(allow_none=True)
    answered_at = ma.fields.AwareDateTime(allow_none=True)


class ObjectionSchema(MyObjectionSchema):
    """An objection as its district and the city read it: with the objector's real name and
    verified number."""

    name = ma.fields.String()
    phone = ma.fields.String()
    district = ma.fields.Nested(PlaceSchema, attribute="nomination.district")
    is_overdue = ma.fields.Function(
        lambda objection: notice.is_overdue(objection, utcnow()),
        metadata={"description": "Unanswered after its last working day"},
    )
    answered_by_id = ma.fields.Integer(allow_none=True, metadata={"description": "Who answered"})


class ObjectionQuerySchema(Schema):
    round_id = ma.fields.Integer(metadata={"description": "Only the objections of this round"})
    is_answered = ma.fields.Boolean(metadata={"description": "Only answered, or unanswered"})


class AnswerSchema(Schema):
    outcome = ma.fields.Enum(ObjectionOutcome, by_value=True, required=True)
    answer = ma.fields.String(
        required=True, metadata=MULTILINE, validate=ma.validate.Length(min=1, max=TEXT_MAX)
    )


class OpenNoticeSchema(Schema):
    nomination_ids = ma.fields.List(
        ma.fields.Integer(),
        required=True,
        validate=ma.validate.Length(min=1, max=500),
        metadata={
            "description": "The tallied nominations put on the notice; the rest are rejected"
        },
    )


class BurstSchema(Schema):
    likes = ma.fields.Integer(
        metadata={"description": "The most likes from new accounts within one window"}
    )
    starts_at = ma.fields.AwareDateTime()


class CandidateSchema(Schema):
    nomination_id = ma.fields.Integer(attribute="nomination.id")
    nominee_name = ma.fields.String(attribute="nomination.nominee_name")
    district = ma.fields.Nested(PlaceSchema, attribute="nomination.district")
    votes_for = ma.fields.Integer(attribute="tally.votes_for")
    votes_against = ma.fields.Integer(attribute="tally.votes_against")
    abstentions = ma.fields.Integer(attribute="tally.abstentions")
    mean_score = ma.fields.Float(attribute="tally.mean_score", allow_none=True)


class NoticeLineSchema(Schema):
    nomination_id = ma.fields.Integer(attribute="nomination.id")
    nominee_name = ma.fields.String(attribute="nomination.nominee_name")
    district = ma.fields.Nested(PlaceSchema, attribute="nomination.district")
    stage = ma.fields.Enum(Stage, by_value=True, attribute="nomination.stage")
    is_shown = ma.fields.Boolean(metadata={"description": "On the public page now"})
    likes = ma.fields.Integer()
    burst = ma.fields.Nested(
        BurstSchema,
        allow_none=True,
        metadata={"description": "Likes from new accounts above the threshold within a window"},
    )
    objections = ma.fields.Integer()
    unanswered = ma.fields.Integer()
    overdue = ma.fields.Integer()


class RoundNoticeSchema(Schema):
    """A round's notice for the office (answered from honours.services.notice.NoticeOverview,
    its period flattened: none before the notice opens)."""

    round_id = ma.fields.Integer()
    opens_at = ma.fields.AwareDateTime(allow_none=True)
    closes_at = ma.fields.AwareDateTime(allow_none=True)
    is_running = ma.fields.Boolean()
    candidates = ma.fields.List(
        ma.fields.Nested(CandidateSchema),
        metadata={"description": "Before the notice opens: the tallied nominations"},
    )
    entries = ma.fields.List(
        ma.fields.Nested(NoticeLineSchema),
        metadata={"description": "After: each nomination that went on the notice"},
    )
