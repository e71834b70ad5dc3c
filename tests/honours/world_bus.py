"""The side's objects of the bus feature in tests.world (see SIDE_EXTENSIONS there)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from core.districts import District
from core.extensions import db
from honours.models import HonourLevel
from tests.honours.bus_builders import make_bus_partner, make_export, make_service_token

if TYPE_CHECKING:
    from tests.world import Side


def extend(side: Side, now: datetime) -> None:
    """Add the side's bus objects: ids to side.ids, private texts to side.texts. The side's
    bus company (in the side's district; its free rides are for every honour, so the side's
    card is on its list), its service account with a token, and tonight's list."""
    office = side.users["office"]
    partner = make_bus_partner(
        name=f"公交公司{side.tag}",
        lowest_level=HonourLevel.county,
        office=office,
        district_code=db.session.get(District, side.partner.district_id).code,
        contact_phone={"甲": "13803353001", "乙": "13803353002"}[side.tag],
    )
    issued = make_service_token(partner, office, name=f"闸机系统{side.tag}", now=now)
    make_export(partner, now=now)
    side.ids["bus_partner_id"] = partner.id
    side.ids["service_token_id"] = issued.token.id
    side.texts.append(issued.token.name)
