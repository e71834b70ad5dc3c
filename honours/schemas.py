"""API schemas of the register: persons (sensitive fields whole or masked as the services
decide), honours, honour types, revisions and the log of whole views."""

from __future__ import annotations

import marshmallow as ma
from flask_babel import lazy_gettext as _l

from core.inputs import MULTILINE, Schema
from honours.models import (
    Gender,
    HolderKind,
    HonourCategory,
    HonourLevel,
    HonourSource,
    PersonStatus,
    RevisionAction,
    RoundKind,
    RoundStatus,
    ViewChannel,
)

# Lengths as the columns hold them.
NAME = ma.validate.Length(max=64)
PHONE = ma.validate.Length(max=20)


class PlaceSchema(Schema):
    id = ma.fields.Integer()
    name = ma.fields.String(attribute="label")


class NamedSchema(Schema):
    id = ma.fields.Integer()
    name = ma.fields.String()


class UserBriefSchema(Schema):
    id = ma.fields.Integer()
    name = ma.fields.String(attribute="display_name")


class HonourTypeSchema(Schema):
    id = ma.fields.Integer()
    code = ma.fields.String()
    name = ma.fields.String(attribute="label")
    level = ma.fields.Enum(HonourLevel, by_value=True)
    holder = ma.fields.Enum(HolderKind, by_value=True)
    has_courtesy_card = ma.fields.Boolean()


class HonourSchema(Schema):
    id = ma.fields.Integer()
    person = ma.fields.Nested(NamedSchema, allow_none=True)
    team = ma.fields.Nested(NamedSchema, allow_none=True)
    district = ma.fields.Nested(PlaceSchema, allow_none=True)
    honour_type = ma.fields.Nested(HonourTypeSchema)
    category = ma.fields.Enum(HonourCategory, by_value=True, allow_none=True)
    awarded_on = ma.fields.Date()
    certificate_number = ma.fields.String(allow_none=True)
    decision_number = ma.fields.String(allow_none=True)
    source = ma.fields.Enum(HonourSource, by_value=True)
    round_id = ma.fields.Integer(allow_none=True)
    source_name = ma.fields.String(allow_none=True)
    source_url = ma.fields.String(allow_none=True)
    revoked_at = ma.fields.AwareDateTime(allow_none=True)


class PersonHonourSchema(Schema):
    id = ma.fields.Integer()
    honour_type = ma.fields.Nested(HonourTypeSchema)
    category = ma.fields.Enum(HonourCategory, by_value=True, allow_none=True)
    awarded_on = ma.fields.Date()
    certificate_number = ma.fields.String(allow_none=True)
    source = ma.fields.Enum(HonourSource, by_value=True)
    revoked_at = ma.fields.AwareDateTime(allow_none=True)


class RegisterPersonBriefSchema(Schema):
    """A person in a list: the sensitive fields are never in it."""

    id = ma.fields.Integer()
    name = ma.fields.String()
    gender = ma.fields.Enum(Gender, by_value=True, allow_none=True)
    birth_date = ma.fields.Date(allow_none=True)
    region = ma.fields.Nested(PlaceSchema)
    district = ma.fields.Nested(PlaceSchema)
    status = ma.fields.Enum(PersonStatus, by_value=True)
    has_publication_consent = ma.fields.Boolean()
    merged_into_id = ma.fields.Integer(allow_none=True)


class RegisterPersonSchema(RegisterPersonBriefSchema):
    """A person whole. `id_number`, `phone`, `guardian_phone`, `address` and `hardship_notes`
    are whole only for the district and the city of the person's region (`is_whole` says so;
    each such answer is logged), masked for everyone else."""

    user_id = ma.fields.Integer(allow_none=True)
    id_number = ma.fields.String(allow_none=True)
    phone = ma.fields.String(allow_none=True)
    address = ma.fields.String(allow_none=True)
    hardship_notes = ma.fields.String(allow_none=True)
    guardian_name = ma.fields.String(allow_none=True)
    guardian_relation = ma.fields.String(allow_none=True)
    guardian_phone = ma.fields.String(allow_none=True)
    died_on = ma.fields.Date(allow_none=True)
    story = ma.fields.String(allow_none=True)
    consent_recorded_at = ma.fields.AwareDateTime(allow_none=True)
    is_whole = ma.fields.Boolean()
    honours = ma.fields.List(ma.fields.Nested(PersonHonourSchema))
    created_at = ma.fields.AwareDateTime()
    updated_at = ma.fields.AwareDateTime()


class PersonFieldsSchema(Schema):
    """A person's fields as a clerk enters or corrects them."""

    name = ma.fields.String(validate=NAME)
    gender = ma.fields.Enum(Gender, by_value=True, allow_none=True)
    birth_date = ma.fields.Date(allow_none=True)
    id_number = ma.fields.String(allow_none=True, validate=ma.validate.Length(max=20))
    phone = ma.fields.String(allow_none=True, validate=PHONE)
    region_id = ma.fields.Integer()
    address = ma.fields.String(allow_none=True, validate=ma.validate.Length(max=200))
    status = ma.fields.Enum(PersonStatus, by_value=True)
    died_on = ma.fields.Date(allow_none=True)
    guardian_name = ma.fields.String(allow_none=True, validate=NAME)
    guardian_relation = ma.fields.String(allow_none=True, validate=ma.validate.Length(max=32))
    guardian_phone = ma.fields.String(allow_none=True, validate=PHONE)
    hardship_notes = ma.fields.String(
        allow_none=True, metadata=MULTILINE, validate=ma.validate.Length(max=5000)
    )
    story = ma.fields.String(
        allow_none=True, metadata=MULTILINE, validate=ma.validate.Length(max=10000)
    )
    volunteer_phone = ma.fields.String(
        allow_none=True,
        validate=ma.validate.Length(max=11),
        metadata={"description": "The number of the person's volunteer account, to link it"},
    )


class PersonCreateSchema(PersonFieldsSchema):
    name = ma.fields.String(required=True, validate=NAME)
    region_id = ma.fields.Integer(required=True)
    is_distinct_confirmed = ma.fields.Boolean(
        load_default=False,
        metadata={
            "description": "The clerk checked that a record of the same name, birth date and "
            "region is someone else"
        },
    )


class PersonCorrectionSchema(PersonFieldsSchema):
    reason = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=500))


class PersonQuerySchema(Schema):
    q = ma.fields.String(validate=ma.validate.Length(max=64), metadata={"description": "Name"})
    district_id = ma.fields.Integer()
    status = ma.fields.Enum(PersonStatus, by_value=True)
    include_merged = ma.fields.Boolean(load_default=False)


class PublicationConsentSchema(Schema):
    is_given = ma.fields.Boolean(
        required=True, metadata={"description": "true: consent given; false: withdrawn"}
    )


class MergeSchema(Schema):
    duplicate_id = ma.fields.Integer(
        required=True, metadata={"description": "The record folded into this one"}
    )
    reason = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=500))


class HonourFieldsSchema(Schema):
    honour_type_id = ma.fields.Integer()
    category = ma.fields.Enum(HonourCategory, by_value=True, allow_none=True)
    awarded_on = ma.fields.Date()
    certificate_number = ma.fields.String(allow_none=True, validate=ma.validate.Length(max=40))
    decision_number = ma.fields.String(allow_none=True, validate=ma.validate.Length(max=60))
    source_name = ma.fields.String(allow_none=True, validate=ma.validate.Length(max=120))
    source_url = ma.fields.String(allow_none=True, validate=ma.validate.Length(max=300))


class HonourCreateSchema(HonourFieldsSchema):
    person_id = ma.fields.Integer(allow_none=True)
    team_id = ma.fields.Integer(allow_none=True)
    honour_type_id = ma.fields.Integer(required=True)
    awarded_on = ma.fields.Date(required=True)
    # Honours of a round are made by the round's decision (next issue), not entered here.
    source = ma.fields.Enum(
        HonourSource,
        by_value=True,
        load_default=HonourSource.archive,
        validate=ma.validate.OneOf([HonourSource.external, HonourSource.archive]),
    )


class HonourCorrectionSchema(HonourFieldsSchema):
    reason = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=500))


class RegisterQuerySchema(Schema):
    level = ma.fields.Enum(HonourLevel, by_value=True)
    honour_type_id = ma.fields.Integer()
    category = ma.fields.Enum(HonourCategory, by_value=True)
    district_id = ma.fields.Integer()
    year = ma.fields.Integer(validate=ma.validate.Range(min=1949, max=2100))


class RevisionSchema(Schema):
    id = ma.fields.Integer()
    action = ma.fields.Enum(RevisionAction, by_value=True)
    changes = ma.fields.Dict(
        keys=ma.fields.String(),
        values=ma.fields.List(ma.fields.Raw(allow_none=True)),
        metadata={
            "description": "Each field changed: [before, after], sensitive ones masked "
            "unless you may see them whole"
        },
    )
    reason = ma.fields.String(allow_none=True)
    actor = ma.fields.Nested(UserBriefSchema)
    created_at = ma.fields.AwareDateTime()


class SensitiveViewSchema(Schema):
    id = ma.fields.Integer()
    viewer = ma.fields.Nested(UserBriefSchema)
    person = ma.fields.Nested(NamedSchema)
    fields = ma.fields.List(ma.fields.String(), attribute="field_names")
    channel = ma.fields.Enum(ViewChannel, by_value=True)
    place = ma.fields.String()
    viewed_at = ma.fields.AwareDateTime()


class SensitiveViewQuerySchema(Schema):
    person_id = ma.fields.Integer()


# Rounds (评选批次) ------------------------------------------------------------------------------


class RoundQuotaSchema(Schema):
    district = ma.fields.Nested(PlaceSchema)
    quota = ma.fields.Integer()


class RoundSchema(Schema):
    id = ma.fields.Integer()
    name = ma.fields.String()
    kind = ma.fields.Enum(RoundKind, by_value=True)
    honour_type = ma.fields.Nested(HonourTypeSchema)
    opens_on = ma.fields.Date()
    closes_on = ma.fields.Date()
    level_days = ma.fields.Integer(
        metadata={"description": "Working days each review level has (时限)"}
    )
    notice_days = ma.fields.Integer(metadata={"description": "Days of public notice (公示)"})
    status = ma.fields.Enum(RoundStatus, by_value=True)
    opened_at = ma.fields.AwareDateTime(allow_none=True)
    closed_at = ma.fields.AwareDateTime(allow_none=True)
    created_at = ma.fields.AwareDateTime()
    quotas = ma.fields.List(ma.fields.Nested(RoundQuotaSchema))


class RoundWriteSchema(Schema):
    name = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=120))
    kind = ma.fields.Enum(RoundKind, by_value=True, required=True)
    honour_type_id = ma.fields.Integer(required=True)
    opens_on = ma.fields.Date(required=True)
    closes_on = ma.fields.Date(required=True)
    level_days = ma.fields.Integer(load_default=5, validate=ma.validate.Range(min=1, max=30))
    notice_days = ma.fields.Integer(load_default=7, validate=ma.validate.Range(min=1, max=30))


class QuotaEntrySchema(Schema):
    district_id = ma.fields.Integer(required=True)
    quota = ma.fields.Integer(required=True, validate=ma.validate.Range(min=0, max=1000))


class RoundQuotasSchema(Schema):
    quotas = ma.fields.List(
        ma.fields.Nested(QuotaEntrySchema),
        required=True,
        validate=ma.validate.Length(max=100),
        metadata={"description": "The round's quotas; a district left out has none"},
    )

    @ma.validates("quotas")
    def _one_per_district(self, value, **kwargs):
        # An entry that failed its own checks (no district) is reported on its own; marshmallow
        # still hands the list's valid part here.
        districts = [entry["district_id"] for entry in value if "district_id" in entry]
        if len(districts) != len(set(districts)):
            raise ma.ValidationError(str(_l("Name each district once.")))
