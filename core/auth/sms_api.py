"""API: SMS codes (短信验证码), a token for a code, a forgotten password reset with a code."""

from __future__ import annotations

import marshmallow as ma
from flask import current_app
from flask.views import MethodView
from flask_smorest import Blueprint

from core.auth import services, sms_services
from core.auth.access import login_attempt_limits, public, sms_code_limits
from core.auth.models import PUBLIC_SMS_PURPOSES, SmsPurpose
from core.auth.schemas import IssuedTokenSchema
from core.auth.sms import current_gateway
from core.clock import utcnow
from core.extensions import db
from core.inputs import Schema
from core.settings import current_settings

blp = Blueprint(
    "sms_api", __name__, url_prefix="/api/v1", description="Sign-in and registration by SMS code"
)


def phone_field() -> ma.fields.String:
    return ma.fields.String(required=True, validate=ma.validate.Length(max=20))


def code_field() -> ma.fields.String:
    return ma.fields.String(
        required=True,
        validate=ma.validate.Length(max=10),
        metadata={"description": "The 6 digits of the text message"},
    )


class SmsCodeRequestSchema(Schema):
    phone = phone_field()
    purpose = ma.fields.String(
        required=True, validate=ma.validate.OneOf([p.value for p in PUBLIC_SMS_PURPOSES])
    )


class SmsCodeSentSchema(Schema):
    message = ma.fields.String(
        metadata={
            "description": "For sign_in and reset_password the same whether the number is "
            "registered or not"
        }
    )
    valid_seconds = ma.fields.Integer()


class SmsTokenRequestSchema(Schema):
    phone = phone_field()
    code = code_field()
    name = ma.fields.String(load_default="", validate=ma.validate.Length(max=64))


class SmsPasswordResetSchema(Schema):
    phone = phone_field()
    code = code_field()
    new_password = ma.fields.String(
        required=True, load_only=True, validate=ma.validate.Length(max=128)
    )


@blp.route("/auth/sms-codes")
class SmsCodes(MethodView):
    @public(why="asking for an SMS code to sign in, register or reset the password")
    @sms_code_limits
    @blp.arguments(SmsCodeRequestSchema)
    @blp.response(202, SmsCodeSentSchema)
    def post(self, data):
        """Send a code by SMS (one live code per number and purpose; a new one replaces it)"""
        settings = current_settings().sms
        purpose = SmsPurpose(data["purpose"])
        sms_services.request_code(
            data["phone"],
            purpose,
            now=utcnow(),
            settings=settings,
            gateway=current_gateway(),
        )
        db.session.commit()
        return {
            "message": sms_services.sent_message(purpose, settings),
            "valid_seconds": int(settings.code_lifetime.total_seconds()),
        }


@blp.route("/auth/sms-tokens")
class SmsTokens(MethodView):
    @public(why="signing in: a mobile number and an SMS code for a token")
    @login_attempt_limits
    @blp.arguments(SmsTokenRequestSchema)
    @blp.response(201, IssuedTokenSchema)
    def post(self, data):
        """Exchange a mobile number and the sign-in code sent to it for a bearer token"""
        now = utcnow()
        user = sms_services.sign_in_with_code(
            data["phone"], data["code"], now=now, settings=current_settings().sms
        )
        token, secret = services.issue_token(
            user, now=now, days=current_app.config["API_TOKEN_DAYS"], name=data["name"]
        )
        db.session.commit()
        fields = ("id", "name", "created_at", "expires_at")
        return {**{name: getattr(token, name) for name in fields}, "token": secret}


@blp.route("/auth/sms-password-reset")
class SmsPasswordReset(MethodView):
    @public(why="a forgotten password, reset with a code sent by SMS")
    @login_attempt_limits
    @blp.arguments(SmsPasswordResetSchema)
    @blp.response(204)
    def post(self, data):
        """Set a new password with the reset code sent to the number; every sign-in and token
        of the account ends"""
        sms_services.reset_password_with_code(
            data["phone"],
            data["code"],
            data["new_password"],
            now=utcnow(),
            settings=current_settings().sms,
        )
        db.session.commit()
