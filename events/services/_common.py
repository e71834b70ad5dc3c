"""Shared by the event rules: a one-field validation error, active sign-up states, eager loading."""

from __future__ import annotations

from sqlalchemy.orm import joinedload

from core.errors import ValidationFailed
from events.models import Shift, SignUpStatus

ACTIVE_SIGN_UPS = (SignUpStatus.confirmed, SignUpStatus.waiting)
# Rules about a shift nearly always ask about its activity too: one round trip for both.
_WITH_ACTIVITY = joinedload(Shift.activity, innerjoin=True)


def _invalid(field: str, message) -> ValidationFailed:
    return ValidationFailed(errors={field: [str(message)]})
