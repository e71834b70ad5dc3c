"""Messages a team's leader (or the office) sends to the volunteers of one shift (班次通知).

Each recipient's copy is an ordinary notification (kind `shift_message`, subject
`shift_message:<id>`), so it goes through the inbox and the email queue like every reminder and
says per recipient whether it was read and how its email fared.
"""

from __future__ import annotations

import enum
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.auth.models import User
from core.clock import utcnow
from core.db import UTCDateTime, enum_column
from core.extensions import db

# The most a message's words may hold.
MAX_BODY = 500


class ShiftAudience(enum.Enum):
    """Whom of the shift a message goes to."""

    signed_up = "signed_up"  # everyone holding a place (confirmed sign-up)
    checked_in = "checked_in"  # everyone checked in, walk-ins too
    not_checked_in = "not_checked_in"  # holding a place, not checked in
    waiting = "waiting"  # on the waiting list

    @property
    def label(self) -> str:
        return str(AUDIENCE_LABELS[self])


AUDIENCE_LABELS = {
    ShiftAudience.signed_up: _l("Everyone signed up"),
    ShiftAudience.checked_in: _l("Everyone checked in"),
    ShiftAudience.not_checked_in: _l("Signed up, not checked in yet"),
    ShiftAudience.waiting: _l("On the waiting list"),
}


class ShiftMessageTemplate(enum.Enum):
    """What the message is about; the template gives its title and first line, the author's
    words (the new time, the new meeting point, anything else) follow."""

    time_changed = "time_changed"
    meeting_point = "meeting_point"
    weather_cancelled = "weather_cancelled"
    thanks = "thanks"
    free = "free"

    @property
    def label(self) -> str:
        return str(TEMPLATE_LABELS[self])


TEMPLATE_LABELS = {
    ShiftMessageTemplate.time_changed: _l("The time has changed"),
    ShiftMessageTemplate.meeting_point: _l("The meeting point has changed"),
    ShiftMessageTemplate.weather_cancelled: _l("Cancelled for the weather"),
    ShiftMessageTemplate.thanks: _l("Thank you"),
    ShiftMessageTemplate.free: _l("A message of my own"),
}


class ShiftMessage(db.Model):
    """One message to a group of a shift's volunteers, as sent.

    `audience_size` is how many the group held and `told_count` how many got it in their inbox
    (the others had turned these messages off, or their account is disabled): the notifications
    alone cannot say so, since none is made for them and read ones are purged in time.
    """

    __tablename__ = "shift_message"
    __table_args__ = (
        # The rate limit counts an author's messages of the last hour.
        Index("ix_shift_message_author_created", "author_id", "created_at"),
        Index("ix_shift_message_shift_created", "shift_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    shift_id: Mapped[int] = mapped_column(ForeignKey("shift.id"))
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    audience: Mapped[ShiftAudience] = mapped_column(enum_column(ShiftAudience))
    template: Mapped[ShiftMessageTemplate] = mapped_column(enum_column(ShiftMessageTemplate))
    body: Mapped[str] = mapped_column(String(MAX_BODY), default="")
    audience_size: Mapped[int] = mapped_column(default=0)
    told_count: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    author: Mapped[User] = relationship()
