"""The side's objects of the revocations feature in tests.world (see SIDE_EXTENSIONS there)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from tests.honours.revocation_builders import REASON, make_holder, revoke

if TYPE_CHECKING:
    from tests.world import Side


def extend(side: Side, now: datetime) -> None:
    """A second good person of the side's community, with an active card and a certificate,
    whose honour the side's office revoked: the recall task it opened is `task_id`. The side's
    person stays on the roll."""
    office = side.users["office"]
    name = f"失信者{side.tag}"
    phone = {"甲": "13803353001", "乙": "13803353002"}[side.tag]
    person, *_ = make_holder(side.person.region, office, name=name, phone=phone)
    reason = f"{REASON}（{side.tag}）"
    revocation = revoke(office, person, now=now, reason=reason)
    side.ids["task_id"] = revocation.recall_task.id
    side.texts.extend([name, phone, reason])
