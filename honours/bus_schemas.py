"""API schemas of the bus company's list of card numbers: numbers only."""

from __future__ import annotations

import marshmallow as ma

from core.inputs import Schema


class BusListQuerySchema(Schema):
    since = ma.fields.Integer(
        load_default=None,
        validate=ma.validate.Range(min=1),
        metadata={
            "description": "The id of an older list of yours: the numbers invalid since that "
            "list instead of since the previous one (for a system that missed some nights)"
        },
    )


class BusListSchema(Schema):
    export_id = ma.fields.Integer(metadata={"description": "The id of this list"})
    night = ma.fields.Date(metadata={"description": "The day the list is for"})
    made_at = ma.fields.AwareDateTime()
    since_export_id = ma.fields.Integer(
        allow_none=True,
        metadata={"description": "The list the invalid numbers are counted from (null: none)"},
    )
    valid = ma.fields.List(
        ma.fields.String(),
        metadata={"description": "The card numbers that ride free, 10 digits each"},
    )
    invalid = ma.fields.List(
        ma.fields.String(),
        metadata={
            "description": "The numbers on the older list that are no longer valid (lost, "
            "replaced, expired, revoked): refuse them"
        },
    )
