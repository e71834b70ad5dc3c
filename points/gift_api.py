"""API: my family links and gifts (积分转赠), the charity pools and the office's awards from
them."""

from __future__ import annotations

from flask.views import MethodView
from flask_login import current_user

from core.api import Blueprint, Page, answer_page, window_of
from core.auth.access import role_required
from core.auth.models import Role
from core.clock import utcnow
from core.rows import commit_keeping_loaded
from core.settings import current_settings
from points import services
from points.api import IDEMPOTENCY
from points.gift_schemas import (
    FamilyLinkAnswerSchema,
    FamilyLinkCreateSchema,
    FamilyLinkSchema,
    PointsGiftCreateSchema,
    PointsGiftSchema,
    PointsPoolAwardCreateSchema,
    PointsPoolAwardSchema,
    PointsPoolSchema,
)
from points.schemas import IdempotencyHeaderSchema

blp = Blueprint(
    "points_gifts_api",
    __name__,
    url_prefix="/api/v1",
    description="Family links, gifts of points, charity pools and their awards",
)
BEARER = [{"bearerAuth": []}]


@blp.route("/me/family-links")
class MyFamilyLinks(MethodView):
    @role_required(Role.volunteer, owner="self")
    @blp.doc(security=BEARER)
    @blp.response(200, FamilyLinkSchema(many=True))
    @blp.paginate(Page)
    def get(self):
        """My family links, confirmed and waiting (either side), newest first"""
        return services.family_of(current_user)

    @role_required(Role.volunteer, owner="self")
    @blp.doc(security=BEARER)
    @blp.arguments(FamilyLinkCreateSchema)
    @blp.response(201, FamilyLinkSchema)
    def post(self, data):
        """Ask a volunteer, by their mobile number, to confirm they are family; 409
        `link_exists` when the two are linked or a request between them waits"""
        link = services.request_link(current_user, **data, now=utcnow())
        commit_keeping_loaded()
        return link


@blp.route("/me/family-links/<int:link_id>/answer")
class FamilyLinkAnswer(MethodView):
    @role_required(Role.volunteer, owner="self")
    @blp.doc(security=BEARER)
    @blp.arguments(FamilyLinkAnswerSchema)
    @blp.response(200, FamilyLinkSchema)
    def post(self, data, link_id: int):
        """Confirm or decline a request to link (the family member asked); the same answer
        again changes nothing"""
        link = services.answer_link(current_user, link_id, accept=data["accept"], now=utcnow())
        commit_keeping_loaded()
        return link


@blp.route("/me/family-links/<int:link_id>/end")
class FamilyLinkEnd(MethodView):
    @role_required(Role.volunteer, owner="self")
    @blp.doc(security=BEARER)
    @blp.response(200, FamilyLinkSchema)
    def post(self, link_id: int):
        """End a confirmed link (either of the two) or withdraw a waiting request (the one who
        asked); gifts made stay"""
        link = services.end_link(current_user, link_id, now=utcnow())
        commit_keeping_loaded()
        return link


@blp.route("/me/gifts")
class MyGifts(MethodView):
    @role_required(Role.volunteer, owner="self")
    @blp.doc(security=BEARER)
    @blp.response(200, PointsGiftSchema(many=True))
    @blp.paginate()
    def get(self, pagination_parameters):
        """Gifts I gave or received, newest first"""
        found = services.gifts_of(current_user, window=window_of(pagination_parameters))
        return answer_page(pagination_parameters, found)

    @role_required(Role.volunteer, owner="self")
    @blp.doc(security=BEARER)
    @blp.arguments(IdempotencyHeaderSchema, **IDEMPOTENCY)
    @blp.arguments(PointsGiftCreateSchema)
    @blp.response(201, PointsGiftSchema)
    @blp.alt_response(200, schema=PointsGiftSchema, success=True, description="Given before")
    def post(self, headers, data):
        """Give points to a family member of a confirmed link or to a team's or the city's
        charity pool, within the monthly cap (409 `monthly_cap`). The same Idempotency-Key
        again returns the first gift (200) and moves nothing; with another body, 409
        `key_reused`"""
        gift, created = services.give_points(
            current_user,
            **data,
            key=headers["key"],
            now=utcnow(),
            monthly_cap=current_settings().gift_monthly_cap,
        )
        commit_keeping_loaded()
        return gift, 201 if created else 200


@blp.route("/points/pools")
class Pools(MethodView):
    @role_required(Role.volunteer, Role.office)
    @blp.doc(security=BEARER)
    @blp.response(200, PointsPoolSchema(many=True))
    @blp.paginate(Page)
    def get(self):
        """The city's charity pool and each team's pool that took donations, with balances"""
        return services.pools()


@blp.route("/points/pools/awards")
class PoolAwards(MethodView):
    @role_required(Role.office)
    @blp.doc(security=BEARER)
    @blp.arguments(IdempotencyHeaderSchema, **IDEMPOTENCY)
    @blp.arguments(PointsPoolAwardCreateSchema)
    @blp.response(201, PointsPoolAwardSchema)
    @blp.alt_response(200, schema=PointsPoolAwardSchema, success=True, description="Made before")
    def post(self, headers, data):
        """Award points from a charity pool to a volunteer, with the reason they see (office);
        409 `insufficient_balance` when the pool holds less. The same Idempotency-Key again
        returns the first award (200); with another body, 409"""
        award, created = services.award_from_pool(
            current_user, **data, key=headers["key"], now=utcnow()
        )
        commit_keeping_loaded()
        return award, 201 if created else 200
