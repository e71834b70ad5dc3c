"""Consent through the API and the pages: a clerk sends a consent code and records an answer
(multipart, with the scan of a signed form, or with the code), reads the answers with the
phones masked; the wrong person, the wrong stage and bad input are refused with a clear
answer and change nothing; the nomination's page shows the section to its clerks only."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
import time_machine
from PIL import Image
from sqlalchemy import func, select

from core.auth.assignments import AssignmentKind
from core.auth.sms import current_gateway
from core.extensions import db
from honours.nomination_models import NominationConsent, RoundNotice, Stage
from tests.builders import make_user
from tests.conftest import sign_in
from tests.honours.builders import NOW, make_clerk, make_office, make_person, make_places
from tests.honours.nomination_builders import make_nomination, open_round

PHONE = "13903351234"
AT = NOW + timedelta(hours=1)


@pytest.fixture
def places(app):
    with time_machine.travel(AT, tick=False):
        yield make_places()


@pytest.fixture
def round_(places):
    return open_round()


@pytest.fixture
def clerk(places):
    return make_clerk(AssignmentKind.community_clerk, places["wenhuali"])


def url(nomination, tail=""):
    return f"/api/v1/honours/nominations/{nomination.id}/consents{tail}"


def png() -> io.BytesIO:
    image = io.BytesIO()
    Image.new("RGB", (16, 16), (250, 250, 250)).save(image, format="PNG")
    image.seek(0)
    return image


def answers() -> int:
    return db.session.scalar(select(func.count()).select_from(NominationConsent))


def at_consent(round_, places, **values):
    return make_nomination(round_, places["wenhuali"], stage=Stage.consent, **values)


def test_a_clerk_records_an_agreement_with_a_scan_and_reads_it_back(
    client, bearer, places, round_, clerk
):
    nomination = at_consent(round_, places)
    headers = bearer(clerk)

    made = client.post(
        url(nomination),
        headers=headers,
        data={
            "agreed": "true",
            "giver": "nominee",
            "method": "signed_form",
            "form": (png(), "同意书.png"),
        },
        content_type="multipart/form-data",
    )
    listed = client.get(url(nomination), headers=headers)

    assert made.status_code == 201, made.text
    body = made.get_json()
    assert (body["agreed"], body["giver"], body["method"]) == (True, "nominee", "signed_form")
    assert body["form_key"] and body["recorded_by"]["id"] == clerk.id
    assert [a["id"] for a in listed.get_json()] == [body["id"]]
    db.session.expire_all()
    assert db.session.get(type(nomination), nomination.id).stage is Stage.panel
    scan = client.get(f"/api/v1/uploads/{body['form_key']}", headers=headers)
    assert scan.status_code == 200 and scan.mimetype == "image/png"


def test_a_guardian_answers_by_phone_with_the_code_sent_to_it(
    client, bearer, places, round_, clerk
):
    born = date(NOW.year - 9, 1, 1)
    child = make_person(
        places["wenhuali"],
        name="王小明",
        birth_date=born,
        guardian_name="王芳",
        guardian_relation="母亲",
    )
    nomination = at_consent(round_, places, person=child)
    headers = bearer(clerk)

    sent = client.post(url(nomination, "/code"), headers=headers, json={"phone": PHONE})
    code = current_gateway().last_code(PHONE, "consent")
    own = client.post(
        url(nomination),
        headers=headers,
        data={
            "agreed": "true",
            "giver": "nominee",
            "method": "verified_phone",
            "phone": PHONE,
            "code": code,
        },
        content_type="multipart/form-data",
    )
    made = client.post(
        url(nomination),
        headers=headers,
        data={
            "agreed": "true",
            "giver": "guardian",
            "giver_name": "王芳",
            "relation": "母亲",
            "method": "verified_phone",
            "phone": PHONE,
            "code": code,
        },
        content_type="multipart/form-data",
    )

    assert sent.status_code == 202 and sent.get_json()["valid_seconds"] > 0
    assert own.status_code == 422 and "giver" in own.get_json()["errors"]
    assert made.status_code == 201, made.text
    assert made.get_json()["phone"] == "139****1234"
    assert PHONE not in client.get(url(nomination), headers=headers).text


def test_the_public_sms_api_sends_no_consent_code(client):
    refused = client.post("/api/v1/auth/sms-codes", json={"phone": PHONE, "purpose": "consent"})

    assert refused.status_code == 422 and "purpose" in refused.get_json()["errors"]


def test_the_api_refuses_the_wrong_person_stage_and_input_and_changes_nothing(
    client, bearer, places, round_, clerk
):
    nomination = at_consent(round_, places)
    early = make_nomination(round_, places["wenhuali"], stage=Stage.district)
    nominator = make_user(display_name="热心群众")
    filed = at_consent(round_, places, by=nominator)
    body = {"agreed": "true", "giver": "nominee", "method": "signed_form"}

    def post(target, headers, data):
        return client.post(
            url(target), headers=headers, data=data, content_type="multipart/form-data"
        )

    outsider = post(nomination, bearer(make_user()), {**body, "form": (png(), "a.png")})
    elsewhere = post(
        nomination,
        bearer(make_clerk(AssignmentKind.community_clerk, places["hongqilu"])),
        {**body, "form": (png(), "a.png")},
    )
    by_nominator = post(filed, bearer(nominator), {**body, "form": (png(), "a.png")})
    too_early = post(early, bearer(clerk), {**body, "form": (png(), "a.png")})
    no_scan = post(nomination, bearer(clerk), body)
    not_a_scan = post(nomination, bearer(clerk), {**body, "form": (io.BytesIO(b"text"), "a.txt")})
    no_giver = post(nomination, bearer(clerk), {"agreed": "true", "method": "signed_form"})
    code_early = client.post(url(early, "/code"), headers=bearer(clerk), json={"phone": PHONE})
    bad_phone = client.post(url(nomination, "/code"), headers=bearer(clerk), json={"phone": "123"})
    read_by_nominator = client.get(url(filed), headers=bearer(nominator))

    assert outsider.status_code == 404 and elsewhere.status_code == 404
    assert by_nominator.status_code == 403 and read_by_nominator.status_code == 403
    assert too_early.status_code == 409 and code_early.status_code == 409
    assert no_scan.status_code == 422 and "form" in no_scan.get_json()["errors"]
    assert not_a_scan.status_code == 422 and "form" in not_a_scan.get_json()["errors"]
    assert no_giver.status_code == 422 and "giver" in no_giver.get_json()["errors"]
    assert bad_phone.status_code == 422
    assert answers() == 0
    db.session.expire_all()
    assert db.session.get(type(nomination), nomination.id).stage is Stage.consent


def test_a_withdrawal_through_the_api_leaves_the_stage_and_hides_it(
    client, bearer, places, round_, clerk
):
    nomination = make_nomination(round_, places["wenhuali"], stage=Stage.consent)
    headers = bearer(clerk)
    for agreed in ("true", "false"):
        answered = client.post(
            url(nomination),
            headers=headers,
            data={
                "agreed": agreed,
                "giver": "nominee",
                "method": "signed_form",
                "form": (png(), "a.png"),
            },
            content_type="multipart/form-data",
        )
        assert answered.status_code == 201, answered.text
    again = client.post(
        url(nomination),
        headers=headers,
        data={
            "agreed": "false",
            "giver": "nominee",
            "method": "signed_form",
            "form": (png(), "a.png"),
        },
        content_type="multipart/form-data",
    )

    assert again.status_code == 409
    assert [a["agreed"] for a in client.get(url(nomination), headers=headers).get_json()] == [
        False,
        True,
    ]
    db.session.expire_all()
    assert db.session.get(type(nomination), nomination.id).stage is Stage.panel


# Pages --------------------------------------------------------------------------------------


def test_the_consent_page_records_an_answer_by_phone_with_the_demo_code(app, places, round_, clerk):
    nomination = at_consent(round_, places)
    db.session.commit()
    browser = sign_in(app.test_client(), clerk)
    page = f"/honours/nominations/{nomination.id}/consent"

    sent = browser.post(f"{page}/code", data={"phone": PHONE})
    shown = browser.get(sent.headers["Location"])
    code = current_gateway().last_code(PHONE, "consent")
    recorded = browser.post(
        page,
        data={
            "agreed": "yes",
            "giver": "nominee",
            "method": "verified_phone",
            "phone": PHONE,
            "code": code,
        },
    )
    after = browser.get(page)

    assert sent.status_code == 302 and shown.status_code == 200
    assert 'data-testid="code-sent"' in shown.text and code in shown.text
    assert recorded.status_code == 302, recorded.text
    assert "139****1234" in after.text and PHONE not in after.text
    db.session.expire_all()
    assert db.session.get(type(nomination), nomination.id).stage is Stage.panel


def test_the_consent_page_shows_a_refusal_beside_its_field(app, places, round_, clerk):
    born = date(NOW.year - 9, 1, 1)
    child = make_person(
        places["wenhuali"],
        name="王小明",
        birth_date=born,
        guardian_name="王芳",
        guardian_relation="母亲",
    )
    nomination = at_consent(round_, places, person=child)
    db.session.commit()
    browser = sign_in(app.test_client(), clerk)
    page = f"/honours/nominations/{nomination.id}/consent"

    shown = browser.get(page)
    refused = browser.post(
        page,
        data={
            "agreed": "yes",
            "giver": "nominee",
            "method": "signed_form",
            "form": (png(), "a.png"),
        },
        content_type="multipart/form-data",
    )

    assert 'data-testid="required-giver"' in shown.text
    assert refused.status_code == 422 and "is-invalid" in refused.text
    assert answers() == 0


def test_the_consent_page_is_no_one_elses(app, places, round_):
    nomination = at_consent(round_, places)
    other = make_clerk(AssignmentKind.community_clerk, places["hongqilu"])
    db.session.commit()
    page = f"/honours/nominations/{nomination.id}/consent"

    assert sign_in(app.test_client(), other).get(page).status_code == 404
    assert sign_in(app.test_client(), make_user()).get(page).status_code == 404
    assert sign_in(app.test_client(), make_office()).get(page).status_code == 200


def test_a_withdrawal_takes_the_entry_off_the_public_notice_at_once_and_a_refusal_never_shows(
    client, bearer, places, round_, clerk
):
    office = make_office()
    shown = at_consent(round_, places)
    refused = at_consent(round_, places, name="王德厚")
    headers = bearer(clerk)
    for nomination, agreed in ((shown, "true"), (refused, "false")):
        answered = client.post(
            url(nomination),
            headers=headers,
            data={
                "agreed": agreed,
                "giver": "nominee",
                "method": "signed_form",
                "form": (png(), "a.png"),
            },
            content_type="multipart/form-data",
        )
        assert answered.status_code == 201, answered.text
    db.session.expire_all()
    db.session.get(type(shown), shown.id).stage = Stage.notice
    db.session.add(
        RoundNotice(
            round_id=round_.id,
            opens_at=NOW,
            closes_at=NOW + timedelta(days=7),
            opened_by_id=office.id,
        )
    )
    db.session.commit()

    def public_ids() -> list[int]:
        answer = client.get(f"/api/v1/notices/{round_.id}")
        assert answer.status_code == 200, answer.text
        return [entry["nomination_id"] for entry in answer.get_json()["entries"]]

    before = public_ids()
    withdrawn = client.post(
        url(shown),
        headers=headers,
        data={
            "agreed": "false",
            "giver": "nominee",
            "method": "signed_form",
            "form": (png(), "b.png"),
        },
        content_type="multipart/form-data",
    )

    assert before == [shown.id]
    assert withdrawn.status_code == 201
    assert public_ids() == []
    assert "王德厚" not in client.get(f"/notices/{round_.id}").text
