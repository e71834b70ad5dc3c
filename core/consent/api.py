"""API: the current texts, my consents, agreeing to the privacy notice and to the location
check, and withdrawing the location consent."""

from __future__ import annotations

from flask import url_for
from flask.views import MethodView
from flask_login import current_user

from core.api import Blueprint, Page
from core.auth.access import login_required, public, role_required
from core.auth.models import Role
from core.clock import utcnow
from core.consent import services
from core.consent.models import ConsentKind
from core.consent.schemas import ConsentSchema, CurrentTextSchema
from core.extensions import db

blp = Blueprint(
    "consent_api",
    __name__,
    url_prefix="/api/v1",
    description=(
        "The privacy notice and consents. Until a signed-in user has agreed to the current "
        "version of the privacy notice (GET /consents/current; read it at /privacy), every "
        "other operation answers 403 with the code `consent_required`; POST "
        "/me/consents/privacy-notice gives the consent. A check-in with the phone's position "
        "at an activity that checks it answers 403 with `location_consent_required` until "
        "POST /me/consents/location."
    ),
)
BEARER = [{"bearerAuth": []}]


@blp.route("/consents/current")
class CurrentTexts(MethodView):
    @public(why="the versions of the texts one agrees to, read before registering")
    @blp.response(200, CurrentTextSchema(many=True))
    @blp.paginate(Page)
    def get(self):
        """The current version of each text users agree to"""
        url = url_for("consent.privacy")
        return [
            {
                "kind": kind,
                "version": text.version,
                "published_on": text.published_on,
                "url": url,
            }
            for kind, text in services.CURRENT_TEXTS.items()
        ]


@blp.route("/me/consents")
class MyConsents(MethodView):
    @login_required(owner="self", why="every account reads the consents it gave")
    @blp.doc(security=BEARER)
    @blp.response(200, ConsentSchema(many=True))
    @blp.paginate(Page)
    def get(self):
        """Every consent I gave, newest first, withdrawn ones included"""
        return services.list_consents(current_user)


@blp.route("/me/consents/privacy-notice")
class PrivacyConsent(MethodView):
    @login_required(owner="self", why="every account agrees to the privacy notice")
    @blp.doc(security=BEARER)
    @blp.response(200, ConsentSchema)
    def post(self):
        """Agree to the current version of the privacy notice (agreeing again changes nothing)"""
        consent = services.give_consent(current_user, ConsentKind.privacy_notice, now=utcnow())
        db.session.commit()
        return consent


@blp.route("/me/consents/location")
class LocationConsent(MethodView):
    @role_required(
        Role.volunteer, owner="self", why="a volunteer's own consent to the location check"
    )
    @blp.doc(security=BEARER)
    @blp.response(200, ConsentSchema)
    def post(self):
        """Agree that a check-in at an activity with a geofence checks my phone's position (only
        whether it is inside the circle and how far, never the position itself, is kept)"""
        consent = services.give_consent(current_user, ConsentKind.location, now=utcnow())
        db.session.commit()
        return consent

    @role_required(
        Role.volunteer, owner="self", why="a volunteer's own consent to the location check"
    )
    @blp.doc(security=BEARER)
    @blp.response(204)
    def delete(self):
        """Withdraw my location consent: check-ins that check the position are refused until I
        agree again"""
        services.withdraw_consent(current_user, ConsentKind.location, now=utcnow())
        db.session.commit()
