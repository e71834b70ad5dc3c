"""Creating due notifications once per (user, kind, subject), by each user's choice per kind."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from sqlalchemy import select

from core.auth.models import User
from core.extensions import db
from core.rows import insert_unless_present
from core.settings import ReminderSettings
from reminders.models import (
    DeliveryChoice,
    EmailStatus,
    Notification,
    NotificationKind,
    NotificationPreference,
)
from reminders.services.finders import Due, find_due

INSERT_CHUNK = 500


def _chunks(items: list, size: int) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _insert_new(rows: list[dict[str, Any]]) -> int:
    """Insert the rows whose (user, kind, subject) is new; the database skips the others, so
    two schedulers or a retried run cannot create one twice."""
    statement = insert_unless_present(
        Notification.__table__, "kind", "subject", "user_id"
    ).returning(Notification.__table__.c.id)
    created = 0
    for chunk in _chunks(rows, INSERT_CHUNK):
        created += len(db.session.execute(statement, chunk).all())
    return created


def store(dues: list[Due], *, now: datetime, mail_enabled: bool) -> int:
    """Create the due notifications, respecting each user's choice per kind (off: nothing;
    inbox: no email), and queue their email where `mail_enabled`. Returns how many were
    created."""
    if not dues:
        return 0
    user_ids = sorted({due.user_id for due in dues})
    emails: dict[int, str | None] = {}
    choices: dict[tuple[int, NotificationKind], DeliveryChoice] = {}
    for chunk in _chunks(user_ids, INSERT_CHUNK):
        emails.update(
            db.session.execute(
                select(User.id, User.email).where(User.id.in_(chunk), User.is_enabled.is_(True))
            ).all()
        )
        for user_id, kind, choice in db.session.execute(
            select(
                NotificationPreference.user_id,
                NotificationPreference.kind,
                NotificationPreference.choice,
            ).where(NotificationPreference.user_id.in_(chunk))
        ):
            choices[(user_id, kind)] = choice
    rows = []
    for due in dues:
        if due.user_id not in emails:
            continue
        choice = choices.get((due.user_id, due.kind), DeliveryChoice.inbox_and_email)
        if choice is DeliveryChoice.off:
            continue
        wants_email = mail_enabled and bool(emails[due.user_id])
        wants_email = wants_email and choice is DeliveryChoice.inbox_and_email
        rows.append(
            {
                "user_id": due.user_id,
                "kind": due.kind,
                "subject": due.subject,
                "params": due.params,
                "created_at": now,
                "read_at": None,
                "email_status": EmailStatus.pending if wants_email else EmailStatus.not_wanted,
                "email_attempts": 0,
                "email_next_attempt_at": now if wants_email else None,
                "email_sent_at": None,
                "email_error": None,
            }
        )
    created = _insert_new(rows)
    db.session.flush()
    return created


def create_due_notifications(*, now: datetime, settings: ReminderSettings) -> int:
    """Find and store everything due at `now` (the scheduler's job; safe to run any number of
    times, in any number of processes). Returns how many notifications were created."""
    return store(find_due(now, settings), now=now, mail_enabled=settings.mail_enabled)
