"""API schemas for tokens, the signed-in user and the office's view of an account."""

from __future__ import annotations

import marshmallow as ma

from core.auth.models import Role
from core.inputs import Schema


class TokenRequestSchema(Schema):
    phone = ma.fields.String(required=True, validate=ma.validate.Length(max=20))
    password = ma.fields.String(required=True, load_only=True, validate=ma.validate.Length(max=128))
    name = ma.fields.String(load_default="", validate=ma.validate.Length(max=64))


class TokenSchema(Schema):
    id = ma.fields.Integer()
    name = ma.fields.String()
    created_at = ma.fields.AwareDateTime()
    expires_at = ma.fields.AwareDateTime()


class IssuedTokenSchema(TokenSchema):
    token = ma.fields.String(metadata={"description": "Shown once; send as `Bearer <token>`"})


class UserSchema(Schema):
    id = ma.fields.Integer()
    phone = ma.fields.String()
    display_name = ma.fields.String()
    role = ma.fields.Enum(Role, by_value=True)
    locale = ma.fields.String(allow_none=True)
    created_at = ma.fields.AwareDateTime()


class AccountSchema(UserSchema):
    """An account as the office sees it."""

    is_enabled = ma.fields.Boolean()
