"""API of consent and of the panel review: the answers about publishing a nomination (and the
SMS code a phone proves itself by), a round's reviewers, the ballot, votes, and the tallies
of closed reviews."""

from __future__ import annotations

from flask import request
from flask.views import MethodView
from flask_login import current_user

from core.api import Blueprint, Page, answer_page, window_of
from core.auth.access import role_required
from core.auth.models import Role, SmsPurpose
from core.auth.sms import current_gateway
from core.auth.sms_services import sent_message
from core.clock import utcnow
from core.extensions import db
from core.settings import current_settings
from honours.panel_schemas import (
    BallotEntrySchema,
    ConsentCodeRequestSchema,
    ConsentCodeSentSchema,
    ConsentWriteSchema,
    NominationConsentSchema,
    PanelMemberSchema,
    PanelMemberWriteSchema,
    TallySchema,
    VoteSchema,
    VoteWriteSchema,
)
from honours.services import nomination_consent, panel

blp = Blueprint(
    "honours_panel_api",
    __name__,
    url_prefix="/api/v1",
    description="Consent to publishing nominations, and the panel review",
)
BEARER = [{"bearerAuth": []}]
# Clerks and panel reviewers are accounts holding an assignment (core.auth.assignments); the
# services keep each to the nominations of their region or round, the city acts everywhere.
CLERKS = (Role.volunteer, Role.office)


def _consent(shown: nomination_consent.ShownConsent) -> dict:
    answer = shown.answer
    return {
        **{
            key: getattr(answer, key)
            for key in NominationConsentSchema().fields
            if hasattr(answer, key)
        },
        "phone": shown.phone,
        "form_key": answer.form.public_key if answer.form is not None else None,
    }


# Consent ------------------------------------------------------------------------------------------


@blp.route("/honours/nominations/<int:nomination_id>/consents")
class NominationConsents(MethodView):
    @role_required(*CLERKS, owner="self")
    @blp.doc(security=BEARER)
    @blp.response(200, NominationConsentSchema(many=True))
    @blp.paginate(Page)
    def get(self, nomination_id: int):
        """The answers about publishing the nomination, newest first (a clerk of the nominee's
        region, or the city); phones masked"""
        shown = nomination_consent.list_consents(current_user, nomination_id, now=utcnow())
        return [_consent(each) for each in shown]

    @role_required(*CLERKS, owner="self")
    @blp.doc(security=BEARER)
    @blp.arguments(ConsentWriteSchema, location="form", content_type="multipart/form-data")
    @blp.response(201, NominationConsentSchema)
    def post(self, data, nomination_id: int):
        """Record an answer about publishing the nomination (a clerk of the nominee's region,
        or the city), as multipart/form-data: at the consent stage an agreement sends it to
        the panel and a refusal archives it; from the panel on, a withdrawal (or an agreement
        given again) hides it from the public at once (or shows it again)"""
        upload = request.files.get("form")
        scan = nomination_consent.Scan(upload.stream, upload.filename) if upload else None
        answer = nomination_consent.record_consent(
            current_user,
            nomination_id,
            data,
            now=utcnow(),
            settings=current_settings(),
            scan=scan,
        )
        shown = _consent(nomination_consent.shown_answer(answer))
        db.session.commit()
        return shown


@blp.route("/honours/nominations/<int:nomination_id>/consents/code")
class NominationConsentCode(MethodView):
    @role_required(*CLERKS, owner="self")
    @blp.doc(security=BEARER)
    @blp.arguments(ConsentCodeRequestSchema)
    @blp.response(202, ConsentCodeSentSchema)
    def post(self, data, nomination_id: int):
        """Send a consent code by SMS to the phone of the one who answers; they tell it to the
        clerk, who records their answer with it"""
        settings = current_settings()
        nomination_consent.send_consent_code(
            current_user,
            nomination_id,
            data["phone"],
            now=utcnow(),
            settings=settings,
            gateway=current_gateway(),
        )
        db.session.commit()
        return {
            "message": sent_message(SmsPurpose.consent, settings.sms),
            "valid_seconds": int(settings.sms.code_lifetime.total_seconds()),
        }


# The panel ----------------------------------------------------------------------------------------


@blp.route("/honours/rounds/<int:round_id>/panel/members")
class PanelMembers(MethodView):
    @role_required(*CLERKS, owner="self")
    @blp.doc(security=BEARER)
    @blp.response(200, PanelMemberSchema(many=True))
    @blp.paginate(Page)
    def get(self, round_id: int):
        """The round's panel reviewers in the order they were assigned (the city)"""
        return panel.list_members(current_user, round_id, now=utcnow())

    @role_required(*CLERKS, owner="self")
    @blp.doc(security=BEARER)
    @blp.arguments(PanelMemberWriteSchema)
    @blp.response(201, PanelMemberSchema)
    def post(self, data, round_id: int):
        """Put an account holding the panel reviewer's role on the round's panel (the city)"""
        member = panel.assign_member(current_user, round_id, data["user_id"], now=utcnow())
        db.session.commit()
        return member


@blp.route("/honours/rounds/<int:round_id>/panel/members/<int:user_id>")
class OnePanelMember(MethodView):
    @role_required(*CLERKS, owner="self")
    @blp.doc(security=BEARER)
    @blp.response(204)
    def delete(self, round_id: int, user_id: int):
        """Take a reviewer off the round's panel (the city); the votes they cast stay"""
        panel.remove_member(current_user, round_id, user_id, now=utcnow())
        db.session.commit()


@blp.route("/honours/rounds/<int:round_id>/panel/nominations")
class PanelBallot(MethodView):
    @role_required(*CLERKS, owner="self")
    @blp.doc(security=BEARER)
    @blp.response(200, BallotEntrySchema(many=True))
    @blp.paginate()
    def get(self, round_id: int, pagination_parameters):
        """The round's nominations at the panel stage as the panel reads them (the round's
        reviewers with their own vote, the city with the votes cast)"""
        found = panel.list_ballot(
            current_user, round_id, window_of(pagination_parameters), now=utcnow()
        )
        return answer_page(pagination_parameters, found)


@blp.route("/honours/rounds/<int:round_id>/panel/tallies")
class PanelTallies(MethodView):
    @role_required(*CLERKS, owner="self")
    @blp.doc(security=BEARER)
    @blp.response(200, TallySchema(many=True))
    @blp.paginate()
    def get(self, round_id: int, pagination_parameters):
        """The tallies of the round's closed panel reviews, the latest first (the city and the
        round's reviewers)"""
        found = panel.list_tallies(
            current_user, round_id, window_of(pagination_parameters), now=utcnow()
        )
        return answer_page(pagination_parameters, found)


@blp.route("/honours/nominations/<int:nomination_id>/panel")
class NominationBallot(MethodView):
    @role_required(*CLERKS, owner="self")
    @blp.doc(security=BEARER)
    @blp.response(200, BallotEntrySchema)
    def get(self, nomination_id: int):
        """One nomination at the panel stage as the panel reads it"""
        return panel.get_ballot(current_user, nomination_id, now=utcnow())


@blp.route("/honours/nominations/<int:nomination_id>/panel/votes")
class NominationVotes(MethodView):
    @role_required(*CLERKS, owner="self")
    @blp.doc(security=BEARER)
    @blp.arguments(VoteWriteSchema)
    @blp.response(201, VoteSchema)
    def post(self, data, nomination_id: int):
        """Vote on the nomination, once, as a reviewer of its round (not one who filed it or
        declared a conflict); a second vote is refused (409)"""
        vote = panel.cast_vote(current_user, nomination_id, data, now=utcnow())
        db.session.commit()
        return vote


@blp.route("/honours/nominations/<int:nomination_id>/panel/tally")
class NominationTally(MethodView):
    @role_required(*CLERKS, owner="self")
    @blp.doc(security=BEARER)
    @blp.response(200, TallySchema)
    def get(self, nomination_id: int):
        """The tally of the nomination's closed panel review (the city and the round's
        reviewers)"""
        return panel.get_tally(current_user, nomination_id, now=utcnow())

    @role_required(*CLERKS, owner="self")
    @blp.doc(security=BEARER)
    @blp.response(201, TallySchema)
    def post(self, nomination_id: int):
        """Close the panel's review of the nomination and keep its tally (the city): the
        nomination stays at the panel stage, ready for the notice"""
        tally = panel.close_review(current_user, nomination_id, now=utcnow())
        db.session.commit()
        return tally
