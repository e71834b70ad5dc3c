"""API of the bus company's list of card numbers (公交免费乘车名单): the bus company's system
reads its newest list with a token of its service account limited to that use; the staff of a
bus partner may read it with their ordinary token too."""

from __future__ import annotations

from flask.views import MethodView
from flask_login import current_user

from core.api import Blueprint
from core.auth.access import Who, current_token_id, role_required
from core.auth.models import TokenScope
from core.clock import utcnow
from core.extensions import db
from honours.bus_models import FetchChannel
from honours.bus_schemas import BusListQuerySchema, BusListSchema
from honours.services import bus_list

blp = Blueprint(
    "bus_api",
    __name__,
    url_prefix="/api/v1",
    description="The bus company's list of courtesy-card numbers that ride free (numbers only)",
)
BEARER = [{"bearerAuth": []}]


def list_payload(found: bus_list.BusList) -> dict:
    """A list as the API and the download give it: numbers, no names."""
    return {
        "export_id": found.export.id,
        "night": found.export.night,
        "made_at": found.export.made_at,
        "since_export_id": found.since.id if found.since is not None else None,
        "valid": found.valid,
        "invalid": found.invalid,
    }


@blp.route("/partner/bus-list")
class BusList(MethodView):
    @role_required(Who.partner_staff, scopes=(TokenScope.bus_list,))
    @blp.doc(security=BEARER)
    @blp.arguments(BusListQuerySchema, location="query")
    @blp.response(200, BusListSchema)
    def get(self, query):
        """The newest list of my bus company (made each night): the card numbers that ride
        free, and those no longer valid since the previous list (or since the older list
        `since`). For the bus company's service token (limited to this) or its staff; each
        fetch is recorded for the office. 404 when no list is made yet, or `since` is no list
        of mine; 403 for anyone not working for a bus company"""
        found = bus_list.read_list(
            current_user,
            now=utcnow(),
            channel=FetchChannel.api,
            since_id=query["since"],
            token_id=current_token_id(),
        )
        db.session.commit()
        return list_payload(found)
