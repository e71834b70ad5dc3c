"""API: bearer tokens and the signed-in user."""

from __future__ import annotations

from flask import current_app
from flask.views import MethodView
from flask_babel import gettext as _
from flask_login import current_user

from core.api import Blueprint, Page
from core.auth import admin, services
from core.auth.access import (
    current_token_id,
    login_attempt_limits,
    login_required,
    public,
    role_required,
)
from core.auth.models import Role
from core.auth.schemas import (
    AccountSchema,
    IssuedTokenSchema,
    TokenRequestSchema,
    TokenSchema,
    UserSchema,
)
from core.clock import utcnow
from core.errors import NotAuthenticated
from core.extensions import db

blp = Blueprint("auth_api", __name__, url_prefix="/api/v1", description="Sign-in and tokens")
BEARER = [{"bearerAuth": []}]


@blp.route("/auth/tokens")
class Tokens(MethodView):
    @public(why="signing in: a mobile number and password for a token")
    @login_attempt_limits
    @blp.arguments(TokenRequestSchema)
    @blp.response(201, IssuedTokenSchema)
    def post(self, data):
        """Exchange a mobile number and password for a bearer token"""
        user = services.authenticate(data["phone"], data["password"])
        if user is None:
            raise NotAuthenticated(_("Wrong mobile number or password."), code="bad_credentials")
        token, secret = services.issue_token(
            user, now=utcnow(), days=current_app.config["API_TOKEN_DAYS"], name=data["name"]
        )
        db.session.commit()
        fields = ("id", "name", "created_at", "expires_at")
        return {**{name: getattr(token, name) for name in fields}, "token": secret}

    @login_required(owner="self", why="every account may hold tokens")
    @blp.doc(security=BEARER)
    @blp.response(200, TokenSchema(many=True))
    @blp.paginate(Page)
    def get(self):
        """List my usable tokens"""
        return services.list_tokens(current_user, now=utcnow())


@blp.route("/auth/tokens/current")
class CurrentToken(MethodView):
    @login_required(owner="self", why="every account may hold tokens")
    @blp.doc(security=BEARER)
    @blp.response(204)
    def delete(self):
        """Revoke the token this request was made with (sign out)"""
        services.revoke_token(current_user, current_token_id(), now=utcnow())
        db.session.commit()


@blp.route("/auth/tokens/<int:token_id>")
class OneToken(MethodView):
    @login_required(owner="self", why="every account may hold tokens")
    @blp.doc(security=BEARER)
    @blp.response(204)
    def delete(self, token_id: int):
        """Revoke one of my tokens"""
        services.revoke_token(current_user, token_id, now=utcnow())
        db.session.commit()


@blp.route("/auth/sign-out-everywhere")
class SignOutEverywhere(MethodView):
    @login_required(owner="self", why="every account may end all its sign-ins")
    @blp.doc(security=BEARER)
    @blp.response(204)
    def post(self):
        """End every sign-in of my account, on every device, and revoke every token"""
        services.sign_out_everywhere(current_user, now=utcnow())
        db.session.commit()


@blp.route("/users/<int:user_id>/disable")
class DisableAccount(MethodView):
    @role_required(Role.office)
    @blp.doc(security=BEARER)
    @blp.response(200, AccountSchema)
    def post(self, user_id: int):
        """Disable an account (office): its sessions and tokens end at once"""
        user = admin.set_account_enabled(current_user, user_id, enabled=False, now=utcnow())
        db.session.commit()
        return user


@blp.route("/users/<int:user_id>/enable")
class EnableAccount(MethodView):
    @role_required(Role.office)
    @blp.doc(security=BEARER)
    @blp.response(200, AccountSchema)
    def post(self, user_id: int):
        """Enable a disabled account again (office); it must sign in anew"""
        user = admin.set_account_enabled(current_user, user_id, enabled=True, now=utcnow())
        db.session.commit()
        return user


@blp.route("/me")
class Me(MethodView):
    @login_required(owner="self", why="every account may read itself")
    @blp.doc(security=BEARER)
    @blp.response(200, UserSchema)
    def get(self):
        """The signed-in user"""
        return current_user
