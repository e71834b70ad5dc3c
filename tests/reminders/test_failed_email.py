"""Failed email sent again: the office lists what could not be delivered and why, and queues it
again (one or all) from its page, the API or the command line; a recipient who no longer wants
it is not mailed; what is queued is then delivered."""

from __future__ import annotations

from datetime import timedelta
from itertools import count

import pytest

from core.auth import admin
from core.auth.models import Role
from core.clock import utcnow
from core.errors import Forbidden
from core.extensions import db
from reminders import jobs, services
from reminders.models import (
    DeliveryChoice,
    EmailStatus,
    Notification,
    NotificationKind,
    NotificationPreference,
)
from tests.builders import make_team, make_user
from tests.conftest import sign_in
from tests.reminders.test_email import due_shift_soon

K = NotificationKind
REFUSED = "SMTPRecipientsRefused: {'li@example.org': (550, b'5.1.1 Mailbox unavailable')}"
_subjects = count(1)


def failed_email(
    user=None,
    *,
    kind: NotificationKind = K.points_earned,
    status: EmailStatus = EmailStatus.failed,
    error: str | None = REFUSED,
    minutes_ago: int = 0,
) -> Notification:
    """A notification whose email ended `status` (failed after five attempts by default), for a
    volunteer with an address unless one is given."""
    if user is None:
        user = make_user(display_name="李志愿")
        user.email = "li@example.org"
    row = Notification(
        user_id=user.id,
        kind=kind,
        subject=f"failed:{next(_subjects)}",
        params={"amount": 30, "memo": "清洁"},
        created_at=utcnow() - timedelta(minutes=minutes_ago),
        email_status=status,
        email_attempts=5 if status is EmailStatus.failed else 0,
        email_error=error if status is EmailStatus.failed else None,
    )
    db.session.add(row)
    db.session.flush()
    return row


def reload(row: Notification) -> Notification:
    db.session.expire_all()
    return db.session.get(Notification, row.id)


def statuses(*rows: Notification) -> list[EmailStatus]:
    db.session.expire_all()
    return [db.session.get(Notification, row.id).email_status for row in rows]


# The service -------------------------------------------------------------------------------


def test_resending_one_puts_it_back_in_the_queue_due_now_with_attempts_afresh(app, office_user):
    row, other = failed_email(), failed_email()
    now = utcnow()

    queued = services.resend_failed_email(office_user, notification_ids=[row.id], now=now)

    assert queued == 1
    again = reload(row)
    assert again.email_status is EmailStatus.pending
    assert (again.email_attempts, again.email_next_attempt_at, again.email_error) == (0, now, None)
    assert statuses(other) == [EmailStatus.failed]


def test_resending_all_queues_every_failed_email_and_nothing_else(app, office_user):
    failed = [failed_email(), failed_email(), failed_email()]
    sent = failed_email(status=EmailStatus.sent)
    pending = failed_email(status=EmailStatus.pending)
    unwanted = failed_email(status=EmailStatus.not_wanted)

    queued = services.resend_failed_email(office_user, notification_ids=None, now=utcnow())

    assert queued == 3
    assert statuses(*failed) == [EmailStatus.pending] * 3
    assert statuses(sent, pending, unwanted) == [
        EmailStatus.sent,
        EmailStatus.pending,
        EmailStatus.not_wanted,
    ]


def test_resending_twice_queues_nothing_the_second_time(app, office_user):
    row = failed_email()
    now = utcnow()

    first = services.resend_failed_email(office_user, notification_ids=None, now=now)
    second = services.resend_failed_email(
        office_user, notification_ids=[row.id], now=now + timedelta(seconds=5)
    )
    third = services.resend_failed_email(office_user, notification_ids=None, now=now)

    assert (first, second, third) == (1, 0, 0)
    assert reload(row).email_next_attempt_at == now


def test_ids_that_are_not_failed_or_do_not_exist_are_left_alone_and_not_counted(app, office_user):
    row = failed_email()
    sent = failed_email(status=EmailStatus.sent)
    missing = row.id + sent.id + 1000

    queued = services.resend_failed_email(
        office_user, notification_ids=[row.id, sent.id, missing, row.id], now=utcnow()
    )

    assert queued == 1
    assert statuses(row, sent) == [EmailStatus.pending, EmailStatus.sent]
    assert services.resend_failed_email(office_user, notification_ids=[], now=utcnow()) == 0


@pytest.mark.parametrize("who", ["volunteer", "leader", "merchant_staff"])
def test_only_the_office_may_list_or_resend(app, who):
    row = failed_email()
    user = make_user(role=Role.volunteer if who == "leader" else Role(who))
    if who == "leader":
        make_team(user)

    with pytest.raises(Forbidden):
        services.resend_failed_email(user, notification_ids=None, now=utcnow())
    with pytest.raises(Forbidden):
        services.list_failed_email(user, page=1, per_page=20)
    assert statuses(row) == [EmailStatus.failed]


def test_a_recipient_who_no_longer_wants_the_email_is_not_mailed_and_it_stays_failed(
    app, office_user
):
    wants = failed_email()
    no_address = failed_email()
    no_address.user.email = None
    blank_address = failed_email()
    blank_address.user.email = ""
    inbox_only = failed_email()
    turned_off = failed_email()
    for row, choice in ((inbox_only, DeliveryChoice.inbox), (turned_off, DeliveryChoice.off)):
        db.session.add(NotificationPreference(user_id=row.user_id, kind=row.kind, choice=choice))
    # Another kind's choice does not matter.
    other_kind = failed_email()
    db.session.add(
        NotificationPreference(
            user_id=other_kind.user_id, kind=K.shift_soon, choice=DeliveryChoice.off
        )
    )
    disabled = failed_email()
    admin.set_account_enabled(office_user, disabled.user_id, enabled=False, now=utcnow())
    db.session.flush()
    kept = [no_address, blank_address, inbox_only, turned_off, disabled]

    queued = services.resend_failed_email(office_user, notification_ids=None, now=utcnow())

    assert queued == 2
    assert statuses(wants, other_kind) == [EmailStatus.pending] * 2
    assert statuses(*kept) == [EmailStatus.failed] * len(kept)
    listed = services.list_failed_email(office_user, page=1, per_page=20).items
    assert {line.id: line.can_resend for line in listed} == {row.id: False for row in kept}
    assert all(line.error == REFUSED for line in listed)


def test_the_list_is_newest_first_with_the_name_kind_and_reason_in_pages(app, office_user):
    old = failed_email(kind=K.shift_soon, error="SMTPDataError: (554, b'spam')", minutes_ago=90)
    new = failed_email(minutes_ago=5)
    failed_email(status=EmailStatus.sent)
    for minutes in range(30, 33):
        failed_email(minutes_ago=minutes)

    first = services.list_failed_email(office_user, page=1, per_page=2)
    last = services.list_failed_email(office_user, page=3, per_page=2)
    beyond = services.list_failed_email(office_user, page=10**9, per_page=2)

    assert (first.total, first.pages) == (5, 3)
    assert first.items[0].id == new.id
    assert (last.items[-1].id, last.items[-1].kind) == (old.id, K.shift_soon)
    line = last.items[-1]
    assert (line.user_name, line.error, line.attempts, line.can_resend) == (
        "李志愿",
        "SMTPDataError: (554, b'spam')",
        5,
        True,
    )
    assert beyond.items == []


# The page ----------------------------------------------------------------------------------


def test_the_office_is_led_from_its_count_to_the_list_with_the_reasons(office_client):
    row = failed_email(kind=K.shift_soon)
    name = row.user.display_name
    no_address = failed_email()
    no_address.user.email = None

    home = office_client.get("/office")
    page = office_client.get("/office/email")

    assert "2封提醒邮件未能送达" in home.text
    assert 'href="/office/email"' in home.text
    assert page.status_code == 200
    assert page.text.count('data-testid="failed-email"') == 2
    assert name in page.text
    assert "类型: 我报名的班次将在两小时内开始" in page.text
    assert "5.1.1 Mailbox unavailable" in page.text
    assert "全部重新发送" in page.text
    # One button per line that can be sent again; the other says why not.
    assert page.text.count('data-testid="resend"') == 1
    assert f'name="notification_id" value="{row.id}"' in page.text
    assert page.text.count('data-testid="cannot-resend"') == 1


def test_the_page_says_when_nothing_failed(office_client):
    page = office_client.get("/office/email")

    assert page.status_code == 200
    assert "所有提醒邮件均已送达或正在发送" in page.text
    assert 'data-testid="resend-all"' not in page.text


def test_a_volunteer_may_neither_see_nor_resend_and_a_visitor_is_sent_to_sign_in(
    app, volunteer_client, client
):
    row = failed_email()
    db.session.commit()

    assert volunteer_client.get("/office/email").status_code == 403
    assert volunteer_client.post("/office/email/resend").status_code == 403
    refused = volunteer_client.post("/office/email/resend", data={"notification_id": row.id})
    assert refused.status_code == 403
    visitor = client.get("/office/email")
    assert visitor.status_code == 302 and "/login" in visitor.headers["Location"]
    assert client.post("/office/email/resend").status_code == 302
    assert statuses(row) == [EmailStatus.failed]


def test_the_office_resends_one_from_the_page(office_client):
    row, other = failed_email(), failed_email()

    response = office_client.post("/office/email/resend", data={"notification_id": row.id})

    assert response.status_code == 302
    assert response.headers["Location"] == "/office/email"
    assert statuses(row, other) == [EmailStatus.pending, EmailStatus.failed]
    page = office_client.get("/office/email")
    assert "已将 1 封邮件重新加入发送队列" in page.text
    assert page.text.count('data-testid="failed-email"') == 1

    again = office_client.post(
        "/office/email/resend", data={"notification_id": row.id}, follow_redirects=True
    )
    assert "没有邮件加入发送队列" in again.text


def test_the_office_resends_all_from_the_page(office_client):
    rows = [failed_email(), failed_email(), failed_email()]

    response = office_client.post("/office/email/resend", follow_redirects=True)

    assert "已将 3 封邮件重新加入发送队列" in response.text
    assert "所有提醒邮件均已送达或正在发送" in response.text
    assert statuses(*rows) == [EmailStatus.pending] * 3


def test_a_malformed_id_is_refused_and_changes_nothing(office_client):
    row = failed_email()

    response = office_client.post(
        "/office/email/resend", data={"notification_id": "abc"}, follow_redirects=True
    )

    assert response.status_code == 200
    assert "已将" not in response.text
    assert statuses(row) == [EmailStatus.failed]


# The API and the command line --------------------------------------------------------------


def test_the_api_resends_the_named_or_all_for_the_office_only(
    app, client, bearer, office_user, volunteer
):
    first, second, third = failed_email(), failed_email(), failed_email()
    office, other = bearer(office_user), bearer(volunteer)
    url = "/api/v1/office/email/resend"

    refused = client.post(url, json={}, headers=other)
    named = client.post(url, json={"notification_ids": [first.id, 10**6]}, headers=office)
    rest = client.post(url, json={}, headers=office)
    again = client.post(url, json={"notification_ids": None}, headers=office)

    assert refused.status_code == 403
    assert (named.status_code, named.json) == (200, {"queued": 1})
    assert rest.json == {"queued": 2}
    assert again.json == {"queued": 0}
    assert statuses(first, second, third) == [EmailStatus.pending] * 3


def test_the_command_resends_the_named_then_all(app, runner):
    first, second, third = failed_email(), failed_email(), failed_email()
    db.session.commit()

    named = runner.invoke(
        args=["reminders", "resend-failed", "--id", str(first.id), "--id", str(second.id)]
    )
    rest = runner.invoke(args=["reminders", "resend-failed"])
    again = runner.invoke(args=["reminders", "resend-failed"])

    assert named.exit_code == 0, named.output
    assert "Queued 2 failed email(s)" in named.output
    assert "Queued 1 failed email(s)" in rest.output
    assert "Queued 0 failed email(s)" in again.output
    assert statuses(first, second, third) == [EmailStatus.pending] * 3


# Delivered after all -----------------------------------------------------------------------


def test_a_refused_email_sent_again_is_delivered_once(mail_app, smtp_server):
    activity, _, volunteer, row = due_shift_soon()
    smtp_server.handler.refuse_permanently = True
    assert jobs.send_email().failed == 1
    assert reload(row).email_status is EmailStatus.failed
    office = make_user(role=Role.office, display_name="文明办")
    db.session.commit()

    # The mailbox is fixed; the office sends the email again, from its page.
    smtp_server.handler.refuse_permanently = False
    office_client = sign_in(mail_app.test_client(), office)
    response = office_client.post("/office/email/resend", data={"notification_id": row.id})
    assert response.status_code == 302

    run = jobs.send_email()
    later = jobs.send_email()

    assert (run.sent, run.failed, later.sent) == (1, 0, 0)
    (message,) = smtp_server.handler.messages
    assert message["To"] == volunteer.email
    assert activity.title in message["Subject"]
    assert message["Message-ID"] == f"<notification-{row.id}@volunteer.example>"
    delivered = reload(row)
    assert (delivered.email_status, delivered.email_attempts, delivered.email_error) == (
        EmailStatus.sent,
        1,
        None,
    )
