"""API schemas of consent and of the panel review: an answer about publishing a nomination and
the code a phone proves itself by; a round's reviewers, the ballot, votes and tallies."""

from __future__ import annotations

import marshmallow as ma
from flask_smorest.fields import Upload

from core.auth.sms_api import phone_field
from core.inputs import MULTILINE, Schema
from honours.models import HonourCategory
from honours.nomination_models import ConsentGiver, ConsentMethod, Stage, Vote
from honours.schemas import PlaceSchema, UserBriefSchema
from honours.services.nomination_consent import NAME_MAX, RELATION_MAX
from honours.services.panel import COMMENT_MAX, SCORE_MAX, SCORE_MIN

# Consent ------------------------------------------------------------------------------------------


class ConsentWriteSchema(Schema):
    """The answer's fields, sent as multipart/form-data with the scan of a signed form."""

    agreed = ma.fields.Boolean(
        required=True, metadata={"description": "true: they agree; false: declined or withdrawn"}
    )
    giver = ma.fields.Enum(
        ConsentGiver,
        by_value=True,
        required=True,
        metadata={
            "description": "nominee; guardian (a nominee under 14 on the day); relative (a "
            "nominee the register says has died)"
        },
    )
    giver_name = ma.fields.String(
        load_default=None, allow_none=True, validate=ma.validate.Length(max=NAME_MAX)
    )
    relation = ma.fields.String(
        load_default=None, allow_none=True, validate=ma.validate.Length(max=RELATION_MAX)
    )
    method = ma.fields.Enum(
        ConsentMethod,
        by_value=True,
        required=True,
        metadata={"description": "signed_form with `form`; verified_phone with `phone` and `code`"},
    )
    phone = ma.fields.String(
        load_default=None, allow_none=True, validate=ma.validate.Length(max=20)
    )
    code = ma.fields.String(
        load_default=None,
        allow_none=True,
        validate=ma.validate.Length(max=10),
        metadata={"description": "The 6 digits of the consent code's text message"},
    )
    # A file part: the view takes it from the request's files, where webargs' form does not
    # look; it is named here so that the document shows the whole multipart body.
    form = Upload(
        load_default=None,
        metadata={"description": "The signed form's scan: JPEG, PNG or PDF"},
    )


class NominationConsentSchema(Schema):
    id = ma.fields.Integer()
    nomination_id = ma.fields.Integer()
    agreed = ma.fields.Boolean()
    giver = ma.fields.Enum(ConsentGiver, by_value=True)
    giver_name = ma.fields.String(allow_none=True)
    relation = ma.fields.String(allow_none=True)
    method = ma.fields.Enum(ConsentMethod, by_value=True)
    phone = ma.fields.String(allow_none=True, metadata={"description": "Masked"})
    form_key = ma.fields.String(
        allow_none=True, metadata={"description": "The scan's key under /api/v1/uploads/"}
    )
    recorded_by = ma.fields.Nested(UserBriefSchema)
    recorded_at = ma.fields.AwareDateTime()


class ConsentCodeRequestSchema(Schema):
    phone = phone_field()


class ConsentCodeSentSchema(Schema):
    message = ma.fields.String()
    valid_seconds = ma.fields.Integer()


# The panel ----------------------------------------------------------------------------------------


class PanelMemberWriteSchema(Schema):
    user_id = ma.fields.Integer(
        required=True, metadata={"description": "An account holding the panel reviewer's role"}
    )


class PanelMemberSchema(Schema):
    round_id = ma.fields.Integer()
    user = ma.fields.Nested(UserBriefSchema)
    assigned_by_id = ma.fields.Integer()
    assigned_at = ma.fields.AwareDateTime()


class VoteWriteSchema(Schema):
    vote = ma.fields.Enum(Vote, by_value=True, required=True)
    score = ma.fields.Integer(
        load_default=None,
        allow_none=True,
        validate=ma.validate.Range(min=SCORE_MIN, max=SCORE_MAX),
    )
    comment = ma.fields.String(
        load_default=None,
        allow_none=True,
        validate=ma.validate.Length(max=COMMENT_MAX),
        metadata=MULTILINE,
    )


class VoteSchema(Schema):
    id = ma.fields.Integer()
    nomination_id = ma.fields.Integer()
    reviewer_id = ma.fields.Integer()
    vote = ma.fields.Enum(Vote, by_value=True)
    score = ma.fields.Integer(allow_none=True)
    comment = ma.fields.String(allow_none=True)
    voted_at = ma.fields.AwareDateTime()


class TallySchema(Schema):
    nomination_id = ma.fields.Integer()
    votes_for = ma.fields.Integer()
    votes_against = ma.fields.Integer()
    abstentions = ma.fields.Integer()
    mean_score = ma.fields.Float(allow_none=True)
    excluded_user_ids = ma.fields.List(
        ma.fields.Integer(),
        metadata={"description": "Members who filed it or declared a conflict: not counted"},
    )
    closed_by_id = ma.fields.Integer()
    closed_at = ma.fields.AwareDateTime()


class PhotoSchema(Schema):
    key = ma.fields.String(
        attribute="public_key", metadata={"description": "Its key under /api/v1/uploads/"}
    )
    content_type = ma.fields.String()


class BallotEntrySchema(Schema):
    """A nomination as the panel reads it: never its background checks, the nominee's phone or
    ID number, or who nominated them."""

    nomination_id = ma.fields.Integer(attribute="nomination.id")
    round_id = ma.fields.Integer(attribute="nomination.round_id")
    stage = ma.fields.Enum(Stage, by_value=True, attribute="nomination.stage")
    nominee_name = ma.fields.String(attribute="nomination.nominee_name")
    district = ma.fields.Nested(PlaceSchema, attribute="nomination.district")
    region = ma.fields.Nested(PlaceSchema, attribute="nomination.region")
    category = ma.fields.Enum(HonourCategory, by_value=True, attribute="nomination.category")
    summary = ma.fields.String(attribute="nomination.summary")
    deeds = ma.fields.String(attribute="nomination.deeds")
    photos = ma.fields.List(ma.fields.Nested(PhotoSchema))
    my_vote = ma.fields.Nested(VoteSchema, allow_none=True)
    may_vote = ma.fields.Boolean()
    barred = ma.fields.String(
        allow_none=True, metadata={"description": "Why the caller does not vote on it"}
    )
    votes_cast = ma.fields.Integer(
        allow_none=True, metadata={"description": "How many voted so far (the city)"}
    )
    tally = ma.fields.Nested(TallySchema, allow_none=True)
