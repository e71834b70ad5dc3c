"""The side's objects of the flowers of Lei Feng day in tests.world (see SIDE_EXTENSIONS
there)."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import openpyxl
from sqlalchemy import select

from care.flower_models import FlowerDelivery, FlowerRecommendation, RecommendationStatus
from care.models import CareKind, ListRule
from care.services import campaigns, flowers
from core.auth import assignments
from core.auth.assignments import AssignmentKind
from core.clock import local_day
from core.extensions import db
from events.models import Season
from honours.card_models import Partner, PartnerKind, PartnerStatus
from tests.builders import make_user
from tests.care.builders import make_care_campaign

if TYPE_CHECKING:
    from tests.world import Side


def _workbook(id_number: str) -> io.BytesIO:
    book = openpyxl.Workbook()
    book.active.append(["身份证号"])
    book.active.append([id_number])
    stream = io.BytesIO()
    book.save(stream)
    stream.seek(0)
    return stream


def extend(side: Side, now: datetime) -> None:
    """The side's spring flowers campaign (`flowers_campaign_id`: the authorization matrix
    asks the flowers' pages and API of it as their `care_campaign_id`) with the side's person
    alone on its list, whose delivery task (`delivery_id`) is planned to the side's courier
    company, staffed by a user of the side; and a recommendation of a Lei Feng of the side's
    community by the side's volunteer (`recommendation_id`), waiting to be screened. The
    person's address and the recommended deeds are the side's."""
    office = side.users["office"]
    care = make_care_campaign(
        office,
        kind=CareKind.flowers,
        rule=ListRule.upload,
        budget={},
        season=Season.spring,
        now=now,
    )
    campaigns.upload_list(office, care.id, _workbook(side.person.id_number), now=now)
    flowers.make_deliveries(office, care.id, now=now)
    courier = Partner(
        name=f"鲜花快送{side.tag}",
        kind=PartnerKind.courier,
        district_id=side.partner.district_id,
        address=f"河北大街{side.tag}号",
        contact_name=f"配送联系人{side.tag}",
        contact_phone=side.partner.contact_phone,
        status=PartnerStatus.approved,
        registered_at=now,
        registered_by_id=office.id,
        decided_at=now,
        decided_by_id=office.id,
    )
    db.session.add(courier)
    db.session.flush()
    staff = make_user(display_name=f"配送员{side.tag}")
    assignments.grant_assignment(
        office, staff.id, AssignmentKind.partner_staff, now=now, partner_id=courier.id
    )
    delivery = db.session.scalars(
        select(FlowerDelivery).where(FlowerDelivery.care_campaign_id == care.id)
    ).one()
    flowers.plan_delivery(
        office,
        delivery.id,
        deliver_on=local_day(now) + timedelta(days=1),
        courier_id=courier.id,
        now=now,
    )
    deeds = f"每天清晨义务打扫小区楼道，照顾独居老人{side.tag}，风雨无阻十余年。"
    recommendation = FlowerRecommendation(
        care_campaign_id=care.id,
        name=f"身边雷锋{side.tag}",
        region_id=side.person.region_id,
        deeds=deeds,
        recommended_by_id=side.users["volunteer"].id,
        # In February of the campaign's year, when the public form is open.
        recommended_at=datetime(care.year, 2, 10, 2, 0, tzinfo=UTC),
        status=RecommendationStatus.pending,
    )
    db.session.add(recommendation)
    db.session.flush()
    side.ids.update(
        flowers_campaign_id=care.id, delivery_id=delivery.id, recommendation_id=recommendation.id
    )
    side.texts.extend([side.person.address, deeds])
