"""Builders for the flowers of Lei Feng day: a flowers campaign with its list and deliveries,
a courier company with its staff, and a photo taken by a deliverer. They add and flush, and
never commit."""

from __future__ import annotations

import io

from PIL import Image

from care.models import CareKind, ListRule
from care.services import campaigns, flowers
from core.auth.models import User
from core.settings import current_settings
from core.uploads import services as uploads
from events.models import Season
from honours.card_models import PartnerKind
from honours.models import HonourLevel
from tests.care.builders import make_care_campaign
from tests.honours.builders import NOW
from tests.honours.partner_builders import make_partner, make_partner_staff


def make_flowers_campaign(office: User):
    """Lei Feng day's flowers of 2026 to every good person of the city level and above, its
    list made and a delivery task for each."""
    care = make_care_campaign(
        office,
        kind=CareKind.flowers,
        rule=ListRule.honour_level,
        min_level=HonourLevel.city,
        budget={},
        season=Season.spring,
    )
    campaigns.make_list(office, care.id, now=NOW)
    flowers.make_deliveries(office, care.id, now=NOW)
    return care


def make_courier(name: str = "秦皇岛市鲜到家配送有限公司"):
    """An approved courier company and one of its staff."""
    courier = make_partner(name=name, kind=PartnerKind.courier)
    return courier, make_partner_staff(courier, name="配送员")


def photo_of(user: User, *, kind: str = flowers.PHOTO_KIND):
    """A photo the user took (a generated picture, never a person's)."""
    data = io.BytesIO()
    Image.new("RGB", (64, 48), (220, 60, 90)).save(data, "JPEG")
    data.seek(0)
    return uploads.store_upload(
        user,
        kind=kind,
        stream=data,
        filename="flowers.jpg",
        now=NOW,
        settings=current_settings().uploads,
    )
