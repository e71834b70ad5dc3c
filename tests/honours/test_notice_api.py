"""The public notice (公示) through the API: the notices for everyone without a token, showing
the public fields only; likes and objections with their refusals (no verified phone, before or
after the notice, an entry not on it); the objector's own objections; the district's list and
answer; the city opening a round's notice and following it."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import func, select

from core.auth.assignments import AssignmentKind
from core.extensions import db
from honours.nomination_models import NominationLike, Objection, RoundNotice, Stage
from tests.builders import make_user
from tests.honours.builders import NOW, make_clerk, make_office, make_places
from tests.honours.nomination_builders import make_nomination, open_round
from tests.honours.test_notice import agree, on_notice, tallied, verified


@pytest.fixture
def places(app):
    return make_places()


@pytest.fixture
def round_(places):
    return open_round()


@pytest.fixture
def clock():
    """The clock at NOW, an hour after it, for requests: every service reads `utcnow()`."""
    with time_machine.travel(NOW + timedelta(hours=1), tick=False) as traveller:
        yield traveller


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_everyone_reads_the_notices_and_an_entry_shows_public_fields_only(
    client, places, round_, clock
):
    entry = tallied(
        round_,
        places["wenhuali"],
        name="李秀英",
        nominee_phone="13912345678",
        unit_name="文化里社区居委会",
    )
    on_notice(round_, entry)
    db.session.commit()

    listed = client.get("/api/v1/notices")
    shown = client.get(f"/api/v1/notices/{round_.id}")

    assert listed.status_code == 200 and "X-Pagination" in listed.headers
    assert [n["round_id"] for n in listed.get_json()] == [round_.id]
    assert listed.get_json()[0]["entry_count"] == 1 and listed.get_json()[0]["is_running"]
    body = shown.get_json()
    (public,) = body["entries"]
    assert set(public) == {
        "nomination_id",
        "name",
        "district",
        "town",
        "category",
        "summary",
        "deeds",
        "photo_url",
        "likes",
    }
    assert (public["name"], public["district"]["name"], public["town"]["name"]) == (
        "李秀英",
        "海港区",
        "文化路街道",
    )
    assert public["photo_url"] is None and public["likes"] == 0
    text = shown.get_data(as_text=True)
    person = entry.person
    for private in ("13912345678", "文化里社区居委会", person.id_number, person.phone):
        assert private not in text
    assert client.get(f"/api/v1/notices/{round_.id + 1}").status_code == 404


def test_a_like_through_the_api_counts_once_a_day_and_is_refused_with_a_clear_answer(
    client, bearer, places, round_, clock
):
    entry = tallied(round_, places["wenhuali"])
    waiting = tallied(round_, places["hongqilu"], name="孙明")
    fan, unverified = verified(), make_user(display_name="未验证")
    db.session.commit()
    fan_headers, unverified_headers = bearer(fan), bearer(unverified)
    url = f"/api/v1/notices/entries/{entry.id}/likes"

    before = client.post(url, headers=fan_headers)
    on_notice(round_, entry)
    db.session.commit()
    first = client.post(url, headers=fan_headers)
    again = client.post(url, headers=fan_headers)
    refused = client.post(url, headers=unverified_headers)
    off_notice = client.post(f"/api/v1/notices/entries/{waiting.id}/likes", headers=fan_headers)
    anonymous = client.post(url)
    clock.move_to(NOW + timedelta(days=7, minutes=1))
    after = client.post(url, headers=bearer(fan))

    assert before.status_code == 404
    assert first.status_code == 200 and first.get_json() == {
        "nomination_id": entry.id,
        "likes": 1,
        "counted": True,
    }
    assert again.status_code == 200 and again.get_json()["counted"] is False
    assert refused.status_code == 409 and refused.get_json()["code"] == "phone_not_verified"
    assert off_notice.status_code == 404 and anonymous.status_code == 401
    assert after.status_code == 409 and after.get_json()["code"] == "notice_closed"
    assert count(NominationLike) == 1


def test_an_objection_through_the_api_is_the_objectors_and_the_districts_to_read(
    client, bearer, places, round_, clock
):
    entry = tallied(round_, places["wenhuali"])
    on_notice(round_, entry)
    objector, other = verified("张实名"), verified("李旁观")
    district = make_clerk(AssignmentKind.district_clerk, places["haigang"], name="区文明办")
    elsewhere = make_clerk(AssignmentKind.district_clerk, places["shanhaiguan"], name="外区")
    db.session.commit()
    url = f"/api/v1/notices/entries/{entry.id}/objections"

    unconfirmed = client.post(
        url, json={"text": "不实", "is_name_confirmed": False}, headers=bearer(objector)
    )
    empty = client.post(url, json={"text": "", "is_name_confirmed": True}, headers=bearer(objector))
    filed = client.post(
        url,
        json={"text": "该同志事迹与实际不符。", "is_name_confirmed": True},
        headers=bearer(objector),
    )

    assert (
        unconfirmed.status_code == 422 and "is_name_confirmed" in unconfirmed.get_json()["errors"]
    )
    assert empty.status_code == 422
    assert filed.status_code == 201, filed.text
    objection = filed.get_json()
    assert (objection["nomination_id"], objection["due_on"], objection["outcome"]) == (
        entry.id,
        "2026-06-15",
        None,
    )
    one = f"/api/v1/honours/objections/{objection['id']}"
    mine = client.get("/api/v1/me/objections", headers=bearer(objector))
    assert [o["id"] for o in mine.get_json()] == [objection["id"]]
    assert client.get("/api/v1/me/objections", headers=bearer(other)).get_json() == []
    as_district = client.get(one, headers=bearer(district)).get_json()
    assert set(as_district) == {
        "id",
        "nomination_id",
        "nominee_name",
        "round_id",
        "text",
        "filed_at",
        "due_on",
        "outcome",
        "answer",
        "answered_at",
        "name",
        "phone",
        "district",
        "is_overdue",
        "answered_by_id",
    }
    assert (as_district["name"], as_district["phone"]) == ("张实名", objector.phone)
    assert as_district["is_overdue"] is False
    for stranger in (other, elsewhere):
        assert client.get(one, headers=bearer(stranger)).status_code == 404
    listed = client.get("/api/v1/honours/objections?is_answered=false", headers=bearer(district))
    assert [o["id"] for o in listed.get_json()] == [objection["id"]]
    assert client.get("/api/v1/honours/objections", headers=bearer(elsewhere)).get_json() == []
    # A clerk below the district has none to answer; a plain volunteer and a visitor see no
    # list at all.
    street = make_clerk(AssignmentKind.street_clerk, places["wenhualu"], name="街道")
    db.session.commit()
    assert client.get("/api/v1/honours/objections", headers=bearer(street)).get_json() == []
    assert client.get("/api/v1/honours/objections", headers=bearer(other)).status_code == 404
    assert client.get("/api/v1/honours/objections").status_code == 401


def test_the_district_answers_through_the_api_and_an_upheld_objection_takes_the_entry_off(
    client, bearer, places, round_, clock
):
    entry = tallied(round_, places["wenhuali"], name="李秀英")
    other = tallied(round_, places["hongqilu"], name="孙明")
    on_notice(round_, entry, other)
    objector = verified("张实名")
    district = make_clerk(AssignmentKind.district_clerk, places["haigang"], name="区文明办")
    elsewhere = make_clerk(AssignmentKind.district_clerk, places["shanhaiguan"], name="外区")
    db.session.commit()
    filed = client.post(
        f"/api/v1/notices/entries/{entry.id}/objections",
        json={"text": "不实", "is_name_confirmed": True},
        headers=bearer(objector),
    ).get_json()
    url = f"/api/v1/honours/objections/{filed['id']}/answer"
    upheld = {"outcome": "upheld", "answer": "经核实，情况属实，撤销其公示。"}

    by_objector = client.post(url, json=upheld, headers=bearer(objector))
    by_elsewhere = client.post(url, json=upheld, headers=bearer(elsewhere))
    bad = client.post(url, json={"outcome": "perhaps", "answer": "x"}, headers=bearer(district))
    answered = client.post(url, json=upheld, headers=bearer(district))
    twice = client.post(url, json=upheld, headers=bearer(district))

    assert (by_objector.status_code, by_elsewhere.status_code, bad.status_code) == (403, 404, 422)
    assert answered.status_code == 200, answered.text
    assert answered.get_json()["outcome"] == "upheld"
    assert answered.get_json()["answered_by_id"] == district.id
    assert twice.status_code == 409
    db.session.refresh(entry)
    assert entry.stage is Stage.rejected
    shown = client.get(f"/api/v1/notices/{round_.id}").get_json()
    assert [e["nomination_id"] for e in shown["entries"]] == [other.id]
    mine = client.get("/api/v1/me/objections", headers=bearer(objector)).get_json()
    assert (mine[0]["outcome"], mine[0]["answer"]) == ("upheld", upheld["answer"])


def test_the_city_opens_and_follows_a_rounds_notice_through_the_api(
    client, bearer, places, round_, clock
):
    chosen = tallied(round_, places["wenhuali"], name="李秀英")
    left_off = tallied(round_, places["hongqilu"], name="孙明")
    office = make_office()
    district = make_clerk(AssignmentKind.district_clerk, places["haigang"], name="区文明办")
    db.session.commit()
    url = f"/api/v1/honours/rounds/{round_.id}/notice"

    before = client.get(url, headers=bearer(office))
    as_district = client.post(url, json={"nomination_ids": [chosen.id]}, headers=bearer(district))
    stray = client.post(url, json={"nomination_ids": [99999]}, headers=bearer(office))
    empty = client.post(url, json={"nomination_ids": []}, headers=bearer(office))
    opened = client.post(url, json={"nomination_ids": [chosen.id]}, headers=bearer(office))
    again = client.post(url, json={"nomination_ids": [chosen.id]}, headers=bearer(office))

    assert before.status_code == 200
    assert before.get_json()["opens_at"] is None
    assert [c["nomination_id"] for c in before.get_json()["candidates"]] == [chosen.id, left_off.id]
    assert (as_district.status_code, stray.status_code, empty.status_code) == (403, 422, 422)
    assert opened.status_code == 201, opened.text
    body = opened.get_json()
    assert body["is_running"] and body["candidates"] == []
    assert body["opens_at"].startswith("2026-06-01T03:00")
    assert [(e["nomination_id"], e["stage"], e["is_shown"]) for e in body["entries"]] == [
        (chosen.id, "notice", True)
    ]
    assert again.status_code == 409 and count(RoundNotice) == 1
    db.session.refresh(left_off)
    assert left_off.stage is Stage.rejected
    assert client.get(url, headers=bearer(make_user())).status_code == 404


def test_a_withdrawn_consent_hides_the_entry_from_the_api_at_once(client, places, round_, clock):
    entry = tallied(round_, places["wenhuali"])
    on_notice(round_, entry)
    db.session.commit()
    assert len(client.get(f"/api/v1/notices/{round_.id}").get_json()["entries"]) == 1

    agree(entry, agreed=False, at=NOW + timedelta(minutes=30))
    db.session.commit()

    assert client.get(f"/api/v1/notices/{round_.id}").get_json()["entries"] == []
    assert count(Objection) == 0


def test_a_nomination_never_on_notice_is_not_found(client, bearer, places, round_, clock):
    at_city = make_nomination(round_, places["wenhuali"], stage=Stage.city)
    fan = verified()
    db.session.commit()

    liked = client.post(f"/api/v1/notices/entries/{at_city.id}/likes", headers=bearer(fan))
    objected = client.post(
        f"/api/v1/notices/entries/{at_city.id}/objections",
        json={"text": "不实", "is_name_confirmed": True},
        headers=bearer(fan),
    )

    assert (liked.status_code, objected.status_code) == (404, 404)
