"""Messages to a shift's volunteers (班次通知): who is in each audience, sending one through the
notification pipeline (each recipient's choice per kind, the email queue), the rate limit per
author, and what became of each recipient's copy."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from core.auth.models import Role, User
from core.collation import in_pinyin_order
from core.errors import DomainError, ValidationFailed
from core.extensions import db
from core.settings import ReminderSettings
from events import services as events
from events.models import CheckIn, Shift, SignUp, SignUpStatus
from reminders.message_models import (
    MAX_BODY,
    ShiftAudience,
    ShiftMessage,
    ShiftMessageTemplate,
)
from reminders.models import EmailStatus, Notification, NotificationKind
from reminders.services.finders import Due
from reminders.services.storing import store

RATE_WINDOW = timedelta(hours=1)
# Templates that say nothing without the author's words: the new time, the new meeting point,
# or the whole message.
NEEDS_BODY = frozenset(
    {
        ShiftMessageTemplate.time_changed,
        ShiftMessageTemplate.meeting_point,
        ShiftMessageTemplate.free,
    }
)


class TooManyMessages(DomainError):
    """The author has sent as many messages as an hour allows."""

    status = 429
    code = "too_many_messages"
    default_message = _l(
        "You have sent as many messages as an hour allows. Please try again later."
    )


def subject_of(message_id: int) -> str:
    """The subject of every recipient's notification of a message (unique per recipient)."""
    return f"shift_message:{message_id}"


def audience_of(shift: Shift, audience: ShiftAudience) -> list[int]:
    """The ids of the volunteers of the shift in `audience`: holding a place (signed_up), checked
    in (walk-ins too), holding a place and not checked in, or on the waiting list."""
    checked_in = select(CheckIn.user_id).where(CheckIn.shift_id == shift.id)
    if audience is ShiftAudience.checked_in:
        query = checked_in
    else:
        status = (
            SignUpStatus.waiting if audience is ShiftAudience.waiting else SignUpStatus.confirmed
        )
        query = select(SignUp.user_id).where(SignUp.shift_id == shift.id, SignUp.status == status)
        if audience is ShiftAudience.not_checked_in:
            query = query.where(SignUp.user_id.not_in(checked_in))
    return sorted(db.session.scalars(query))


def audience_sizes(shift: Shift) -> dict[ShiftAudience, int]:
    """How many volunteers each audience of the shift (one the caller may manage) holds now,
    for the form."""
    return {audience: len(audience_of(shift, audience)) for audience in ShiftAudience}


def _check_body(template: ShiftMessageTemplate, body: str) -> None:
    if len(body) > MAX_BODY:
        message = _l("Write at most %(num)d characters.", num=MAX_BODY)
    elif not body and template in NEEDS_BODY:
        if template is ShiftMessageTemplate.time_changed:
            message = _l("Write the new time.")
        elif template is ShiftMessageTemplate.meeting_point:
            message = _l("Write the new meeting point.")
        else:
            message = _l("Write your message.")
    else:
        return
    raise ValidationFailed(errors={"body": [str(message)]})


def _require_below_rate(author: User, *, now: datetime, per_hour: int) -> None:
    # The author's row is locked first, so that two messages sent at the same moment from two
    # servers are counted one after the other (PostgreSQL; SQLite writes one at a time anyway).
    db.session.execute(select(User.id).where(User.id == author.id).with_for_update())
    sent = db.session.scalar(
        select(func.count(ShiftMessage.id)).where(
            ShiftMessage.author_id == author.id, ShiftMessage.created_at > now - RATE_WINDOW
        )
    )
    if sent >= per_hour:
        raise TooManyMessages()


def send_shift_message(
    author: User,
    shift_id: int,
    *,
    audience: ShiftAudience,
    template: ShiftMessageTemplate,
    body: str,
    now: datetime,
    settings: ReminderSettings,
) -> ShiftMessage:
    """A leader of the shift's team, or the office, tells a group of the shift's volunteers:
    each gets a notification in their inbox, and by email, as they chose for this kind (off:
    nothing; inbox only: no email; email only where they have an address and the site sends
    mail). At most `settings.shift_messages_per_hour` messages per author in any hour.

    Raises NotFound, Forbidden (not a leader of the team, nor the office), ValidationFailed
    (a template that needs words without them, words too long, nobody in the audience) or
    TooManyMessages.
    """
    shift = events.managed_shift(author, shift_id)
    body = (body or "").strip()
    _check_body(template, body)
    recipients = audience_of(shift, audience)
    if not recipients:
        raise ValidationFailed(
            errors={"audience": [str(_l("Nobody on this shift is in this group now."))]}
        )
    _require_below_rate(author, now=now, per_hour=settings.shift_messages_per_hour)
    message = ShiftMessage(
        shift_id=shift.id,
        author_id=author.id,
        audience=audience,
        template=template,
        body=body,
        audience_size=len(recipients),
        created_at=now,
    )
    db.session.add(message)
    db.session.flush()
    activity = shift.activity
    # What the text needs, kept so that each reader sees it in their own language. No person's
    # name: the sender is the team (or the office), whose name stays when an account closes.
    params = {
        "message_id": message.id,
        "shift_id": shift.id,
        "activity_id": activity.id,
        "title": activity.title,
        "address": activity.address,
        "starts_at": shift.starts_at.isoformat(),
        "team": None if author.role is Role.office else activity.team.name,
        "template": template.value,
        "body": body,
    }
    dues = [
        Due(uid, NotificationKind.shift_message, subject_of(message.id), params)
        for uid in recipients
    ]
    message.told_count = store(dues, now=now, mail_enabled=settings.mail_enabled)
    db.session.flush()
    return message


@dataclass(frozen=True)
class Recipient:
    """One recipient's copy of a message: read or not, and its email."""

    user_id: int
    name: str
    read_at: datetime | None
    email_status: EmailStatus


@dataclass(frozen=True)
class SentMessage:
    """A message as its shift's page lists it, with each recipient's copy."""

    message: ShiftMessage
    author_name: str
    recipients: list[Recipient]

    @property
    def read_count(self) -> int:
        return sum(1 for r in self.recipients if r.read_at is not None)

    @property
    def emailed_count(self) -> int:
        return sum(1 for r in self.recipients if r.email_status is EmailStatus.sent)

    @property
    def not_told(self) -> int:
        """Of the audience, those who got no copy (the kind turned off, or a disabled account)."""
        return self.message.audience_size - self.message.told_count


def _with_recipients(messages: list[ShiftMessage]) -> list[SentMessage]:
    if not messages:
        return []
    copies: dict[str, list[Recipient]] = {subject_of(m.id): [] for m in messages}
    rows = db.session.execute(
        select(
            Notification.subject,
            Notification.user_id,
            User.display_name,
            Notification.read_at,
            Notification.email_status,
        )
        .join(User, User.id == Notification.user_id)
        .where(
            Notification.kind == NotificationKind.shift_message,
            Notification.subject.in_(list(copies)),
        )
        .order_by(in_pinyin_order(User.display_name), Notification.user_id)
    )
    for subject, user_id, name, read_at, email_status in rows:
        copies[subject].append(Recipient(user_id, name, read_at, email_status))
    return [SentMessage(m, m.author.display_name, copies[subject_of(m.id)]) for m in messages]


def shift_messages(user: User, shift_id: int) -> list[SentMessage]:
    """The messages sent to the shift's volunteers, newest first, each with its recipients in
    pinyin order (whether they read it, what became of its email). A copy read long ago may
    have been purged (RETENTION_DAYS). Raises NotFound or Forbidden (not a leader of the
    shift's team, nor the office)."""
    shift = events.managed_shift(user, shift_id)
    messages = db.session.scalars(
        select(ShiftMessage)
        .options(joinedload(ShiftMessage.author))
        .where(ShiftMessage.shift_id == shift.id)
        .order_by(ShiftMessage.created_at.desc(), ShiftMessage.id.desc())
    )
    return _with_recipients(list(messages))


def sent_message(message: ShiftMessage) -> SentMessage:
    """A message just sent, with its recipients (for the answer to whoever sent it)."""
    (sent,) = _with_recipients([message])
    return sent
