"""Volunteer rules: self-registration and the profile."""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l

from core.auth import services as auth
from core.auth.models import Role, User
from core.districts import get_district
from core.errors import ValidationFailed
from core.extensions import db
from volunteer.models import Skill, VolunteerProfile

EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
EMAIL_MAX = 254


def register_volunteer(
    *, phone: str, password: str, display_name: str, district_id: int | None = None
) -> User:
    """Self-registration: create a volunteer account with its profile.

    Raises ValidationFailed (bad phone, weak password, empty name, unknown district) or
    Conflict (the number is registered already).
    """
    if district_id is not None:
        get_district(district_id)
    user = auth.create_user(
        phone=phone, password=password, display_name=display_name, role=Role.volunteer
    )
    db.session.add(VolunteerProfile(user=user, district_id=district_id, skills=[]))
    db.session.flush()
    return user


def get_profile(user: User) -> VolunteerProfile:
    """The user's profile; accounts created without one (office, CLI) get an empty one."""
    profile = db.session.get(VolunteerProfile, user.id)
    if profile is None:
        profile = VolunteerProfile(user=user, skills=[])
        db.session.add(profile)
        db.session.flush()
    return profile


def update_profile(
    user: User,
    *,
    display_name: str,
    district_id: int | None,
    skills: list[str],
    email: str | None,
) -> VolunteerProfile:
    """Change the user's own name, district, skills and email.

    Raises ValidationFailed for an empty name, unknown district or skill, or a malformed email.
    """
    display_name = (display_name or "").strip()
    if not display_name:
        raise ValidationFailed(errors={"display_name": [str(_l("Enter your name."))]})
    known = {skill.value for skill in Skill}
    unknown = [value for value in skills if value not in known]
    if unknown:
        raise ValidationFailed(errors={"skills": [str(_l("Choose skills from the list."))]})
    email = (email or "").strip() or None
    if email is not None and (len(email) > EMAIL_MAX or not EMAIL_PATTERN.match(email)):
        raise ValidationFailed(errors={"email": [str(_l("Enter a valid email address."))]})
    if district_id is not None:
        get_district(district_id)
    profile = get_profile(user)
    user.display_name = display_name[:64]
    user.email = email
    profile.district_id = district_id
    # Keep the list's order stable and free of repeats, whatever the form sent.
    profile.skills = [skill.value for skill in Skill if skill.value in set(skills)]
    db.session.flush()
    return profile
