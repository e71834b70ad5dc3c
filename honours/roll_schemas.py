"""API schemas of the public honour roll: its search, an entry, a story and the figures.
Nothing in them is sensitive: they dump `RollEntry` values, never a person's row."""

from __future__ import annotations

import marshmallow as ma
from flask import url_for

from core.inputs import Schema
from honours.models import HonourCategory, HonourLevel
from honours.services.roll import FIRST_YEAR, LAST_YEAR


def _photo_url(entry) -> str | None:
    return url_for("uploads.show", upload_key=entry.photo_key) if entry.photo_key else None


class RollQuerySchema(Schema):
    year = ma.fields.Integer(validate=ma.validate.Range(min=FIRST_YEAR, max=LAST_YEAR))
    level = ma.fields.Enum(HonourLevel, by_value=True)
    category = ma.fields.Enum(HonourCategory, by_value=True)
    district_id = ma.fields.Integer()


class FiguresQuerySchema(Schema):
    year = ma.fields.Integer(validate=ma.validate.Range(min=FIRST_YEAR, max=LAST_YEAR))


class RollPlaceSchema(Schema):
    id = ma.fields.Integer()
    name = ma.fields.String(attribute="label")


class RollHonourSchema(Schema):
    type_code = ma.fields.String(metadata={"description": "e.g. good_person_china"})
    name = ma.fields.String(attribute="label")
    level = ma.fields.Enum(HonourLevel, by_value=True)
    category = ma.fields.Enum(HonourCategory, by_value=True, allow_none=True)
    year = ma.fields.Integer()


class RollEntrySchema(Schema):
    """A person on the roll in a list."""

    id = ma.fields.Integer(attribute="person_id")
    name = ma.fields.String()
    district = ma.fields.Nested(RollPlaceSchema)
    town = ma.fields.Nested(
        RollPlaceSchema, allow_none=True, metadata={"description": "The town or street"}
    )
    is_deceased = ma.fields.Boolean()
    honours = ma.fields.List(ma.fields.Nested(RollHonourSchema))
    photo_url = ma.fields.Function(
        _photo_url,
        allow_none=True,
        metadata={"description": "The photo, when there is a public one", "type": "string"},
    )


class RollStorySchema(RollEntrySchema):
    """A person's story page: the entry and the approved story."""

    story = ma.fields.String(allow_none=True)


class TypeFigureSchema(Schema):
    code = ma.fields.String(attribute="honour_type.code")
    name = ma.fields.String(attribute="honour_type.label")
    count = ma.fields.Integer()


class LevelFigureSchema(Schema):
    level = ma.fields.Enum(HonourLevel, by_value=True)
    count = ma.fields.Integer()
    types = ma.fields.List(ma.fields.Nested(TypeFigureSchema))


class CategoryFigureSchema(Schema):
    category = ma.fields.Enum(
        HonourCategory,
        by_value=True,
        allow_none=True,
        metadata={"description": "null: honours without a category (teams, volunteers)"},
    )
    count = ma.fields.Integer()


class DistrictFigureSchema(Schema):
    district = ma.fields.Nested(RollPlaceSchema)
    count = ma.fields.Integer()


class RollFiguresSchema(Schema):
    """Honours held, counted as the city reports them (also those of persons not shown on
    the roll; never the revoked), and how many persons the roll shows."""

    year = ma.fields.Integer(allow_none=True)
    total = ma.fields.Integer()
    persons_shown = ma.fields.Integer()
    levels = ma.fields.List(ma.fields.Nested(LevelFigureSchema))
    categories = ma.fields.List(ma.fields.Nested(CategoryFigureSchema))
    districts = ma.fields.List(ma.fields.Nested(DistrictFigureSchema))
