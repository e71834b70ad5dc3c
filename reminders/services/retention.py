"""Keeping the notification table to what is still of use."""

from __future__ import annotations

from datetime import datetime

from core.rows import delete_in_batches
from reminders.models import EmailStatus, Notification


def purge_read_notifications(*, before: datetime) -> int:
    """Delete notifications read before `before`, except those whose email is still to go out
    (pending or being sent). Unread ones stay. Returns how many were deleted.

    `before` must lie further back than any reminder finder looks, or a finder would find a
    deleted notification missing and create it again (checked at start: RETENTION_DAYS)."""
    return delete_in_batches(
        Notification,
        Notification.read_at < before,
        Notification.email_status.not_in((EmailStatus.pending, EmailStatus.sending)),
    )
