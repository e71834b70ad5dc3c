"""The nominations' API: each channel's create, reading one (masked, or whole and logged for the
district), changing a draft, the match to the register and its candidates, submitting, files
(multipart), merging, withdrawing, the lists in pages; every refusal a clear answer that
changes nothing; each operation in the OpenAPI document. The round is open on the day the
test runs."""

from __future__ import annotations

import io
import json
from datetime import date, timedelta

import pytest
from PIL import Image
from sqlalchemy import func, select

from core.auth.assignments import AssignmentKind
from core.clock import local_day, utcnow
from core.extensions import db
from honours.models import Person, SensitiveView
from honours.nomination_models import Nomination, NominationFile, Stage
from honours.services import rounds
from tests.builders import make_user
from tests.honours.builders import (
    id_number,
    make_clerk,
    make_office,
    make_places,
    make_round,
)
from tests.honours.nomination_builders import DEEDS

API = "/api/v1/honours/nominations"
STORY = (DEEDS * 2)[:900]


@pytest.fixture
def places(app):
    return make_places()


@pytest.fixture
def round_(places):
    """A round open today, whenever the test runs."""
    office = make_office()
    today = local_day(utcnow())
    made = make_round(
        office, opens_on=today - timedelta(days=1), closes_on=today + timedelta(days=20)
    )
    return rounds.open_round(office, made.id, now=utcnow())


@pytest.fixture
def clerk(places):
    return make_clerk(AssignmentKind.community_clerk, places["wenhuali"], name="文化里社区专干")


def count(model=Nomination) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def body(round_, place, **values):
    return {
        "round_id": round_.id,
        "nominee_name": "王秀兰",
        "nominee_gender": "female",
        "nominee_birth_date": "1958-03-12",
        "nominee_phone": "13803357788",
        "region_id": place.id,
        "category": "filial_piety",
        "summary": "三十年如一日照顾瘫痪婆婆的好儿媳",
        "deeds": STORY,
        **values,
    }


def verified(name="热心市民"):
    user = make_user(display_name=name)
    user.phone_verified_at = utcnow() - timedelta(days=1)
    db.session.flush()
    return user


def png() -> bytes:
    image = io.BytesIO()
    Image.new("RGB", (8, 8), (20, 120, 40)).save(image, format="PNG")
    return image.getvalue()


def test_a_clerk_drafts_matches_and_submits_through_the_api(client, bearer, places, round_, clerk):
    headers = bearer(clerk)

    made = client.post(f"{API}/territorial", json=body(round_, places["wenhuali"]), headers=headers)
    assert made.status_code == 201, made.json
    nomination = made.json
    assert (nomination["channel"], nomination["stage"]) == ("territorial", "draft")
    assert nomination["nominee_phone"] == "138****7788" and nomination["is_whole"] is False
    assert set(nomination["actions"]) == {"edit", "match", "submit", "change_files", "withdraw"}
    assert nomination["nominators"][0]["kind"] == "unit"
    one = f"{API}/{nomination['id']}"

    early = client.post(f"{one}/submit", headers=headers)
    assert early.status_code == 409 and early.json["code"] == "not_matched"

    changed = client.patch(one, json={"summary": "孝老爱亲的好儿媳"}, headers=headers)
    assert changed.status_code == 200 and changed.json["summary"] == "孝老爱亲的好儿媳"
    short = client.patch(one, json={"deeds": "太短了"}, headers=headers)
    assert short.status_code == 422 and "deeds" in short.json["errors"]

    assert client.get(f"{one}/candidates", headers=headers).json == []
    matched = client.post(
        f"{one}/match", json={"person": {"address": "文化路3号"}}, headers=headers
    )
    assert matched.status_code == 200, matched.json
    assert db.session.get(Person, matched.json["person_id"]).address == "文化路3号"

    submitted = client.post(f"{one}/submit", headers=headers)
    assert submitted.status_code == 200
    assert submitted.json["stage"] == "street"
    assert [step["action"] for step in submitted.json["steps"]] == ["submitted"]
    assert submitted.json["steps"][0]["actor"]["id"] == clerk.id
    again = client.patch(one, json={"summary": "晚了"}, headers=headers)
    assert again.status_code == 409


def test_the_public_nominate_and_read_their_own(client, bearer, places, round_, clerk):
    user = verified()
    unverified = make_user(display_name="未验证")

    refused = client.post(
        f"{API}/public", json=body(round_, places["wenhuali"]), headers=bearer(unverified)
    )
    assert refused.status_code == 403 and refused.json["code"] == "phone_not_verified"
    assert count() == 0

    made = client.post(
        f"{API}/public",
        json=body(round_, places["wenhuali"], is_self=True),
        headers=bearer(user),
    )
    assert made.status_code == 201, made.json
    assert made.json["stage"] == "community" and made.json["lead_source"] == "form"
    assert made.json["nominators"][0]["kind"] == "self"
    # A nominator sees what was done, not which clerk did it.
    assert made.json["steps"][0]["actor"] is None
    mine = client.get(f"{API}/mine", headers=bearer(user))
    assert [n["id"] for n in mine.json] == [made.json["id"]]
    assert json.loads(mine.headers["X-Pagination"])["total"] == 1
    stranger = client.get(f"{API}/{made.json['id']}", headers=bearer(verified("路人")))
    assert stranger.status_code == 404
    opened = client.get(f"{API}/rounds", headers=bearer(user))
    assert [r["id"] for r in opened.json] == [round_.id]


def test_a_media_editor_files_at_the_city_and_others_are_refused(
    client, bearer, places, round_, clerk
):
    editor = make_clerk(AssignmentKind.media_editor, name="秦皇岛日报编辑")
    sent = body(
        round_,
        places["wenhualu"],
        media_url="https://www.qhdnews.com/2026/haoren.html",
        media_discovery="leader_attention",
        unit_name="秦皇岛日报",
    )

    assert client.post(f"{API}/media", json=sent, headers=bearer(clerk)).status_code == 403
    office = client.post(f"{API}/media", json=sent, headers=bearer(make_office()))
    assert office.status_code == 403
    bad = client.post(
        f"{API}/media", json={**sent, "media_url": "ftp://x.cn/a"}, headers=bearer(editor)
    )
    assert bad.status_code == 422 and set(bad.json["errors"]) == {"media_url"}
    assert count() == 0

    made = client.post(f"{API}/media", json=sent, headers=bearer(editor))
    assert made.status_code == 201, made.json
    assert made.json["stage"] == "city" and made.json["person_id"] is not None
    assert made.json["media_discovery"] == "leader_attention"


def test_a_clerk_enters_a_lead_from_the_email(client, bearer, places, round_, clerk):
    sent = body(round_, places["wenhuali"], lead_source="email", caller_name="张大爷")
    made = client.post(f"{API}/leads", json=sent, headers=bearer(clerk))
    assert made.status_code == 201, made.json
    assert made.json["nominators"][0]["name"] == "张大爷"
    form = client.post(f"{API}/leads", json={**sent, "lead_source": "form"}, headers=bearer(clerk))
    assert form.status_code == 422
    outsider = make_clerk(AssignmentKind.community_clerk, places["nanguan"], name="南关")
    assert client.post(f"{API}/leads", json=sent, headers=bearer(outsider)).status_code == 403
    assert count() == 1


def test_the_district_reads_the_nominee_whole_once_matched_and_it_is_logged(
    client, bearer, places, round_, clerk
):
    number = id_number(date(1958, 3, 12), male=False)
    made = client.post(
        f"{API}/territorial",
        json=body(round_, places["wenhuali"], nominee_id_number=number),
        headers=bearer(clerk),
    ).json
    client.post(f"{API}/{made['id']}/match", json={}, headers=bearer(clerk))
    district = make_clerk(AssignmentKind.district_clerk, places["haigang"], name="区文明办")

    whole = client.get(f"{API}/{made['id']}", headers=bearer(district))

    assert whole.json["nominee_id_number"] == number and whole.json["is_whole"] is True
    (view,) = db.session.scalars(select(SensitiveView)).all()
    assert view.viewer_id == district.id and view.place == "api.nominations.one"
    masked = client.get(f"{API}/{made['id']}", headers=bearer(clerk))
    assert masked.json["nominee_id_number"] != number
    listed = client.get(API, headers=bearer(district), query_string={"stage": "draft"})
    assert [n["id"] for n in listed.json] == [made["id"]]
    assert "nominee_id_number" not in listed.json[0]
    assert client.get(API, headers=bearer(verified())).json == []


def test_files_go_up_as_multipart_and_come_off(client, bearer, places, round_, clerk):
    user = verified()
    made = client.post(
        f"{API}/public", json=body(round_, places["wenhuali"]), headers=bearer(user)
    ).json
    files = f"{API}/{made['id']}/files"

    sent = client.post(
        files,
        query_string={"kind": "life_photo"},
        data={"file": (io.BytesIO(png()), "生活照.png")},
        headers=bearer(user),
        content_type="multipart/form-data",
    )
    assert sent.status_code == 201, sent.json
    assert sent.json["kind"] == "life_photo" and sent.json["content_type"] == "image/png"
    pdf = client.post(
        files,
        query_string={"kind": "id_photo"},
        data={"file": (io.BytesIO(b"%PDF-1.4\n%%EOF\n"), "a.pdf")},
        headers=bearer(user),
        content_type="multipart/form-data",
    )
    assert pdf.status_code == 422
    missing = client.post(files, query_string={"kind": "evidence"}, headers=bearer(user))
    assert missing.status_code == 422
    read = client.get(f"/api/v1/uploads/{sent.json['key']}", headers=bearer(clerk))
    assert read.status_code == 200
    outsider = bearer(verified("路人"))
    assert client.get(f"/api/v1/uploads/{sent.json['key']}", headers=outsider).status_code == 404
    assert client.delete(f"{files}/{sent.json['key']}", headers=outsider).status_code == 404

    gone = client.delete(f"{files}/{sent.json['key']}", headers=bearer(user))
    assert gone.status_code == 204
    assert count(NominationFile) == 0
    assert client.delete(f"{files}/{sent.json['key']}", headers=bearer(user)).status_code == 404


def test_a_duplicate_is_merged_and_a_nomination_withdrawn(client, bearer, places, round_, clerk):
    first = client.post(
        f"{API}/territorial", json=body(round_, places["wenhuali"]), headers=bearer(clerk)
    ).json
    user = verified()
    lead = client.post(
        f"{API}/public", json=body(round_, places["wenhuali"]), headers=bearer(user)
    ).json
    assert lead["duplicate_of_id"] == first["id"]

    refused = client.post(f"{API}/{first['id']}/merge", json={}, headers=bearer(clerk))
    assert refused.status_code == 409 and refused.json["code"] == "not_duplicate"
    merged = client.post(
        f"{API}/{lead['id']}/merge", json={"reason": "同一人"}, headers=bearer(clerk)
    )
    assert merged.status_code == 200, merged.json
    assert merged.json["id"] == first["id"] and merged.json["merged_from"] == [lead["id"]]
    assert {n["from_nomination_id"] for n in merged.json["nominators"]} == {
        first["id"],
        lead["id"],
    }
    assert db.session.get(Nomination, lead["id"]).stage is Stage.merged

    not_filer = client.post(f"{API}/{first['id']}/withdraw", json={}, headers=bearer(user))
    assert not_filer.status_code == 403
    withdrawn = client.post(
        f"{API}/{first['id']}/withdraw", json={"reason": "社区决定另推他人"}, headers=bearer(clerk)
    )
    assert withdrawn.status_code == 200 and withdrawn.json["stage"] == "withdrawn"
    assert withdrawn.json["actions"] == []


def test_every_operation_is_in_the_openapi_document(client):
    document = client.get("/api/v1/openapi.json").json
    paths = {
        f"{API}": {"get"},
        f"{API}/mine": {"get"},
        f"{API}/rounds": {"get"},
        f"{API}/territorial": {"post"},
        f"{API}/media": {"post"},
        f"{API}/public": {"post"},
        f"{API}/leads": {"post"},
        f"{API}/{{nomination_id}}": {"get", "patch"},
        f"{API}/{{nomination_id}}/candidates": {"get"},
        f"{API}/{{nomination_id}}/match": {"post"},
        f"{API}/{{nomination_id}}/submit": {"post"},
        f"{API}/{{nomination_id}}/files": {"post"},
        f"{API}/{{nomination_id}}/files/{{file_key}}": {"delete"},
        f"{API}/{{nomination_id}}/merge": {"post"},
        f"{API}/{{nomination_id}}/withdraw": {"post"},
    }
    for path, methods in paths.items():
        assert methods <= set(document["paths"][path]), path
    upload = document["paths"][f"{API}/{{nomination_id}}/files"]["post"]["requestBody"]
    assert "multipart/form-data" in upload["content"]
