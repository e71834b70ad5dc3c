"""Revocation through the API and the pages: status codes, bad input answered 4xx with nothing
changed, the recall tasks of one's district, the revocations' export, and what the holder's
own pages say."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest
from sqlalchemy import func, select

from core.auth.assignments import AssignmentKind
from core.extensions import db
from honours.card_models import CardStatus
from honours.revocation_models import RecallStatus, RecallTask, Revocation
from tests.builders import make_user
from tests.conftest import sign_in
from tests.honours.builders import make_clerk, make_office, make_places
from tests.honours.revocation_builders import REASON, make_holder, revoke

TASKS = "/api/v1/honours/recall-tasks"


def _path(person_id: int) -> str:
    return f"/api/v1/honours/persons/{person_id}/revocations"


def _revocations() -> int:
    return db.session.scalar(select(func.count()).select_from(Revocation))


@pytest.fixture
def ground(app):
    places, office = make_places(), make_office()
    holder = make_user(display_name="吴守约")
    person, honour, card, _document = make_holder(places["wenhuali"], office, user=holder)
    _other, other_honour, *_ = make_holder(places["nanguan"], office, name="郑别处")
    return {
        "places": places,
        "office": office,
        "holder": holder,
        "person": person,
        "honour": honour,
        "card": card,
        "other_honour": other_honour,
        "district": make_clerk(AssignmentKind.district_clerk, places["haigang"]),
        "other_district": make_clerk(AssignmentKind.district_clerk, places["shanhaiguan"]),
    }


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"honour_ids": [999_999], "reason": REASON}, 422, "honour_ids"),
        ({"honour_ids": "other", "reason": REASON}, 422, "honour_ids"),
        ({"honour_ids": "mine", "reason": ""}, 422, "reason"),
        ({"honour_ids": "mine", "reason": "   "}, 422, "reason"),
        ({"honour_ids": [], "reason": REASON}, 422, "honour_ids"),
        ({"reason": REASON}, 422, "honour_ids"),
    ],
    ids=["unknown", "another-persons", "empty-reason", "blank-reason", "none", "missing"],
)
def test_bad_input_is_refused_and_changes_nothing(client, bearer, ground, body, status, field):
    named = {"mine": [ground["honour"].id], "other": [ground["other_honour"].id]}
    if isinstance(body.get("honour_ids"), str):
        body = {**body, "honour_ids": named[body["honour_ids"]]}

    answer = client.post(_path(ground["person"].id), json=body, headers=bearer(ground["office"]))

    assert answer.status_code == status, answer.json
    assert set(answer.json) >= {"code", "message", "errors"}
    assert field in str(answer.json["errors"])
    assert _revocations() == 0
    db.session.expire_all()
    assert ground["card"].status is CardStatus.active


def test_the_api_revokes_once_then_answers_conflict(client, bearer, ground):
    headers = bearer(ground["office"])
    body = {"honour_ids": [ground["honour"].id], "reason": REASON}

    first = client.post(_path(ground["person"].id), json=body, headers=headers)
    again = client.post(_path(ground["person"].id), json=body, headers=headers)

    assert first.status_code == 201
    assert first.json["person"]["name"] == ground["person"].name
    assert [h["id"] for h in first.json["honours"]] == [ground["honour"].id]
    assert again.status_code == 409 and again.json["code"] == "revoked_already"
    assert _revocations() == 1


def test_a_clerk_below_the_city_may_not_revoke(client, bearer, ground):
    body = {"honour_ids": [ground["honour"].id], "reason": REASON}

    for user in (ground["district"], ground["holder"]):
        answer = client.post(_path(ground["person"].id), json=body, headers=bearer(user))
        assert answer.status_code in (403, 404)
    assert _revocations() == 0


def test_recall_tasks_through_the_api(client, bearer, ground):
    task_id = revoke(ground["office"], ground["person"]).recall_task.id
    mine, other = bearer(ground["district"]), bearer(ground["other_district"])

    listed = client.get(f"{TASKS}?status=open", headers=mine)
    assert [t["id"] for t in listed.json] == [task_id]
    assert listed.json[0]["card"]["number"] == ground["card"].number
    assert client.get(TASKS, headers=other).json == []
    assert client.get("/api/v1/honours/revocations", headers=other).json == []
    close = f"{TASKS}/{task_id}/close"
    assert client.post(close, json={"recovered": True}, headers=other).status_code == 404
    refused = client.post(close, json={"recovered": False, "note": ""}, headers=mine)
    assert refused.status_code == 422 and "note" in refused.json["errors"]

    done = client.post(close, json={"recovered": True}, headers=mine)

    assert done.status_code == 200 and done.json["status"] == "done"
    assert done.json["closed_by"]["id"] == ground["district"].id
    again = client.post(close, json={"recovered": True}, headers=mine)
    assert again.status_code == 409


def test_the_office_revokes_from_the_person_page(client, ground):
    office, person = ground["office"], ground["person"]
    sign_in(client, office)
    page = client.get(f"/honours/register/persons/{person.id}")
    assert 'data-testid="revoke-form"' in page.text

    refused = client.post(
        f"/honours/register/persons/{person.id}/revocations",
        data={"honour_ids": [ground["honour"].id], "reason": REASON},
    )
    assert refused.status_code == 302 and _revocations() == 0  # not confirmed

    done = client.post(
        f"/honours/register/persons/{person.id}/revocations",
        data={
            "honour_ids": [ground["honour"].id],
            "reason": REASON,
            "decision_number": "秦文明〔2026〕12号",
            "is_confirmed": "y",
        },
        follow_redirects=True,
    )

    assert done.status_code == 200 and _revocations() == 1
    assert f'data-testid="revoked-{ground["honour"].id}"' in done.text
    listed = client.get("/honours/revocations")
    assert person.name in listed.text and "秦文明〔2026〕12号" in listed.text


def test_a_district_clerk_closes_the_task_on_the_page(client, ground):
    task_id = revoke(ground["office"], ground["person"]).recall_task.id
    sign_in(client, ground["district"])
    page = client.get("/honours/recall-tasks")
    assert f'data-testid="task-{task_id}"' in page.text

    refused = client.post(
        f"/honours/recall-tasks/{task_id}/close", data={"outcome": "not_recoverable"}
    )
    assert refused.status_code == 302
    db.session.expire_all()
    assert db.session.get(RecallTask, task_id).status is RecallStatus.open

    client.post(
        f"/honours/recall-tasks/{task_id}/close",
        data={"outcome": "not_recoverable", "note": "本人拒不交回，已书面告知"},
    )
    db.session.expire_all()
    assert db.session.get(RecallTask, task_id).status is RecallStatus.not_recoverable


def test_another_districts_clerk_sees_no_task_and_cannot_close_it(client, ground):
    task_id = revoke(ground["office"], ground["person"]).recall_task.id
    sign_in(client, ground["other_district"])

    assert f'data-testid="task-{task_id}"' not in client.get("/honours/recall-tasks").text
    client.post(f"/honours/recall-tasks/{task_id}/close", data={"outcome": "done"})

    db.session.expire_all()
    assert db.session.get(RecallTask, task_id).status is RecallStatus.open


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_revocations_export(client, ground, fmt):
    revoke(ground["office"], ground["person"])
    sign_in(client, ground["office"])

    answer = client.get(f"/honours/revocations/export.{fmt}")

    assert answer.status_code == 200
    if fmt == "csv":
        rows = list(csv.reader(io.StringIO(answer.data.decode("utf-8-sig"))))
    else:
        book = openpyxl.load_workbook(io.BytesIO(answer.data), read_only=True)
        rows = [list(r) for r in book.worksheets[0].iter_rows(values_only=True)]
    line = next(r for r in rows if ground["person"].name in r)
    assert REASON in line and "秦文明〔2026〕12号" in line


def test_the_holder_reads_that_their_card_was_revoked(client, ground):
    revoke(ground["office"], ground["person"])
    sign_in(client, ground["holder"])

    card = client.get("/me/card")
    profile = client.get("/profile")

    assert card.status_code == 200
    assert 'data-testid="my-revocations"' in card.text and "秦文明〔2026〕12号" in card.text
    assert 'data-testid="card-qr"' not in card.text
    assert 'data-testid="my-revocations"' in profile.text
