"""The flowers demo: 2026's spring flowers campaign with its list by honour level, a task for
everyone on it and some in every state (planned to the courier and to the team's shift,
delivered with a photo, not delivered and planned again, declined), the courier's staff
signing in to their tasks, the public's recommendations of February waiting, accepted and not;
loading the demo again adds nothing."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from care.demo_flowers import NAME, STAFF
from care.flower_models import (
    AttemptOutcome,
    DeliveryStatus,
    FailReason,
    FlowerAttempt,
    FlowerDelivery,
    FlowerRecommendation,
    RecommendationStatus,
)
from care.models import CareCampaign, CareKind, CareTarget, ListRule
from core.extensions import db
from core.uploads.models import Upload
from honours.card_models import Partner, PartnerKind, PartnerStatus
from tests.test_demo import CITY, DEMO_PASSWORD, load_demo, rows

# The demo's content is the same on either database: checked on the SQLite pass (conftest).
pytestmark = pytest.mark.demo_content

NOW = datetime(2027, 3, 16, 10, 0, tzinfo=CITY)
MODELS = (CareCampaign, CareTarget, FlowerDelivery, FlowerAttempt, FlowerRecommendation, Partner)


def test_the_flowers_demo_holds_every_state_and_loads_once(app, runner):
    load_demo(runner, NOW)
    care = db.session.scalars(select(CareCampaign).where(CareCampaign.name == NAME)).one()
    assert (care.kind, care.rule, care.campaign.year) == (
        CareKind.flowers,
        ListRule.honour_level,
        2026,
    )
    tasks = db.session.scalars(
        select(FlowerDelivery).where(FlowerDelivery.care_campaign_id == care.id)
    ).all()
    targets = db.session.scalars(
        select(CareTarget).where(CareTarget.care_campaign_id == care.id)
    ).all()
    assert len(tasks) >= 6 and len(tasks) <= len(targets)

    assert {t.status for t in tasks} == set(DeliveryStatus)
    assert any(t.courier_id for t in tasks) and any(t.shift_id for t in tasks)
    delivered = [t for t in tasks if t.status is DeliveryStatus.delivered]
    assert {bool(t.courier_id) for t in delivered} == {True, False}
    photos = [db.session.get(Upload, t.photo_upload_id) for t in delivered]
    assert all(p.content_type == "image/jpeg" for p in photos)
    (again,) = [t for t in tasks if t.attempt == 2]
    assert again.status is DeliveryStatus.planned
    assert [a.outcome for a in again.attempts] == [
        AttemptOutcome.planned,
        AttemptOutcome.failed,
        AttemptOutcome.planned,
    ]
    assert again.attempts[1].fail_reason is FailReason.nobody_home
    (declined,) = [t for t in tasks if t.status is DeliveryStatus.failed]
    assert declined.fail_reason is FailReason.declined

    (courier,) = db.session.scalars(
        select(Partner).where(Partner.kind == PartnerKind.courier)
    ).all()
    assert courier.status is PartnerStatus.approved
    found = db.session.scalars(select(FlowerRecommendation)).all()
    assert {r.status for r in found} == set(RecommendationStatus)
    (accepted,) = [r for r in found if r.status is RecommendationStatus.accepted]
    assert accepted.target.care_campaign_id == care.id
    assert all(r.recommended_at.month == 2 for r in found)

    client = app.test_client()
    client.post("/login", data={"phone": STAFF[0], "password": DEMO_PASSWORD})
    page = client.get("/care/my-deliveries")
    assert page.status_code == 200
    assert 'href="tel:' in page.get_data(as_text=True)

    before = {model.__name__: rows(model) for model in MODELS}
    load_demo(runner, NOW + timedelta(hours=3))
    assert {model.__name__: rows(model) for model in MODELS} == before
