"""API schemas for registration and profiles."""

from __future__ import annotations

import marshmallow as ma

from volunteer.models import Skill


class RegistrationSchema(ma.Schema):
    phone = ma.fields.String(required=True, validate=ma.validate.Length(max=20))
    password = ma.fields.String(required=True, load_only=True, validate=ma.validate.Length(max=128))
    display_name = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=64))
    district_id = ma.fields.Integer(load_default=None, allow_none=True)


class DistrictSchema(ma.Schema):
    id = ma.fields.Integer()
    code = ma.fields.String()
    name = ma.fields.String()
    name_en = ma.fields.String()


class ProfileSchema(ma.Schema):
    display_name = ma.fields.String(attribute="user.display_name")
    email = ma.fields.String(attribute="user.email", allow_none=True)
    district = ma.fields.Nested(DistrictSchema, allow_none=True)
    skills = ma.fields.List(ma.fields.String())


class ProfileUpdateSchema(ma.Schema):
    display_name = ma.fields.String(validate=ma.validate.Length(min=1, max=64))
    email = ma.fields.String(allow_none=True, validate=ma.validate.Length(max=254))
    district_id = ma.fields.Integer(allow_none=True)
    skills = ma.fields.List(
        ma.fields.String(validate=ma.validate.OneOf([skill.value for skill in Skill]))
    )
