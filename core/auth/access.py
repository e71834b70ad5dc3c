"""Who is signed in (session for pages, bearer token for the API) and who may do what."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import timedelta
from functools import wraps
from urllib.parse import urlsplit

from flask import Flask, current_app, flash, redirect, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_user, logout_user

from core.auth import services
from core.auth.models import Role, TokenScope, User
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


# Set on a request whose bearer token is limited to a use its route does not accept.
_OUT_OF_SCOPE = "volunteer_points.api_token_out_of_scope"


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
    if token.scope is not None and token.scope not in _accepted_scopes():
        # The one place a scoped token is held to its use: elsewhere it signs no one in, and
        # the route's refusal says why (see _unauthorized).
        req.environ[_OUT_OF_SCOPE] = True
        return None
    req.environ["volunteer_points.api_token_id"] = token.id
    req.environ["volunteer_points.api_token_scope"] = token.scope
    return user


def _accepted_scopes() -> frozenset[TokenScope]:
    """The token scopes the route of this request declares it accepts (none for most)."""
    if request.endpoint is None or request.endpoint not in current_app.view_functions:
        return frozenset()
    access = access_of(current_app, request.endpoint, request.method)
    return access.scopes if access is not None else frozenset()


def current_token_id() -> int | None:
    """The id of the bearer token that authenticated this API request, if any."""
    return request.environ.get("volunteer_points.api_token_id")


def current_token_scope() -> TokenScope | None:
    """The one use the bearer token of this API request is limited to, if it is (a service
    account's, for another system)."""
    return request.environ.get("volunteer_points.api_token_scope")


@login_manager.unauthorized_handler
def _unauthorized():
    if request.environ.get(_OUT_OF_SCOPE):
        raise Forbidden(_l("This token is limited to another use."), code="token_out_of_scope")
    if is_api_request():
        raise NotAuthenticated()
    flash(_l("Please sign in first."), "warning")
    return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))


class Who(enum.Enum):
    """Who may reach a route. A team leader (队长) is a volunteer leading a team by membership,
    not a role; clerks, panel reviewers, media editors and a card partner's staff are
    volunteers holding an assignment (core.auth.assignments), not a role either. So whatever
    admits volunteers admits them all too, and which of them may act where is for the service
    to say."""

    anonymous = "anonymous"
    volunteer = "volunteer"
    leader = "leader"
    community_clerk = "community_clerk"
    street_clerk = "street_clerk"
    district_clerk = "district_clerk"
    panel_reviewer = "panel_reviewer"
    media_editor = "media_editor"
    partner_staff = "partner_staff"
    merchant_staff = "merchant_staff"
    office = "office"


SIGNED_IN = frozenset(Who) - {Who.anonymous}
EVERYONE = frozenset(Who)
# Those whose role is Role.volunteer: the role check cannot tell them apart.
VOLUNTEERS = frozenset(
    {
        Who.volunteer,
        Who.leader,
        Who.community_clerk,
        Who.street_clerk,
        Who.district_clerk,
        Who.panel_reviewer,
        Who.media_editor,
        Who.partner_staff,
    }
)

# Whose objects the ids of a request (in its path or body) must name for a caller other than
# the office: the caller's own, a team the caller leads, the merchant the caller staffs.
OWNERS = ("self", "team", "merchant")

_WHO_OF_ROLE = {
    Role.volunteer: VOLUNTEERS,
    Role.merchant_staff: {Who.merchant_staff},
    Role.office: {Who.office},
}


@dataclass(frozen=True)
class Access:
    """Who may reach a view and whose objects its ids must name. The roles are checked where the
    view is declared; ownership is the services' to enforce. A view open to every signed-in
    role, or to everyone, says `why` in one line."""

    roles: frozenset[Who]
    owner: str | None = None
    why: str | None = None
    # The uses a token limited to one (TokenScope) may be sent here for; a scoped token is
    # refused on every route that does not name its scope.
    scopes: frozenset[TokenScope] = frozenset()

    def __post_init__(self):
        if self.owner not in (None, *OWNERS):
            raise ValueError(f"owner must be one of {OWNERS} or None, not {self.owner!r}")

    @property
    def needs_reason(self) -> bool:
        return self.roles >= SIGNED_IN

    def binds(self, who: Who) -> bool:
        """Whether `who` may act only on the owner's objects (the office sees everything)."""
        return self.owner is not None and who is not Who.office


def role_required(
    *roles: Role | Who,
    owner: str | None = None,
    why: str | None = None,
    scopes: tuple[TokenScope, ...] = (),
):
    """Let a signed-in user through if they hold one of `roles` (any role when none is given),
    and declare on the view who may reach it (`Access`). `Who.leader` or a clerk's `Who` lets
    volunteers through here; whether they lead the team or clerk where it acts is for the
    service to say, and a rule admitting volunteers admits every one of VOLUNTEERS. `scopes`
    names the uses of limited tokens (TokenScope) the route accepts besides ordinary tokens.

    Anonymous users are sent to sign in (pages) or get 401 (API); others get 403.
    """
    admitted: set[Who] = set()
    for role in roles:
        admitted |= _WHO_OF_ROLE[role] if isinstance(role, Role) else {role}
    if Who.volunteer in admitted:
        admitted |= VOLUNTEERS
    if Who.partner_staff in roles:
        # A caring merchant's staff act for the card partner linked to their merchant
        # (honours.services.partner_staff), so a rule naming partner staff admits them too
        # (whether they act for a partner is the service's to say); a rule admitting every
        # volunteer does not.
        admitted.add(Who.merchant_staff)
    access = Access(
        frozenset(admitted) if roles else SIGNED_IN,
        owner=owner,
        why=why,
        scopes=frozenset(scopes),
    )
    checked = {role for role, who in _WHO_OF_ROLE.items() if who & access.roles}

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if current_user.role not in checked:
                raise Forbidden()
            return view(*args, **kwargs)

        wrapped.access = access
        return wrapped

    return decorator


def login_required(view=None, *, owner: str | None = None, why: str | None = None):
    """Any signed-in user; use bare or with `owner` and the `why` that the authorization matrix
    asks of a view open to every role."""
    decorate = role_required(owner=owner, why=why)
    return decorate(view) if view is not None else decorate


def public(*, why: str):
    """Declare a view open to everyone, signed in or not; nothing is checked here."""

    def decorator(view):
        view.access = Access(EVERYONE, why=why)
        return view

    return decorator


# Rules of the app that are not views of ours, declared here with the reason beside each.
OTHER_RULES = {
    "static": Access(EVERYONE, why="stylesheets, scripts and icons, the same for everyone"),
    "api-docs.openapi_json": Access(EVERYONE, why="the API's description; its paths are public"),
    "api-docs.openapi_swagger_ui": Access(EVERYONE, why="the API's interactive documentation"),
}


def access_of(app: Flask, endpoint: str, method: str) -> Access | None:
    """What a rule declares for one HTTP method (a MethodView declares per method), or None."""
    if endpoint in OTHER_RULES:
        return OTHER_RULES[endpoint]
    view = app.view_functions[endpoint]
    view_class = getattr(view, "view_class", None)
    if view_class is not None:
        view = getattr(view_class, method.lower(), None)
    return getattr(view, "access", None)


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


def sms_code_limits(view=None, *, on_breach=None):
    """Rate limit requests for SMS codes per mobile number and per client address, counted
    together for the pages and the API, whatever the answer (each may cost a message). The
    hard caps per number and site-wide for the day are the service's, in the database."""
    per_phone = limiter.shared_limit(
        lambda: current_app.config["SMS_CODES_PER_PHONE"],
        scope="sms-phone",
        key_func=_attempted_phone,
        methods=["POST"],
        on_breach=on_breach,
    )
    per_address = limiter.shared_limit(
        lambda: current_app.config["SMS_CODES_PER_ADDRESS"],
        scope="sms-address",
        methods=["POST"],
        on_breach=on_breach,
    )

    def decorate(target):
        return per_address(per_phone(target))

    return decorate(view) if view is not None else decorate
