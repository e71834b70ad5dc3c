"""SMS codes (短信验证码): six digits, stored hashed, valid five minutes, five tries, one live code
per number and purpose, capped per number, per address and per day; sign-in, registration and
password reset with a code on the pages and the API; an unknown or disabled number answered like
a registered one with nothing sent; the Alibaba Cloud adapter's request to a local fake endpoint;
production refusing to start without a provider."""

from __future__ import annotations

import json
import re
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine
from sqlalchemy import func, select

from app import create_app
from core.auth import services as auth
from core.auth import sms_services
from core.auth.models import ApiToken, SmsCode, SmsPurpose, User, UserSession
from core.auth.sms import AliyunSmsGateway, LogSmsGateway, SmsNotSent, current_gateway
from core.clock import utcnow
from core.config import ConfigurationError
from core.extensions import db
from core.settings import current_settings
from tests.builders import DEFAULT_PASSWORD, make_user
from tests.concurrency import run_at_once
from tests.conftest import app_config
from volunteer.models import VolunteerProfile

API = "/api/v1"
NEW_PASSWORD = "new-spring-password-9"
ERROR_KEYS = {"code", "message", "errors"}
SENT_TO_ANYONE = "如果该号码已注册，验证码已通过短信发出，5 分钟内有效。"
# A provider configured as production needs it, pointing nowhere (nothing is sent at start).
ALIYUN = {
    "SMS_PROVIDER": "aliyun",
    "ALIYUN_SMS_ACCESS_KEY_ID": "LTAI-test-id",
    "ALIYUN_SMS_ACCESS_KEY_SECRET": "test-secret",
    "ALIYUN_SMS_SIGN_NAME": "文明实践积分",
    "ALIYUN_SMS_TEMPLATE_SIGN_IN": "SMS_100000001",
    "ALIYUN_SMS_TEMPLATE_REGISTER": "SMS_100000002",
    "ALIYUN_SMS_TEMPLATE_RESET_PASSWORD": "SMS_100000003",
    "ALIYUN_SMS_ENDPOINT": "http://127.0.0.1:9",
    "ALIYUN_SMS_TIMEOUT_SECONDS": 2.0,
}


def gateway() -> LogSmsGateway:
    found = current_gateway()
    assert isinstance(found, LogSmsGateway)
    return found


def sent_code(phone: str, purpose: SmsPurpose = SmsPurpose.sign_in) -> str | None:
    return gateway().last_code(phone, purpose.value)


def ask(client, phone: str, purpose: SmsPurpose = SmsPurpose.sign_in):
    return client.post(f"{API}/auth/sms-codes", json={"phone": phone, "purpose": purpose.value})


def codes(phone: str | None = None) -> list[SmsCode]:
    db.session.expire_all()
    query = select(SmsCode).order_by(SmsCode.id)
    if phone is not None:
        query = query.where(SmsCode.phone == phone)
    return list(db.session.scalars(query))


def token_for(client, phone: str, code: str):
    return client.post(f"{API}/auth/sms-tokens", json={"phone": phone, "code": code})


def request_code(phone: str, purpose: SmsPurpose = SmsPurpose.sign_in, *, now=None) -> str:
    """Ask for a code through the service (flushed, not committed); return the code sent."""
    sms_services.request_code(
        phone,
        purpose,
        now=now or utcnow(),
        settings=current_settings().sms,
        gateway=current_gateway(),
    )
    return sent_code(phone, purpose)


def use(phone: str, code: str, purpose: SmsPurpose = SmsPurpose.sign_in, *, now=None) -> str:
    return sms_services.use_code(
        phone, purpose, code, now=now or utcnow(), settings=current_settings().sms
    )


def try_code(client, phone: str, code: str, purpose: SmsPurpose):
    """Use a code through the API for what it is for (register aside)."""
    if purpose is SmsPurpose.reset_password:
        body = {"phone": phone, "code": code, "new_password": NEW_PASSWORD}
        return client.post(f"{API}/auth/sms-password-reset", json=body)
    return token_for(client, phone, code)


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 10**6:06d}"


def is_signed_in(client) -> bool:
    return client.get("/account/password").status_code == 200


# The code: six digits, stored hashed --------------------------------------------------------


def test_a_code_is_six_digits_and_only_a_keyed_hash_of_it_is_stored(app):
    user = make_user()

    code = request_code(user.phone)

    assert re.fullmatch(r"\d{6}", code)
    (row,) = codes(user.phone)
    assert row.is_sent
    stored = " ".join(str(value) for value in db.session.execute(select(SmsCode)).one())
    assert code not in stored
    assert row.code_hash == sms_services.hash_code(
        code, phone=user.phone, purpose=SmsPurpose.sign_in, secret="test-secret"
    )
    # Keyed with the app's secret: the table alone gives no way to test the million codes.
    assert row.code_hash != sms_services.hash_code(
        code, phone=user.phone, purpose=SmsPurpose.sign_in, secret="another-secret"
    )


def test_a_code_is_bound_to_its_purpose(app):
    user = make_user()
    code = request_code(user.phone, SmsPurpose.sign_in)
    request_code(user.phone, SmsPurpose.reset_password)

    with pytest.raises(sms_services.WrongCode):
        use(user.phone, code, SmsPurpose.reset_password)


# Valid five minutes, at a fixed clock -------------------------------------------------------


def test_a_code_works_until_five_minutes_have_passed(app):
    user = make_user()
    asked_at = utcnow().replace(microsecond=0)
    code = request_code(user.phone, now=asked_at)

    assert use(user.phone, code, now=asked_at + timedelta(minutes=4, seconds=59)) == user.phone


def test_a_code_is_refused_once_five_minutes_have_passed(app):
    user = make_user()
    asked_at = utcnow().replace(microsecond=0)
    code = request_code(user.phone, now=asked_at)

    with pytest.raises(sms_services.ValidationFailed) as refused:
        use(user.phone, code, now=asked_at + timedelta(minutes=5))

    assert refused.value.errors == {"code": ["验证码已过期，请重新获取。"]}


def test_an_expired_code_is_refused_through_the_api_at_a_set_clock(app, client):
    user = make_user()
    with time_machine.travel(utcnow(), tick=False) as clock:
        ask(client, user.phone)
        clock.shift(timedelta(minutes=5, seconds=1))
        response = token_for(client, user.phone, sent_code(user.phone))

    assert response.status_code == 422
    assert response.json["errors"] == {"code": ["验证码已过期，请重新获取。"]}


# At most five tries per code ----------------------------------------------------------------


def test_five_wrong_tries_use_the_code_up_even_for_the_right_code(app, client):
    user = make_user()
    ask(client, user.phone)
    code = sent_code(user.phone)

    said = [token_for(client, user.phone, wrong(code)).json["errors"]["code"] for _ in range(5)]
    last = token_for(client, user.phone, code)

    assert said == [
        ["验证码错误，还可以再试 4 次。"],
        ["验证码错误，还可以再试 3 次。"],
        ["验证码错误，还可以再试 2 次。"],
        ["验证码错误，还可以再试 1 次。"],
        ["验证码错误，请重新获取。"],
    ]
    assert last.status_code == 422
    assert last.json["errors"] == {"code": ["错误次数太多，请重新获取验证码。"]}
    assert codes(user.phone)[0].attempts == 5
    assert db.session.scalar(select(func.count(ApiToken.id))) == 0


def test_wrong_tries_on_the_page_are_counted_too(app, client):
    user = make_user()
    ask(client, user.phone)
    code = sent_code(user.phone)

    for _ in range(5):
        page = client.post("/login/sms?sent=1", data={"phone": user.phone, "code": wrong(code)})
        assert page.status_code == 422
    page = client.post("/login/sms?sent=1", data={"phone": user.phone, "code": code})

    assert "错误次数太多，请重新获取验证码。" in page.text
    assert not is_signed_in(client)


def test_a_new_code_gives_five_tries_again(app, client):
    user = make_user()
    ask(client, user.phone)
    for _ in range(5):
        token_for(client, user.phone, wrong(sent_code(user.phone)))
    ask(client, user.phone)

    assert token_for(client, user.phone, sent_code(user.phone)).status_code == 201


# Used once; one live code per number and purpose -------------------------------------------


def test_a_used_code_is_refused_the_second_time(app, client):
    user = make_user()
    ask(client, user.phone)
    code = sent_code(user.phone)
    assert token_for(client, user.phone, code).status_code == 201

    again = token_for(client, user.phone, code)

    assert again.status_code == 422
    assert again.json["errors"] == {"code": ["该号码没有有效的验证码，请先获取验证码。"]}


def test_a_new_code_replaces_the_old_one(app, client):
    user = make_user()
    ask(client, user.phone)
    first = sent_code(user.phone)
    ask(client, user.phone)
    second = sent_code(user.phone)
    if first == second:  # one time in a million: the old code would still look right
        pytest.skip("the two random codes happened to be equal")

    assert [row.ended_at is None for row in codes(user.phone)] == [False, True]
    assert token_for(client, user.phone, first).status_code == 422
    assert token_for(client, user.phone, second).status_code == 201


def test_a_code_of_another_purpose_stays_live(app, client):
    user = make_user()
    ask(client, user.phone, SmsPurpose.reset_password)
    ask(client, user.phone, SmsPurpose.sign_in)

    assert [row.ended_at for row in codes(user.phone)] == [None, None]


def test_the_database_keeps_one_live_code_per_number_and_purpose(app):
    user = make_user()
    request_code(user.phone)
    now = utcnow()
    db.session.add(
        SmsCode(
            phone=user.phone,
            purpose=SmsPurpose.sign_in,
            code_hash="0" * 64,
            attempts=0,
            is_sent=True,
            created_at=now,
            expires_at=now + timedelta(minutes=5),
        )
    )

    with pytest.raises(Exception, match=r"(?i)unique|duplicate"):
        db.session.flush()
    db.session.rollback()


# Limits: per number, per address (Flask-Limiter), per day (the database) -------------------


@pytest.fixture
def limited(make_app):
    """An app with the rate limits on, two codes a number and three an address."""

    def build(**overrides):
        app = make_app(
            RATELIMIT_ENABLED=True,
            SMS_CODES_PER_PHONE="2 per hour",
            SMS_CODES_PER_ADDRESS="3 per hour",
            **overrides,
        )
        return app

    return build


def test_codes_are_limited_per_number(limited):
    app = limited()
    with app.app_context():
        user, other = make_user(), make_user()
        client = app.test_client()
        assert [ask(client, user.phone).status_code for _ in range(2)] == [202, 202]

        refused = ask(client, user.phone)

        assert refused.status_code == 429
        assert set(refused.json) == ERROR_KEYS
        assert len(codes(user.phone)) == 2
        assert ask(client, other.phone).status_code == 202


def test_the_page_and_the_api_count_together_per_number(limited):
    app = limited()
    with app.app_context():
        user = make_user()
        client = app.test_client()
        client.post("/sms-codes", data={"phone": user.phone, "purpose": "sign_in"})
        ask(client, user.phone, SmsPurpose.reset_password)

        page = client.post("/sms-codes", data={"phone": user.phone, "purpose": "sign_in"})

        assert page.status_code == 302
        assert client.get(page.headers["Location"]).text.count("请求验证码过于频繁") == 1
        assert len(codes(user.phone)) == 2


def test_codes_are_limited_per_client_address(limited):
    app = limited()
    with app.app_context():
        users = [make_user() for _ in range(4)]
        client = app.test_client()
        statuses = [ask(client, user.phone).status_code for user in users]

        assert statuses == [202, 202, 202, 429]
        elsewhere = app.test_client().post(
            f"{API}/auth/sms-codes",
            json={"phone": users[3].phone, "purpose": "sign_in"},
            environ_base={"REMOTE_ADDR": "10.1.2.3"},
        )
        assert elsewhere.status_code == 202


def test_a_number_gets_at_most_ten_codes_a_day_counted_in_the_database(app, client):
    user = make_user()
    start = utcnow()
    with time_machine.travel(start, tick=False) as clock:
        for _ in range(10):
            assert ask(client, user.phone).status_code == 202
            clock.shift(timedelta(minutes=2))
        refused = ask(client, user.phone, SmsPurpose.reset_password)
        assert refused.status_code == 429
        assert refused.json["code"] == "too_many_codes"
        assert refused.json["message"] == "该号码今天获取的验证码太多了，请明天再试。"
        assert len(gateway().sent) == 1
        assert len(codes(user.phone)) == 10

        clock.move_to(start + timedelta(days=1, seconds=1))
        assert ask(client, user.phone).status_code == 202


def test_the_site_sends_at_most_its_daily_number_of_codes(make_app):
    app = make_app(SMS_CODES_PER_DAY=2)
    with app.app_context():
        users = [make_user() for _ in range(3)]
        client = app.test_client()
        assert [ask(client, user.phone).status_code for user in users[:2]] == [202, 202]

        refused = ask(client, users[2].phone)

        assert refused.status_code == 429
        assert refused.json["code"] == "too_many_codes"
        assert sent_code(users[2].phone) is None


# Who is registered is not told --------------------------------------------------------------


@pytest.mark.parametrize("purpose", [SmsPurpose.sign_in, SmsPurpose.reset_password])
def test_unknown_and_disabled_numbers_are_answered_alike_and_sent_nothing(app, client, purpose):
    known = make_user()
    disabled = make_user()
    disabled.is_enabled = False
    unknown = "13355556666"

    answers = [ask(client, phone, purpose) for phone in (known.phone, disabled.phone, unknown)]

    assert {response.status_code for response in answers} == {202}
    assert answers[0].json == answers[1].json == answers[2].json
    assert answers[0].json["message"] == SENT_TO_ANYONE
    assert set(gateway().sent) == {(known.phone, purpose.value)}
    assert [row.is_sent for row in codes()] == [True, False, False]
    # Tries on the numbers that got nothing behave as on a registered one.
    for phone in (disabled.phone, unknown):
        response = try_code(client, phone, "123456", purpose)
        assert response.status_code == 422
        assert response.json["errors"] == {"code": ["验证码错误，还可以再试 4 次。"]}


def test_the_page_says_the_same_for_an_unknown_number(app, client):
    known = make_user()
    pages = []
    for phone in (known.phone, "13355556666"):
        sent = client.post("/sms-codes", data={"phone": phone, "purpose": "sign_in"})
        assert sent.status_code == 302
        assert sent.headers["Location"] == f"/login/sms?phone={phone}&sent=1"
        pages.append(client.get(sent.headers["Location"]).text)

    assert all(SENT_TO_ANYONE in page for page in pages)
    assert sent_code("13355556666") is None


def test_a_registration_code_for_a_registered_number_is_refused(app, client):
    user = make_user()

    response = ask(client, user.phone, SmsPurpose.register)

    assert response.status_code == 409
    assert response.json["code"] == "phone_taken"
    assert codes() == []
    assert gateway().sent == {}


def test_a_malformed_number_is_refused_and_nothing_kept(app, client):
    response = ask(client, "12345")

    assert response.status_code == 422
    assert "phone" in response.json["errors"]
    assert codes() == []


# Signing in with a code ---------------------------------------------------------------------


def test_signing_in_with_a_code_on_the_page_opens_a_server_side_session(app, client):
    user = make_user(display_name="忘了密码的人")
    client.post("/sms-codes", data={"phone": user.phone, "purpose": "sign_in", "next": "/points"})
    page = client.get(f"/login/sms?phone={user.phone}&sent=1&next=/points")
    code = sent_code(user.phone)
    assert f"演示环境：验证码 {code}" in page.text

    response = client.post(
        f"/login/sms?phone={user.phone}&sent=1&next=/points",
        data={"phone": user.phone, "code": code},
    )

    assert response.status_code == 302
    assert response.headers["Location"] == "/points"
    assert is_signed_in(client)
    db.session.expire_all()
    (session,) = db.session.scalars(select(UserSession).where(UserSession.user_id == user.id))
    assert session.ended_at is None
    assert db.session.get(User, user.id).phone_verified_at is not None


def test_signing_in_with_a_code_through_the_api_issues_a_working_token(app, client):
    user = make_user()
    ask(client, user.phone)

    response = token_for(client, user.phone, sent_code(user.phone))

    assert response.status_code == 201
    me = client.get(f"{API}/me", headers={"Authorization": f"Bearer {response.json['token']}"})
    assert me.json["id"] == user.id


def test_an_account_disabled_after_the_code_was_sent_is_refused(app, client):
    user = make_user()
    ask(client, user.phone)
    user.is_enabled = False

    response = token_for(client, user.phone, sent_code(user.phone))

    assert response.status_code == 403
    assert db.session.scalar(select(func.count(ApiToken.id))) == 0


def test_the_password_sign_in_stays(app, client):
    user = make_user()
    response = client.post("/login", data={"phone": user.phone, "password": DEFAULT_PASSWORD})

    assert response.status_code == 302
    page = client.get("/login/sms")
    assert page.status_code == 302  # signed in already


def test_the_sign_in_page_offers_the_sms_way_and_the_forgotten_password(client):
    page = client.get("/login").text

    assert 'href="/login/sms"' in page and "短信验证码登录" in page
    assert 'href="/password/sms-reset"' in page and "忘记密码" in page


# Registering with a code --------------------------------------------------------------------


def registration(phone: str, code: str) -> dict:
    return {
        "phone": phone,
        "code": code,
        "display_name": "新志愿者",
        "district_id": "",
        "password": "spring-lei-feng-35",
        "confirm": "spring-lei-feng-35",
        "consent": "y",
    }


def test_registering_with_the_code_verifies_the_number(app, client):
    phone = "13712345670"
    sent = client.post("/sms-codes", data={"phone": phone, "purpose": "register"})
    assert sent.headers["Location"] == f"/register?phone={phone}&sent=1"
    page = client.get(sent.headers["Location"]).text
    assert 'name="code"' in page and 'name="password"' in page

    response = client.post(
        "/register", data=registration(phone, sent_code(phone, SmsPurpose.register))
    )

    assert response.status_code == 302
    user = auth.find_user_by_phone(phone)
    assert user.phone_verified_at is not None
    assert db.session.get(VolunteerProfile, user.id) is not None


def test_a_wrong_registration_code_creates_nothing_and_counts_the_try(app, client):
    phone = "13712345671"
    ask(client, phone, SmsPurpose.register)
    code = sent_code(phone, SmsPurpose.register)

    response = client.post("/register?sent=1", data=registration(phone, wrong(code)))

    assert response.status_code == 200
    assert "验证码错误，还可以再试 4 次。" in response.text
    assert auth.find_user_by_phone(phone) is None
    assert codes(phone)[0].attempts == 1


def test_a_weak_password_costs_no_try_of_the_code(app, client):
    phone = "13712345672"
    ask(client, phone, SmsPurpose.register)
    code = sent_code(phone, SmsPurpose.register)
    weak = {**registration(phone, code), "password": "abc", "confirm": "abc"}

    assert client.post("/register?sent=1", data=weak).status_code == 200
    assert codes(phone)[0].attempts == 0
    assert client.post("/register", data=registration(phone, code)).status_code == 302


def test_registering_through_the_api_takes_the_code(app, client):
    phone = "13712345673"
    ask(client, phone, SmsPurpose.register)
    body = {
        "phone": phone,
        "password": "spring-lei-feng-35",
        "display_name": "新志愿者",
        "consent": True,
    }

    missing = client.post(f"{API}/volunteers", json=body)
    done = client.post(
        f"{API}/volunteers", json={**body, "code": sent_code(phone, SmsPurpose.register)}
    )

    assert missing.status_code == 422
    assert "code" in missing.json["errors"]
    assert done.status_code == 201
    assert auth.find_user_by_phone(phone).phone_verified_at is not None


# Resetting a forgotten password -------------------------------------------------------------


def test_resetting_the_password_with_a_code_ends_every_session_and_token(app, client, bearer):
    user = make_user()
    elsewhere = app.test_client()
    elsewhere.post("/login", data={"phone": user.phone, "password": DEFAULT_PASSWORD})
    headers = bearer(user)
    sent = client.post("/sms-codes", data={"phone": user.phone, "purpose": "reset_password"})
    assert sent.headers["Location"] == f"/password/sms-reset?phone={user.phone}&sent=1"

    response = client.post(
        sent.headers["Location"],
        data={
            "phone": user.phone,
            "code": sent_code(user.phone, SmsPurpose.reset_password),
            "new_password": NEW_PASSWORD,
            "confirm": NEW_PASSWORD,
        },
    )

    assert response.status_code == 302
    assert response.headers["Location"] == "/login"
    assert not is_signed_in(elsewhere)
    assert client.get(f"{API}/me", headers=headers).status_code == 401
    assert auth.authenticate(user.phone, DEFAULT_PASSWORD) is None
    assert auth.authenticate(user.phone, NEW_PASSWORD) is not None


def test_resetting_through_the_api(app, client):
    user = make_user()
    ask(client, user.phone, SmsPurpose.reset_password)
    body = {"phone": user.phone, "code": sent_code(user.phone, SmsPurpose.reset_password)}

    weak = client.post(f"{API}/auth/sms-password-reset", json={**body, "new_password": "1234"})
    done = client.post(
        f"{API}/auth/sms-password-reset", json={**body, "new_password": NEW_PASSWORD}
    )

    assert weak.status_code == 422
    assert "new_password" in weak.json["errors"]
    assert done.status_code == 204
    assert auth.authenticate(user.phone, NEW_PASSWORD) is not None


def test_a_sign_in_code_does_not_reset_the_password(app, client):
    user = make_user()
    ask(client, user.phone, SmsPurpose.sign_in)

    response = client.post(
        f"{API}/auth/sms-password-reset",
        json={"phone": user.phone, "code": sent_code(user.phone), "new_password": NEW_PASSWORD},
    )

    assert response.status_code == 422
    assert auth.authenticate(user.phone, DEFAULT_PASSWORD) is not None


# The demo shows the code; nothing else does --------------------------------------------------


def test_the_code_is_shown_on_the_page_only_by_the_development_adapter(make_app):
    shown = make_app()
    hidden = make_app(**{**ALIYUN, "ALIYUN_SMS_ENDPOINT": "http://127.0.0.1:9"})
    for app, expected in ((shown, True), (hidden, False)):
        with app.app_context():
            assert current_settings().sms.shows_codes is expected
    with shown.app_context():
        gateway().send("13900000001", "sign_in", {"code": "246810"})
        page = shown.test_client().get("/login/sms?phone=13900000001&sent=1").text
        assert "演示环境：验证码 246810" in page
    with hidden.app_context():
        page = hidden.test_client().get("/login/sms?phone=13900000001&sent=1").text
        assert "演示环境" not in page


def test_old_codes_are_purged_with_the_other_credentials(app):
    user = make_user()
    request_code(user.phone, now=utcnow() - timedelta(days=200))
    request_code(user.phone, SmsPurpose.reset_password)

    assert auth.purge_expired_credentials(before=utcnow() - timedelta(days=180)) == 1
    assert [row.purpose for row in codes()] == [SmsPurpose.reset_password]


# Alibaba Cloud SMS through its SDK, against a local fake endpoint --------------------------


class FakeAliyun:
    """A local HTTP server answering as Alibaba Cloud's SendSms does; it keeps each request."""

    def __init__(self):
        self.requests: list[dict] = []
        self.answer = {"Code": "OK", "Message": "OK", "BizId": "900619746936498440^0"}
        self.status = 200
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                parts = urlsplit(self.path)
                fake.requests.append(
                    {
                        "path": parts.path,
                        "query": {k: v[0] for k, v in parse_qs(parts.query).items()},
                        "headers": {k.lower(): v for k, v in self.headers.items()},
                        "body": self.rfile.read(length),
                    }
                )
                body = json.dumps(
                    {**fake.answer, "RequestId": "F655A8D5-B967-440B-8683-DAD6FF8DE990"}
                ).encode()
                self.send_response(fake.status)
                self.send_header("Content-Type", "application/json;charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.endpoint = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


@pytest.fixture
def fake_aliyun():
    with FakeAliyun() as fake:
        yield fake


@pytest.fixture
def aliyun_app(make_app, fake_aliyun):
    app = make_app(**{**ALIYUN, "ALIYUN_SMS_ENDPOINT": fake_aliyun.endpoint})
    with app.app_context():
        yield app


def test_the_aliyun_adapter_sends_send_sms_with_sign_template_and_code(aliyun_app, fake_aliyun):
    user = make_user()
    client = aliyun_app.test_client()

    response = ask(client, user.phone, SmsPurpose.reset_password)

    assert response.status_code == 202
    (sent,) = fake_aliyun.requests
    assert sent["headers"]["x-acs-action"] == "SendSms"
    assert sent["headers"]["x-acs-version"] == "2017-05-25"
    assert sent["headers"]["authorization"].startswith("ACS3-HMAC-SHA256 Credential=LTAI-test-id,")
    query = sent["query"]
    assert query["PhoneNumbers"] == user.phone
    assert query["SignName"] == "文明实践积分"
    assert query["TemplateCode"] == "SMS_100000003"
    params = json.loads(query["TemplateParam"])
    assert set(params) == {"code"} and re.fullmatch(r"\d{6}", params["code"])
    # The code the provider was given is the one that works.
    token = token_for(client, user.phone, params["code"])
    assert token.status_code == 422  # a reset code is no sign-in code
    reset = client.post(
        f"{API}/auth/sms-password-reset",
        json={"phone": user.phone, "code": params["code"], "new_password": NEW_PASSWORD},
    )
    assert reset.status_code == 204


def test_the_aliyun_adapter_sends_nothing_for_an_unknown_number(aliyun_app, fake_aliyun):
    response = ask(aliyun_app.test_client(), "13355556666")

    assert response.status_code == 202
    assert fake_aliyun.requests == []


def test_a_provider_refusal_keeps_no_code_and_says_so(aliyun_app, fake_aliyun):
    user = make_user()
    client = aliyun_app.test_client()
    ask(client, user.phone)
    fake_aliyun.answer = {"Code": "isv.BUSINESS_LIMIT_CONTROL", "Message": "触发小时级流控"}

    refused = ask(client, user.phone)
    page = client.post("/sms-codes", data={"phone": user.phone, "purpose": "sign_in"})

    assert refused.status_code == 503
    assert refused.json["code"] == "sms_not_sent"
    assert refused.json["message"] == "短信发送失败，请过几分钟再试。"
    assert page.status_code == 302
    assert page.headers["Location"] == f"/login/sms?phone={user.phone}"
    assert "短信发送失败，请过几分钟再试。" in client.get(page.headers["Location"]).text
    # The code sent first is still the live one; the refused ones left nothing.
    (row,) = codes(user.phone)
    assert row.ended_at is None
    first = json.loads(fake_aliyun.requests[0]["query"]["TemplateParam"])["code"]
    assert token_for(client, user.phone, first).status_code == 201


def test_the_aliyun_adapter_raises_on_an_http_error_and_an_unreachable_endpoint(fake_aliyun):
    templates = {"sign_in": "SMS_1", "register": "SMS_2", "reset_password": "SMS_3"}

    def adapter(endpoint):
        return AliyunSmsGateway(
            access_key_id="id",
            access_key_secret="secret",
            sign_name="签名",
            templates=templates,
            endpoint=endpoint,
            timeout_seconds=2,
        )

    fake_aliyun.status = 400
    fake_aliyun.answer = {"Code": "isv.MOBILE_NUMBER_ILLEGAL", "Message": "非法手机号"}
    with pytest.raises(SmsNotSent):
        adapter(fake_aliyun.endpoint).send("13900000001", "sign_in", {"code": "123456"})
    with pytest.raises(SmsNotSent):
        adapter("http://127.0.0.1:9").send("13900000001", "sign_in", {"code": "123456"})


# Production without a provider --------------------------------------------------------------


@pytest.fixture
def production(_migrated, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    return app_config(_migrated, APP_ENV="production")


def test_production_refuses_to_start_without_an_sms_provider(production):
    with pytest.raises(ConfigurationError) as refused:
        create_app(production)

    message = str(refused.value)
    assert "SMS_PROVIDER=aliyun" in message
    for name in ALIYUN:
        if name.endswith(("_ID", "_SECRET", "_NAME")) or "_TEMPLATE_" in name:
            assert name in message


def test_production_names_the_provider_settings_still_missing(production):
    partial = {**ALIYUN, "ALIYUN_SMS_TEMPLATE_REGISTER": "", "ALIYUN_SMS_ACCESS_KEY_SECRET": ""}

    with pytest.raises(ConfigurationError) as refused:
        create_app({**production, **partial})

    message = str(refused.value)
    assert "ALIYUN_SMS_TEMPLATE_REGISTER" in message
    assert "ALIYUN_SMS_ACCESS_KEY_SECRET" in message
    assert "ALIYUN_SMS_SIGN_NAME" not in message


def test_production_starts_with_the_provider_configured(production):
    app = create_app({**production, **ALIYUN})
    with app.app_context():
        assert isinstance(current_gateway(), AliyunSmsGateway)
        assert current_settings().sms.shows_codes is False
        db.engine.dispose()


# At the same moment ---------------------------------------------------------------------------


def test_codes_asked_for_at_once_leave_one_live_code(app):
    user = make_user()
    phone = user.phone

    results = run_at_once(app, 6, lambda i: request_code(phone))

    refused = [r for r in results if isinstance(r, Exception)]
    assert all(isinstance(r, sms_services.Conflict) for r in refused), refused
    assert len(refused) < 6
    assert [row.ended_at for row in codes(phone)].count(None) == 1


def test_tries_at_once_count_one_after_the_other(app):
    user = make_user()
    code = request_code(user.phone)
    phone, guess = user.phone, wrong(code)

    def try_wrong(i):
        # As a page or the API ends a refused request: a wrong code's try is kept.
        try:
            return use(phone, guess)
        except sms_services.WrongCode:
            db.session.commit()
            raise

    results = run_at_once(app, 8, try_wrong)

    wrong_ones = [r for r in results if isinstance(r, sms_services.WrongCode)]
    used_up = [r for r in results if type(r) is sms_services.ValidationFailed]
    assert (len(wrong_ones), len(used_up)) == (5, 3), results
    assert codes(phone)[0].attempts == 5


def test_the_page_taking_the_code_gets_the_number_as_it_was_stored(app, client):
    user = make_user()
    spaced = f"+86 {user.phone[:3]} {user.phone[3:7]} {user.phone[7:]}"

    sent = client.post("/sms-codes", data={"phone": spaced, "purpose": "sign_in"})

    assert sent.headers["Location"] == f"/login/sms?phone={user.phone}&sent=1"
    assert f"演示环境：验证码 {sent_code(user.phone)}" in client.get(sent.headers["Location"]).text
