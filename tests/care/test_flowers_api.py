"""The flowers API: the clerks list, make and plan tasks (no address in their answers); a
courier's staff reads their tasks with the address (logged), sends a photo and records the
task delivered by its key, or another not with the reason; another courier's staff reaches
none of it; recommendations made in February only, read by their author, screened by the
community's clerk."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime

import pytest
import time_machine
from PIL import Image
from sqlalchemy import func, select

from care.flower_models import FlowerDelivery
from care.services import flowers
from core.auth.assignments import AssignmentKind
from core.extensions import db
from honours.models import SensitiveView
from tests.builders import make_user
from tests.care.flower_builders import make_courier, make_flowers_campaign
from tests.honours.builders import NOW, make_clerk, make_office, make_places
from tests.honours.card_builders import make_honoured

DAY = date(2026, 3, 5)
FEBRUARY = datetime(2026, 2, 10, 2, 0, tzinfo=UTC)
DEEDS = "每天义务为社区老人理发，坚持了整整十年，从不收钱。"


@pytest.fixture(autouse=True)
def _at_now():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def world(app):
    places = make_places()
    office = make_office()
    here = make_honoured(places["wenhuali"], office, name="送花甲", address="文化里3号楼2单元101")
    far = make_honoured(places["nanguan"], office, name="送花乙", address="南关街8号")
    care = make_flowers_campaign(office)
    tasks = {
        d.target.person_id: d
        for d in db.session.scalars(
            select(FlowerDelivery).where(FlowerDelivery.care_campaign_id == care.id)
        )
    }
    courier, staff = make_courier()
    rival, rival_staff = make_courier("秦皇岛市花语快送有限公司")
    return {
        "places": places,
        "office": office,
        "care": care,
        "here": tasks[here.id],
        "far": tasks[far.id],
        "district": make_clerk(AssignmentKind.district_clerk, places["haigang"]),
        "courier": courier,
        "staff": staff,
        "rival": rival,
        "rival_staff": rival_staff,
    }


def _jpeg() -> bytes:
    data = io.BytesIO()
    Image.new("RGB", (40, 30), (230, 80, 120)).save(data, "JPEG")
    return data.getvalue()


def test_the_clerk_lists_and_plans_tasks_of_their_district_without_addresses(client, bearer, world):
    headers = bearer(world["district"])
    url = f"/api/v1/care/campaigns/{world['care'].id}/deliveries"
    listed = client.get(url, headers=headers)
    assert listed.status_code == 200
    assert [row["person"]["name"] for row in listed.json] == ["送花甲"]
    assert "文化里3号楼" not in listed.text

    planned = client.post(
        f"{url}/plan",
        headers=headers,
        json={
            "delivery_ids": [world["here"].id],
            "deliver_on": DAY.isoformat(),
            "courier_id": world["courier"].id,
        },
    )
    assert planned.status_code == 200 and planned.json == {"planned": 1}
    refused = client.post(
        f"/api/v1/care/deliveries/{world['far'].id}/plan",
        headers=headers,
        json={"deliver_on": DAY.isoformat(), "courier_id": world["courier"].id},
    )
    assert refused.status_code == 404
    both = client.post(
        f"/api/v1/care/deliveries/{world['here'].id}/plan",
        headers=headers,
        json={"deliver_on": DAY.isoformat(), "courier_id": world["courier"].id, "shift_id": 1},
    )
    assert both.status_code == 422
    made = client.post(url, headers=bearer(world["office"]))
    assert made.status_code == 201 and made.json == {"made": 0}


def test_a_courier_delivers_by_the_photo_key_and_another_reaches_nothing(client, bearer, world):
    flowers.plan_delivery(
        world["office"], world["here"].id, deliver_on=DAY, courier_id=world["courier"].id, now=NOW
    )
    headers = bearer(world["staff"])
    mine = client.get("/api/v1/care/my-deliveries", headers=headers)
    assert mine.status_code == 200
    (task,) = mine.json
    assert (task["name"], task["address"]) == ("送花甲", "文化里3号楼2单元101")
    logged = db.session.scalar(
        select(func.count())
        .select_from(SensitiveView)
        .where(SensitiveView.viewer_id == world["staff"].id)
    )
    assert logged == 1

    rival = bearer(world["rival_staff"])
    assert client.get("/api/v1/care/my-deliveries", headers=rival).json == []
    one = f"/api/v1/care/deliveries/{world['here'].id}"
    assert client.get(one, headers=rival).status_code == 404
    refused = client.post(
        f"{one}/photo",
        headers=rival,
        data={"photo": (io.BytesIO(_jpeg()), "a.jpg")},
        content_type="multipart/form-data",
    )
    assert refused.status_code == 404

    sent = client.post(
        f"{one}/photo",
        headers=headers,
        data={"photo": (io.BytesIO(_jpeg()), "a.jpg")},
        content_type="multipart/form-data",
    )
    assert sent.status_code == 201
    key = sent.json["key"]
    # The rival cannot use the photo's key for the task either.
    assert (
        client.post(f"{one}/delivered", headers=rival, json={"photo_key": key}).status_code == 404
    )
    done = client.post(f"{one}/delivered", headers=headers, json={"photo_key": key})
    assert done.status_code == 200
    assert done.json["status"] == "delivered" and done.json["photo"]["key"] == key
    assert [a["outcome"] for a in done.json["attempts"]] == ["planned", "delivered"]
    again = client.post(f"{one}/delivered", headers=headers, json={"photo_key": key})
    assert again.status_code == 409
    assert (
        client.get(f"/api/v1/uploads/{key}", headers=bearer(world["district"])).status_code == 200
    )
    assert client.get(f"/api/v1/uploads/{key}", headers=rival).status_code == 404


def test_a_courier_records_a_failure_with_its_reason(client, bearer, world):
    flowers.plan_delivery(
        world["office"], world["here"].id, deliver_on=DAY, courier_id=world["courier"].id, now=NOW
    )
    headers = bearer(world["staff"])
    url = f"/api/v1/care/deliveries/{world['here'].id}/failed"
    assert client.post(url, headers=headers, json={"reason": "other"}).status_code == 422
    failed = client.post(url, headers=headers, json={"reason": "wrong_address", "note": "查无此楼"})
    assert failed.status_code == 200
    assert (failed.json["status"], failed.json["fail_reason"]) == ("failed", "wrong_address")


def test_recommendations_in_february_screened_by_the_community(client, bearer, world):
    author = make_user(display_name="推荐人")
    author.phone_verified_at = NOW
    body = {"name": "李大姐", "region_id": world["places"]["wenhuali"].id, "deeds": DEEDS}
    closed = client.post("/api/v1/care/recommendations", headers=bearer(author), json=body)
    assert closed.status_code == 409

    with time_machine.travel(FEBRUARY, tick=False):
        headers = bearer(author)
        made = client.post("/api/v1/care/recommendations", headers=headers, json=body)
        assert made.status_code == 201 and made.json["status"] == "pending"
        twice = client.post("/api/v1/care/recommendations", headers=headers, json=body)
        assert twice.status_code == 409
        mine = client.get("/api/v1/care/recommendations/mine", headers=headers)
        assert [r["name"] for r in mine.json] == ["李大姐"]
        unverified = client.post(
            "/api/v1/care/recommendations", headers=bearer(make_user()), json=body
        )
        assert unverified.status_code == 403

    clerk = bearer(make_clerk(AssignmentKind.community_clerk, world["places"]["wenhuali"]))
    stranger = bearer(make_clerk(AssignmentKind.community_clerk, world["places"]["nanguan"]))

    url = f"/api/v1/care/campaigns/{world['care'].id}/recommendations"
    assert [r["name"] for r in client.get(url, headers=clerk).json] == ["李大姐"]
    assert client.get(url, headers=stranger).json == []
    one = f"/api/v1/care/recommendations/{made.json['id']}"
    assert client.post(f"{one}/decline", headers=stranger, json={"note": "否"}).status_code == 404
    person = make_honoured(world["places"]["wenhuali"], world["office"], name="李大姐")
    accepted = client.post(f"{one}/accept", headers=clerk, json={"person_id": person.id})
    assert accepted.status_code == 200
    assert (accepted.json["status"], accepted.json["person_id"]) == ("accepted", person.id)
    assert client.post(f"{one}/decline", headers=clerk, json={"note": "否"}).status_code == 409
