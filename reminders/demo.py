"""Demo notifications: what the scheduler would have created by now, so that the inbox of a
demo account is not empty on the first visit; and the on-duty leader's message about the meeting
point of the shift running today."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from core.clock import utcnow
from core.extensions import db
from core.settings import current_settings
from events.demo import find_on_duty
from reminders import services
from reminders.message_models import ShiftAudience, ShiftMessage, ShiftMessageTemplate

MEETING_POINT = "实践中心东门（文化路一侧），到了找穿红马甲的队长签到"


def _meeting_point_message() -> None:
    """Half an hour before today's running shift began, its leader told everyone signed up
    where to meet (once a day: a shift that has its message gets no second one)."""
    now = utcnow()
    pair = find_on_duty(now)
    if pair is None:
        return
    shift = pair.running
    sent = select(ShiftMessage.id).where(ShiftMessage.shift_id == shift.id)
    if db.session.scalar(sent.limit(1)) is not None:
        return
    services.send_shift_message(
        shift.activity.team.founder,
        shift.id,
        audience=ShiftAudience.signed_up,
        template=ShiftMessageTemplate.meeting_point,
        body=MEETING_POINT,
        now=min(now, shift.starts_at - timedelta(minutes=30)),
        settings=current_settings().reminders,
    )


def load() -> list[tuple[str, str, str]]:
    """Create the notifications due now (running it again creates nothing); no accounts."""
    services.create_due_notifications(now=utcnow(), settings=current_settings().reminders)
    _meeting_point_message()
    return []
