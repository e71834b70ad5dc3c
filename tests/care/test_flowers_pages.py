"""The flowers pages: the clerks make the tasks and plan several to a courier or one to a shift
(no address shown to them); a courier's staff sees their own tasks with the address and a tel:
link (each view logged), records one delivered with a camera photo and another not with the
reason, and never reaches another courier's task; a failed task planned again; the public
recommends in February only and sees their own; a clerk accepts one naming a person found by
name, and declines another with a note."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime

import pytest
import time_machine
from PIL import Image
from sqlalchemy import select

from care.flower_models import (
    DeliveryStatus,
    FlowerDelivery,
    FlowerRecommendation,
    RecommendationStatus,
)
from care.services import campaigns, flowers
from core.auth.assignments import AssignmentKind
from core.extensions import db
from honours.models import SensitiveView
from tests.builders import make_activity, make_shift, make_team, make_user
from tests.care.flower_builders import make_courier, make_flowers_campaign
from tests.conftest import sign_in
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
    """The office, a flowers campaign with two good people of 文化里 and one of 南关 on its list
    and their tasks, the district clerk of 海港区, two courier companies with a staff each."""
    places = make_places()
    office = make_office()
    here = make_honoured(places["wenhuali"], office, name="送花甲", address="文化里3号楼2单元101")
    also = make_honoured(places["wenhuali"], office, name="送花丙", address="文化里5号楼1单元202")
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
        "also": tasks[also.id],
        "far": tasks[far.id],
        "district": make_clerk(AssignmentKind.district_clerk, places["haigang"]),
        "courier": courier,
        "staff": staff,
        "rival": rival,
        "rival_staff": rival_staff,
    }


def _flashes(client) -> list[tuple[str, str]]:
    with client.session_transaction() as session:
        return session.pop("_flashes", [])


def _client(app, user):
    db.session.commit()
    client = sign_in(app.test_client(), user)
    _flashes(client)  # the welcome
    return client


def _jpeg() -> bytes:
    data = io.BytesIO()
    Image.new("RGB", (40, 30), (230, 80, 120)).save(data, "JPEG")
    return data.getvalue()


def _plan(world, *deliveries, courier=None):
    for delivery in deliveries:
        flowers.plan_delivery(
            world["office"],
            delivery.id,
            deliver_on=DAY,
            courier_id=(courier or world["courier"]).id,
            now=NOW,
        )


def test_the_district_clerk_plans_several_to_a_courier_and_sees_no_address(app, world):
    client = _client(app, world["district"])
    url = f"/care/campaigns/{world['care'].id}/deliveries"
    page = client.get(url)
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "送花甲" in text and "送花丙" in text
    assert "送花乙" not in text  # of another district
    assert "文化里3号楼" not in text

    answer = client.post(
        f"{url}/plan",
        data={
            "delivery_ids": [world["here"].id, world["also"].id],
            "deliver_on": DAY.isoformat(),
            "courier_id": world["courier"].id,
        },
    )
    assert answer.status_code == 302
    assert _flashes(client) == [("success", "已安排 2 个任务。")]
    db.session.expire_all()
    assert world["here"].courier_id == world["also"].courier_id == world["courier"].id
    assert world["far"].status is DeliveryStatus.planned and world["far"].courier_id is None

    # Another district's task is refused and none of the ticked is planned.
    client.post(
        f"{url}/plan",
        data={
            "delivery_ids": [world["far"].id],
            "deliver_on": DAY.isoformat(),
            "courier_id": world["courier"].id,
        },
    )
    assert _flashes(client)[0][0] == "danger"
    db.session.expire_all()
    assert world["far"].courier_id is None


def test_a_task_is_planned_to_a_shift_by_its_number_and_shows_its_attempts(app, world):
    team = make_team()
    shift = make_shift(make_activity(team))
    client = _client(app, world["office"])
    answer = client.post(
        f"/care/deliveries/{world['here'].id}/plan",
        data={"deliver_on": DAY.isoformat(), "shift_number": shift.id},
    )
    assert answer.status_code == 302
    page = client.get(f"/care/deliveries/{world['here'].id}").get_data(as_text=True)
    assert "安排于 2026-03-05" in page
    assert team.name in page

    # Neither a courier nor a shift: refused.
    client.post(f"/care/deliveries/{world['also'].id}/plan", data={"deliver_on": "2026-03-05"})
    assert _flashes(client)[-1][0] == "danger"


def test_a_courier_sees_its_tasks_with_address_and_phone_and_delivers_with_a_photo(app, world):
    _plan(world, world["here"], world["also"])
    _plan(world, world["far"], courier=world["rival"])
    client = _client(app, world["staff"])

    home = client.get("/").get_data(as_text=True)
    assert "/care/my-deliveries" in home
    page = client.get("/care/my-deliveries")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "文化里3号楼2单元101" in text and "文化里5号楼1单元202" in text
    assert "南关街8号" not in text and "送花乙" not in text
    assert 'href="tel:' in text
    assert 'capture="environment"' in text and 'accept="image/*"' in text
    viewed = db.session.scalars(
        select(SensitiveView).where(SensitiveView.viewer_id == world["staff"].id)
    ).all()
    assert {v.person_id for v in viewed} == {
        world["here"].target.person_id,
        world["also"].target.person_id,
    }

    answer = client.post(
        f"/care/deliveries/{world['here'].id}/delivered",
        data={"photo": (io.BytesIO(_jpeg()), "flowers.jpg")},
        content_type="multipart/form-data",
    )
    assert answer.status_code == 302
    assert _flashes(client) == [("success", "已送达送花甲，谢谢！")]
    client.post(
        f"/care/deliveries/{world['also'].id}/failed",
        data={"reason": "nobody_home", "note": ""},
    )
    db.session.expire_all()
    assert world["here"].status is DeliveryStatus.delivered
    assert world["also"].status is DeliveryStatus.failed

    # Settled tasks no longer show the door.
    text = client.get("/care/my-deliveries").get_data(as_text=True)
    assert "文化里3号楼2单元101" not in text
    detail = client.get(f"/care/deliveries/{world['here'].id}")
    assert detail.status_code == 200
    photo_key = world["here"].photo.public_key
    assert f"/uploads/{photo_key}" in detail.get_data(as_text=True)
    assert client.get(f"/uploads/{photo_key}").status_code == 200


def test_a_delivery_without_a_photo_is_refused(app, world):
    _plan(world, world["here"])
    client = _client(app, world["staff"])
    client.post(f"/care/deliveries/{world['here'].id}/delivered", data={})
    assert _flashes(client)[0][0] == "danger"
    db.session.expire_all()
    assert world["here"].status is DeliveryStatus.planned


def test_another_courier_reaches_nothing_of_a_task_not_theirs(app, world):
    _plan(world, world["here"])
    flowers.record_failed(world["staff"], world["here"].id, flowers.FailReason.declined, now=NOW)
    client = _client(app, world["rival_staff"])
    assert "文化里" not in client.get("/care/my-deliveries").get_data(as_text=True)
    assert client.get(f"/care/deliveries/{world['here'].id}").status_code == 404
    client.post(f"/care/deliveries/{world['here'].id}/failed", data={"reason": "declined"})
    assert _flashes(client)[0][0] == "danger"
    # Nor do the clerks' pages let them in.
    assert client.get(f"/care/campaigns/{world['care'].id}/deliveries").status_code == 404


def test_a_failed_task_is_planned_again_as_a_new_attempt(app, world):
    _plan(world, world["here"])
    flowers.record_failed(world["staff"], world["here"].id, flowers.FailReason.nobody_home, now=NOW)
    client = _client(app, world["district"])
    listed = client.get(f"/care/campaigns/{world['care'].id}/deliveries?status=failed")
    assert "无人在家" in listed.get_data(as_text=True)
    client.post(
        f"/care/deliveries/{world['here'].id}/plan",
        data={"deliver_on": "2026-03-06", "courier_id": world["courier"].id},
    )
    db.session.expire_all()
    assert (world["here"].status, world["here"].attempt) == (DeliveryStatus.planned, 2)
    page = client.get(f"/care/deliveries/{world['here'].id}").get_data(as_text=True)
    assert "第 2 次" in page


def test_the_public_form_is_open_in_february_only(app, world):
    user = make_user(display_name="推荐人")
    user.phone_verified_at = NOW
    closed = _client(app, user).get("/care/recommend").get_data(as_text=True)
    assert 'data-testid="closed"' in closed

    with time_machine.travel(FEBRUARY, tick=False):
        client = _client(app, user)
        form = client.get("/care/recommend").get_data(as_text=True)
        assert 'data-testid="recommend-form"' in form
        answer = client.post(
            "/care/recommend",
            data={"name": "李大姐", "region_id": world["places"]["wenhuali"].id, "deeds": DEEDS},
        )
        assert answer.status_code == 302
        mine = client.get("/care/recommend").get_data(as_text=True)
    assert "李大姐" in mine and "待审核" in mine


def test_an_unverified_account_is_asked_to_verify_its_phone(app, world):
    with time_machine.travel(FEBRUARY, tick=False):
        client = _client(app, make_user())
        page = client.get("/care/recommend").get_data(as_text=True)
    assert 'data-testid="verify-phone"' in page and "recommend-form" not in page


def _recommendation(world, name: str) -> FlowerRecommendation:
    made = FlowerRecommendation(
        care_campaign_id=world["care"].id,
        name=name,
        region_id=world["places"]["wenhuali"].id,
        deeds=DEEDS,
        recommended_by_id=make_user().id,
        recommended_at=FEBRUARY,
    )
    db.session.add(made)
    db.session.flush()
    return made


def test_a_clerk_accepts_one_naming_the_person_found_and_declines_another(app, world):
    person = make_honoured(
        world["places"]["wenhuali"], world["office"], name="李大姐", code="good_person_hebei"
    )
    wanted, other = _recommendation(world, "李大姐"), _recommendation(world, "张师傅")
    client = _client(app, make_clerk(AssignmentKind.community_clerk, world["places"]["wenhuali"]))
    url = f"/care/campaigns/{world['care'].id}/recommendations"
    found = client.get(f"{url}?screen={wanted.id}&q=李大姐").get_data(as_text=True)
    assert f'value="{person.id}"' in found

    client.post(f"/care/recommendations/{wanted.id}/accept", data={"person_id": person.id})
    assert _flashes(client) == [("success", "李大姐 已列入送花名单。")]
    client.post(f"/care/recommendations/{other.id}/decline", data={"note": ""})
    assert _flashes(client)[0][0] == "danger"
    client.post(f"/care/recommendations/{other.id}/decline", data={"note": "非本社区居民"})
    db.session.expire_all()
    assert wanted.status is RecommendationStatus.accepted
    assert campaigns.target_of(world["care"].id, person.id) is not None
    assert (other.status, other.screen_note) == (RecommendationStatus.declined, "非本社区居民")

    # A clerk elsewhere sees none of them.
    stranger = _client(app, make_clerk(AssignmentKind.community_clerk, world["places"]["nanguan"]))
    assert "李大姐" not in stranger.get(url).get_data(as_text=True)


def test_english_on_request(app, world):
    _plan(world, world["here"])
    client = _client(app, world["staff"])
    client.post("/language", data={"locale": "en"})
    assert "My flower deliveries" in client.get("/care/my-deliveries").get_data(as_text=True)
