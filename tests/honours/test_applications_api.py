"""Benefits by application through the API and the pages: the whole path, each step only by
its role, the department's reach and what it reads, another district's 404, bad input with
nothing changed, the person's phone page, the clerks' counts and export."""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import func, select

from core.extensions import db
from honours.application_models import ApplicationStatus, ApplicationStep, BenefitApplication
from honours.card_models import CardStatus
from honours.services.card_codes import live_card
from tests.conftest import sign_in
from tests.honours.application_builders import ASKED, application_ground, make_application

API = "/api/v1"


@pytest.fixture
def ground(app):
    g = application_ground()
    db.session.commit()
    return g


def _steps() -> int:
    return db.session.scalar(select(func.count()).select_from(ApplicationStep))


def test_the_whole_path_through_the_api(client, ground, bearer):
    g = ground
    body = {"benefit_id": g.benefit.id, "department_id": g.department.id, "asked": ASKED}
    made = client.post(f"{API}/me/card/applications", json=body, headers=bearer(g.holder))
    assert made.status_code == 201, made.text
    assert made.json["status"] == "applied" and made.json["asked"] == ASKED
    number = made.json["id"]

    proposed = client.post(
        f"{API}/honours/applications/{number}/proposal",
        json={"opinion": "同意推荐"},
        headers=bearer(g.district),
    )
    assert proposed.status_code == 200, proposed.text
    assert proposed.json["masked_id_number"].endswith(g.person.id_number[-4:])
    assert g.person.id_number not in proposed.text and g.person.phone not in proposed.text
    approved = client.post(
        f"{API}/honours/applications/{number}/approval",
        json={"opinion": "同意"},
        headers=bearer(g.office),
    )
    assert approved.json["status"] == "approved", approved.text

    staff = bearer(g.staff)
    listed = client.get(f"{API}/partner/applications", headers=staff)
    assert [row["id"] for row in listed.json] == [number]
    row = listed.json[0]
    assert (row["id_tail"], row["masked_phone"], row["asked"]) == (
        g.person.id_number[-4:],
        "138****0001",
        ASKED,
    )
    assert g.person.id_number not in listed.text and "文化路12号" not in listed.text
    assert (
        client.post(
            f"{API}/partner/applications/{number}/acknowledgement", json={}, headers=staff
        ).json["status"]
        == "in_hand"
    )
    closed = client.post(
        f"{API}/partner/applications/{number}/closing",
        json={"result": "granted", "outcome": "已安排入学"},
        headers=staff,
    )
    assert (closed.json["status"], closed.json["result"]) == ("closed", "granted"), closed.text

    mine = client.get(f"{API}/me/card/applications/{number}", headers=bearer(g.holder))
    assert [s["to_status"] for s in mine.json["steps"]] == [
        "applied",
        "proposed",
        "approved",
        "in_hand",
        "closed",
    ]
    assert mine.json["steps"][1]["opinion"] == "同意推荐"


def test_each_step_only_by_its_role(client, ground, bearer):
    g = ground
    number = make_application(g).id
    db.session.commit()
    opinion = {"opinion": "同意"}
    for user in (g.community, g.street, g.office):
        answer = client.post(
            f"{API}/honours/applications/{number}/proposal", json=opinion, headers=bearer(user)
        )
        assert answer.status_code == 403, (user.display_name, answer.text)
    assert (
        client.post(
            f"{API}/honours/applications/{number}/proposal",
            json=opinion,
            headers=bearer(g.other_district),
        ).status_code
        == 404
    )
    assert (
        client.post(
            f"{API}/honours/applications/{number}/approval", json=opinion, headers=bearer(g.office)
        ).status_code
        == 409
    )
    assert (
        client.post(
            f"{API}/partner/applications/{number}/acknowledgement", json={}, headers=bearer(g.staff)
        ).status_code
        == 404
    )
    assert (
        client.get(
            f"{API}/honours/applications/{number}", headers=bearer(g.other_district)
        ).status_code
        == 404
    )
    assert (
        client.get(f"{API}/me/card/applications/{number}", headers=bearer(g.staff)).status_code
        == 404
    )
    assert db.session.get(BenefitApplication, number).status is ApplicationStatus.applied
    assert _steps() == 1


def test_a_department_never_reads_another_departments_application(client, ground, bearer):
    g = ground
    number = make_application(g, ApplicationStatus.approved).id
    db.session.commit()
    other = bearer(g.other_staff)
    assert client.get(f"{API}/partner/applications", headers=other).json == []
    assert client.get(f"{API}/partner/applications/{number}", headers=other).status_code == 404
    assert (
        client.post(
            f"{API}/partner/applications/{number}/closing",
            json={"result": "granted", "outcome": "已办"},
            headers=other,
        ).status_code
        == 404
    )
    assert client.get(f"/partner/applications/{number}").status_code == 302  # sign in first
    sign_in(client, g.other_staff)
    assert client.get(f"/partner/applications/{number}").status_code == 404
    assert ASKED not in client.get("/partner/applications").text


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"benefit_id": 1, "department_id": 1},
        {"benefit_id": "x", "department_id": 1, "asked": "初一"},
        {"benefit_id": 1, "department_id": 1, "asked": "长" * 501},
    ],
)
def test_bad_input_is_4xx_and_changes_nothing(client, ground, bearer, body):
    answer = client.post(f"{API}/me/card/applications", json=body, headers=bearer(ground.holder))
    assert answer.status_code == 422, answer.text
    assert set(answer.json) >= {"code", "message", "errors"}
    assert db.session.scalar(select(func.count()).select_from(BenefitApplication)) == 0


def test_a_card_not_valid_and_a_second_open_application_are_refused(client, ground, bearer):
    g = ground
    body = {"benefit_id": g.benefit.id, "department_id": g.department.id, "asked": ASKED}
    headers = bearer(g.holder)
    assert client.post(f"{API}/me/card/applications", json=body, headers=headers).status_code == 201
    again = client.post(f"{API}/me/card/applications", json=body, headers=headers)
    assert (again.status_code, again.json["code"]) == (409, "application_open")

    live_card(g.person.id).status = CardStatus.lost
    db.session.commit()
    refused = client.post(
        f"{API}/honours/applications",
        json={**body, "person_id": g.person.id},
        headers=bearer(g.district),
    )
    assert (refused.status_code, refused.json["code"]) == (422, "card_not_valid"), refused.text


def test_the_persons_phone_page_offers_and_applies(client, ground):
    g = ground
    sign_in(client, g.holder)
    page = client.get("/me/card/applications")
    assert page.status_code == 200
    assert "子女入学帮扶 · 市教育局" in page.text

    bad = client.post("/me/card/applications", data={"offer": "", "asked": ""})
    assert bad.status_code == 422
    done = client.post(
        "/me/card/applications",
        data={"offer": f"{g.benefit.id}:{g.department.id}", "asked": ASKED},
    )
    assert done.status_code == 302, done.text
    detail = client.get(done.headers["Location"])
    assert ASKED in detail.text and 'data-testid="steps"' in detail.text
    assert 'class="auth-card"' in detail.text  # the narrow column the phone pages share


def test_the_clerks_pages_step_count_and_export(app, client, ground):
    g = ground
    number = make_application(g).id
    db.session.commit()
    sign_in(client, g.district)
    listed = client.get("/honours/applications")
    assert 'data-testid="count-applied"' in listed.text
    assert g.person.id_number not in listed.text
    missing = client.post(f"/honours/applications/{number}/propose", data={"opinion": ""})
    assert missing.status_code == 422
    done = client.post(f"/honours/applications/{number}/propose", data={"opinion": "同意推荐"})
    assert done.status_code == 302
    assert db.session.get(BenefitApplication, number).status is ApplicationStatus.proposed
    again = client.post(f"/honours/applications/{number}/propose", data={"opinion": "同意推荐"})
    assert again.status_code == 302  # refused: flashed, back to the page
    assert _steps() == 2

    exported = client.get("/honours/applications/export.csv?status=proposed")
    rows = list(csv.reader(io.StringIO(exported.data.decode("utf-8-sig"))))
    assert any(row[:2] == [str(number), "王德明"] for row in rows), rows
    assert g.person.id_number not in exported.data.decode("utf-8-sig")
    assert client.get("/honours/applications/export.xlsx").status_code == 200
    assert client.get("/honours/applications/export.pdf").status_code == 404

    other = sign_in(app.test_client(), g.other_district)
    assert other.get(f"/honours/applications/{number}").status_code == 404
    assert "王德明" not in other.get("/honours/applications").text


def test_the_departments_pages_acknowledge_and_close(client, ground):
    g = ground
    number = make_application(g, ApplicationStatus.approved).id
    db.session.commit()
    sign_in(client, g.staff)
    page = client.get(f"/partner/applications/{number}")
    assert ASKED in page.text and g.person.id_number[-4:] in page.text
    assert g.person.id_number not in page.text and g.person.phone not in page.text
    assert client.post(f"/partner/applications/{number}/acknowledge", data={}).status_code == 302
    bad = client.post(f"/partner/applications/{number}/close", data={"result": "granted"})
    assert bad.status_code == 422
    done = client.post(
        f"/partner/applications/{number}/close", data={"result": "granted", "outcome": "已入学"}
    )
    assert done.status_code == 302
    assert db.session.get(BenefitApplication, number).status is ApplicationStatus.closed
