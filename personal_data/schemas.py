"""API schemas: the data export and the request to close one's account."""

from __future__ import annotations

import marshmallow as ma

from core.inputs import Schema


class SectionSchema(Schema):
    key = ma.fields.String(metadata={"description": "Stable name of the section"})
    title = ma.fields.String(metadata={"description": "The section's title, in your language"})
    table = ma.fields.String(metadata={"description": "The table its rows come from"})
    via = ma.fields.String(
        metadata={"description": "The column that names your account there (phone: your number)"}
    )
    rows = ma.fields.List(
        ma.fields.Dict(keys=ma.fields.String()),
        metadata={"description": "The rows: times in ISO 8601 (UTC), states by their value"},
    )


class PersonalDataSchema(Schema):
    user_id = ma.fields.Integer()
    exported_at = ma.fields.AwareDateTime()
    sections = ma.fields.List(ma.fields.Nested(SectionSchema))


class CloseAccountSchema(Schema):
    password = ma.fields.String(
        required=True,
        load_only=True,
        validate=ma.validate.Length(min=1, max=128),
        metadata={"description": "Your current password, to confirm"},
    )
