"""API: my data export (JSON) and closing my account."""

from __future__ import annotations

from flask.views import MethodView
from flask_login import current_user

from core.api import Blueprint
from core.auth.access import login_required, role_required
from core.auth.models import Role
from core.clock import utcnow
from core.extensions import db, limiter
from personal_data.schemas import CloseAccountSchema, PersonalDataSchema
from personal_data.services import closing, export

blp = Blueprint(
    "personal_data_api", __name__, url_prefix="/api/v1", description="My data and my account"
)
BEARER = [{"bearerAuth": []}]


def _user_key() -> str:
    return f"user:{current_user.id}"


@blp.route("/me/export")
class MyData(MethodView):
    @login_required(owner="self", why="everyone may have a copy of what is held about them")
    @limiter.limit("20 per hour", key_func=_user_key)
    @blp.doc(security=BEARER)
    @blp.response(200, PersonalDataSchema)
    def get(self):
        """Everything the platform holds about me, by section (the export is logged)"""
        data = export.gather_personal_data(current_user, now=utcnow())
        db.session.commit()
        return data


@blp.route("/me/close")
class CloseMyAccount(MethodView):
    @role_required(Role.volunteer, owner="self")
    @blp.doc(security=BEARER)
    @blp.arguments(CloseAccountSchema)
    @blp.response(204)
    def post(self, data):
        """Close my volunteer account for good (注销): my number, name and email are erased, every
        sign-in and token ends; hours, points history and issued certificates stay"""
        closing.close_account(current_user, password=data["password"], now=utcnow())
        db.session.commit()
