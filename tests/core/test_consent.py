"""The privacy notice, consent at registration and at each new version, and the location
consent before a geofenced check-in (core/consent)."""

from __future__ import annotations

from datetime import date, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import func, select

from core.auth.models import User
from core.clock import utcnow
from core.consent import services as consents
from core.consent.models import Consent, ConsentKind
from core.errors import Conflict
from core.extensions import db
from core.settings import current_settings
from events import services as events
from events.models import CheckIn
from tests.builders import make_activity, make_shift, make_user
from tests.conftest import sign_in

API = "/api/v1"
PLACE = events.Place("山海关老龙头景区", latitude=39.9680, longitude=119.7980, checkin_radius_m=200)
NEAR = {"latitude": 39.9681, "longitude": 119.7981}


def rows(user: User, kind: ConsentKind) -> list[Consent]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(Consent)
            .where(Consent.user_id == user.id, Consent.kind == kind)
            .order_by(Consent.id)
        )
    )


@pytest.fixture
def new_version(monkeypatch):
    """The privacy notice gets a version 2.0."""
    texts = {**consents.CURRENT_TEXTS}
    texts[ConsentKind.privacy_notice] = consents.TextVersion("2.0", date(2027, 3, 1))
    monkeypatch.setattr(consents, "CURRENT_TEXTS", texts)


# The notice


def test_the_privacy_notice_is_public_in_chinese_with_its_version_and_date(client):
    page = client.get("/privacy")

    assert page.status_code == 200
    assert "隐私政策" in page.text
    assert "版本 1.0，2026年12月3日起施行" in page.text
    assert "不保存经纬度" in page.text
    assert "/me/export" in page.text and "/me/close" in page.text
    assert "180 天后删除" in page.text  # RETENTION_DAYS


def test_the_privacy_notice_follows_the_chosen_language(client):
    client.post("/language", data={"locale": "en"})

    page = client.get("/privacy").text

    assert 'lang="en"' in page
    assert "Version 1.0, in effect from December 3, 2026" in page
    assert "never the coordinates" in page
    assert "不保存经纬度" not in page


def test_the_api_names_the_current_versions(client):
    response = client.get(f"{API}/consents/current")

    assert response.status_code == 200
    assert {item["kind"]: item["version"] for item in response.json} == {
        "privacy_notice": "1.0",
        "location": "1.0",
    }
    assert response.json[0]["url"] == "/privacy"


# Registration


def registration_code(client, phone: str) -> str:
    from core.auth.sms import current_gateway

    client.post("/sms-codes", data={"phone": phone, "purpose": "register"})
    return current_gateway().last_code(phone, "register")


def registration(client, phone: str, **fields) -> dict:
    return {
        "phone": phone,
        "code": registration_code(client, phone),
        "display_name": "新志愿者",
        "district_id": "",
        "password": "spring-lei-feng-35",
        "confirm": "spring-lei-feng-35",
        **fields,
    }


def test_registration_without_the_tick_is_refused_and_keeps_the_code(app, client):
    phone = "13712345600"
    data = registration(client, phone)

    refused = client.post("/register?sent=1", data=data)

    assert refused.status_code == 200
    assert "阅读并同意隐私政策后才能注册" in refused.text
    assert db.session.scalar(select(func.count()).select_from(User)) == 0
    # The code was not spent: ticking the box is enough to go on.
    done = client.post("/register", data={**data, "consent": "y"})
    assert done.status_code == 302, done.text


def test_registration_records_the_consent_with_the_account(app, client):
    phone = "13712345601"
    before = utcnow()

    response = client.post("/register", data=registration(client, phone, consent="y"))

    assert response.status_code == 302
    user = db.session.scalar(select(User).where(User.phone == phone))
    [consent] = rows(user, ConsentKind.privacy_notice)
    assert consent.version == "1.0"
    assert before <= consent.given_at <= utcnow()
    assert consent.withdrawn_at is None
    # Straight on, not to the consent page.
    assert client.get(response.headers["Location"]).status_code == 200


def test_api_registration_needs_the_consent(app, client):
    phone = "13712345602"
    client.post(f"{API}/auth/sms-codes", json={"phone": phone, "purpose": "register"})
    from core.auth.sms import current_gateway

    body = {
        "phone": phone,
        "password": "spring-lei-feng-35",
        "display_name": "新志愿者",
        "code": current_gateway().last_code(phone, "register"),
    }

    missing = client.post(f"{API}/volunteers", json=body)
    declined = client.post(f"{API}/volunteers", json={**body, "consent": False})
    done = client.post(f"{API}/volunteers", json={**body, "consent": True})

    assert missing.status_code == 422 and "consent" in missing.json["errors"]
    assert declined.status_code == 422 and "consent" in declined.json["errors"]
    assert done.status_code == 201, done.text
    user = db.session.get(User, done.json["id"])
    assert [c.version for c in rows(user, ConsentKind.privacy_notice)] == ["1.0"]


# Accounts without consent to the current notice


def test_an_account_from_before_the_notice_is_asked_at_sign_in(app):
    user = make_user(agreed=False)  # as every account of a database migrated to 0013
    db.session.commit()
    client = app.test_client()
    sign_in(client, user)

    page = client.get("/me/shifts")

    target = urlsplit(page.headers["Location"])
    assert (page.status_code, target.path) == (302, "/consent")
    assert parse_qs(target.query)["next"] == ["/me/shifts"]
    asked = client.get(page.headers["Location"])
    assert "请阅读并同意隐私政策" in asked.text
    assert 'data-testid="notice-changed"' not in asked.text
    # The notice, signing out and the language stay open.
    assert client.get("/privacy").status_code == 200

    unticked = client.post("/consent", data={"next": "/me/shifts"})
    assert unticked.status_code == 200
    assert rows(user, ConsentKind.privacy_notice) == []

    agreed = client.post("/consent", data={"agree": "y", "next": "/me/shifts"})
    assert agreed.headers["Location"] == "/me/shifts"
    assert client.get("/me/shifts").status_code == 200
    assert [c.version for c in rows(user, ConsentKind.privacy_notice)] == ["1.0"]


def test_the_consent_page_goes_only_to_pages_of_this_site(app):
    user = make_user(agreed=False)
    db.session.commit()
    client = sign_in(app.test_client(), user)

    agreed = client.post("/consent", data={"agree": "y", "next": "https://evil.example/"})

    assert agreed.headers["Location"] == "/"


def test_an_account_without_consent_may_still_sign_out(app):
    user = make_user(agreed=False)
    db.session.commit()
    client = sign_in(app.test_client(), user)

    response = client.post("/logout")

    assert response.status_code == 302
    assert urlsplit(response.headers["Location"]).path != "/consent"


def test_the_api_refuses_an_account_without_consent_until_it_agrees(app, client, bearer):
    user = make_user(agreed=False)
    headers = bearer(user)

    refused = client.get(f"{API}/me", headers=headers)

    assert refused.status_code == 403
    assert refused.json["code"] == "consent_required"
    assert "/api/v1/me/consents/privacy-notice" in refused.json["message"]
    assert client.get(f"{API}/consents/current").status_code == 200

    agreed = client.post(f"{API}/me/consents/privacy-notice", headers=headers)
    again = client.post(f"{API}/me/consents/privacy-notice", headers=headers)

    assert agreed.status_code == 200, agreed.text
    assert agreed.json["version"] == "1.0" and agreed.json["kind"] == "privacy_notice"
    assert again.json["given_at"] == agreed.json["given_at"]
    assert client.get(f"{API}/me", headers=headers).status_code == 200
    assert len(rows(user, ConsentKind.privacy_notice)) == 1


def test_a_new_version_of_the_notice_asks_again_and_keeps_the_old_consent(
    app, volunteer, bearer, new_version
):
    headers = bearer(volunteer)
    client = sign_in(app.test_client(), volunteer)

    page = client.get("/me/shifts")
    refused = client.get(f"{API}/me", headers=headers)

    assert urlsplit(page.headers["Location"]).path == "/consent"
    asked = client.get(page.headers["Location"]).text
    assert 'data-testid="notice-changed"' in asked and "1.0" in asked
    assert refused.json["code"] == "consent_required"

    client.post("/consent", data={"agree": "y", "next": "/me/shifts"})

    assert client.get("/me/shifts").status_code == 200
    assert client.get(f"{API}/me", headers=headers).status_code == 200
    assert [c.version for c in rows(volunteer, ConsentKind.privacy_notice)] == ["1.0", "2.0"]
    listed = client.get(f"{API}/me/consents", headers=headers).json
    assert [item["version"] for item in listed] == ["2.0", "1.0"]


def test_consent_to_the_notice_is_withdrawn_by_closing_the_account(app, volunteer):
    with pytest.raises(Conflict) as refused:
        consents.withdraw_consent(volunteer, ConsentKind.privacy_notice, now=utcnow())

    assert refused.value.code == "close_account_instead"
    assert "/me/close" in str(refused.value.message)


# The location consent


def geofenced_shift(volunteer):
    shift = make_shift(make_activity(place=PLACE), starts_in_hours=0, walk_ins=True)
    token, _ = events.check_in_code(
        shift.activity.team.founder,
        shift.id,
        now=utcnow(),
        secret=current_settings().check_in_secret,
    )
    return shift, token


def test_the_check_in_page_asks_for_the_location_consent_first(app, volunteer):
    _shift, token = geofenced_shift(volunteer)
    client = sign_in(app.test_client(), volunteer)

    page = client.get(f"/check-in/{token}").text

    assert 'data-testid="location-consent"' in page
    assert 'id="check-in-form"' not in page
    # Posting the check-in anyway is refused, saying why and how to go on.
    refused = client.post(f"/check-in/{token}", data=NEAR)
    assert refused.status_code == 403
    assert "同意" in refused.text
    assert db.session.scalar(select(func.count()).select_from(CheckIn)) == 0

    given = client.post("/me/consents/location", data={"next": f"/check-in/{token}"})

    assert given.headers["Location"] == f"/check-in/{token}"
    page = client.get(f"/check-in/{token}").text
    assert 'id="check-in-form"' in page
    done = client.post(f"/check-in/{token}", data=NEAR)
    assert 'data-testid="checked-in"' in done.text
    row = db.session.scalar(select(CheckIn))
    assert row.inside_fence is True and 0 <= row.distance_m < 20


def test_an_activity_without_a_fence_needs_no_location_consent(app, volunteer):
    shift = make_shift(starts_in_hours=0, walk_ins=True)
    token, _ = events.check_in_code(
        shift.activity.team.founder,
        shift.id,
        now=utcnow(),
        secret=current_settings().check_in_secret,
    )
    client = sign_in(app.test_client(), volunteer)

    done = client.post(f"/check-in/{token}")

    assert 'data-testid="checked-in"' in done.text
    row = db.session.scalar(select(CheckIn))
    assert (row.inside_fence, row.distance_m) == (None, None)


def test_withdrawing_the_location_consent_on_the_profile_refuses_geofenced_check_ins(
    app, volunteer, bearer
):
    consents.give_consent(volunteer, ConsentKind.location, now=utcnow() - timedelta(days=1))
    _shift, token = geofenced_shift(volunteer)
    client = sign_in(app.test_client(), volunteer)
    assert "撤回位置同意" in client.get("/profile").text

    withdrawn = client.post("/me/consents/location/withdraw", data={"next": "/profile"})

    assert withdrawn.headers["Location"] == "/profile"
    [consent] = rows(volunteer, ConsentKind.location)
    assert consent.withdrawn_at is not None
    assert "同意位置核验" in client.get("/profile").text
    headers = bearer(volunteer)
    refused = client.post(f"{API}/check-ins", json={"token": token, **NEAR}, headers=headers)
    assert refused.status_code == 403
    assert refused.json["code"] == "location_consent_required"
    assert "代签到" in refused.json["message"] or "手机号" in refused.json["message"]

    # Agreeing again adds a new consent; the withdrawn one stays on record.
    assert client.post(f"{API}/me/consents/location", headers=headers).status_code == 200
    done = client.post(f"{API}/check-ins", json={"token": token, **NEAR}, headers=headers)
    assert done.status_code == 201, done.text
    assert done.json["inside_fence"] is True
    assert [c.withdrawn_at is None for c in rows(volunteer, ConsentKind.location)] == [False, True]


def test_the_api_withdraws_the_location_consent(app, client, volunteer, bearer):
    headers = bearer(volunteer)
    client.post(f"{API}/me/consents/location", headers=headers)

    withdrawn = client.delete(f"{API}/me/consents/location", headers=headers)
    again = client.delete(f"{API}/me/consents/location", headers=headers)

    assert (withdrawn.status_code, again.status_code) == (204, 204)
    assert not consents.has_current_consent(volunteer, ConsentKind.location)


def test_only_volunteers_give_the_location_consent(app, client, merchant_staff, bearer):
    refused = client.post(f"{API}/me/consents/location", headers=bearer(merchant_staff))

    assert refused.status_code == 403
    assert rows(merchant_staff, ConsentKind.location) == []


def test_what_stays_open_without_consent_names_real_endpoints(app):
    from core.consent.views import OPEN_WITHOUT_CONSENT

    assert set(app.view_functions) >= OPEN_WITHOUT_CONSENT


def test_an_account_without_consent_may_switch_the_language(app):
    user = make_user(agreed=False)
    db.session.commit()
    client = sign_in(app.test_client(), user)

    switched = client.post("/language", data={"locale": "en", "next": "/privacy"})

    assert switched.headers["Location"] == "/privacy"


@pytest.mark.demo_content
def test_the_demo_asks_one_volunteer_for_consent_at_sign_in(app, runner):
    from core.auth.services import find_user_by_phone
    from core.consent.demo import ASKED_AT_SIGN_IN
    from core.demo import DEMO_PASSWORD

    assert runner.invoke(args=["demo-data"]).exit_code == 0
    db.session.expire_all()

    agreed = find_user_by_phone("13900000001")
    asked = find_user_by_phone(ASKED_AT_SIGN_IN)
    assert consents.has_current_consent(agreed, ConsentKind.privacy_notice)
    assert consents.find_consent(asked, ConsentKind.privacy_notice) is None
    client = sign_in(app.test_client(), asked, DEMO_PASSWORD)
    assert urlsplit(client.get("/").headers["Location"]).path == "/consent"
