"""Who is signed in (session for pages, bearer token for the API) and who may do what."""

from __future__ import annotations

from datetime import timedelta
from functools import wraps
from urllib.parse import urlsplit

from flask import Flask, current_app, flash, redirect, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_user, logout_user

from core.auth import services
from core.auth.models import Role, User
from core.clock import utcnow
from core.errors import Forbidden, NotAuthenticated, ValidationFailed, is_api_request
from core.extensions import limiter, login_manager


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.session_protection = "basic"
    # The cookies carry the key of a server-side sign-in session, not the user's id, so that
    # signing out ends every copy of them (see UserSession).
    login_manager.id_attribute = "get_session_key"


@login_manager.user_loader
def _load_session_user(session_key: str) -> User | None:
    # The API is exempt from CSRF, so it must not honour the session cookie: a page on another
    # site could otherwise make a signed-in browser call it.
    if is_api_request():
        return None
    return services.find_session_user(session_key, now=utcnow())


def sign_in(user: User, *, remember: bool = False) -> None:
    """Open a server-side sign-in session for the user and put its key in the cookies."""
    config = current_app.config
    lifetime = (
        timedelta(days=config["REMEMBER_DAYS"])
        if remember
        else timedelta(hours=config["SESSION_HOURS"])
    )
    services.start_session(
        user,
        now=utcnow(),
        lifetime=lifetime,
        remember=remember,
        user_agent=request.user_agent.string,
    )
    login_user(user, remember=remember)


def sign_out() -> None:
    """End the signed-in user's session on the server and clear the cookies."""
    if current_user.session_key:
        services.end_session(current_user.session_key, now=utcnow())
    logout_user()


@login_manager.request_loader
def _load_token_user(req) -> User | None:
    if not is_api_request():
        return None
    scheme, _, secret = req.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        return None
    found = services.find_user_by_token(secret.strip(), now=utcnow())
    if found is None:
        return None
    user, token = found
    req.environ["volunteer_points.api_token_id"] = token.id
    return user


def current_token_id() -> int | None:
    """The id of the bearer token that authenticated this API request, if any."""
    return request.environ.get("volunteer_points.api_token_id")


@login_manager.unauthorized_handler
def _unauthorized():
    if is_api_request():
        raise NotAuthenticated()
    flash(_l("Please sign in first."), "warning")
    return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))


def role_required(*roles: Role):
    """Let a signed-in user through if they hold one of `roles` (any role when none is given).

    Anonymous users are sent to sign in (pages) or get 401 (API); others get 403.
    """

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if roles and current_user.role not in roles:
                raise Forbidden()
            return view(*args, **kwargs)

        return wrapped

    return decorator


login_required = role_required()


def is_safe_next(target: str | None) -> bool:
    """Only a path on this site may be a post-login destination (no open redirect)."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc and "\\" not in target


def _attempted_phone() -> str:
    data = request.form or request.get_json(silent=True) or {}
    phone = data.get("phone", "") if hasattr(data, "get") else ""
    try:
        return "phone:" + services.normalize_phone(str(phone))
    except ValidationFailed:
        return "phone:invalid"


def _failed_attempt(response) -> bool:
    # A success redirects (page) or creates a token (API); everything else counts as a failure.
    return response.status_code not in (201, 302, 303)


def login_attempt_limits(view=None, *, on_breach=None):
    """Rate limit failed sign-ins per mobile number and per client address, counted together
    for the page and the API. Use bare or with `on_breach` (a view answering the breach)."""
    per_phone = limiter.shared_limit(
        lambda: current_app.config["LOGIN_ATTEMPTS_PER_PHONE"],
        scope="login-phone",
        key_func=_attempted_phone,
        methods=["POST"],
        deduct_when=_failed_attempt,
        on_breach=on_breach,
    )
    per_address = limiter.shared_limit(
        lambda: current_app.config["LOGIN_ATTEMPTS_PER_ADDRESS"],
        scope="login-address",
        methods=["POST"],
        deduct_when=_failed_attempt,
        on_breach=on_breach,
    )

    def decorate(target):
        return per_address(per_phone(target))

    return decorate(view) if view is not None else decorate
