"""API of the public honour roll (好人榜), for everyone without a token: the search, a
person's story and the figures. Limited per client address, counted with the roll's pages."""

from __future__ import annotations

from flask.views import MethodView

from core.api import Blueprint, answer_page, window_of
from core.auth.access import public
from honours.roll_schemas import (
    FiguresQuerySchema,
    RollEntrySchema,
    RollFiguresSchema,
    RollQuerySchema,
    RollStorySchema,
)
from honours.roll_views import roll_limit
from honours.services import roll, statistics

blp = Blueprint("roll_api", __name__, url_prefix="/api/v1", description="The public honour roll")


@blp.route("/honour-roll")
class Roll(MethodView):
    @public(why="the honour roll is public: approved stories of people who agreed to be shown")
    @roll_limit
    @blp.arguments(RollQuerySchema, location="query")
    @blp.response(200, RollEntrySchema(many=True))
    @blp.paginate()
    def get(self, query, pagination_parameters):
        """The persons on the honour roll, the most recently honoured first; narrowed by the
        year, level and category of an honour and by district"""
        found = roll.search_roll(roll.RollFilter(**query), window_of(pagination_parameters))
        return answer_page(pagination_parameters, found)


@blp.route("/honour-roll/<int:person_id>")
class Story(MethodView):
    @public(why="a story on the honour roll is public; a person not shown is not found")
    @roll_limit
    @blp.response(200, RollStorySchema)
    def get(self, person_id: int):
        """A person's story on the roll: the approved text, photo, place and honours (404 for
        anyone not shown)"""
        return roll.get_roll_entry(person_id)


@blp.route("/honour-roll/statistics")
class Figures(MethodView):
    @public(why="the city's figures of honours are public, counts only")
    @roll_limit
    @blp.arguments(FiguresQuerySchema, location="query")
    @blp.response(200, RollFiguresSchema)
    def get(self, query):
        """Honours held by level and type, category and district (of a year, or of all),
        counted as the city reports them, and the persons the roll shows"""
        return statistics.roll_figures(query.get("year"))
