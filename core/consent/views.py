"""The privacy notice page, the page that asks for consent to it, the location consent, and
the gate that keeps a signed-in user who has not agreed to the current notice at that page."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from core.auth.access import (
    current_token_scope,
    is_safe_next,
    login_required,
    public,
    role_required,
)
from core.auth.models import Role
from core.clock import utcnow
from core.consent import services
from core.consent.forms import ConsentForm
from core.consent.models import ConsentKind
from core.errors import is_api_request
from core.pages import back_to, carry_out, submit
from core.settings import current_settings

bp = Blueprint("consent", __name__)

# What a user who has not agreed to the current notice may still reach: the notice and the
# consent itself, signing out, the language, the health checks, and leaving (the export of
# their data and closing the account, which do not need their consent to the new terms).
OPEN_WITHOUT_CONSENT = {
    "static",
    "consent.privacy",
    "consent.ask",
    "auth.logout",
    "core.set_language",
    "core.health",
    "core.ready",
    "api-docs.openapi_json",
    "api-docs.openapi_swagger_ui",
    "consent_api.CurrentTexts",
    "consent_api.PrivacyConsent",
    "auth_api.CurrentToken",
}
OPEN_PATHS_WITHOUT_CONSENT = ("/me/export", "/me/close", "/api/v1/me/export", "/api/v1/me/close")

API_CONSENT_MESSAGE = _l(
    "Please read the privacy notice (version %(version)s, at /privacy) and agree to it with "
    "POST /api/v1/me/consents/privacy-notice before going on.",
    version=services.current_text(ConsentKind.privacy_notice).version,
)


@bp.before_app_request
def ask_for_consent():
    """A signed-in user who has not agreed to the current privacy notice (a new account made
    by the office, an account older than the notice, a new version) is sent to the consent
    page from every page, and refused by every API operation with `consent_required`."""
    if request.endpoint is None or request.endpoint in OPEN_WITHOUT_CONSENT:
        return None
    if request.path.startswith(OPEN_PATHS_WITHOUT_CONSENT):
        return None
    if not current_user.is_authenticated:
        return None
    if current_token_scope() is not None:
        # A token limited to one use is another system's (a partner's service account), for
        # a use its agreement with the office covers: no person is there to read the notice.
        return None
    try:
        services.require_privacy_consent(current_user)
    except services.ConsentRequired as refused:
        if is_api_request():
            refused.message = API_CONSENT_MESSAGE
            raise
        return redirect(url_for("consent.ask", next=request.full_path.rstrip("?")))
    return None


def _notice() -> dict:
    """What the notice's text fills in from the settings: who runs the platform, how to reach
    them, how long what is purged is kept."""
    settings = current_settings()
    return {
        "text": services.current_text(ConsentKind.privacy_notice),
        "operator": settings.certificates.issuer,
        "contact": settings.certificates.contact,
        "retention_days": settings.retention.days,
    }


@bp.get("/privacy")
@public(why="the privacy notice is read before registering")
def privacy():
    return render_template("consent/privacy.html", **_notice())


@bp.route("/consent", methods=["GET", "POST"])
@login_required(owner="self", why="every account agrees to the privacy notice")
def ask():
    target = request.values.get("next")
    then = target if is_safe_next(target) else url_for("core.index")
    if request.method == "GET" and services.has_current_consent(
        current_user, ConsentKind.privacy_notice
    ):
        return redirect(then)
    form = ConsentForm(data={"next": then})
    agreed = submit(
        form,
        lambda: services.give_consent(current_user, ConsentKind.privacy_notice, now=utcnow()),
        done=_("Thank you. You agreed to the privacy notice."),
        then=then,
    )
    return agreed or render_template(
        "consent/ask.html",
        form=form,
        **_notice(),
        earlier=services.find_consent(current_user, ConsentKind.privacy_notice),
    )


@bp.post("/me/consents/location")
@role_required(Role.volunteer, owner="self", why="a volunteer's own consent to the location check")
def give_location_consent():
    return carry_out(
        lambda: services.give_consent(current_user, ConsentKind.location, now=utcnow()),
        done=_("Thank you. Geofenced check-ins now check your position."),
        then=back_to(url_for("volunteer.profile")),
    )


@bp.post("/me/consents/location/withdraw")
@role_required(Role.volunteer, owner="self", why="a volunteer's own consent to the location check")
def withdraw_location_consent():
    return carry_out(
        lambda: services.withdraw_consent(current_user, ConsentKind.location, now=utcnow()),
        done=_(
            "Consent withdrawn. At an activity that checks the position, agree again on the "
            "check-in page or ask the leader to check you in by your mobile number."
        ),
        then=back_to(url_for("volunteer.profile")),
    )
