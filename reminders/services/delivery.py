"""Email of notifications: claiming what is due, sending with retries, the summary."""

from __future__ import annotations

import logging
import smtplib
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_mailman import EmailMessage
from sqlalchemy import func, select, update

from core.extensions import db, mail
from core.i18n import supported_locale
from core.rows import get_or_not_found
from core.settings import MailSettings
from reminders.messages import render_for_email
from reminders.models import EmailStatus, Notification

log = logging.getLogger(__name__)


def claim_due_email(*, now: datetime, limit: int, lease: timedelta) -> list[int]:
    """Take up to `limit` emails due for an attempt and return their ids; the caller commits,
    then sends each with `send_email`. Due: waiting for an attempt whose time has come, or
    claimed by a sender whose `lease` ran out (it died, or lost the database, before recording
    what happened). Such an email is sent again: it may already have gone out, the one that was
    in flight when the sender died, and then arrives twice with the same Message-ID, which mail
    clients fold. Several senders may claim at once: none takes what another holds.
    """
    table = Notification.__table__.c
    due = (
        select(Notification.id)
        .where(
            Notification.email_status.in_((EmailStatus.pending, EmailStatus.sending)),
            Notification.email_next_attempt_at <= now,
        )
        .order_by(Notification.email_next_attempt_at, Notification.id)
        .limit(limit)
        # On PostgreSQL a second sender passes over rows the first is claiming.
        .with_for_update(skip_locked=True)
    )
    claimed = db.session.execute(
        update(Notification.__table__)
        .where(
            table.id.in_(due.scalar_subquery()),
            table.email_status.in_((EmailStatus.pending, EmailStatus.sending)),
            table.email_next_attempt_at <= now,
        )
        .values(
            email_status=EmailStatus.sending,
            email_attempts=table.email_attempts + 1,
            email_next_attempt_at=now + lease,
        )
        .returning(table.id)
    )
    ids = sorted(row.id for row in claimed)
    db.session.flush()
    return ids


def _message(notification: Notification, settings: MailSettings) -> EmailMessage:
    user = notification.user
    locale = supported_locale(user.locale) or settings.default_locale
    rendered = render_for_email(notification, locale)
    return EmailMessage(
        subject=rendered.title,
        body="\n".join(rendered.lines) + "\n",
        to=[user.email],
        headers={
            # The same notification always has the same Message-ID, so a mail client can
            # recognise a copy.
            "Message-ID": f"<notification-{notification.id}@{_mail_domain(settings.sender)}>",
            "Content-Language": "en" if locale == "en" else "zh-CN",
        },
    )


def _mail_domain(sender: str) -> str:
    return sender.rsplit("@", 1)[-1].strip(">") or "localhost"


class Mailer:
    """One SMTP connection for many messages, opened on the first and opened again after a
    failure (the server may have dropped it). Use as a context manager."""

    def __init__(self) -> None:
        self._connection = None

    def __enter__(self) -> Mailer:
        return self

    def __exit__(self, *exc) -> None:
        self._close()

    def send(self, message: EmailMessage) -> None:
        if self._connection is None:
            self._connection = mail.get_connection()
            self._connection.open()
        try:
            self._connection.send_messages([message])
        except Exception:
            self._close()
            raise

    def _close(self) -> None:
        connection, self._connection = self._connection, None
        if connection is None:
            return
        # The SMTP backend leaves its socket open when sending raises; close it ourselves.
        smtp, connection.connection = connection.connection, None
        if smtp is not None:
            try:
                smtp.quit()
            except (smtplib.SMTPException, OSError):
                pass
            finally:
                smtp.close()


def send_email(
    notification_id: int, *, now: datetime, settings: MailSettings, mailer: Mailer
) -> EmailStatus:
    """Send one claimed email through `mailer` and record the outcome: sent; or, when the SMTP
    server fails,
    another attempt after a doubling back-off (`retry_seconds`, 2×, 4× …), and failed after
    `max_attempts` or at once on a permanent (5xx) refusal."""
    row = get_or_not_found(Notification, notification_id)
    if row.email_status is not EmailStatus.sending:
        return row.email_status
    try:
        mailer.send(_message(row, settings))
    except Exception as error:
        # Only the SMTP conversation can succeed on a later try; an address or text that cannot
        # be made into a message never will.
        permanent = not isinstance(error, smtplib.SMTPException | OSError)
        if permanent:
            log.exception("email of notification %s cannot be sent", row.id)
        elif isinstance(error, smtplib.SMTPRecipientsRefused):
            permanent = all(code >= 500 for code, _ in error.recipients.values())
        elif isinstance(error, smtplib.SMTPResponseException):
            permanent = error.smtp_code >= 500
        row.email_error = f"{type(error).__name__}: {error}"[:1000]
        if permanent or row.email_attempts >= settings.max_attempts:
            row.email_status = EmailStatus.failed
            row.email_next_attempt_at = None
        else:
            row.email_status = EmailStatus.pending
            backoff = settings.retry_seconds * 2 ** (row.email_attempts - 1)
            row.email_next_attempt_at = now + timedelta(seconds=backoff)
    else:
        row.email_status = EmailStatus.sent
        row.email_sent_at = now
        row.email_next_attempt_at = None
        row.email_error = None
    db.session.flush()
    return row.email_status


@dataclass
class EmailSummary:
    """How many notifications' emails are in each state, and the latest failures."""

    counts: dict[EmailStatus, int]
    failures: list[Notification]


def email_summary(*, failures: int = 20) -> EmailSummary:
    """Counts per email state and the most recent failures, for whoever runs the platform."""
    counts = dict(
        db.session.execute(
            select(Notification.email_status, func.count()).group_by(Notification.email_status)
        ).all()
    )
    latest = db.session.scalars(
        select(Notification)
        .where(Notification.email_status == EmailStatus.failed)
        .order_by(Notification.id.desc())
        .limit(failures)
    ).all()
    return EmailSummary({status: counts.get(status, 0) for status in EmailStatus}, list(latest))
