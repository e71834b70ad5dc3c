"""The side's message to its shift's volunteers in tests.world (see SIDE_EXTENSIONS there)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from core.settings import current_settings
from reminders import services
from reminders.message_models import ShiftAudience, ShiftMessageTemplate

if TYPE_CHECKING:
    from tests.world import Side


def extend(side: Side, now: datetime) -> None:
    """The side's leader thanks those checked in to the past shift (the side's volunteer), so
    that the messages' page and API list a recipient by name; the words are the side's own."""
    words = f"感谢{side.tag}队各位今天的付出"
    services.send_shift_message(
        side.users["leader"],
        side.past.id,
        audience=ShiftAudience.checked_in,
        template=ShiftMessageTemplate.thanks,
        body=words,
        now=now,
        settings=current_settings().reminders,
    )
    side.texts.append(words)
