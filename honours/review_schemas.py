"""API schemas of the review of nominations: a step at a review level, a declared conflict of
interest, background checks, and the review queue."""

from __future__ import annotations

import marshmallow as ma

from core.inputs import MULTILINE, Schema
from honours.nomination_models import Agency, Channel, CheckResult, Stage, StepAction
from honours.schemas import PlaceSchema, UserBriefSchema
from honours.services.background import NOTES_MAX
from honours.services.review import OPINION_MAX, REASON_MAX, CheckItem, ReviewAction


class ReviewStepWriteSchema(Schema):
    action = ma.fields.Enum(
        ReviewAction,
        by_value=True,
        required=True,
        metadata={
            "description": "forward to the level above, return to the level below, reject, or"
            " (the city, a media case) send down to the community"
        },
    )
    opinion = ma.fields.String(
        load_default=None,
        allow_none=True,
        validate=ma.validate.Length(max=OPINION_MAX),
        metadata={
            **MULTILINE,
            "description": "The written opinion; the reason of a return,"
            " a rejection or a sending down",
        },
    )
    checklist = ma.fields.List(
        ma.fields.Enum(CheckItem, by_value=True),
        load_default=list,
        validate=ma.validate.Length(max=len(CheckItem)),
        metadata={"description": "The items ticked; a forward ticks those of its level"},
    )
    declared_no_conflict = ma.fields.Boolean(
        load_default=False,
        metadata={"description": "No conflict of interest with the nomination (a forward's)"},
    )


class ReviewStepSchema(Schema):
    id = ma.fields.Integer()
    nomination_id = ma.fields.Integer()
    action = ma.fields.Enum(StepAction, by_value=True)
    from_stage = ma.fields.Enum(Stage, by_value=True)
    to_stage = ma.fields.Enum(Stage, by_value=True)
    actor = ma.fields.Nested(UserBriefSchema)
    opinion = ma.fields.String(allow_none=True)
    checklist = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Boolean())
    declared_no_conflict = ma.fields.Boolean()
    acted_at = ma.fields.AwareDateTime()


class ConflictWriteSchema(Schema):
    reason = ma.fields.String(
        required=True,
        validate=ma.validate.Length(min=1, max=REASON_MAX),
        metadata={"description": "What the conflict of interest is"},
    )


class ConflictSchema(Schema):
    id = ma.fields.Integer()
    nomination_id = ma.fields.Integer()
    reason = ma.fields.String()
    declared_at = ma.fields.AwareDateTime()


class BackgroundCheckWriteSchema(Schema):
    agency = ma.fields.Enum(Agency, by_value=True, required=True)
    sent_on = ma.fields.Date(required=True)
    answered_on = ma.fields.Date(load_default=None, allow_none=True)
    result = ma.fields.Enum(CheckResult, by_value=True, load_default=None, allow_none=True)
    notes = ma.fields.String(
        load_default=None, allow_none=True, validate=ma.validate.Length(max=NOTES_MAX)
    )


class BackgroundCheckSchema(Schema):
    id = ma.fields.Integer()
    nomination_id = ma.fields.Integer()
    agency = ma.fields.Enum(Agency, by_value=True)
    sent_on = ma.fields.Date()
    answered_on = ma.fields.Date(allow_none=True)
    result = ma.fields.Enum(CheckResult, by_value=True, allow_none=True)
    notes = ma.fields.String(allow_none=True)
    recorded_at = ma.fields.AwareDateTime()
    updated_at = ma.fields.AwareDateTime()


class WaitingNominationSchema(Schema):
    id = ma.fields.Integer()
    round_id = ma.fields.Integer()
    channel = ma.fields.Enum(Channel, by_value=True)
    stage = ma.fields.Enum(Stage, by_value=True)
    stage_entered_at = ma.fields.AwareDateTime()
    nominee_name = ma.fields.String()
    summary = ma.fields.String()
    region = ma.fields.Nested(PlaceSchema)


class WaitingSchema(Schema):
    nomination = ma.fields.Nested(WaitingNominationSchema)
    due_at = ma.fields.AwareDateTime(
        attribute="due", metadata={"description": "When the level's time limit runs out"}
    )
    is_overdue = ma.fields.Boolean(metadata={"description": "Past the level's time limit"})
    days_over = ma.fields.Integer(
        metadata={"description": "Working days past the last day of the time limit"}
    )
