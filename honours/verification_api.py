"""API of courtesy-card verification for a partner's staff: check a card (valid or invalid
only), the holder's photo for that check, record a use of a benefit, report an ID card that did
not match, and the partner's own uses by month."""

from __future__ import annotations

from functools import wraps

from flask import url_for
from flask.views import MethodView
from flask_login import current_user

from core.api import Blueprint, answer_page, window_of
from core.auth.access import Who, role_required
from core.clock import utcnow
from core.errors import Forbidden
from core.extensions import db
from core.rows import Window
from core.settings import current_settings
from core.uploads.views import file_response
from honours.services import verification
from honours.services.partner_staff import NOT_PARTNER_STAFF, partners_of
from honours.verification_limits import card_guess_limits, mark_check_refused
from honours.verification_schemas import (
    CheckSchema,
    CheckWriteSchema,
    MismatchSchema,
    MismatchWriteSchema,
    UseSchema,
    UsesQuerySchema,
    UsesSummarySchema,
    UseWriteSchema,
)

blp = Blueprint(
    "verification_api",
    __name__,
    url_prefix="/api/v1",
    description=(
        "Courtesy-card verification by a partner's staff: a check answers valid or invalid "
        "only; uses of benefits and the partner's own uses"
    ),
)
BEARER = [{"bearerAuth": []}]
IMAGE = {"schema": {"type": "string", "format": "binary"}}


def partner_staff_first(view):
    """Refuse anyone who works for no approved card partner before the body is read."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        if not partners_of(current_user, utcnow()):
            raise Forbidden(NOT_PARTNER_STAFF)
        return view(*args, **kwargs)

    return wrapped


def _answer(found: verification.CheckAnswer) -> dict:
    if not found.is_valid:
        mark_check_refused()
        return {"check_id": found.check_id, "is_valid": False}
    photo = (
        url_for("verification_api.CheckPhoto", check_id=found.check_id) if found.has_photo else None
    )
    return {
        "check_id": found.check_id,
        "is_valid": True,
        "card_id": found.card_id,
        "name": found.name,
        "id_last4": found.id_last4,
        "photo_url": photo,
        "benefits": list(found.benefits),
    }


@blp.route("/partner/checks")
class Checks(MethodView):
    @role_required(Who.partner_staff)
    @partner_staff_first
    @card_guess_limits
    @blp.doc(security=BEARER)
    @blp.arguments(CheckWriteSchema)
    @blp.response(200, CheckSchema)
    def post(self, data):
        """Check a card by its scanned QR code or its typed number (the staff of an approved
        partner). The answer is valid or invalid only; for a valid card the holder's name, photo,
        the last 4 characters of the ID number and the benefits left here. Refused checks count
        against CARD_GUESSES_PER_PARTNER and CARD_GUESSES_PER_USER (429 beyond)"""
        found = verification.check_card(
            current_user, **data, now=utcnow(), settings=current_settings()
        )
        db.session.commit()
        return _answer(found)


@blp.route("/partner/checks/<int:check_id>/photo")
class CheckPhoto(MethodView):
    @role_required(Who.partner_staff)
    @partner_staff_first
    @blp.doc(
        security=BEARER,
        responses={"200": {"description": "The holder's photo", "content": {"image/jpeg": IMAGE}}},
    )
    def get(self, check_id: int):
        """The photo of the holder of a card found valid in this check, for the staff member
        who made it, within 30 minutes and while the card is valid (404 otherwise)"""
        return file_response(verification.get_check_photo(current_user, check_id, now=utcnow()))


@blp.route("/partner/uses")
class Uses(MethodView):
    @role_required(Who.partner_staff)
    @partner_staff_first
    @blp.doc(security=BEARER)
    @blp.arguments(UsesQuerySchema, location="query")
    @blp.response(200, UseSchema(many=True))
    @blp.paginate()
    def get(self, query, pagination_parameters):
        """The uses recorded at the caller's partner in a month, newest first (its own only)"""
        now = utcnow()
        found = verification.list_uses(
            current_user,
            month=verification.month_of(query["month"], now),
            window=window_of(pagination_parameters),
            now=now,
            partner_id=query["partner_id"],
        )
        return answer_page(pagination_parameters, found.uses)

    @role_required(Who.partner_staff)
    @partner_staff_first
    @blp.doc(security=BEARER)
    @blp.arguments(UseWriteSchema)
    @blp.response(201, UseSchema)
    def post(self, data):
        """Record a use of a benefit on a card the caller checked valid here within 30 minutes:
        the benefit given here, for the holder's level, with a use left this period (409
        `limit_reached`, `card_invalid`, `check_first`; 422 `not_for_level`, or a benefit not
        given here). A refusal is recorded"""
        use = verification.record_use(
            current_user, **data, now=utcnow(), settings=current_settings()
        )
        db.session.commit()
        return use


@blp.route("/partner/uses/summary")
class UsesSummary(MethodView):
    @role_required(Who.partner_staff)
    @partner_staff_first
    @blp.doc(security=BEARER)
    @blp.arguments(UsesQuerySchema, location="query")
    @blp.response(200, UsesSummarySchema)
    def get(self, query):
        """How many uses the caller's partner recorded in a month and what they are worth, in
        fen, for settlement"""
        now = utcnow()
        return verification.list_uses(
            current_user,
            month=verification.month_of(query["month"], now),
            window=Window(size=1),
            now=now,
            partner_id=query["partner_id"],
        )


@blp.route("/partner/mismatches")
class Mismatches(MethodView):
    @role_required(Who.partner_staff)
    @partner_staff_first
    @blp.doc(security=BEARER)
    @blp.arguments(MismatchWriteSchema)
    @blp.response(201, MismatchSchema)
    def post(self, data):
        """Report that the ID card shown did not match the holder of a card the caller checked
        valid here within 30 minutes: recorded, no use; a use needs a new check"""
        check = verification.report_mismatch(current_user, **data, now=utcnow())
        db.session.commit()
        return check
