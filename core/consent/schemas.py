"""API schemas of the consents and of the texts they are given to."""

from __future__ import annotations

import marshmallow as ma

from core.consent.models import ConsentKind
from core.inputs import Schema


class ConsentSchema(Schema):
    kind = ma.fields.Enum(ConsentKind, by_value=True)
    version = ma.fields.String(metadata={"description": "The version of the text agreed to"})
    given_at = ma.fields.AwareDateTime()
    withdrawn_at = ma.fields.AwareDateTime(allow_none=True)


class CurrentTextSchema(Schema):
    kind = ma.fields.Enum(ConsentKind, by_value=True)
    version = ma.fields.String()
    published_on = ma.fields.Date()
    url = ma.fields.String(metadata={"description": "Where to read it"})
