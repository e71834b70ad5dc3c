"""Volunteer self-registration (page and API) and the volunteer's own profile."""

from __future__ import annotations

import html
import re

import pytest
from sqlalchemy import func, select

from core.auth.models import Role, User
from core.auth.sms import current_gateway
from core.districts import ensure_districts, list_districts
from core.extensions import db
from tests.builders import make_user
from volunteer.models import VolunteerProfile

PHONE = "13812345678"
PASSWORD = "spring-lei-feng-35"


def field_errors(page: str, name: str) -> list[str]:
    """The messages shown right after the field `name` and before the next control."""
    start = page.rfind(f'name="{name}"')
    assert start != -1, f"no field {name!r} on the page"
    rest = page[start:]
    following = re.search(r"<(input|select|textarea|button)\b", rest[1:])
    segment = rest[: following.start() + 1] if following else rest
    found = re.findall(r'<div class="invalid-feedback[^"]*">(.*?)</div>', segment, re.S)
    return [html.unescape(message).strip() for message in found]


def user_count() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(User))


def find_user(phone: str) -> User | None:
    db.session.expire_all()
    return db.session.scalar(select(User).where(User.phone == phone))


def code_for(client, phone: str, *, api: bool = False) -> str:
    """Ask for a registration code as the page (or the API) does; the code the development
    adapter "sent", or one that matches nothing when none was (a malformed or registered
    number)."""
    if api:
        client.post("/api/v1/auth/sms-codes", json={"phone": phone, "purpose": "register"})
    else:
        client.post("/sms-codes", data={"phone": phone, "purpose": "register"})
    normalized = re.sub(r"[\s-]", "", phone).removeprefix("+86")
    return current_gateway().last_code(normalized, "register") or "000000"


def register(client, **fields):
    data = {
        "phone": PHONE,
        "display_name": "雷锋志愿者",
        "district_id": "",
        "password": PASSWORD,
        "confirm": PASSWORD,
        "consent": "y",
    }
    data.update(fields)
    data.setdefault("code", code_for(client, data["phone"]))
    return client.post("/register", data=data)


# Registering through the page


def test_register_page_asks_for_a_code_first(client):
    response = client.get("/register")

    assert response.status_code == 200
    assert 'name="phone"' in response.text
    assert 'name="password"' not in response.text


def test_register_page_shows_the_form_once_the_code_is_sent(client):
    response = client.get(f"/register?phone={PHONE}&sent=1")

    assert response.status_code == 200
    for name in ("phone", "code", "display_name", "district_id", "password", "confirm"):
        assert f'name="{name}"' in response.text


def test_registration_creates_a_signed_in_volunteer_with_a_profile(client):
    response = register(client)

    assert response.status_code == 302
    assert response.headers["Location"].endswith("/profile")
    user = find_user(PHONE)
    assert user is not None
    assert user.role is Role.volunteer
    assert user.display_name == "雷锋志愿者"
    profile = db.session.get(VolunteerProfile, user.id)
    assert profile is not None
    assert profile.skills == []
    page = client.get("/profile")
    assert page.status_code == 200
    assert PHONE in page.text


def test_registration_can_set_the_district(client):
    ensure_districts()
    district = list_districts()[2]

    assert register(client, district_id=str(district.id)).status_code == 302

    user = find_user(PHONE)
    assert db.session.get(VolunteerProfile, user.id).district_id == district.id


def test_registration_stores_no_plain_password(client):
    register(client)

    user = find_user(PHONE)
    assert PASSWORD not in user.password_hash
    assert user.password_hash.startswith("$argon2id$")


def test_registration_refuses_a_registered_phone_when_asked_for_the_code(client):
    existing = make_user(phone=PHONE, display_name="先来的人")
    before = user_count()

    asked = client.post("/sms-codes", data={"phone": PHONE, "purpose": "register"})
    assert "该手机号码已注册。" in client.get(asked.headers["Location"]).text
    response = register(client, display_name="后来的人")

    assert response.status_code == 200
    assert user_count() == before
    assert find_user(PHONE).display_name == existing.display_name
    assert db.session.scalar(select(func.count()).select_from(VolunteerProfile)) == 1
    assert client.get("/profile").status_code == 302


def test_registration_refuses_a_short_phone(client):
    response = register(client, phone="12345")

    assert response.status_code == 200
    assert field_errors(response.text, "phone") == ["请输入以 1 开头的 11 位手机号码。"]
    assert user_count() == 0


@pytest.mark.parametrize("phone", ["23812345678", "1281234567a", "138123456789"])
def test_registration_refuses_a_phone_that_is_not_a_mainland_mobile(client, phone):
    response = register(client, phone=phone)

    assert response.status_code == 200
    assert field_errors(response.text, "phone")
    assert user_count() == 0


def test_registration_normalises_a_prefixed_spaced_phone(client):
    response = register(client, phone="+86 138 1234 5678")

    assert response.status_code == 302
    assert find_user(PHONE) is not None
    assert user_count() == 1


def test_registration_refuses_a_digits_only_password(client):
    response = register(client, password="12345678901", confirm="12345678901")

    assert response.status_code == 200
    assert field_errors(response.text, "password") == ["密码不能全是数字。"]
    assert user_count() == 0


def test_registration_refuses_a_short_password(client):
    response = register(client, password="abc123", confirm="abc123")

    assert response.status_code == 200
    assert field_errors(response.text, "password") == ["至少使用 8 个字符。"]
    assert user_count() == 0


def test_registration_refuses_a_mismatched_confirmation(client):
    response = register(client, confirm="another-password-1")

    assert response.status_code == 200
    assert field_errors(response.text, "confirm") == ["两次输入的密码不一致。"]
    assert user_count() == 0


def test_registration_refuses_an_unknown_district(client):
    ensure_districts()

    response = register(client, district_id="999999")

    assert response.status_code == 200
    assert field_errors(response.text, "district_id")
    assert user_count() == 0


def test_registration_refuses_a_blank_name(client):
    response = register(client, display_name="   ")

    assert response.status_code == 200
    assert field_errors(response.text, "display_name")
    assert user_count() == 0


def test_signed_in_user_visiting_register_goes_home(volunteer_client):
    response = volunteer_client.get("/register")

    assert response.status_code == 302
    assert response.headers["Location"].endswith("/")


# Registering through the API


def api_register(client, **fields):
    body = {"phone": PHONE, "password": PASSWORD, "display_name": "雷锋志愿者", "consent": True}
    body.update(fields)
    body.setdefault("code", code_for(client, str(body["phone"]), api=True))
    return client.post("/api/v1/volunteers", json=body)


def test_api_registration_creates_a_volunteer(client):
    response = api_register(client)

    assert response.status_code == 201
    assert response.json["phone"] == PHONE
    assert response.json["role"] == "volunteer"
    assert "password" not in response.json
    user = find_user(PHONE)
    assert db.session.get(VolunteerProfile, user.id) is not None


def test_api_registration_then_token_request_works(client):
    api_register(client, phone="+86 138-1234-5678")

    response = client.post("/api/v1/auth/tokens", json={"phone": PHONE, "password": PASSWORD})

    assert response.status_code == 201


def test_api_registration_refuses_a_registered_phone_with_409(client):
    make_user(phone=PHONE)

    response = client.post("/api/v1/auth/sms-codes", json={"phone": PHONE, "purpose": "register"})

    assert response.status_code == 409
    assert set(response.json) == {"code", "message", "errors"}
    assert response.json["code"] == "phone_taken"
    assert "phone" in response.json["errors"]
    assert api_register(client).status_code == 422
    assert user_count() == 1


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"phone": "12345"}, "phone"),
        ({"password": "12345678"}, "password"),
        ({"display_name": ""}, "display_name"),
        ({"district_id": 999999}, "district_id"),
    ],
)
def test_api_registration_refuses_bad_input_with_422(client, fields, field):
    response = api_register(client, **fields)

    assert response.status_code == 422
    assert response.json["code"] == "validation_failed"
    assert field in response.json["errors"]
    assert user_count() == 0


def test_api_registration_names_a_missing_field(client):
    response = client.post("/api/v1/volunteers", json={"phone": PHONE, "password": PASSWORD})

    assert response.status_code == 422
    assert "display_name" in response.json["errors"]
    assert user_count() == 0


def test_api_registration_refuses_a_role_in_the_body(client):
    response = api_register(client, role="office")

    assert response.status_code == 422
    assert find_user(PHONE) is None


# The profile page


def save_profile(client, **fields):
    data = {"display_name": "志愿者小李", "district_id": "", "email": ""}
    data.update(fields)
    return client.post("/profile", data=data)


def profile_of(user: User) -> VolunteerProfile:
    db.session.expire_all()
    return db.session.get(VolunteerProfile, user.id)


def test_profile_page_saves_district_skills_and_email(volunteer_client, volunteer):
    ensure_districts()
    district = list_districts()[1]

    response = save_profile(
        volunteer_client,
        display_name="李雷",
        district_id=str(district.id),
        skills=["first_aid", "cleaning"],
        email="li@example.cn",
    )

    assert response.status_code == 302
    profile = profile_of(volunteer)
    assert profile.district_id == district.id
    assert profile.skills == ["cleaning", "first_aid"]
    assert profile.user.email == "li@example.cn"
    assert profile.user.display_name == "李雷"
    page = volunteer_client.get("/profile").text
    assert "li@example.cn" in page
    assert re.search(r'value="first_aid"[^>]*checked|checked[^>]*value="first_aid"', page)


@pytest.mark.parametrize(
    "address", ["not-an-email", "a,b@example.org", "a;b@example.org", "<a@example.org>"]
)
def test_profile_page_refuses_a_bad_email_beside_the_field(volunteer_client, volunteer, address):
    response = save_profile(volunteer_client, email=address, skills=["cleaning"])

    assert response.status_code == 200
    assert field_errors(response.text, "email") == ["请输入有效的电子邮箱地址。"]
    profile = profile_of(volunteer)
    assert profile.user.email is None
    assert profile.skills == []


def test_profile_page_refuses_an_unknown_skill(volunteer_client, volunteer):
    response = save_profile(volunteer_client, skills=["cleaning", "juggling"])

    assert response.status_code == 200
    assert field_errors(response.text, "skills")
    assert profile_of(volunteer).skills == []


def test_unchecking_every_skill_clears_them(volunteer_client, volunteer):
    assert save_profile(volunteer_client, skills=["haircut", "driving"]).status_code == 302
    assert profile_of(volunteer).skills == ["haircut", "driving"]

    assert save_profile(volunteer_client).status_code == 302

    assert profile_of(volunteer).skills == []


def test_clearing_the_email_removes_it(volunteer_client, volunteer):
    save_profile(volunteer_client, email="li@example.cn")

    assert save_profile(volunteer_client, email="").status_code == 302

    assert profile_of(volunteer).user.email is None


def test_profile_page_needs_sign_in(client):
    response = client.get("/profile")

    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_profile_is_created_for_an_account_without_one(office_client, office_user):
    response = office_client.get("/profile")

    assert response.status_code == 200
    assert profile_of(office_user) is not None


# The profile API


def test_profile_api_patch_changes_only_the_fields_sent(client, volunteer, bearer):
    headers = bearer(volunteer)
    profile = profile_of(volunteer)
    profile.skills = ["farm_help"]
    volunteer.email = "old@example.cn"

    response = client.patch("/api/v1/me/profile", json={"email": "new@example.cn"}, headers=headers)

    assert response.status_code == 200
    assert response.json["email"] == "new@example.cn"
    assert response.json["skills"] == ["farm_help"]
    assert response.json["display_name"] == "志愿者小李"
    profile = profile_of(volunteer)
    assert profile.user.email == "new@example.cn"
    assert profile.skills == ["farm_help"]


def test_profile_api_patch_sets_district_and_skills(client, volunteer, bearer):
    ensure_districts()
    district = list_districts()[0]
    headers = bearer(volunteer)

    response = client.patch(
        "/api/v1/me/profile",
        json={"district_id": district.id, "skills": ["photography", "cleaning"]},
        headers=headers,
    )

    assert response.status_code == 200
    assert response.json["district"]["id"] == district.id
    assert response.json["skills"] == ["cleaning", "photography"]


def test_profile_api_patch_refuses_an_unknown_skill(client, volunteer, bearer):
    headers = bearer(volunteer)

    response = client.patch(
        "/api/v1/me/profile", json={"skills": ["cleaning", "juggling"]}, headers=headers
    )

    assert response.status_code == 422
    assert set(response.json) == {"code", "message", "errors"}
    assert "skills" in response.json["errors"]
    assert profile_of(volunteer).skills == []


def test_profile_api_field_errors_are_lists_of_messages(client, volunteer, bearer):
    response = client.patch(
        "/api/v1/me/profile", json={"skills": ["juggling"]}, headers=bearer(volunteer)
    )

    assert response.status_code == 422
    messages = response.json["errors"]["skills"]
    assert isinstance(messages, list)
    assert all(isinstance(message, str) for message in messages)


def test_profile_api_patch_refuses_a_bad_email(client, volunteer, bearer):
    response = client.patch("/api/v1/me/profile", json={"email": "nope"}, headers=bearer(volunteer))

    assert response.status_code == 422
    assert "email" in response.json["errors"]
    assert profile_of(volunteer).user.email is None


def test_profile_api_needs_a_token(client):
    assert client.get("/api/v1/me/profile").status_code == 401
    assert client.patch("/api/v1/me/profile", json={"email": "a@b.cn"}).status_code == 401


# Only one's own profile


def test_profile_page_shows_only_the_signed_in_volunteer(app, volunteer_client, volunteer):
    other = make_user(phone="13655556666", display_name="别的志愿者")
    other.email = "other@example.cn"

    page = volunteer_client.get("/profile").text

    assert volunteer.phone in page
    assert "志愿者小李" in page
    assert other.phone not in page
    assert "别的志愿者" not in page
    assert "other@example.cn" not in page


def test_profile_has_no_url_for_another_users_id(volunteer_client, volunteer):
    other = make_user(phone="13655556666", display_name="别的志愿者")

    assert volunteer_client.get(f"/profile/{other.id}").status_code == 404
    assert volunteer_client.get(f"/profile?user_id={other.id}").text.count("13655556666") == 0


def test_saving_the_profile_changes_only_the_signed_in_volunteer(volunteer_client, volunteer):
    other = make_user(phone="13655556666", display_name="别的志愿者")

    save_profile(volunteer_client, skills=["cleaning"], email="mine@example.cn", user_id=other.id)

    assert profile_of(volunteer).skills == ["cleaning"]
    other_profile = profile_of(other)
    assert other_profile.skills == []
    assert other_profile.user.email is None
    assert other_profile.user.display_name == "别的志愿者"


def test_profile_api_shows_and_changes_only_the_tokens_owner(client, volunteer, bearer):
    other = make_user(phone="13655556666", display_name="别的志愿者")
    headers = bearer(volunteer)

    shown = client.get("/api/v1/me/profile", headers=headers)
    client.patch("/api/v1/me/profile", json={"skills": ["driving"]}, headers=headers)

    assert shown.json["display_name"] == "志愿者小李"
    assert profile_of(volunteer).skills == ["driving"]
    assert profile_of(other).skills == []
