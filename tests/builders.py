"""Builders for test data: each adds and flushes, and never commits."""

from __future__ import annotations

import itertools

from core.auth import services
from core.auth.models import Role, User
from core.extensions import db
from volunteer.models import VolunteerProfile

DEFAULT_PASSWORD = "correct-horse-9"
_phones = itertools.count(1)


def next_phone() -> str:
    return f"139{next(_phones):08d}"


def make_user(
    *,
    role: Role = Role.volunteer,
    phone: str | None = None,
    display_name: str = "测试用户",
    password: str = DEFAULT_PASSWORD,
) -> User:
    user = services.create_user(
        phone=phone or next_phone(), password=password, display_name=display_name, role=role
    )
    if role is Role.volunteer:
        db.session.add(VolunteerProfile(user=user, skills=[]))
        db.session.flush()
    return user
