"""Email that could not be delivered: the office's list of it, and sending it again."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, exists, select, update
from sqlalchemy.orm import joinedload

from core.auth.models import User
from core.auth.services import require_office
from core.extensions import db
from reminders.models import (
    DeliveryChoice,
    EmailStatus,
    Notification,
    NotificationKind,
    NotificationPreference,
)
from reminders.services.inboxes import MAX_PAGE


@dataclass(frozen=True)
class FailedEmail:
    """One email that could not be delivered, as the office's list shows it. `can_resend`:
    its recipient can still be mailed and still wants this kind by email."""

    id: int
    created_at: datetime
    user_id: int
    user_name: str
    kind: NotificationKind
    error: str | None
    attempts: int
    can_resend: bool


def _still_wanted():
    """The notification's user can be mailed and wants its kind by email: the test `store`
    makes when it queues an email, asked again now (as SQL, correlated to the notification)."""
    mailable = exists().where(
        User.id == Notification.user_id,
        User.is_enabled.is_(True),
        User.email.is_not(None),
        User.email != "",
    )
    opted_out = exists().where(
        NotificationPreference.user_id == Notification.user_id,
        NotificationPreference.kind == Notification.kind,
        NotificationPreference.choice != DeliveryChoice.inbox_and_email,
    )
    return and_(mailable, ~opted_out)


def list_failed_email(office: User, *, page: int = 1, per_page: int = 20):
    """The emails that could not be delivered, newest first, one page at a time (a
    Flask-SQLAlchemy Pagination of FailedEmail), each with the recipient's name and the reason.
    Raises Forbidden unless `office` is the office's."""
    require_office(office)
    query = (
        select(Notification)
        .options(joinedload(Notification.user))
        .where(Notification.email_status == EmailStatus.failed)
        .order_by(Notification.created_at.desc(), Notification.id.desc())
    )
    # An absurd page number would overflow the database's OFFSET.
    page = min(max(page, 1), MAX_PAGE)
    found = db.paginate(query, page=page, per_page=per_page, max_per_page=100, error_out=False)
    ids = [row.id for row in found.items]
    resendable = set()
    if ids:
        resendable = set(
            db.session.scalars(
                select(Notification.id).where(Notification.id.in_(ids), _still_wanted())
            )
        )
    found.items = [
        FailedEmail(
            id=row.id,
            created_at=row.created_at,
            user_id=row.user_id,
            user_name=row.user.display_name,
            kind=row.kind,
            error=row.email_error,
            attempts=row.email_attempts,
            can_resend=row.id in resendable,
        )
        for row in found.items
    ]
    return found


def resend_failed_email(office: User, *, notification_ids: list[int] | None, now: datetime) -> int:
    """Put failed emails back in the queue, due at `now` with their attempts counted afresh:
    those of `notification_ids`, or every failed one when None. A notification that does not
    exist or whose email has not failed (it was queued again already) is left alone. Returns
    how many were queued. Raises Forbidden unless `office` is the office's."""
    require_office(office)
    statement = update(Notification).where(
        Notification.email_status == EmailStatus.failed,
        # A recipient who has since removed their address, turned this kind's email off or
        # been disabled is not mailed against their wish, nor on an address that is gone. Such
        # an email stays failed rather than not_wanted: it was never delivered, the list keeps
        # showing it and why, and it can be sent once the recipient wants it again.
        _still_wanted(),
    )
    if notification_ids is not None:
        statement = statement.where(Notification.id.in_(notification_ids))
    queued = db.session.execute(
        statement.values(
            email_status=EmailStatus.pending,
            email_attempts=0,
            email_next_attempt_at=now,
            email_error=None,
        )
        .returning(Notification.id)
        .execution_options(synchronize_session="fetch")
    ).all()
    db.session.flush()
    return len(queued)
