"""API: the city's region tree and the sectors, public (where things are is no secret)."""

from __future__ import annotations

import marshmallow as ma
from flask.views import MethodView

from core import regions
from core.api import Blueprint, Page, answer_page, window_of
from core.auth.access import public
from core.inputs import Schema
from core.regions import RegionLevel

blp = Blueprint(
    "regions_api",
    __name__,
    url_prefix="/api/v1",
    description=(
        "The city's regions, top down: city (市) → district or county (区县) → town or street "
        "(镇街) → community or village (社区村), and the sectors (系统/行业). A district-level "
        "region's `district_id` is the district that volunteers, teams and merchants name."
    ),
)


class RegionSchema(Schema):
    id = ma.fields.Integer()
    code = ma.fields.String()
    name = ma.fields.String()
    name_en = ma.fields.String()
    level = ma.fields.Enum(RegionLevel, by_value=True)
    parent_id = ma.fields.Integer(allow_none=True)
    district_id = ma.fields.Integer(
        allow_none=True, metadata={"description": "Set on the district level only"}
    )
    position = ma.fields.Integer()


class RegionDetailSchema(RegionSchema):
    path = ma.fields.List(
        ma.fields.Nested(RegionSchema),
        metadata={"description": "The regions above this one, from the city down"},
    )
    children = ma.fields.List(
        ma.fields.Nested(RegionSchema), metadata={"description": "The regions right under it"}
    )


class RegionQuerySchema(Schema):
    parent_id = ma.fields.Integer(metadata={"description": "Only the regions right under it"})
    level = ma.fields.Enum(RegionLevel, by_value=True)
    code = ma.fields.String(validate=ma.validate.Length(max=32))


class SectorSchema(Schema):
    id = ma.fields.Integer()
    code = ma.fields.String()
    name = ma.fields.String()
    name_en = ma.fields.String()
    position = ma.fields.Integer()


@blp.route("/regions")
class Regions(MethodView):
    @public(why="the city's region tree is public, as any map is")
    @blp.arguments(RegionQuerySchema, location="query")
    @blp.response(200, RegionSchema(many=True))
    @blp.paginate()
    def get(self, args, pagination_parameters):
        """Regions level by level, siblings in the city's order; filter by parent, level or
        code"""
        found = regions.find_regions(window_of(pagination_parameters), **args)
        return answer_page(pagination_parameters, found)


@blp.route("/regions/<int:region_id>")
class OneRegion(MethodView):
    @public(why="the city's region tree is public, as any map is")
    @blp.response(200, RegionDetailSchema)
    def get(self, region_id: int):
        """A region with the path above it and the regions right under it"""
        region = regions.get_region_by_id(region_id)
        return {
            **{name: getattr(region, name) for name in RegionSchema().fields},
            "path": regions.ancestors(region),
            "children": regions.list_children(region),
        }


@blp.route("/sectors")
class Sectors(MethodView):
    @public(why="the sectors that nominate are public")
    @blp.response(200, SectorSchema(many=True))
    @blp.paginate(Page)
    def get(self):
        """The sectors (系统/行业), in the office's order"""
        return regions.list_sectors()
