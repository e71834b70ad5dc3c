"""Email through a real SMTP server on loopback: the right words in the reader's language, one
mail per notification, retries with back-off when the server fails, failure recorded."""

from __future__ import annotations

from datetime import timedelta

import time_machine
from sqlalchemy import select

from core.clock import utcnow
from core.extensions import db
from core.settings import current_settings
from events import services as events
from reminders import jobs, services
from reminders.models import EmailStatus, Notification, NotificationKind
from tests.builders import make_activity, make_user
from tests.concurrency import run_at_once
from tests.events.builders import make_shift_at


def due_shift_soon(*, locale: str | None = None, email: str | None = "li@example.org"):
    """A volunteer with an address and a place on a shift starting within the hour, reminded."""
    now = utcnow()
    activity = make_activity()
    shift = make_shift_at(activity, now + timedelta(minutes=50), now + timedelta(hours=3))
    volunteer = make_user(display_name="李志愿")
    volunteer.email = email
    volunteer.locale = locale
    events.sign_up(volunteer, shift.id, now=now)
    services.create_due_notifications(now=now, settings=current_settings().reminders)
    db.session.commit()
    row = db.session.scalar(
        select(Notification).where(
            Notification.user_id == volunteer.id, Notification.kind == NotificationKind.shift_soon
        )
    )
    return activity, shift, volunteer, row


def reload(row: Notification) -> Notification:
    db.session.expire_all()
    return db.session.get(Notification, row.id)


def test_a_reminder_arrives_once_in_chinese_by_default(mail_app, smtp_server):
    activity, _, _, row = due_shift_soon()
    assert row.email_status is EmailStatus.pending

    first = jobs.send_email()
    second = jobs.send_email()

    assert (first.sent, second.sent) == (1, 0)
    (message,) = smtp_server.handler.messages
    assert message["To"] == "li@example.org"
    assert message["Subject"] == f"即将开始：{activity.title}"
    assert message["Content-Language"] == "zh-CN"
    assert message["Message-ID"] == f"<notification-{row.id}@volunteer.example>"
    body = message.get_content()
    assert activity.address in body
    assert f"https://volunteer.example/activities/{activity.id}" in body
    assert "https://volunteer.example/notifications/settings" in body
    sent = reload(row)
    assert sent.email_status is EmailStatus.sent and sent.email_attempts == 1


def test_a_reader_who_chose_english_gets_english(mail_app, smtp_server):
    activity, _, _, _ = due_shift_soon(locale="en")

    jobs.send_email()

    (message,) = smtp_server.handler.messages
    assert message["Subject"] == f"Starting soon: {activity.title}"
    assert message["Content-Language"] == "en"
    assert "Your shift starts at" in message.get_content()


def test_a_server_that_fails_twice_then_accepts_delivers_exactly_one_mail(mail_app, smtp_server):
    _, _, _, row = due_shift_soon()
    smtp_server.handler.refuse = 2
    start = utcnow()

    with time_machine.travel(start, tick=False) as clock:
        assert jobs.send_email().retrying == 1
        failed_once = reload(row)
        assert failed_once.email_status is EmailStatus.pending
        assert failed_once.email_next_attempt_at == start + timedelta(seconds=60)
        assert "451" in failed_once.email_error

        assert jobs.send_email().sent == 0  # not yet due again
        clock.move_to(start + timedelta(seconds=61))
        assert jobs.send_email().retrying == 1
        # The back-off doubles.
        assert reload(row).email_next_attempt_at == start + timedelta(seconds=61 + 120)

        clock.move_to(start + timedelta(seconds=61 + 121))
        assert jobs.send_email().sent == 1
        for _ in range(3):
            clock.shift(timedelta(hours=1))
            assert jobs.send_email().sent == 0

    assert smtp_server.handler.attempts == 3
    assert len(smtp_server.handler.messages) == 1
    done = reload(row)
    assert (done.email_status, done.email_attempts, done.email_error) == (EmailStatus.sent, 3, None)


def test_after_the_last_attempt_the_email_is_marked_failed_and_shown(mail_app, smtp_server):
    _, _, _, row = due_shift_soon()
    smtp_server.handler.refuse = 100
    start = utcnow()

    with time_machine.travel(start, tick=False) as clock:
        for _ in range(mail_app.config["MAIL_MAX_ATTEMPTS"] + 2):
            jobs.send_email()
            clock.shift(timedelta(hours=2))

    failed = reload(row)
    assert failed.email_status is EmailStatus.failed
    assert failed.email_attempts == mail_app.config["MAIL_MAX_ATTEMPTS"]
    assert smtp_server.handler.attempts == mail_app.config["MAIL_MAX_ATTEMPTS"]
    assert smtp_server.handler.messages == []
    summary = services.email_summary()
    assert summary.counts[EmailStatus.failed] == 1
    assert summary.failures[0].id == row.id


def test_a_permanent_refusal_is_not_retried(mail_app, smtp_server):
    _, _, _, row = due_shift_soon()
    smtp_server.handler.refuse_permanently = True

    assert jobs.send_email().failed == 1
    assert jobs.send_email().failed == 0

    assert smtp_server.handler.attempts == 1
    assert reload(row).email_status is EmailStatus.failed


def test_an_unreachable_server_is_retried_not_lost(make_app):
    app = make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=1, MAIL_TIMEOUT=2)
    with app.app_context():
        _, _, _, row = due_shift_soon()
        assert jobs.send_email().retrying == 1
        retried = reload(row)
        assert retried.email_status is EmailStatus.pending
        assert retried.email_error


def test_a_sender_that_dies_holding_a_claim_leaves_it_to_the_next_when_the_lease_ends(
    mail_app, smtp_server
):
    _, _, _, row = due_shift_soon()
    settings = current_settings().mail
    start = utcnow()
    claimed = services.claim_due_email(now=start, limit=settings.batch, lease=settings.lease)
    db.session.commit()
    assert claimed == [row.id]
    # The sender dies here: nothing is sent, no outcome is recorded.

    with time_machine.travel(start + settings.lease / 2, tick=False):
        assert jobs.send_email().sent == 0  # still leased to the dead sender
    with time_machine.travel(start + settings.lease + timedelta(seconds=1), tick=False):
        assert jobs.send_email().sent == 1

    (message,) = smtp_server.handler.messages
    assert message["Message-ID"] == f"<notification-{row.id}@volunteer.example>"
    sent = reload(row)
    assert (sent.email_status, sent.email_attempts) == (EmailStatus.sent, 2)


def test_one_run_sends_every_batch_that_is_due_over_one_connection(make_app, smtp_server):
    app = make_app(
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=smtp_server.port,
        MAIL_DEFAULT_SENDER="noreply@volunteer.example",
        MAIL_BATCH=2,
    )
    with app.app_context():
        for n in range(5):
            due_shift_soon(email=f"v{n}@example.org")

        run = jobs.send_email()

    assert run.sent == 5
    assert len(smtp_server.handler.messages) == 5
    assert smtp_server.handler.connections == 1


def test_two_senders_never_claim_the_same_email(mail_app):
    for n in range(5):
        due_shift_soon(email=f"v{n}@example.org")
    now = utcnow()

    lease = current_settings().mail.lease
    first = services.claim_due_email(now=now, limit=50, lease=lease)
    second = services.claim_due_email(now=now, limit=50, lease=lease)

    assert len(first) == 5 and second == []


def test_senders_claiming_at_the_same_moment_share_the_mail_without_overlap(mail_app):
    for n in range(30):
        due_shift_soon(email=f"c{n}@example.org")
    now, lease = utcnow(), current_settings().mail.lease

    claims = run_at_once(
        mail_app, 4, lambda _: services.claim_due_email(now=now, limit=10, lease=lease)
    )

    taken = [i for claim in claims for i in claim]
    assert len(taken) == len(set(taken)) == 30


def test_an_address_that_cannot_be_mailed_fails_alone_and_the_rest_go_out(mail_app, smtp_server):
    # The profile refuses such addresses now; one stored earlier must not stop the others.
    _, _, _, broken = due_shift_soon(email="a,b@example.org")
    _, _, _, fine = due_shift_soon(email="fine@example.org")

    run = jobs.send_email()

    assert (run.sent, run.failed) == (1, 1)
    assert reload(broken).email_status is EmailStatus.failed
    assert reload(fine).email_status is EmailStatus.sent
    assert [m["To"] for m in smtp_server.handler.messages] == ["fine@example.org"]
