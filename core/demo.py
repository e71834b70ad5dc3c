"""Demo data of core: the city's districts and the office account."""

from __future__ import annotations

from core.auth import services
from core.auth.models import Role
from core.districts import ensure_districts

DEMO_PASSWORD = "demo-2026-qhd"
OFFICE = ("13800000001", "市文明办 王主任")


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
