"""The review through the API: a step, a declared conflict, background checks and the review
queue, with each refusal's status and code (wrong level or region, filed it, declared a
conflict, no reason, no checklist, unmatched, quota used, checks read by a street clerk)."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from core.auth.assignments import AssignmentKind
from core.clock import utcnow
from core.extensions import db
from honours.nomination_models import (
    Agency,
    BackgroundCheck,
    Channel,
    ConflictDeclaration,
    ReviewStep,
    Stage,
)
from honours.services.review import CheckItem
from tests.builders import make_user
from tests.honours.builders import NOW, make_clerk, make_office, make_places
from tests.honours.nomination_builders import make_nomination, open_round

TICKED = [item.value for item in CheckItem]


@pytest.fixture
def places(app):
    return make_places()


@pytest.fixture
def round_(places):
    return open_round(quota=1)


@pytest.fixture
def clerks(places):
    return {
        "community": make_clerk(AssignmentKind.community_clerk, places["wenhuali"], name="站"),
        "street": make_clerk(AssignmentKind.street_clerk, places["wenhualu"], name="所"),
        "other_street": make_clerk(AssignmentKind.street_clerk, places["haibinlu"], name="海所"),
        "district": make_clerk(AssignmentKind.district_clerk, places["haigang"], name="区"),
        "city": make_office(),
    }


def steps_url(nomination) -> str:
    return f"/api/v1/honours/nominations/{nomination.id}/steps"


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def forward_body(**values) -> dict:
    return {"action": "forward", "checklist": TICKED, "declared_no_conflict": True, **values}


def answer_checks(client, headers, nomination):
    for agency in Agency:
        answered = client.post(
            f"/api/v1/honours/nominations/{nomination.id}/background-checks",
            json={
                "agency": agency.value,
                "sent_on": "2026-05-25",
                "answered_on": "2026-05-29",
                "result": "clear",
            },
            headers=headers,
        )
        assert answered.status_code == 200, answered.text


def test_a_street_clerk_forwards_and_the_step_is_answered(client, bearer, places, round_, clerks):
    nomination = make_nomination(round_, places["wenhuali"], stage=Stage.street)

    answer = client.post(
        steps_url(nomination),
        json=forward_body(opinion="事迹属实"),
        headers=bearer(clerks["street"]),
    )

    assert answer.status_code == 201, answer.text
    body = answer.get_json()
    assert (body["action"], body["from_stage"], body["to_stage"]) == (
        "forwarded",
        "street",
        "district",
    )
    assert body["actor"]["id"] == clerks["street"].id and body["declared_no_conflict"]
    assert body["checklist"] == {
        "identity_confirmed": True,
        "deeds_verified": True,
        "not_honoured": True,
    }
    assert db.session.get(type(nomination), nomination.id).stage is Stage.district


def test_each_refusal_has_its_status_and_code_and_changes_nothing(
    client, bearer, places, round_, clerks
):
    nomination = make_nomination(round_, places["wenhuali"], stage=Stage.street)
    filed = make_nomination(
        round_, places["wenhuali"], stage=Stage.street, by=clerks["street"], name="王芳"
    )
    lead = make_nomination(round_, places["wenhuali"], channel=Channel.public, name="赵敏")
    stranger = make_user()
    cases = [
        (clerks["community"], nomination, forward_body(), 403, "not_your_level"),
        (clerks["city"], nomination, forward_body(), 403, "not_your_level"),
        (clerks["other_street"], nomination, forward_body(), 404, "not_found"),
        (stranger, nomination, forward_body(), 404, "not_found"),
        (clerks["street"], filed, forward_body(), 403, "forbidden"),
        (clerks["street"], nomination, {"action": "reject"}, 422, "validation_failed"),
        (clerks["street"], nomination, {"action": "forward"}, 422, "validation_failed"),
        (clerks["street"], nomination, {"action": "approve"}, 422, "validation_failed"),
        (clerks["community"], lead, forward_body(), 409, "unmatched"),
        (clerks["community"], lead, {"action": "return", "opinion": "退回"}, 409, "return"),
    ]
    headers = {user.id: bearer(user) for user, *_ in cases}

    for user, target, body, status, code in cases:
        answer = client.post(steps_url(target), json=body, headers=headers[user.id])
        assert (answer.status_code, answer.get_json()["code"]) == (status, code), (
            user.display_name,
            body,
            answer.text,
        )
    reject = client.post(
        steps_url(nomination), json={"action": "reject"}, headers=headers[clerks["street"].id]
    )
    assert "opinion" in reject.get_json()["errors"]
    bare = client.post(
        steps_url(nomination), json={"action": "forward"}, headers=headers[clerks["street"].id]
    )
    assert set(bare.get_json()["errors"]) == {"checklist", "declared_no_conflict"}
    assert count(ReviewStep) == 0


def test_a_declared_conflict_bars_the_reviewer(client, bearer, places, round_, clerks):
    nomination = make_nomination(round_, places["wenhuali"], stage=Stage.street)
    headers = bearer(clerks["street"])
    url = f"/api/v1/honours/nominations/{nomination.id}/conflicts"

    declared = client.post(url, json={"reason": "被推荐人是我的表姐"}, headers=headers)
    again = client.post(url, json={"reason": "再次"}, headers=headers)
    empty = client.post(url, json={"reason": ""}, headers=headers)
    step = client.post(steps_url(nomination), json=forward_body(), headers=headers)

    assert declared.status_code == 201, declared.text
    assert declared.get_json()["reason"] == "被推荐人是我的表姐"
    assert (again.status_code, again.get_json()["code"]) == (409, "declared_already")
    assert empty.status_code == 422
    assert step.status_code == 403
    assert count(ConflictDeclaration) == 1 and count(ReviewStep) == 0


def test_the_district_forwards_within_its_quota_once_checks_are_answered(
    client, bearer, places, round_, clerks
):
    first = make_nomination(round_, places["wenhuali"], stage=Stage.district)
    second = make_nomination(round_, places["hongqilu"], stage=Stage.district, name="孙丽")
    headers = bearer(clerks["district"])

    unanswered = client.post(steps_url(first), json=forward_body(), headers=headers)
    assert (unanswered.status_code, unanswered.get_json()["code"]) == (409, "background_checks")
    answer_checks(client, headers, first)
    answer_checks(client, headers, second)
    assert client.post(steps_url(first), json=forward_body(), headers=headers).status_code == 201
    over = client.post(steps_url(second), json=forward_body(), headers=headers)

    assert (over.status_code, over.get_json()["code"]) == (409, "quota")
    assert db.session.get(type(second), second.id).stage is Stage.district


def test_checks_are_read_and_recorded_by_the_district_and_the_city_only(
    client, bearer, places, round_, clerks
):
    nomination = make_nomination(round_, places["wenhuali"], stage=Stage.district)
    url = f"/api/v1/honours/nominations/{nomination.id}/background-checks"
    sent = {"agency": "police", "sent_on": "2026-05-25", "notes": "函询公安分局"}

    recorded = client.post(url, json=sent, headers=bearer(clerks["district"]))
    listed = client.get(url, headers=bearer(clerks["city"]))
    by_street = client.get(url, headers=bearer(clerks["street"]))
    written_by_street = client.post(url, json=sent, headers=bearer(clerks["street"]))
    future = client.post(
        url,
        json={**sent, "sent_on": (utcnow() + timedelta(days=3)).date().isoformat()},
        headers=bearer(clerks["district"]),
    )

    assert recorded.status_code == 200, recorded.text
    assert recorded.get_json()["answered_on"] is None and recorded.get_json()["result"] is None
    assert listed.status_code == 200
    assert [c["agency"] for c in listed.get_json()] == ["police"]
    assert json.loads(listed.headers["X-Pagination"])["total"] == 1
    assert by_street.status_code == 404 and written_by_street.status_code == 404
    assert "函询公安分局" not in by_street.text
    assert future.status_code == 422, future.text
    assert list(future.get_json()["errors"]) == ["sent_on"]
    assert count(BackgroundCheck) == 1


def test_the_queue_lists_what_waits_at_the_callers_level(client, bearer, places, round_, clerks):
    waiting = make_nomination(
        round_, places["wenhuali"], stage=Stage.street, at=NOW - timedelta(days=10)
    )
    make_nomination(round_, places["nanguan"], stage=Stage.street, name="吴刚")

    found = client.get("/api/v1/honours/review-queue", headers=bearer(clerks["street"]))
    refused = client.get("/api/v1/honours/review-queue", headers=bearer(make_user()))

    assert found.status_code == 200, found.text
    (item,) = found.get_json()
    assert item["nomination"]["id"] == waiting.id and item["is_overdue"]
    assert item["nomination"]["region"]["id"] == places["wenhuali"].id
    assert refused.status_code == 404
