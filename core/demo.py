"""Demo data of core: the city's districts and the office account, and the check that every
number the demo signs in with is free or already the demo's kind of account."""

from __future__ import annotations

from collections.abc import Iterable

from flask_babel import lazy_gettext as _l

from core.auth import services
from core.auth.models import Role
from core.districts import ensure_districts
from core.errors import Conflict

DEMO_PASSWORD = "demo-2026-qhd"
OFFICE = ("13800000001", "市文明办 王主任")

# As the message below says them: "signs in as a volunteer".
ROLE_NAMES = {
    Role.volunteer: _l("a volunteer"),
    Role.merchant_staff: _l("a merchant's staff"),
    Role.office: _l("the office"),
}


def require_free_numbers(accounts: Iterable[tuple[str, Role]]) -> None:
    """Before the demo writes anything: each (phone, role) it will sign in with is unused or
    an account of that role. Raises Conflict naming the first account in the way."""
    for phone, role in accounts:
        user = services.find_user_by_phone(phone)
        if user is not None and user.role is not role:
            raise Conflict(
                _l(
                    "The demo signs in as %(wanted)s with the number %(phone)s, but here that "
                    "number belongs to another kind of account: %(found)s (id %(id)d). Nothing "
                    "was changed; load the demo into a database of its own.",
                    phone=phone,
                    wanted=ROLE_NAMES[role],
                    found=ROLE_NAMES[user.role],
                    id=user.id,
                ),
                code="demo_number_taken",
            )


def ensure_account(phone: str, display_name: str, role: Role):
    """Return the demo account with this phone, creating it the first time."""
    user = services.find_user_by_phone(phone)
    if user is None:
        user = services.create_user(
            phone=phone, password=DEMO_PASSWORD, display_name=display_name, role=role
        )
    return user


def load() -> list[tuple[str, str, str]]:
    """Create what is missing; return the demo accounts as (role, phone, name)."""
    ensure_districts()
    phone, name = OFFICE
    ensure_account(phone, name, Role.office)
    return [(Role.office.value, phone, name)]
