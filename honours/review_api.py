"""API of the review of nominations level by level: the queue of what waits at the caller's
levels, a step (forward, return, reject, send down), a declared conflict of interest, and the
background checks the district and the city keep."""

from __future__ import annotations

from flask.views import MethodView
from flask_login import current_user

from core.api import Blueprint, Page, answer_page, window_of
from core.auth.access import role_required
from core.auth.models import Role
from core.clock import local_zone, utcnow
from core.extensions import db
from core.workdays import load_calendar
from honours.review_schemas import (
    BackgroundCheckSchema,
    BackgroundCheckWriteSchema,
    ConflictSchema,
    ConflictWriteSchema,
    ReviewStepSchema,
    ReviewStepWriteSchema,
    WaitingSchema,
)
from honours.services import background, review

blp = Blueprint(
    "honours_review_api",
    __name__,
    url_prefix="/api/v1",
    description="Review of nominations level by level",
)
BEARER = [{"bearerAuth": []}]
# Clerks and panel reviewers are accounts holding an assignment (core.auth.assignments); the
# services keep each to the nominations of their level and region, the city acts at its own.
REVIEWERS = (Role.volunteer, Role.office)


@blp.route("/honours/review-queue")
class ReviewQueue(MethodView):
    @role_required(*REVIEWERS, owner="self")
    @blp.doc(security=BEARER)
    @blp.response(200, WaitingSchema(many=True))
    @blp.paginate()
    def get(self, pagination_parameters):
        """The nominations waiting at the caller's review levels in their regions, the
        earliest due first (a clerk, or the city at its level)"""
        found = review.list_review_queue(
            current_user,
            window_of(pagination_parameters),
            now=utcnow(),
            calendar=load_calendar(),
            zone=local_zone(),
        )
        return answer_page(pagination_parameters, found)


@blp.route("/honours/nominations/<int:nomination_id>/steps")
class NominationSteps(MethodView):
    @role_required(*REVIEWERS, owner="self")
    @blp.doc(security=BEARER)
    @blp.arguments(ReviewStepWriteSchema)
    @blp.response(201, ReviewStepSchema)
    def post(self, data, nomination_id: int):
        """Take a step at the nomination's review level, as the reviewer of that level in its
        region (the city at the city's): forward, return or reject, or send a media case down
        (the city)"""
        step = review.review(current_user, nomination_id, data.pop("action"), now=utcnow(), **data)
        db.session.commit()
        return step


@blp.route("/honours/nominations/<int:nomination_id>/conflicts")
class NominationConflicts(MethodView):
    @role_required(*REVIEWERS, owner="self")
    @blp.doc(security=BEARER)
    @blp.arguments(ConflictWriteSchema)
    @blp.response(201, ConflictSchema)
    def post(self, data, nomination_id: int):
        """Declare a conflict of interest with the nomination (a clerk acting in its region,
        the city, or a panel reviewer of its round): the caller acts on it no more"""
        declaration = review.declare_conflict(
            current_user, nomination_id, data["reason"], now=utcnow()
        )
        db.session.commit()
        return declaration


@blp.route("/honours/nominations/<int:nomination_id>/background-checks")
class BackgroundChecks(MethodView):
    @role_required(*REVIEWERS, owner="self")
    @blp.doc(security=BEARER)
    @blp.response(200, BackgroundCheckSchema(many=True))
    @blp.paginate(Page)
    def get(self, nomination_id: int):
        """The nomination's background checks, one per agency asked (the district of the
        nominee and the city only)"""
        return background.list_checks(current_user, nomination_id, now=utcnow())

    @role_required(*REVIEWERS, owner="self")
    @blp.doc(security=BEARER)
    @blp.arguments(BackgroundCheckWriteSchema)
    @blp.response(200, BackgroundCheckSchema)
    def post(self, data, nomination_id: int):
        """Record the check with one agency, or change it until it is answered (the district
        of the nominee or the city, at the district's or the city's review)"""
        check = background.record_check(
            current_user, nomination_id, data.pop("agency"), data, now=utcnow()
        )
        db.session.commit()
        return check
