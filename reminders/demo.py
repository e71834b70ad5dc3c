"""Demo notifications: what the scheduler would have created by now, so that the inbox of a
demo account is not empty on the first visit."""

from __future__ import annotations

from core.clock import utcnow
from core.settings import current_settings
from reminders import services


def load() -> list[tuple[str, str, str]]:
    """Create the notifications due now (running it again creates nothing); no accounts."""
    services.create_due_notifications(now=utcnow(), settings=current_settings().reminders)
    return []
