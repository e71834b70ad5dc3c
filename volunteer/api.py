"""API: volunteer registration and the signed-in user's profile."""

from __future__ import annotations

from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint

from core.auth.access import login_required
from core.auth.schemas import UserSchema
from core.extensions import db, limiter
from volunteer import services
from volunteer.schemas import ProfileSchema, ProfileUpdateSchema, RegistrationSchema

blp = Blueprint("volunteer_api", __name__, url_prefix="/api/v1", description="Volunteers")
BEARER = [{"bearerAuth": []}]


@blp.route("/volunteers")
class Volunteers(MethodView):
    @limiter.limit("20 per hour", deduct_when=lambda r: r.status_code == 201)
    @blp.arguments(RegistrationSchema)
    @blp.response(201, UserSchema)
    def post(self, data):
        """Register as a volunteer (then ask for a token with the same number and password)"""
        user = services.register_volunteer(**data)
        db.session.commit()
        return user


@blp.route("/me/profile")
class MyProfile(MethodView):
    @blp.doc(security=BEARER)
    @blp.response(200, ProfileSchema)
    @login_required
    def get(self):
        """My volunteer profile"""
        profile = services.get_profile(current_user)
        db.session.commit()
        return profile

    @blp.doc(security=BEARER)
    @blp.arguments(ProfileUpdateSchema)
    @blp.response(200, ProfileSchema)
    @login_required
    def patch(self, data):
        """Change my name, email, district or skills (fields left out stay as they are)"""
        profile = services.get_profile(current_user)
        changes = {
            "display_name": current_user.display_name,
            "email": current_user.email,
            "district_id": profile.district_id,
            "skills": profile.skills,
            **data,
        }
        profile = services.update_profile(current_user, **changes)
        db.session.commit()
        return profile
