"""Pages every visitor shares: the home page, the language switch and the health check."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, render_template, request, session, url_for
from flask_login import current_user

from core import readiness
from core.auth import services
from core.auth.access import public
from core.errors import ValidationFailed
from core.i18n import supported_locale
from core.pages import back_to, carry_out

bp = Blueprint("core", __name__)


@bp.get("/")
@public(why="the home page")
def index():
    return render_template("core/index.html")


@bp.post("/language")
@public(why="the language switch, also before signing in")
def set_language():
    locale = supported_locale(request.form.get("locale"))
    if locale is None:
        raise ValidationFailed(errors={"locale": ["unsupported"]})
    session["locale"] = locale
    return carry_out(
        # A signed-in user's choice is kept on the account for their other devices and email.
        lambda: current_user.is_authenticated and services.set_locale(current_user, locale),
        then=back_to(url_for("core.index")),
    )


@bp.get("/healthz")
@public(why="the process manager's liveness check")
def health():
    """The process is alive and answers (it reads nothing: a database that is down is
    /readyz's business, and restarting the app would not bring it back)."""
    return jsonify(status="ok")


@bp.get("/readyz")
@public(why="the load balancer's readiness check")
def ready():
    """Ready to take requests: the database answers and its schema is the code's, and the
    rate limits' Redis answers when one is configured. 503 names what is not."""
    checks = readiness.readiness(current_app)
    ok = all(outcome == readiness.OK for outcome in checks.values())
    return jsonify(status="ready" if ok else "not ready", checks=checks), 200 if ok else 503
