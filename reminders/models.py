"""Notifications (the in-app inbox and its email) and each user's choice per kind."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.auth.models import User
from core.clock import utcnow
from core.db import UTCDateTime, enum_column
from core.extensions import db


class NotificationKind(enum.Enum):
    """What a notification is about; the user's delivery choice is kept per kind."""

    # volunteers
    shift_tomorrow = "shift_tomorrow"
    shift_soon = "shift_soon"
    waiting_list_promoted = "waiting_list_promoted"
    activity_cancelled = "activity_cancelled"
    activity_changed = "activity_changed"
    points_earned = "points_earned"
    # a message from a leader of the shift's team, or the office, to its volunteers
    shift_message = "shift_message"
    # team leaders
    free_places_tomorrow = "free_places_tomorrow"
    attendance_unconfirmed = "attendance_unconfirmed"
    join_request_waiting = "join_request_waiting"
    weekly_digest = "weekly_digest"
    # the office
    campaign_unplanned_teams = "campaign_unplanned_teams"
    # clerks of the review levels, and the city
    nomination_overdue = "nomination_overdue"
    # district clerks (the city where a district has none)
    card_alert = "card_alert"
    # clerks answerable for a breach case's step (the district's or the city's)
    breach_case_overdue = "breach_case_overdue"
    breach_statement_ended = "breach_statement_ended"
    # honoured persons: a step of their application for a benefit (礼遇申请)
    application_step = "application_step"
    # volunteers: points of theirs expire in 30 or 7 days (积分即将过期)
    points_expiring = "points_expiring"


class DeliveryChoice(enum.Enum):
    """inbox and email (the default) / inbox only / off (nothing is created)."""

    inbox_and_email = "inbox_and_email"
    inbox = "inbox"
    off = "off"


class EmailStatus(enum.Enum):
    """not_wanted (no address, opted out, mail not configured) → pending → sending → sent, or
    back to pending with a later attempt time, or failed after the last attempt."""

    not_wanted = "not_wanted"
    pending = "pending"
    sending = "sending"
    sent = "sent"
    failed = "failed"


class Notification(db.Model):
    """One thing a user is told (提醒), shown in the inbox and perhaps sent by email.

    The unique (user, kind, subject) key is what makes a reminder exactly-once: a second run,
    a retry or a second scheduler inserts nothing. `params` holds what the text needs, so the
    inbox renders it in whatever language the reader uses today.
    """

    __tablename__ = "notification"
    __table_args__ = (
        # Kind and subject first: a finder asks "who has had this one already?" by them.
        UniqueConstraint("kind", "subject", "user_id"),
        Index("ix_notification_user_created", "user_id", "created_at"),
        Index("ix_notification_user_read", "user_id", "read_at"),
        Index("ix_notification_email_due", "email_status", "email_next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[NotificationKind] = mapped_column(enum_column(NotificationKind))
    subject: Mapped[str] = mapped_column(String(80))
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    email_status: Mapped[EmailStatus] = mapped_column(
        enum_column(EmailStatus), default=EmailStatus.not_wanted
    )
    email_attempts: Mapped[int] = mapped_column(default=0)
    email_next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    email_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    email_error: Mapped[str | None] = mapped_column(Text)

    user: Mapped[User] = relationship()


class NotificationPreference(db.Model):
    """A user's delivery choice for one kind; no row means the default (inbox and email)."""

    __tablename__ = "notification_preference"
    __table_args__ = (UniqueConstraint("user_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[NotificationKind] = mapped_column(enum_column(NotificationKind))
    choice: Mapped[DeliveryChoice] = mapped_column(enum_column(DeliveryChoice))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
