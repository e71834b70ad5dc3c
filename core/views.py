"""Pages every visitor shares: the home page, the language switch and the health check."""

from __future__ import annotations

from flask import Blueprint, jsonify, render_template, request, session, url_for
from flask_login import current_user
from sqlalchemy import text

from core.auth import services
from core.auth.access import public
from core.errors import ValidationFailed
from core.extensions import db
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
@public(why="the load balancer's health check")
def health():
    db.session.execute(text("SELECT 1"))
    return jsonify(status="ok")
