"""The side's family link and gifts in tests.world (see SIDE_EXTENSIONS there)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from core.settings import current_settings
from points import services
from points.gift_models import GiftKind, Relation
from tests.builders import make_user

if TYPE_CHECKING:
    from tests.world import Side


def extend(side: Side, now: datetime) -> None:
    """The side's volunteer asked a family member of their own to link, who confirmed
    (`link_id`); the volunteer gave them points with a note and donated some to the side's
    team's pool. The family member's name and number and the note are the side's private."""
    volunteer = side.users["volunteer"]
    relative = make_user(display_name=f"家人{side.tag}")
    link = services.request_link(volunteer, phone=relative.phone, relation=Relation.spouse, now=now)
    services.answer_link(relative, link.id, accept=True, now=now)
    note = f"家用{side.tag}"
    cap = current_settings().gift_monthly_cap
    services.give_points(
        volunteer,
        kind=GiftKind.family,
        recipient_id=relative.id,
        amount=5,
        note=note,
        key=f"world-gift-{side.tag}",
        now=now,
        monthly_cap=cap,
    )
    services.give_points(
        volunteer,
        kind=GiftKind.team_pool,
        team_id=side.team.id,
        amount=5,
        note="",
        key=f"world-donation-{side.tag}",
        now=now,
        monthly_cap=cap,
    )
    side.ids["link_id"] = link.id
    side.texts.extend([relative.display_name, relative.phone, note])
