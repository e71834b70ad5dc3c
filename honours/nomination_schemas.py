"""API schemas of nominations: what each channel sends, a draft's changes, the match to the
register, a file, merging and withdrawing; a nomination in a list and whole (the nominee's
phone and ID number whole or masked as the services decide)."""

from __future__ import annotations

import marshmallow as ma

from core.inputs import MULTILINE, Schema
from honours.models import Gender, HonourCategory
from honours.nomination_models import (
    Channel,
    LeadSource,
    MediaDiscovery,
    NominatorKind,
    Stage,
    StepAction,
)
from honours.schemas import NamedSchema, PlaceSchema, UserBriefSchema
from honours.services.nomination_files import Attachment

NAME = ma.validate.Length(max=64)
PHONE = ma.validate.Length(max=20)
REASON = ma.validate.Length(max=500)


class NomineeFieldsSchema(Schema):
    """The nominee and the deeds, as every channel gives them."""

    nominee_name = ma.fields.String(validate=NAME)
    nominee_gender = ma.fields.Enum(Gender, by_value=True, allow_none=True)
    nominee_birth_date = ma.fields.Date(allow_none=True)
    nominee_phone = ma.fields.String(allow_none=True, validate=PHONE)
    nominee_id_number = ma.fields.String(
        allow_none=True,
        validate=ma.validate.Length(max=20),
        metadata={"description": "身份证号: the birth date and gender are read from it"},
    )
    nominee_is_deceased = ma.fields.Boolean(
        metadata={"description": "A posthumous case: a close relative answers for the nominee"}
    )
    region_id = ma.fields.Integer(metadata={"description": "The nominee's place"})
    category = ma.fields.Enum(HonourCategory, by_value=True)
    summary = ma.fields.String(
        validate=ma.validate.Length(max=140),
        metadata={"description": "The deeds in one sentence: at most 140 characters"},
    )
    deeds = ma.fields.String(
        validate=ma.validate.Length(max=3000),
        metadata={
            **MULTILINE,
            "description": "The deeds told in 800 to 1,500 characters (a line break counts "
            "as one, spaces around are trimmed)",
        },
    )
    unit_name = ma.fields.String(
        allow_none=True,
        validate=ma.validate.Length(max=120),
        metadata={"description": "The recommending unit (推荐单位), or the media outlet"},
    )


class NominationCreateSchema(NomineeFieldsSchema):
    round_id = ma.fields.Integer(
        required=True, metadata={"description": "An open round within its nomination dates"}
    )
    nominee_name = ma.fields.String(required=True, validate=NAME)
    region_id = ma.fields.Integer(required=True, metadata={"description": "The nominee's place"})
    category = ma.fields.Enum(HonourCategory, by_value=True, required=True)
    summary = ma.fields.String(
        required=True,
        validate=ma.validate.Length(max=140),
        metadata={"description": "The deeds in one sentence: at most 140 characters"},
    )
    deeds = ma.fields.String(
        required=True,
        validate=ma.validate.Length(max=3000),
        metadata={**MULTILINE, "description": "The deeds told in 800 to 1,500 characters"},
    )


class TerritorialCreateSchema(NominationCreateSchema):
    """A community's draft (the nominee of a community or village of the clerk's), or a
    sector's (`sector_id`; the nominee of any place below the city)."""

    sector_id = ma.fields.Integer(allow_none=True)


class PersonExtrasSchema(Schema):
    """What the register needs beside the nominee's fields when a new record is entered for
    them: the address, the date of death for a posthumous case, a guardian for a minor."""

    address = ma.fields.String(allow_none=True, validate=ma.validate.Length(max=200))
    died_on = ma.fields.Date(allow_none=True)
    guardian_name = ma.fields.String(allow_none=True, validate=NAME)
    guardian_relation = ma.fields.String(allow_none=True, validate=ma.validate.Length(max=32))
    guardian_phone = ma.fields.String(allow_none=True, validate=PHONE)


class MediaCreateSchema(NominationCreateSchema, PersonExtrasSchema):
    """A media case: the report's link and how it was found. The nominee is found in the
    register (or entered from these fields) when it is filed."""

    media_url = ma.fields.String(
        required=True,
        validate=ma.validate.Length(max=300),
        metadata={"description": "The report's web address (http or https)"},
    )
    media_discovery = ma.fields.Enum(MediaDiscovery, by_value=True, required=True)


class PublicCreateSchema(NominationCreateSchema):
    """The public form: for anyone whose mobile number is verified."""

    is_self = ma.fields.Boolean(load_default=False, metadata={"description": "I nominate myself"})


class LeadCreateSchema(NominationCreateSchema):
    """A lead that came by the office's email or hotline, entered by a clerk."""

    lead_source = ma.fields.Enum(
        LeadSource,
        by_value=True,
        required=True,
        validate=ma.validate.OneOf([LeadSource.email, LeadSource.hotline]),
    )
    caller_name = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=120))
    caller_phone = ma.fields.String(allow_none=True, validate=PHONE)
    is_self = ma.fields.Boolean(
        load_default=False, metadata={"description": "The caller nominates themself"}
    )


class DraftUpdateSchema(NomineeFieldsSchema):
    """A draft's fields to change; those left out stay."""


class MatchSchema(Schema):
    person_id = ma.fields.Integer(
        allow_none=True,
        metadata={"description": "An existing record of the register; leave out to enter one"},
    )
    person = ma.fields.Nested(
        PersonExtrasSchema,
        load_default=dict,
        metadata={"description": "For a new record: what it needs beside the nominee's fields"},
    )
    is_distinct_confirmed = ma.fields.Boolean(
        load_default=False,
        metadata={
            "description": "The clerk checked that a record of the same name, birth date and "
            "region is someone else"
        },
    )


class ReasonSchema(Schema):
    reason = ma.fields.String(allow_none=True, validate=REASON, metadata=MULTILINE)


class FileKindQuerySchema(Schema):
    kind = ma.fields.Enum(
        Attachment,
        by_value=True,
        required=True,
        metadata={"description": "What the file is to the nomination"},
    )


class FileUploadSchema(Schema):
    file = ma.fields.Raw(
        required=True,
        metadata={
            "type": "string",
            "format": "binary",
            "description": "An image (JPEG, PNG, WebP); evidence and the sealed form may be PDF",
        },
    )


class NominationQuerySchema(Schema):
    round_id = ma.fields.Integer()
    stage = ma.fields.Enum(Stage, by_value=True)
    channel = ma.fields.Enum(Channel, by_value=True)
    is_flagged = ma.fields.Boolean(
        load_default=False,
        metadata={"description": "Only live ones flagged as a duplicate or as honoured already"},
    )


# Answers ---------------------------------------------------------------------------------


class NominationBriefSchema(Schema):
    """A nomination in a list: no phone or ID number."""

    id = ma.fields.Integer()
    round = ma.fields.Nested(NamedSchema)
    channel = ma.fields.Enum(Channel, by_value=True)
    stage = ma.fields.Enum(Stage, by_value=True)
    stage_entered_at = ma.fields.AwareDateTime()
    nominee_name = ma.fields.String()
    region = ma.fields.Nested(PlaceSchema)
    district = ma.fields.Nested(PlaceSchema)
    category = ma.fields.Enum(HonourCategory, by_value=True)
    summary = ma.fields.String()
    duplicate_of_id = ma.fields.Integer(
        allow_none=True,
        metadata={"description": "Flagged: the first live nomination of the nominee"},
    )
    held_honour_id = ma.fields.Integer(
        allow_none=True,
        metadata={"description": "Flagged: the nominee holds this honour or a higher one"},
    )
    merged_into_id = ma.fields.Integer(allow_none=True)
    created_at = ma.fields.AwareDateTime()


class NominatorSchema(Schema):
    id = ma.fields.Integer()
    kind = ma.fields.Enum(NominatorKind, by_value=True)
    name = ma.fields.String()
    contact_phone = ma.fields.String(
        allow_none=True, metadata={"description": "Whole for the district and the city"}
    )
    from_nomination_id = ma.fields.Integer(
        metadata={"description": "The nomination they came with (another one's when merged)"}
    )
    added_at = ma.fields.AwareDateTime()


class NominationFileSchema(Schema):
    key = ma.fields.String(metadata={"description": "GET /api/v1/uploads/{key} for the file"})
    kind = ma.fields.Enum(Attachment, by_value=True)
    filename = ma.fields.String()
    content_type = ma.fields.String()
    size = ma.fields.Integer()
    nomination_id = ma.fields.Integer(
        metadata={"description": "The nomination it came with (a merged duplicate's)"}
    )


class StepSchema(Schema):
    id = ma.fields.Integer()
    action = ma.fields.Enum(StepAction, by_value=True)
    from_stage = ma.fields.Enum(Stage, by_value=True)
    to_stage = ma.fields.Enum(Stage, by_value=True)
    actor = ma.fields.Nested(
        UserBriefSchema,
        allow_none=True,
        metadata={"description": "Who acted: for clerks and the city; null for a nominator"},
    )
    opinion = ma.fields.String(allow_none=True)
    acted_at = ma.fields.AwareDateTime()


class NominationSchema(NominationBriefSchema):
    """A nomination whole. The nominee's phone and ID number (and the nominators' phones) are
    whole for the district and the city once the nominee is matched to the register
    (`is_whole`; each such answer is logged), masked for everyone else."""

    nominee_gender = ma.fields.Enum(Gender, by_value=True, allow_none=True)
    nominee_birth_date = ma.fields.Date(allow_none=True)
    nominee_phone = ma.fields.String(allow_none=True)
    nominee_id_number = ma.fields.String(allow_none=True)
    nominee_is_deceased = ma.fields.Boolean()
    is_whole = ma.fields.Boolean()
    sector = ma.fields.Nested(PlaceSchema, allow_none=True)
    person_id = ma.fields.Integer(
        allow_none=True, metadata={"description": "The nominee's record of the register"}
    )
    deeds = ma.fields.String()
    unit_name = ma.fields.String(allow_none=True)
    media_url = ma.fields.String(allow_none=True)
    media_discovery = ma.fields.Enum(MediaDiscovery, by_value=True, allow_none=True)
    lead_source = ma.fields.Enum(LeadSource, by_value=True, allow_none=True)
    honour_id = ma.fields.Integer(allow_none=True)
    updated_at = ma.fields.AwareDateTime()
    nominators = ma.fields.List(ma.fields.Nested(NominatorSchema))
    files = ma.fields.List(ma.fields.Nested(NominationFileSchema))
    steps = ma.fields.List(ma.fields.Nested(StepSchema))
    merged_from = ma.fields.List(
        ma.fields.Integer(), metadata={"description": "Duplicates merged into this one"}
    )
    actions = ma.fields.List(
        ma.fields.String(),
        metadata={
            "description": "What you may do now: edit, match, submit, change_files, merge, withdraw"
        },
    )


class OpenRoundSchema(Schema):
    id = ma.fields.Integer()
    name = ma.fields.String()
    opens_on = ma.fields.Date()
    closes_on = ma.fields.Date()
