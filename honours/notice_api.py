"""API of the public notice (公示): the notices and their entries for everyone (limited per
client address, counted with the notice's pages); likes and real-name objections for any
account with a verified phone; the objector's own objections; the objections of a district
(or all, for the city) and their answers; the city's view of a round's notice, and opening it."""

from __future__ import annotations

from flask.views import MethodView
from flask_login import current_user

from core.api import Blueprint, Page, answer_page, window_of
from core.auth.access import login_required, public, role_required
from core.auth.models import Role
from core.clock import utcnow
from core.extensions import db
from core.settings import current_settings
from honours.notice_schemas import (
    AnswerSchema,
    LikeResultSchema,
    MyObjectionSchema,
    ObjectionCreateSchema,
    ObjectionQuerySchema,
    ObjectionSchema,
    OpenNoticeSchema,
    PublicNoticeBriefSchema,
    PublicNoticeSchema,
    RoundNoticeSchema,
)
from honours.notice_views import notice_limit
from honours.services import notice

blp = Blueprint(
    "notice_api", __name__, url_prefix="/api/v1", description="Public notices (公示) of rounds"
)
BEARER = [{"bearerAuth": []}]
# Clerks are accounts holding an assignment (core.auth.assignments); the services keep each
# to their district, the office acts everywhere.
CLERKS = (Role.volunteer, Role.office)
ANYONE_VERIFIED = "any account with a verified phone may {} an entry while its notice runs"


@blp.route("/notices")
class Notices(MethodView):
    @public(why="the public notices (公示) are public, with nominees who agreed to be shown")
    @notice_limit
    @blp.response(200, PublicNoticeBriefSchema(many=True))
    @blp.paginate(Page)
    def get(self):
        """The notices running now and those closed within the last 30 days, the latest
        first"""
        return notice.list_public_notices(utcnow())


@blp.route("/notices/<int:round_id>")
class OneNotice(MethodView):
    @public(why="a public notice (公示) is public; a round without one is not found")
    @notice_limit
    @blp.response(200, PublicNoticeSchema)
    def get(self, round_id: int):
        """A round's notice: its period and the entries it shows (name, district and street,
        category, summary, the approved deeds, photo, likes); how to object is the objections
        endpoint, or the office's email and hotline"""
        return notice.get_public_notice(round_id, utcnow())


@blp.route("/notices/entries/<int:nomination_id>/likes")
class Likes(MethodView):
    @login_required(why=ANYONE_VERIFIED.format("like"))
    @blp.doc(security=BEARER)
    @blp.response(200, LikeResultSchema)
    def post(self, nomination_id: int):
        """Like an entry of a running notice, once a day; liking it again that day changes
        nothing (`counted` is false). Needs a phone verified by SMS code (409 otherwise)"""
        result = notice.like(current_user, nomination_id, now=utcnow())
        db.session.commit()
        return result


@blp.route("/notices/entries/<int:nomination_id>/objections")
class Objections(MethodView):
    @login_required(why=ANYONE_VERIFIED.format("object to"))
    @blp.doc(security=BEARER)
    @blp.arguments(ObjectionCreateSchema)
    @blp.response(201, MyObjectionSchema)
    def post(self, data, nomination_id: int):
        """Object to an entry of a running notice under my real name (my account's name and
        verified number are kept with it); the nominee's district answers within 10 working
        days"""
        objection = notice.file_objection(
            current_user,
            nomination_id,
            data["text"],
            is_name_confirmed=data["is_name_confirmed"],
            now=utcnow(),
        )
        db.session.commit()
        return objection


@blp.route("/me/objections")
class MyObjections(MethodView):
    @login_required(owner="self", why="the objections one filed and their answers are theirs")
    @blp.doc(security=BEARER)
    @blp.response(200, MyObjectionSchema(many=True))
    @blp.paginate()
    def get(self, pagination_parameters):
        """The objections I filed, the latest first, with their answers"""
        found = notice.list_my_objections(current_user, window_of(pagination_parameters))
        return answer_page(pagination_parameters, found)


@blp.route("/honours/objections")
class ClerkObjections(MethodView):
    @role_required(*CLERKS, owner="self")
    @blp.doc(security=BEARER)
    @blp.arguments(ObjectionQuerySchema, location="query")
    @blp.response(200, ObjectionSchema(many=True))
    @blp.paginate()
    def get(self, query, pagination_parameters):
        """The objections of my district (all of them for the city), the unanswered first by
        the day they are due"""
        found = notice.list_objections(
            current_user,
            window_of(pagination_parameters),
            now=utcnow(),
            round_id=query.get("round_id"),
            is_answered=query.get("is_answered"),
        )
        return answer_page(pagination_parameters, found)


@blp.route("/honours/objections/<int:objection_id>")
class OneObjection(MethodView):
    @role_required(*CLERKS, owner="self")
    @blp.doc(security=BEARER)
    @blp.response(200, ObjectionSchema)
    def get(self, objection_id: int):
        """One objection, for its objector, the nominee's district and the city"""
        return notice.get_objection(current_user, objection_id, utcnow())


@blp.route("/honours/objections/<int:objection_id>/answer")
class AnswerObjection(MethodView):
    @role_required(*CLERKS, owner="self")
    @blp.doc(security=BEARER)
    @blp.arguments(AnswerSchema)
    @blp.response(200, ObjectionSchema)
    def post(self, data, objection_id: int):
        """Answer an objection, once (the nominee's district or the city): upheld takes the
        entry off the notice, dismissed leaves it"""
        objection = notice.answer_objection(
            current_user, objection_id, data["outcome"], data["answer"], now=utcnow()
        )
        db.session.commit()
        return objection


def _overview(round_id: int) -> dict:
    found = notice.notice_overview(
        current_user, round_id, now=utcnow(), settings=current_settings().notice
    )
    return {
        "round_id": found.round.id,
        "opens_at": found.notice.opens_at if found.notice else None,
        "closes_at": found.notice.closes_at if found.notice else None,
        "is_running": found.is_running,
        "candidates": found.candidates,
        "entries": found.lines,
    }


@blp.route("/honours/rounds/<int:round_id>/notice")
class RoundNotice(MethodView):
    @role_required(*CLERKS, owner="self")
    @blp.doc(security=BEARER)
    @blp.response(200, RoundNoticeSchema)
    def get(self, round_id: int):
        """A round's notice for the city: before it opens, the nominations whose panel review
        is closed with their tallies; after, each entry with its likes, a flag for a burst of
        likes from new accounts, and its objections"""
        return _overview(round_id)

    @role_required(*CLERKS, owner="self")
    @blp.doc(security=BEARER)
    @blp.arguments(OpenNoticeSchema)
    @blp.response(201, RoundNoticeSchema)
    def post(self, data, round_id: int):
        """Open the round's notice (the city), once: the chosen tallied nominations go on it
        for the round's days of notice, the round's other tallied nominations are rejected"""
        notice.open_notice(current_user, round_id, data["nomination_ids"], now=utcnow())
        db.session.commit()
        return _overview(round_id)
