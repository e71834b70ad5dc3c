"""The scheduler's jobs. APScheduler stores a job by reference ("reminders.jobs:remind"), so
each is a plain module function; it runs inside the app that `bind` gave it (or the one that
is current, for `flask reminders run-once`), and each is one unit of work or a few."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from flask import Flask, has_app_context

from core.clock import utcnow
from core.extensions import db
from core.settings import current_settings
from reminders import services
from reminders.models import EmailStatus

_app: Flask | None = None


def bind(app: Flask) -> None:
    """Give the jobs the app they run in (the scheduler's threads have no app context)."""
    global _app
    _app = app


@contextmanager
def _app_context() -> Iterator[None]:
    if has_app_context():
        yield
        return
    if _app is None:
        raise RuntimeError("reminders.jobs.bind(app) was not called")
    with _app.app_context():
        yield


def remind() -> int:
    """Create every notification that is due now. Returns how many were created."""
    with _app_context():
        try:
            created = services.create_due_notifications(
                now=utcnow(), settings=current_settings().reminders
            )
            db.session.commit()
        except Exception:
            db.session.rollback()
            raise
        return created


@dataclass
class EmailRun:
    """What one email run did."""

    sent: int = 0
    retrying: int = 0
    failed: int = 0


def send_email() -> EmailRun:
    """Send the emails that are due, each recorded in its own commit, so that a crash loses
    the outcome of at most the one in flight (which is then marked failed, never resent)."""
    run = EmailRun()
    with _app_context():
        settings = current_settings().mail
        if not settings.enabled:
            return run
        ids = services.claim_due_email(now=utcnow())
        db.session.commit()
        for notification_id in ids:
            status = services.send_email(notification_id, now=utcnow(), settings=settings)
            db.session.commit()
            if status is EmailStatus.sent:
                run.sent += 1
            elif status is EmailStatus.pending:
                run.retrying += 1
            else:
                run.failed += 1
    return run


# id, reference, and how many scheduler intervals apart the job runs.
JOBS = (
    ("remind", "reminders.jobs:remind", 1),
    ("send-email", "reminders.jobs:send_email", 1),
)
