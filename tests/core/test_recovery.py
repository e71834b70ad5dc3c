"""Getting back into an account without SMS: a reset link from the office (a day, once), a
reset link by email to a confirmed address (an hour, once), confirming an address, and the
operator's `flask users set-password`. A used or expired link is refused with a clear page; a
new password ends every session and token of the account."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import select

from core.auth import recovery
from core.auth import services as auth
from core.auth.models import ApiToken, AuditAction, AuditEntry, LinkPurpose, OneTimeLink
from core.clock import utcnow
from core.errors import Conflict, Forbidden
from core.extensions import db
from tests.builders import DEFAULT_PASSWORD, make_user
from tests.conftest import sign_in

NEW_PASSWORD = "spring-lei-feng-35"
LINK = re.compile(r"https://volunteer\.example(/account/(?:reset|email/verify)/[\w-]+)")


def messages(smtp_server):
    return smtp_server.handler.messages


def link_in(message) -> str:
    """The path of the one link in an email."""
    (path,) = LINK.findall(message.get_content())
    return path


def can_sign_in(app, user, password: str) -> bool:
    response = app.test_client().post("/login", data={"phone": user.phone, "password": password})
    return response.status_code == 302


def use_link(client, path: str, password: str = NEW_PASSWORD):
    """Open a reset link and set the password with it, as a browser does."""
    opened = client.get(path)
    assert opened.status_code == 302, opened.text
    assert opened.headers["Location"] == "/account/reset"
    form = client.get("/account/reset")
    assert form.status_code == 200
    return client.post("/account/reset", data={"password": password, "confirm": password})


def office_link(office_client, user) -> str:
    """Make a reset link on the user's page as the office; return its path."""
    office_client.post(f"/office/users/{user.id}/reset-link")
    page = office_client.get(f"/office/users/{user.id}").text
    (path,) = re.findall(r'value="https?://[^/"]+(/account/reset/[\w-]+)"', page)
    return path


# The office's link ----------------------------------------------------------------------------


def test_an_office_link_sets_a_new_password_once_and_ends_every_sign_in(
    office_client, app, office_user
):
    user = make_user(display_name="刘建国")
    _token, secret = auth.issue_token(user, now=utcnow(), days=1)
    db.session.commit()
    signed_in = sign_in(app.test_client(), user)

    path = office_link(office_client, user)
    # Shown once: the page does not show it again.
    assert "/account/reset/" not in office_client.get(f"/office/users/{user.id}").text
    (made,) = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == AuditAction.reset_link_created)
    )
    assert (made.actor_id, made.target_id) == (office_user.id, user.id)
    # Only the hash is stored.
    stored = db.session.scalar(select(OneTimeLink.token_hash))
    assert path.rsplit("/", 1)[1] not in stored

    client = app.test_client()
    done = use_link(client, path)
    assert done.status_code == 302 and done.headers["Location"] == "/login"
    assert can_sign_in(app, user, NEW_PASSWORD)
    assert not can_sign_in(app, user, DEFAULT_PASSWORD)
    # Every earlier sign-in and token has ended.
    assert signed_in.get("/profile").status_code == 302
    headers = {"Authorization": f"Bearer {secret}"}
    assert app.test_client().get("/api/v1/me", headers=headers).status_code == 401
    db.session.expire_all()
    assert db.session.scalar(select(ApiToken.revoked_at)) is not None
    (reset,) = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == AuditAction.password_reset)
    )
    assert reset.actor_id == user.id and reset.details == {"by": "office"}

    # Used twice: refused, with a page that says so.
    again = app.test_client().get(path)
    assert again.status_code == 410
    assert "已经用过" in again.text
    # The session kept the secret no longer.
    assert client.get("/account/reset").status_code == 410


def test_an_office_link_works_for_a_day_only(office_client, app):
    user = make_user()
    path = office_link(office_client, user)
    with time_machine.travel(utcnow() + timedelta(hours=23), tick=False):
        assert app.test_client().get(path).status_code == 302
    with time_machine.travel(utcnow() + timedelta(hours=24, minutes=1), tick=False):
        refused = app.test_client().get(path)
        assert refused.status_code == 410
        assert "已过期" in refused.text
        # Also when the form was opened in time and sent too late.
    client = app.test_client()
    client.get(path)
    with time_machine.travel(utcnow() + timedelta(days=2), tick=False):
        response = client.post(
            "/account/reset", data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
        )
        assert response.status_code == 410
    db.session.expire_all()
    assert not can_sign_in(app, user, NEW_PASSWORD)


def test_a_newer_link_ends_the_older(office_client, app):
    user = make_user()
    first = office_link(office_client, user)
    second = office_link(office_client, user)
    refused = app.test_client().get(first)
    assert refused.status_code == 410 and "更新的链接" in refused.text
    assert use_link(app.test_client(), second).status_code == 302


def test_a_password_changed_or_reset_by_code_ends_the_unused_reset_links(office_client, app):
    # A link handed out when the password was lost must not outlive the password chosen since.
    user = make_user()
    changed_link = office_link(office_client, user)
    volunteer = sign_in(app.test_client(), user)
    changed = volunteer.post(
        "/account/password",
        data={
            "current_password": DEFAULT_PASSWORD,
            "new_password": NEW_PASSWORD,
            "confirm": NEW_PASSWORD,
        },
    )
    assert changed.status_code == 302
    assert app.test_client().get(changed_link).status_code == 410

    reset_link = office_link(office_client, user)
    stranger = app.test_client()
    sent = stranger.post("/sms-codes", data={"phone": user.phone, "purpose": "reset_password"})
    code = re.search(r"验证码 (\d{6})", stranger.get(sent.headers["Location"]).text).group(1)
    reset = stranger.post(
        sent.headers["Location"],
        data={
            "phone": user.phone,
            "code": code,
            "new_password": "autumn-moon-42",
            "confirm": "autumn-moon-42",
        },
    )
    assert reset.status_code == 302
    assert app.test_client().get(reset_link).status_code == 410
    assert can_sign_in(app, user, "autumn-moon-42")


def test_links_past_their_use_are_purged_with_the_other_credentials(office_client, app):
    used, unused = make_user(), make_user()
    use_link(app.test_client(), office_link(office_client, used))
    office_link(office_client, unused)
    later = utcnow() + timedelta(days=2)

    assert auth.purge_expired_credentials(before=utcnow() - timedelta(hours=1)) == 0
    auth.purge_expired_credentials(before=later)

    assert db.session.scalars(select(OneTimeLink)).all() == []


def test_a_weak_password_is_refused_and_the_link_still_works(office_client, app):
    user = make_user()
    path = office_link(office_client, user)
    client = app.test_client()
    weak = use_link(client, path, password="12345678")
    assert weak.status_code == 422
    assert "密码不能全是数字" in weak.text
    differ = client.post(
        "/account/reset", data={"password": NEW_PASSWORD, "confirm": "other-one-1"}
    )
    assert differ.status_code == 422
    assert (
        client.post(
            "/account/reset", data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
        ).status_code
        == 302
    )
    assert can_sign_in(app, user, NEW_PASSWORD)


def test_unknown_links_are_refused_clearly(client):
    response = client.get("/account/reset/not-a-real-link")
    assert response.status_code == 410
    assert "链接无效" in response.text
    assert client.get("/account/reset").status_code == 410
    assert client.post("/account/reset", data={}).status_code == 410


def test_no_reset_link_for_a_disabled_account_and_none_by_anyone_but_the_office(
    app, office_user, volunteer
):
    from core.auth import admin

    user = make_user()
    with pytest.raises(Forbidden):
        recovery.create_reset_link(volunteer, user.id, now=utcnow())
    issued = recovery.create_reset_link(office_user, user.id, now=utcnow())
    admin.set_account_enabled(office_user, user.id, enabled=False, now=utcnow())
    with pytest.raises(Conflict):
        recovery.create_reset_link(office_user, user.id, now=utcnow())
    db.session.commit()
    # A link made before the account was disabled does nothing.
    refused = app.test_client().get(f"/account/reset/{issued.secret}")
    assert refused.status_code == 410 and "停用" in refused.text


# By email -------------------------------------------------------------------------------------


def confirmed(user, email: str = "someone@example.com"):
    user.email = email
    user.email_verified_at = utcnow()
    db.session.flush()
    return user


def test_a_reset_link_goes_to_a_confirmed_address_and_works_once(mail_app, smtp_server):
    user = confirmed(make_user(display_name="王海燕"))
    db.session.commit()
    client = mail_app.test_client()
    asked = client.post("/account/forgot-password", data={"phone": user.phone})
    assert asked.status_code == 302
    # The email leaves after the answer (so that the answer takes as long for every number).
    assert messages(smtp_server) == []
    asked.close()
    (message,) = messages(smtp_server)
    assert message["To"] == "someone@example.com"
    assert "王海燕" in message.get_content()
    path = link_in(message)

    assert use_link(mail_app.test_client(), path).status_code == 302
    assert can_sign_in(mail_app, user, NEW_PASSWORD)
    assert mail_app.test_client().get(path).status_code == 410
    reset = db.session.scalar(
        select(AuditEntry).where(AuditEntry.action == AuditAction.password_reset)
    )
    assert reset.details == {"by": "email"}


def test_an_emailed_link_works_for_an_hour(mail_app, smtp_server):
    user = confirmed(make_user())
    db.session.commit()
    mail_app.test_client().post("/account/forgot-password", data={"phone": user.phone}).close()
    path = link_in(messages(smtp_server)[0])
    with time_machine.travel(utcnow() + timedelta(minutes=61), tick=False):
        assert mail_app.test_client().get(path).status_code == 410


def test_no_email_without_a_confirmed_address_and_the_same_answer_for_all(mail_app, smtp_server):
    unconfirmed = make_user()
    unconfirmed.email = "unproved@example.com"
    disabled = confirmed(make_user())
    disabled.is_enabled = False
    db.session.commit()
    answers = set()
    for phone in (unconfirmed.phone, disabled.phone, "13000000000"):
        client = mail_app.test_client()
        response = client.post("/account/forgot-password", data={"phone": phone})
        assert response.status_code == 302
        response.close()
        with client.session_transaction() as session:
            answers.add(tuple(session["_flashes"]))
    assert len(answers) == 1
    assert messages(smtp_server) == []
    assert db.session.scalar(select(OneTimeLink.id)) is None


def test_a_malformed_number_is_said_beside_the_field(mail_app):
    response = mail_app.test_client().post("/account/forgot-password", data={"phone": "12"})
    assert response.status_code == 422
    assert "11 位" in response.text


def test_without_a_mail_server_the_page_says_so(client):
    page = client.get("/account/forgot-password")
    assert page.status_code == 200
    assert 'data-testid="no-mail"' in page.text


# Confirming an address ------------------------------------------------------------------------


def test_a_new_address_gets_a_link_that_confirms_it(mail_app, smtp_server):
    user = make_user(display_name="李志强")
    db.session.commit()
    client = sign_in(mail_app.test_client(), user)
    saved = client.post("/profile", data={"display_name": "李志强", "email": "lizq@example.com"})
    assert saved.status_code == 302
    (message,) = messages(smtp_server)
    assert message["To"] == "lizq@example.com"
    path = link_in(message)
    assert path.startswith("/account/email/verify/")
    # Until confirmed, no reset link goes there.
    mail_app.test_client().post("/account/forgot-password", data={"phone": user.phone})
    assert len(messages(smtp_server)) == 1

    page = mail_app.test_client().get(path)
    assert page.status_code == 200 and "lizq@example.com" in page.text
    assert mail_app.test_client().post(path).status_code == 302
    db.session.expire_all()
    assert user.email_verified_at is not None
    assert mail_app.test_client().get(path).status_code == 410

    # Saving the profile again without a change keeps it confirmed and sends nothing.
    client.post("/profile", data={"display_name": "李志强", "email": "lizq@example.com"})
    db.session.expire_all()
    assert user.email_verified_at is not None and len(messages(smtp_server)) == 1
    # A changed address is unconfirmed until its own link is opened.
    client.post("/profile", data={"display_name": "李志强", "email": "new@example.com"})
    db.session.expire_all()
    assert user.email_verified_at is None and len(messages(smtp_server)) == 2


def test_a_link_to_an_address_changed_since_is_refused(mail_app, smtp_server):
    user = make_user()
    db.session.commit()
    client = sign_in(mail_app.test_client(), user)
    client.post("/profile", data={"display_name": "测试用户", "email": "old@example.com"})
    old_link = link_in(messages(smtp_server)[0])
    # Changed without mail going out for it (the API changes the address too).
    user.email = "other@example.com"
    user.email_verified_at = None
    db.session.commit()
    response = mail_app.test_client().post(old_link)
    assert response.status_code == 302
    db.session.expire_all()
    assert user.email_verified_at is None


def test_the_link_can_be_sent_again_from_the_profile(mail_app, smtp_server):
    user = make_user()
    user.email = "again@example.com"
    db.session.commit()
    client = sign_in(mail_app.test_client(), user)
    assert 'data-testid="send-verification"' in client.get("/profile").text
    assert client.post("/account/email/verification").status_code == 302
    first = link_in(messages(smtp_server)[0])
    client.post("/account/email/verification")
    second = link_in(messages(smtp_server)[1])
    # The newer link ends the older.
    assert mail_app.test_client().get(first).status_code == 410
    assert mail_app.test_client().post(second).status_code == 302
    db.session.expire_all()
    assert user.email_verified_at is not None
    # Nothing to confirm now: refused with a message, nothing sent.
    assert client.post("/account/email/verification").status_code == 302
    assert len(messages(smtp_server)) == 2


def test_email_proof_needs_an_address_and_a_mail_server(app):
    user = make_user()
    with pytest.raises(Conflict):
        recovery.ask_for_email_proof(user, now=utcnow(), mail_enabled=True)
    user.email = "x@example.com"
    with pytest.raises(Conflict):
        recovery.ask_for_email_proof(user, now=utcnow(), mail_enabled=False)
    assert recovery.proof_after_change(user, now=utcnow(), mail_enabled=False) is None
    issued = recovery.ask_for_email_proof(user, now=utcnow(), mail_enabled=True)
    assert issued.purpose is LinkPurpose.verify_email


# The operator's command -----------------------------------------------------------------------


def test_set_password_at_the_command_line(app, runner):
    user = make_user()
    _token, secret = auth.issue_token(user, now=utcnow(), days=1)
    db.session.commit()
    signed_in = sign_in(app.test_client(), user)
    result = runner.invoke(
        args=["users", "set-password", user.phone], input=f"{NEW_PASSWORD}\n{NEW_PASSWORD}\n"
    )
    assert result.exit_code == 0, result.output
    assert NEW_PASSWORD not in result.output  # asked hidden
    assert can_sign_in(app, user, NEW_PASSWORD)
    assert signed_in.get("/profile").status_code == 302
    headers = {"Authorization": f"Bearer {secret}"}
    assert app.test_client().get("/api/v1/me", headers=headers).status_code == 401
    entry = db.session.scalar(
        select(AuditEntry).where(AuditEntry.action == AuditAction.password_set)
    )
    assert entry.actor_id is None and entry.target_id == user.id


def test_set_password_refuses_a_weak_one_an_unknown_number_and_a_mismatch(app, runner):
    user = make_user()
    db.session.commit()
    weak = runner.invoke(args=["users", "set-password", user.phone], input="12345678\n12345678\n")
    assert weak.exit_code == 1
    unknown = runner.invoke(
        args=["users", "set-password", "13000000000"], input=f"{NEW_PASSWORD}\n{NEW_PASSWORD}\n"
    )
    assert unknown.exit_code == 1
    mismatch = runner.invoke(
        args=["users", "set-password", user.phone],
        input=f"{NEW_PASSWORD}\nsomething-else-2\n{NEW_PASSWORD}\n{NEW_PASSWORD}\n",
    )
    assert mismatch.exit_code == 0  # asked again until both agree
    assert can_sign_in(app, user, NEW_PASSWORD)
