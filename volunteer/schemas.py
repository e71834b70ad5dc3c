"""API schemas for registration and profiles."""

from __future__ import annotations

import marshmallow as ma

from core.inputs import MULTILINE, Schema
from volunteer.models import (
    MembershipAction,
    MembershipRole,
    MembershipStatus,
    Skill,
    TeamStatus,
)


class RegistrationSchema(Schema):
    phone = ma.fields.String(required=True, validate=ma.validate.Length(max=20))
    password = ma.fields.String(required=True, load_only=True, validate=ma.validate.Length(max=128))
    display_name = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=64))
    district_id = ma.fields.Integer(load_default=None, allow_none=True)
    code = ma.fields.String(
        required=True,
        validate=ma.validate.Length(max=10),
        metadata={"description": "The code sent by SMS (POST /auth/sms-codes, purpose register)"},
    )
    agreed = ma.fields.Boolean(
        required=True,
        data_key="consent",
        metadata={
            "description": "true: I have read the current privacy notice (GET /consents/current, "
            "/privacy) and agree to it; registration is refused without"
        },
    )


class DistrictSchema(Schema):
    id = ma.fields.Integer()
    code = ma.fields.String()
    name = ma.fields.String()
    name_en = ma.fields.String()


class ProfileSchema(Schema):
    display_name = ma.fields.String(attribute="user.display_name")
    email = ma.fields.String(attribute="user.email", allow_none=True)
    district = ma.fields.Nested(DistrictSchema, allow_none=True)
    skills = ma.fields.List(ma.fields.String())


class ProfileUpdateSchema(Schema):
    display_name = ma.fields.String(validate=ma.validate.Length(min=1, max=64))
    email = ma.fields.String(allow_none=True, validate=ma.validate.Length(max=254))
    district_id = ma.fields.Integer(allow_none=True)
    skills = ma.fields.List(
        ma.fields.String(validate=ma.validate.OneOf([skill.value for skill in Skill]))
    )


# Teams and memberships -------------------------------------------------------------------


class TeamQuerySchema(Schema):
    district_id = ma.fields.Integer()
    category = ma.fields.String(validate=ma.validate.Length(max=32))
    q = ma.fields.String(validate=ma.validate.Length(max=80))


class TeamApplicationSchema(Schema):
    name = ma.fields.String(required=True, validate=ma.validate.Length(max=80))
    district_id = ma.fields.Integer(required=True)
    categories = ma.fields.List(ma.fields.String(), load_default=list)
    description = ma.fields.String(
        metadata=MULTILINE, load_default="", validate=ma.validate.Length(max=5000)
    )


class DecisionSchema(Schema):
    approve = ma.fields.Boolean(required=True)
    reason = ma.fields.String(
        metadata=MULTILINE,
        load_default=None,
        allow_none=True,
        validate=ma.validate.Length(max=2000),
    )


class RemovalSchema(Schema):
    reason = ma.fields.String(
        metadata=MULTILINE, required=True, validate=ma.validate.Length(max=2000)
    )


class PersonSchema(Schema):
    """Who someone is, without their contact details."""

    id = ma.fields.Integer()
    display_name = ma.fields.String()


class ContactSchema(PersonSchema):
    """Who someone is and how to call them: for a team's leaders and the office only."""

    phone = ma.fields.String()


class TeamBriefSchema(Schema):
    id = ma.fields.Integer()
    name = ma.fields.String()
    district = ma.fields.Nested(DistrictSchema)


class TeamSchema(Schema):
    id = ma.fields.Integer()
    name = ma.fields.String()
    district = ma.fields.Nested(DistrictSchema)
    categories = ma.fields.List(ma.fields.String())
    category_labels = ma.fields.List(ma.fields.String())
    description = ma.fields.String()
    status = ma.fields.Enum(TeamStatus, by_value=True)
    created_at = ma.fields.AwareDateTime()


class TeamApplicationReviewSchema(TeamSchema):
    """A team application as the office sees it."""

    founder = ma.fields.Nested(ContactSchema)
    decision_reason = ma.fields.String(allow_none=True)
    decided_at = ma.fields.AwareDateTime(allow_none=True)


class MembershipSchema(Schema):
    """My own place in a team."""

    id = ma.fields.Integer()
    team = ma.fields.Nested(TeamBriefSchema)
    role = ma.fields.Enum(MembershipRole, by_value=True)
    status = ma.fields.Enum(MembershipStatus, by_value=True)
    is_leader = ma.fields.Boolean()
    requested_at = ma.fields.AwareDateTime()
    joined_at = ma.fields.AwareDateTime(allow_none=True)


class MemberSchema(Schema):
    """A member as the team's leaders and the office see them (with the phone)."""

    id = ma.fields.Integer()
    team_id = ma.fields.Integer()
    user = ma.fields.Nested(ContactSchema)
    role = ma.fields.Enum(MembershipRole, by_value=True)
    status = ma.fields.Enum(MembershipStatus, by_value=True)
    is_leader = ma.fields.Boolean()
    requested_at = ma.fields.AwareDateTime()
    joined_at = ma.fields.AwareDateTime(allow_none=True)


class MembershipEventSchema(Schema):
    id = ma.fields.Integer()
    action = ma.fields.Enum(MembershipAction, by_value=True)
    actor = ma.fields.Nested(PersonSchema)
    reason = ma.fields.String(allow_none=True)
    created_at = ma.fields.AwareDateTime()
