"""The HTML sign-in, sign-out and change-password pages."""

from __future__ import annotations

import html
import re
from urllib.parse import urlsplit

import pytest

from core.auth.models import User
from core.extensions import db
from tests.builders import DEFAULT_PASSWORD, make_user

WRONG_CREDENTIALS = "手机号码或密码错误。"
TOO_MANY_SIGN_INS = "登录失败次数过多，请 15 分钟后再试。"
NEW_PASSWORD = "a-new-secret-42"


def field_errors(page: str, name: str) -> list[str]:
    """The messages shown right after the field `name` and before the next control."""
    start = page.rfind(f'name="{name}"')
    assert start != -1, f"no field {name!r} on the page"
    rest = page[start:]
    following = re.search(r"<(input|select|textarea|button)\b", rest)
    segment = rest[: following.start()] if following else rest
    found = re.findall(r'<div class="invalid-feedback[^"]*">(.*?)</div>', segment, re.S)
    return [html.unescape(message).strip() for message in found]


def form_errors(page: str) -> list[str]:
    block = re.search(
        r'<div class="alert alert-danger" role="alert">(.*?)</div>\s*<form', page, re.S
    )
    if block is None:
        return []
    return [html.unescape(m).strip() for m in re.findall(r"<div>(.*?)</div>", block.group(1))]


def log_in(client, phone: str, password: str = DEFAULT_PASSWORD, url: str = "/login"):
    return client.post(url, data={"phone": phone, "password": password})


def is_signed_in(client) -> bool:
    response = client.get("/profile")
    assert response.status_code in (200, 302)
    return response.status_code == 200


def location_path(response) -> str:
    parts = urlsplit(response.headers["Location"])
    assert parts.netloc in ("", "localhost"), response.headers["Location"]
    return parts.path


# Signing in


def test_login_with_the_right_password_redirects_and_keeps_the_session(client, volunteer):
    response = log_in(client, volunteer.phone)

    assert response.status_code == 302
    assert location_path(response) == "/"
    profile = client.get("/profile")
    assert profile.status_code == 200
    assert volunteer.phone in profile.text


def test_login_page_shows_the_form_in_chinese(client):
    response = client.get("/login")

    assert response.status_code == 200
    assert 'name="phone"' in response.text
    assert 'name="password"' in response.text
    assert "手机号码" in response.text


def test_login_refuses_a_wrong_password(client, volunteer):
    response = log_in(client, volunteer.phone, "not-the-password-1")

    assert response.status_code == 200
    assert WRONG_CREDENTIALS in form_errors(response.text)
    assert 'name="phone"' in response.text
    assert not is_signed_in(client)


def test_login_gives_an_unknown_phone_the_same_message(client, volunteer):
    response = log_in(client, "13700000000")

    assert response.status_code == 200
    assert form_errors(response.text) == [WRONG_CREDENTIALS]
    assert not is_signed_in(client)


def test_login_refuses_a_malformed_phone(client, volunteer):
    response = log_in(client, "12345")

    assert response.status_code == 200
    assert form_errors(response.text) == [WRONG_CREDENTIALS]
    assert not is_signed_in(client)


def test_login_accepts_the_phone_with_a_country_prefix_and_spaces(client, volunteer):
    spaced = f"+86 {volunteer.phone[:3]} {volunteer.phone[3:7]} {volunteer.phone[7:]}"

    assert log_in(client, spaced).status_code == 302
    assert is_signed_in(client)


def test_login_refuses_a_disabled_account(client, volunteer):
    volunteer.is_enabled = False

    response = log_in(client, volunteer.phone)

    assert response.status_code == 200
    assert form_errors(response.text) == [WRONG_CREDENTIALS]
    assert not is_signed_in(client)


def test_login_with_empty_fields_shows_errors_beside_them(client):
    response = client.post("/login", data={"phone": "", "password": ""})

    assert response.status_code == 200
    assert field_errors(response.text, "phone")
    assert field_errors(response.text, "password")


def test_login_upgrades_a_hash_made_with_older_costs(make_app, volunteer):
    old_hash = volunteer.password_hash
    assert "t=1," in old_hash
    stronger = make_app(PASSWORD_HASH_TIME_COST=2)

    assert log_in(stronger.test_client(), volunteer.phone).status_code == 302

    new_hash = password_hash_of(volunteer)
    assert new_hash != old_hash
    assert "t=2," in new_hash


# Where a successful sign-in leads


def test_login_follows_next_to_a_local_path(client, volunteer):
    response = log_in(client, volunteer.phone, url="/login?next=/profile")

    assert response.status_code == 302
    assert location_path(response) == "/profile"


@pytest.mark.parametrize(
    "target",
    [
        "//evil.example",
        "http://evil.example",
        "https://evil.example/profile",
        "/\\evil.example",
        "/\t/evil.example",
        "///evil.example",
        "javascript:alert(1)",
    ],
)
def test_login_refuses_a_next_url_pointing_elsewhere(client, volunteer, target):
    response = client.post(
        "/login",
        query_string={"next": target},
        data={"phone": volunteer.phone, "password": DEFAULT_PASSWORD},
    )

    assert response.status_code == 302
    parts = urlsplit(response.headers["Location"])
    assert "evil.example" not in response.headers["Location"]
    assert parts.path == "/"


def test_anonymous_visit_to_profile_comes_back_there_after_login(client, volunteer):
    sent = client.get("/profile")
    assert sent.status_code == 302
    login_url = sent.headers["Location"]
    assert urlsplit(login_url).path == "/login"

    response = log_in(client, volunteer.phone, url=login_url)

    assert location_path(response) == "/profile"


@pytest.mark.parametrize("who", ["volunteer_client", "merchant_client", "office_client"])
def test_every_role_can_open_pages_after_signing_in(request, who):
    client = request.getfixturevalue(who)

    for path in ("/", "/profile", "/account/password"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert 'action="/logout"' in response.text


def test_signed_in_user_visiting_login_goes_home(volunteer_client):
    response = volunteer_client.get("/login")

    assert response.status_code == 302
    assert location_path(response) == "/"


# Cookies


def set_cookie(response, name: str) -> str:
    cookies = [c for c in response.headers.getlist("Set-Cookie") if c.startswith(f"{name}=")]
    assert cookies, response.headers.getlist("Set-Cookie")
    return cookies[-1]


def test_session_cookie_is_http_only_and_same_site_lax(client, volunteer):
    response = log_in(client, volunteer.phone)

    cookie = set_cookie(response, "session")
    attributes = [part.strip().lower() for part in cookie.split(";")]
    assert "httponly" in attributes
    assert "samesite=lax" in attributes


def test_remember_me_cookie_is_http_only_and_same_site_lax(client, volunteer):
    response = client.post(
        "/login", data={"phone": volunteer.phone, "password": DEFAULT_PASSWORD, "remember": "y"}
    )

    cookie = set_cookie(response, "remember_token")
    attributes = [part.strip().lower() for part in cookie.split(";")]
    assert "httponly" in attributes
    assert "samesite=lax" in attributes


# Signing out


def test_logout_refuses_get(volunteer_client):
    response = volunteer_client.get("/logout")

    assert response.status_code == 405
    assert is_signed_in(volunteer_client)


def test_logout_by_post_signs_out(volunteer_client):
    response = volunteer_client.post("/logout")

    assert response.status_code == 302
    assert not is_signed_in(volunteer_client)


# Changing the password


def change_password(client, current: str, new: str, confirm: str | None = None):
    return client.post(
        "/account/password",
        data={
            "current_password": current,
            "new_password": new,
            "confirm": new if confirm is None else confirm,
        },
    )


def password_hash_of(user: User) -> str:
    db.session.expire_all()
    return db.session.get(User, user.id).password_hash


def test_change_password_page_needs_sign_in(client):
    response = client.get("/account/password")

    assert response.status_code == 302
    assert urlsplit(response.headers["Location"]).path == "/login"


def test_change_password_refuses_a_wrong_current_password(volunteer_client, volunteer):
    before = volunteer.password_hash

    response = change_password(volunteer_client, "not-my-password-1", NEW_PASSWORD)

    assert response.status_code == 200
    assert field_errors(response.text, "current_password") == ["当前密码不正确。"]
    assert password_hash_of(volunteer) == before


@pytest.mark.parametrize(
    ("weak", "message"), [("short1", "至少使用 8 个字符。"), ("1234567890", "密码不能全是数字。")]
)
def test_change_password_refuses_a_weak_new_password(volunteer_client, volunteer, weak, message):
    before = volunteer.password_hash

    response = change_password(volunteer_client, DEFAULT_PASSWORD, weak)

    assert response.status_code == 200
    assert field_errors(response.text, "new_password") == [message]
    assert password_hash_of(volunteer) == before


def test_change_password_refuses_a_mismatched_confirmation(volunteer_client, volunteer):
    before = volunteer.password_hash

    response = change_password(volunteer_client, DEFAULT_PASSWORD, NEW_PASSWORD, "something-else-1")

    assert response.status_code == 200
    assert field_errors(response.text, "confirm") == ["两次输入的密码不一致。"]
    assert password_hash_of(volunteer) == before


def test_changed_password_replaces_the_old_one(app, volunteer_client, volunteer):
    response = change_password(volunteer_client, DEFAULT_PASSWORD, NEW_PASSWORD)
    assert response.status_code == 302
    assert location_path(response) == "/profile"

    fresh = app.test_client()
    old = log_in(fresh, volunteer.phone, DEFAULT_PASSWORD)
    assert old.status_code == 200
    assert WRONG_CREDENTIALS in form_errors(old.text)
    assert log_in(fresh, volunteer.phone, NEW_PASSWORD).status_code == 302
    assert is_signed_in(fresh)


def test_changed_password_revokes_the_users_api_tokens(
    volunteer_client, volunteer, office_user, bearer
):
    mine = bearer(volunteer)
    theirs = bearer(office_user)
    assert volunteer_client.get("/api/v1/me", headers=mine).status_code == 200

    assert change_password(volunteer_client, DEFAULT_PASSWORD, NEW_PASSWORD).status_code == 302

    assert volunteer_client.get("/api/v1/me", headers=mine).status_code == 401
    assert volunteer_client.get("/api/v1/me", headers=theirs).status_code == 200


# Rate limit on failed sign-ins


@pytest.fixture
def limited_app(make_app):
    app = make_app(RATELIMIT_ENABLED=True, LOGIN_ATTEMPTS_PER_PHONE="3 per 15 minutes")
    with app.app_context():
        yield app


def test_login_is_refused_with_the_form_after_too_many_failures(limited_app):
    user = make_user()
    client = limited_app.test_client()
    for _ in range(3):
        assert log_in(client, user.phone, "wrong-password-1").status_code == 200

    response = log_in(client, user.phone, DEFAULT_PASSWORD)

    assert response.status_code == 429
    assert 'name="phone"' in response.text
    assert TOO_MANY_SIGN_INS in response.text
    assert not is_signed_in(client)


def test_login_rate_limit_counts_per_phone(limited_app):
    locked, other = make_user(), make_user()
    client = limited_app.test_client()
    for _ in range(3):
        log_in(client, locked.phone, "wrong-password-1")
    assert log_in(client, locked.phone).status_code == 429

    assert log_in(client, other.phone).status_code == 302
    assert is_signed_in(client)


def test_login_rate_limit_counts_a_phone_however_it_is_spelled(limited_app):
    user = make_user()
    client = limited_app.test_client()
    for spelling in (user.phone, f"+86{user.phone}", f"{user.phone[:3]} {user.phone[3:]}"):
        log_in(client, spelling, "wrong-password-1")

    assert log_in(client, user.phone).status_code == 429


def test_successful_logins_do_not_count_toward_the_limit(limited_app):
    user = make_user()
    for _ in range(3):
        client = limited_app.test_client()
        assert log_in(client, user.phone).status_code == 302
    client = limited_app.test_client()
    for _ in range(2):
        assert log_in(client, user.phone, "wrong-password-1").status_code == 200

    assert log_in(client, user.phone).status_code == 302


# CSRF


@pytest.fixture
def csrf_app(make_app):
    app = make_app(WTF_CSRF_ENABLED=True)
    with app.app_context():
        yield app


def csrf_token_from(page: str) -> str:
    found = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page) or re.search(
        r'name="csrf_token" value="([^"]+)"', page
    )
    assert found, "no CSRF token on the page"
    return found.group(1)


def test_login_without_a_csrf_token_is_refused_with_a_clear_page(csrf_app):
    user = make_user()
    client = csrf_app.test_client()

    response = log_in(client, user.phone)

    assert response.status_code == 400
    assert response.mimetype == "text/html"
    assert "This form has expired" in response.text or "过期" in response.text
    assert "CSRF token" not in response.text
    assert "Traceback" not in response.text
    assert not is_signed_in(client)


def test_csrf_refusal_page_speaks_chinese_by_default(csrf_app):
    user = make_user()

    response = log_in(csrf_app.test_client(), user.phone)

    message = re.search(r'data-testid="error-message">(.*?)</p>', response.text, re.S)
    assert message is not None
    assert re.search(r"[\u4e00-\u9fff]", message.group(1)), message.group(1)


def test_logout_without_a_csrf_token_does_not_sign_out(csrf_app):
    user = make_user()
    client = csrf_app.test_client()
    token = csrf_token_from(client.get("/login").text)
    client.post(
        "/login", data={"phone": user.phone, "password": DEFAULT_PASSWORD, "csrf_token": token}
    )

    assert client.post("/logout").status_code == 400
    assert is_signed_in(client)


def test_login_with_the_csrf_token_from_the_form_works(csrf_app):
    user = make_user()
    client = csrf_app.test_client()
    token = csrf_token_from(client.get("/login").text)

    response = client.post(
        "/login", data={"phone": user.phone, "password": DEFAULT_PASSWORD, "csrf_token": token}
    )

    assert response.status_code == 302
    assert is_signed_in(client)
