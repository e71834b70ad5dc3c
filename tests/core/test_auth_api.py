"""The token API: issuing, using, listing and revoking bearer tokens, and /api/v1/me."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import select

from core.auth import services
from core.auth.models import ApiToken
from core.clock import utcnow
from core.extensions import db
from tests.builders import DEFAULT_PASSWORD, make_user

ERROR_KEYS = {"code", "message", "errors"}


def ask_for_token(client, phone: str, password: str = DEFAULT_PASSWORD, **extra):
    return client.post("/api/v1/auth/tokens", json={"phone": phone, "password": password, **extra})


def auth(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def assert_not_authenticated(response) -> None:
    assert response.status_code == 401
    assert response.is_json
    assert set(response.json) == ERROR_KEYS
    assert response.json["code"] == "not_authenticated"
    assert response.headers["WWW-Authenticate"].lower().startswith("bearer")


# Issuing


def test_token_request_with_the_right_password_issues_a_token(client, volunteer):
    response = ask_for_token(client, volunteer.phone, name="我的手机")

    assert response.status_code == 201
    body = response.json
    assert isinstance(body["token"], str)
    assert len(body["token"]) >= 32
    assert body["name"] == "我的手机"
    assert {"id", "created_at", "expires_at"} <= set(body)


def test_token_request_stores_only_the_sha256_of_the_token(client, volunteer):
    response = ask_for_token(client, volunteer.phone)
    secret = response.json["token"]

    db.session.expire_all()
    row = db.session.get(ApiToken, response.json["id"])
    assert row.user_id == volunteer.id
    assert row.token_hash != secret
    assert row.token_hash == hashlib.sha256(secret.encode()).hexdigest()


def test_issued_token_expires_after_the_configured_days(client, app, volunteer):
    before = utcnow()
    response = ask_for_token(client, volunteer.phone)

    db.session.expire_all()
    row = db.session.get(ApiToken, response.json["id"])
    days = app.config["API_TOKEN_DAYS"]
    assert before + timedelta(days=days) <= row.expires_at <= utcnow() + timedelta(days=days)


def test_token_request_refuses_a_wrong_password(client, volunteer):
    response = ask_for_token(client, volunteer.phone, "wrong-password-1")

    assert response.status_code == 401
    assert set(response.json) == ERROR_KEYS
    assert response.json["code"] == "bad_credentials"
    assert "token" not in response.json
    assert db.session.scalars(select(ApiToken)).all() == []


def test_token_request_refuses_an_unknown_phone(client, volunteer):
    response = ask_for_token(client, "13700000000")

    assert response.status_code == 401
    assert response.json["code"] == "bad_credentials"


def test_token_request_without_a_password_names_the_field(client, volunteer):
    response = client.post("/api/v1/auth/tokens", json={"phone": volunteer.phone})

    assert response.status_code == 422
    assert set(response.json) == ERROR_KEYS
    assert response.json["code"] == "validation_failed"
    assert response.json["errors"]["password"]
    assert db.session.scalars(select(ApiToken)).all() == []


def test_token_request_message_follows_accept_language(client, volunteer):
    chinese = ask_for_token(client, volunteer.phone, "wrong-password-1")
    english = client.post(
        "/api/v1/auth/tokens",
        json={"phone": volunteer.phone, "password": "wrong-password-1"},
        headers={"Accept-Language": "en"},
    )

    assert chinese.json["message"] == "手机号码或密码错误。"
    assert english.json["message"] == "Wrong mobile number or password."


# Using


def test_me_with_a_token_shows_the_user_and_role(client, office_user):
    secret = ask_for_token(client, office_user.phone).json["token"]

    response = client.get("/api/v1/me", headers=auth(secret))

    assert response.status_code == 200
    assert response.json["id"] == office_user.id
    assert response.json["phone"] == office_user.phone
    assert response.json["role"] == "office"
    assert not {"password", "password_hash"} & set(response.json)
    assert office_user.password_hash not in response.text


def test_me_without_a_token_is_refused(client):
    assert_not_authenticated(client.get("/api/v1/me"))


@pytest.mark.parametrize(
    "header", ["Bearer not-a-real-token", "Bearer ", "Basic dXNlcjpwYXNz", "not-a-scheme"]
)
def test_me_with_a_bad_token_is_refused(client, volunteer, bearer, header):
    bearer(volunteer)

    assert_not_authenticated(client.get("/api/v1/me", headers={"Authorization": header}))


def test_me_with_an_expired_token_is_refused(client, volunteer):
    _, secret = services.issue_token(volunteer, now=utcnow(), days=1)

    with time_machine.travel(utcnow() + timedelta(days=1, hours=1), tick=False):
        response = client.get("/api/v1/me", headers=auth(secret))

    assert_not_authenticated(response)


def test_token_still_works_just_before_it_expires(client, volunteer):
    _, secret = services.issue_token(volunteer, now=utcnow(), days=1)

    with time_machine.travel(utcnow() + timedelta(hours=23), tick=False):
        response = client.get("/api/v1/me", headers=auth(secret))

    assert response.status_code == 200


def test_me_with_a_revoked_token_is_refused(client, volunteer):
    token, secret = services.issue_token(volunteer, now=utcnow(), days=1)
    services.revoke_token(volunteer, token.id, now=utcnow())

    assert_not_authenticated(client.get("/api/v1/me", headers=auth(secret)))


def test_token_of_a_disabled_user_is_refused(client, volunteer, bearer):
    headers = bearer(volunteer)
    volunteer.is_enabled = False

    assert_not_authenticated(client.get("/api/v1/me", headers=headers))


def test_api_does_not_accept_the_session_cookie(volunteer_client):
    assert volunteer_client.get("/profile").status_code == 200

    assert_not_authenticated(volunteer_client.get("/api/v1/me"))


def remembered_browser(app, user):
    """A browser signed in with "keep me signed in" whose session cookie has since expired."""
    browser = app.test_client()
    response = browser.post(
        "/login", data={"phone": user.phone, "password": DEFAULT_PASSWORD, "remember": "y"}
    )
    assert response.status_code == 302
    browser.delete_cookie("session")
    assert browser.get_cookie("remember_token") is not None
    return browser


def test_api_does_not_accept_the_remember_cookie(app, volunteer):
    browser = remembered_browser(app, volunteer)

    assert_not_authenticated(browser.get("/api/v1/me"))
    assert browser.get("/profile").status_code == 200


def test_bearer_token_works_from_a_browser_that_is_signed_in(volunteer_client, volunteer, bearer):
    response = volunteer_client.get("/api/v1/me", headers=bearer(volunteer))

    assert response.status_code == 200
    assert response.json["id"] == volunteer.id


def test_bearer_token_works_from_a_browser_that_is_remembered(app, office_user, bearer):
    # e.g. the office trying the API out in Swagger UI after signing in with "keep me signed in"
    browser = remembered_browser(app, office_user)

    response = browser.get("/api/v1/me", headers=bearer(office_user))

    assert response.status_code == 200
    assert response.json["id"] == office_user.id


# Revoking and listing


def test_delete_current_token_revokes_it(client, volunteer, bearer):
    headers = bearer(volunteer)
    other = bearer(volunteer)

    response = client.delete("/api/v1/auth/tokens/current", headers=headers)

    assert response.status_code == 204
    assert_not_authenticated(client.get("/api/v1/me", headers=headers))
    assert client.get("/api/v1/me", headers=other).status_code == 200


def test_delete_one_of_my_tokens_by_id_revokes_it(client, volunteer, bearer):
    headers = bearer(volunteer)
    token, secret = services.issue_token(volunteer, now=utcnow(), days=1)

    response = client.delete(f"/api/v1/auth/tokens/{token.id}", headers=headers)

    assert response.status_code == 204
    assert_not_authenticated(client.get("/api/v1/me", headers=auth(secret)))
    assert client.get("/api/v1/me", headers=headers).status_code == 200


def test_deleting_another_users_token_is_not_found_and_leaves_it_working(
    client, volunteer, office_user, bearer
):
    mine = bearer(volunteer)
    theirs, their_secret = services.issue_token(office_user, now=utcnow(), days=1)

    response = client.delete(f"/api/v1/auth/tokens/{theirs.id}", headers=mine)

    assert response.status_code == 404
    assert set(response.json) == ERROR_KEYS
    assert client.get("/api/v1/me", headers=auth(their_secret)).status_code == 200
    db.session.expire_all()
    assert db.session.get(ApiToken, theirs.id).revoked_at is None


def test_deleting_a_token_that_does_not_exist_is_not_found(client, volunteer, bearer):
    response = client.delete("/api/v1/auth/tokens/999999", headers=bearer(volunteer))

    assert response.status_code == 404
    assert response.json["code"] == "not_found"


def test_token_list_shows_only_my_usable_tokens(client, volunteer, office_user, bearer):
    now = utcnow()
    first, _ = services.issue_token(volunteer, now=now - timedelta(hours=1), days=1, name="一")
    revoked, _ = services.issue_token(volunteer, now=now, days=1, name="撤销")
    services.revoke_token(volunteer, revoked.id, now=now)
    services.issue_token(volunteer, now=now - timedelta(days=3), days=1, name="过期")
    services.issue_token(office_user, now=now, days=1, name="别人")
    headers = bearer(volunteer)
    current = db.session.scalars(
        select(ApiToken).where(ApiToken.user_id == volunteer.id).order_by(ApiToken.id.desc())
    ).first()

    response = client.get("/api/v1/auth/tokens", headers=headers)

    assert response.status_code == 200
    assert [row["id"] for row in response.json] == [current.id, first.id]
    assert all("token" not in row and "token_hash" not in row for row in response.json)


def test_token_list_needs_a_token(client):
    assert_not_authenticated(client.get("/api/v1/auth/tokens"))


# Rate limit, shared with the sign-in page


@pytest.fixture
def limited_app(make_app):
    app = make_app(RATELIMIT_ENABLED=True, LOGIN_ATTEMPTS_PER_PHONE="3 per 15 minutes")
    with app.app_context():
        yield app


def test_token_requests_are_limited_after_failed_attempts(limited_app):
    user = make_user()
    client = limited_app.test_client()
    for _ in range(3):
        assert ask_for_token(client, user.phone, "wrong-password-1").status_code == 401

    response = ask_for_token(client, user.phone)

    assert response.status_code == 429
    assert set(response.json) == ERROR_KEYS
    assert response.json["code"] == "too_many_requests"
    assert "token" not in response.json


def test_failed_page_logins_count_against_token_requests(limited_app):
    user = make_user()
    client = limited_app.test_client()
    for _ in range(3):
        client.post("/login", data={"phone": user.phone, "password": "wrong-password-1"})

    assert ask_for_token(client, user.phone).status_code == 429


def test_failed_token_requests_count_against_page_logins(limited_app):
    user = make_user()
    client = limited_app.test_client()
    for _ in range(3):
        ask_for_token(client, user.phone, "wrong-password-1")

    response = client.post("/login", data={"phone": user.phone, "password": DEFAULT_PASSWORD})

    assert response.status_code == 429


def test_token_rate_limit_leaves_other_phones_alone(limited_app):
    locked, other = make_user(), make_user()
    client = limited_app.test_client()
    for _ in range(3):
        ask_for_token(client, locked.phone, "wrong-password-1")

    assert ask_for_token(client, other.phone).status_code == 201


def test_issued_tokens_do_not_count_toward_the_limit(limited_app):
    user = make_user()
    client = limited_app.test_client()
    for _ in range(4):
        assert ask_for_token(client, user.phone).status_code == 201
    for _ in range(2):
        ask_for_token(client, user.phone, "wrong-password-1")

    assert ask_for_token(client, user.phone).status_code == 201
