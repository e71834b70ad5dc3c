"""Sign-in sessions the server can end: a copied cookie or token is refused once its session has
ended (sign-out, password change, sign out everywhere, a disabled account, expiry)."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import select

from core.auth.models import Role, User, UserSession
from core.clock import utcnow
from core.extensions import db
from tests.builders import DEFAULT_PASSWORD, make_merchant, make_user

NEW_PASSWORD = "a-new-secret-42"
# A page each role may open; signed out, it sends the visitor to /login.
HOME_OF = {
    Role.volunteer: "/me/shifts",
    Role.merchant_staff: "/counter",
    Role.office: "/office",
}


def signed_in_client(app, user, *, remember: bool = False):
    client = app.test_client()
    data = {"phone": user.phone, "password": DEFAULT_PASSWORD}
    if remember:
        data["remember"] = "y"
    response = client.post("/login", data=data)
    assert response.status_code == 302, response.text
    return client


def copy_of(app, client, *names: str):
    """A second browser holding copies of `client`'s cookies (as a thief would)."""
    thief = app.test_client()
    for name in names:
        cookie = client.get_cookie(name)
        assert cookie is not None, f"no {name} cookie"
        thief.set_cookie(name, cookie.value)
    return thief


def is_signed_in(client, url: str = "/account/password") -> bool:
    response = client.get(url)
    assert response.status_code in (200, 302), response.status_code
    return response.status_code == 200


def token_works(client, headers) -> bool:
    status = client.get("/api/v1/me", headers=headers).status_code
    assert status in (200, 401)
    return status == 200


@pytest.mark.parametrize("role", list(HOME_OF))
def test_a_session_cookie_replayed_after_sign_out_is_refused(app, role):
    user = make_merchant()[1] if role is Role.merchant_staff else make_user(role=role)
    browser = signed_in_client(app, user)
    stolen = copy_of(app, browser, "session")
    assert is_signed_in(stolen, HOME_OF[role])

    assert browser.post("/logout").status_code == 302

    response = stolen.get(HOME_OF[role])
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]
    assert not is_signed_in(browser)


def test_the_keep_me_signed_in_cookie_dies_with_the_session(app, volunteer):
    browser = signed_in_client(app, volunteer, remember=True)
    remembered = copy_of(app, browser, "remember_token")
    assert is_signed_in(remembered)

    browser.post("/logout")

    assert not is_signed_in(remembered)


def test_signing_out_ends_only_that_device(app, volunteer):
    phone = signed_in_client(app, volunteer)
    laptop = signed_in_client(app, volunteer)

    phone.post("/logout")

    assert not is_signed_in(phone)
    assert is_signed_in(laptop)


def test_a_password_change_ends_the_other_sessions_and_the_tokens(app, volunteer, bearer):
    here = signed_in_client(app, volunteer)
    elsewhere = signed_in_client(app, volunteer, remember=True)
    remembered = copy_of(app, elsewhere, "remember_token")
    headers = bearer(volunteer)

    response = here.post(
        "/account/password",
        data={
            "current_password": DEFAULT_PASSWORD,
            "new_password": NEW_PASSWORD,
            "confirm": NEW_PASSWORD,
        },
    )

    assert response.status_code == 302
    assert is_signed_in(here)
    assert not is_signed_in(elsewhere)
    assert not is_signed_in(remembered)
    assert not token_works(app.test_client(), headers)


def test_sign_out_everywhere_ends_every_session_and_token(app, volunteer, bearer):
    here = signed_in_client(app, volunteer)
    elsewhere = signed_in_client(app, volunteer, remember=True)
    remembered = copy_of(app, elsewhere, "remember_token")
    headers = bearer(volunteer)
    assert "在所有设备上退出" in here.get("/account/password").text

    response = here.post("/account/sign-out-everywhere")

    assert response.status_code == 302
    assert "/login" in response.headers["Location"]
    for client in (here, elsewhere, remembered):
        assert not is_signed_in(client)
    assert not token_works(app.test_client(), headers)
    # Signing in again works as before.
    assert is_signed_in(signed_in_client(app, volunteer))


def test_sign_out_everywhere_by_api_ends_sessions_and_tokens(app, client, volunteer, bearer):
    browser = signed_in_client(app, volunteer)
    headers = bearer(volunteer)
    other_headers = bearer(volunteer)

    response = client.post("/api/v1/auth/sign-out-everywhere", headers=headers)

    assert response.status_code == 204
    assert not token_works(client, headers)
    assert not token_works(client, other_headers)
    assert not is_signed_in(browser)


def test_a_revoked_token_replayed_is_refused(app, client, volunteer, bearer):
    headers = bearer(volunteer)
    assert client.delete("/api/v1/auth/tokens/current", headers=headers).status_code == 204

    assert not token_works(client, headers)


def test_the_office_disabling_an_account_ends_its_sessions_and_tokens(
    app, client, office_user, bearer
):
    merchant = make_merchant()[1]
    browser = signed_in_client(app, merchant, remember=True)
    remembered = copy_of(app, browser, "remember_token")
    stolen = copy_of(app, browser, "session")
    merchant_headers = bearer(merchant)

    response = client.post(f"/api/v1/users/{merchant.id}/disable", headers=bearer(office_user))

    assert response.status_code == 200
    assert response.json["is_enabled"] is False
    for replay in (browser, remembered, stolen):
        assert not is_signed_in(replay, HOME_OF[Role.merchant_staff])
    assert not token_works(client, merchant_headers)
    refused = client.post("/login", data={"phone": merchant.phone, "password": DEFAULT_PASSWORD})
    assert refused.status_code == 200

    response = client.post(f"/api/v1/users/{merchant.id}/enable", headers=bearer(office_user))

    assert response.status_code == 200
    assert response.json["is_enabled"] is True
    # Enabling brings no old session back; a new sign-in works.
    assert not is_signed_in(stolen, HOME_OF[Role.merchant_staff])
    assert not token_works(client, merchant_headers)
    assert is_signed_in(signed_in_client(app, merchant), HOME_OF[Role.merchant_staff])


def test_only_the_office_may_disable_an_account(client, volunteer, bearer):
    other = make_user()
    headers = bearer(volunteer)

    response = client.post(f"/api/v1/users/{other.id}/disable", headers=headers)

    assert response.status_code == 403
    db.session.expire_all()
    assert db.session.get(User, other.id).is_enabled


def test_the_office_cannot_disable_itself_or_a_missing_account(client, office_user, bearer):
    headers = bearer(office_user)

    own = client.post(f"/api/v1/users/{office_user.id}/disable", headers=headers)
    missing = client.post("/api/v1/users/999999/disable", headers=headers)

    assert own.status_code == 409
    assert own.json["code"] == "own_account"
    assert missing.status_code == 404
    assert token_works(client, headers)


def test_flask_users_disable_and_enable(app, runner, volunteer, bearer):
    browser = signed_in_client(app, volunteer)
    headers = bearer(volunteer)

    result = runner.invoke(args=["users", "disable", volunteer.phone])

    assert result.exit_code == 0, result.output
    assert not is_signed_in(browser)
    assert not token_works(app.test_client(), headers)

    result = runner.invoke(args=["users", "enable", volunteer.phone])

    assert result.exit_code == 0, result.output
    assert is_signed_in(signed_in_client(app, volunteer))


def test_flask_users_names_an_unknown_number_and_changes_nothing(runner):
    result = runner.invoke(args=["users", "disable", "13999999999"])

    assert result.exit_code == 1
    assert "13999999999" in result.output


def test_flask_users_sign_out_everywhere(app, runner, volunteer):
    browser = signed_in_client(app, volunteer)

    result = runner.invoke(args=["users", "sign-out-everywhere", volunteer.phone])

    assert result.exit_code == 0, result.output
    assert not is_signed_in(browser)


def test_a_session_ends_on_the_server_after_its_lifetime(make_app):
    app = make_app(SESSION_HOURS=2)
    with app.app_context():
        user = make_user()
        start = utcnow()
        with time_machine.travel(start, tick=False):
            browser = signed_in_client(app, user)
        with time_machine.travel(start + timedelta(hours=1), tick=False):
            assert is_signed_in(browser)
        with time_machine.travel(start + timedelta(hours=2, minutes=1), tick=False):
            assert not is_signed_in(browser)


def test_only_a_hash_of_the_session_key_is_stored(app, volunteer):
    browser = signed_in_client(app, volunteer)

    cookie = browser.get_cookie("session").value
    key = app.session_interface.get_signing_serializer(app).loads(cookie)["_user_id"]

    stored = db.session.scalars(select(UserSession.key_hash)).all()

    assert key != str(volunteer.id)
    assert stored == [hashlib.sha256(key.encode()).hexdigest()]
