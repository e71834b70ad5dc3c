"""The scheduler's jobs. APScheduler stores a job by reference ("reminders.jobs:run"), so
each is a plain module function; it runs inside the app that `bind` gave it (or the one that
is current, for `flask reminders run-once`), and each is one unit of work or a few."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from flask import Flask, has_app_context

from core.auth.services import purge_expired_credentials
from core.clock import utcnow
from core.extensions import db
from core.settings import current_settings
from honours.bus_models import ListMaker
from honours.services import bus_list, cards
from points.services import expiry
from reminders import services
from reminders.models import EmailStatus

log = logging.getLogger(__name__)
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

    def count(self, status: EmailStatus) -> None:
        if status is EmailStatus.sent:
            self.sent += 1
        elif status is EmailStatus.pending:
            self.retrying += 1
        else:
            self.failed += 1


def send_email() -> EmailRun:
    """Send the emails that are due, batch after batch while any is due, over one SMTP
    connection; each outcome is recorded in its own commit, so that a sender that dies leaves
    at most the one message in flight unrecorded (it goes out again when the lease ends)."""
    run = EmailRun()
    with _app_context():
        settings = current_settings().mail
        if not settings.enabled:
            return run
        with services.Mailer() as mailer:
            while ids := services.claim_due_email(
                now=utcnow(), limit=settings.batch, lease=settings.lease
            ):
                db.session.commit()
                for notification_id in ids:
                    run.count(
                        services.send_email(
                            notification_id, now=utcnow(), settings=settings, mailer=mailer
                        )
                    )
                    db.session.commit()
        db.session.commit()
    return run


@dataclass
class Run:
    """What one scheduler run did."""

    created: int
    email: EmailRun

    def __str__(self) -> str:
        return (
            f"notifications created: {self.created}; email sent: {self.email.sent}, "
            f"to retry: {self.email.retrying}, failed: {self.email.failed}"
        )


def run() -> Run:
    """One scheduler run: create the notifications that are due, then send the email that is
    due. Writes one log line of what it did."""
    done = Run(created=remind(), email=send_email())
    log.info("%s", done)
    return done


def purge() -> int:
    """Delete what is past its use: notifications read, and API tokens and sign-in sessions
    ended or expired, longer ago than RETENTION_DAYS. Writes one log line; returns how many."""
    with _app_context():
        before = utcnow() - current_settings().retention
        notifications = services.purge_read_notifications(before=before)
        credentials = purge_expired_credentials(before=before)
        db.session.commit()
    log.info(
        "purged %d read notifications, %d expired tokens and sessions", notifications, credentials
    )
    return notifications + credentials


def expire_cards() -> int:
    """Mark the active courtesy cards past their validity date as expired (a check treats them
    as expired already; this is the record the office's lists count). Writes one log line."""
    with _app_context():
        expired = cards.expire_cards(utcnow())
        db.session.commit()
    log.info("expired %d courtesy cards", expired)
    return expired


def expire_points() -> int:
    """Expire the points due by today under the city's expiry policy: one ledger entry per
    volunteer, each committed on its own, so that a run cut short keeps what it did and the
    next one goes on (and after days down, takes everything due by then). Writes one log
    line; returns how many volunteers had points expire."""
    with _app_context():
        try:
            expired = expiry.expire_points(now=utcnow(), after_each=db.session.commit)
            db.session.commit()
        except Exception:
            db.session.rollback()
            raise
    log.info("points expired for %d volunteers", expired)
    return expired


def bus_lists() -> bus_list.ListRun:
    """Make tonight's list of card numbers of every approved bus partner that has none yet
    (a second run the same night makes nothing). Writes one log line."""
    with _app_context():
        done = bus_list.make_exports(now=utcnow(), made_by=ListMaker.job)
        db.session.commit()
    log.info("%s", done)
    return done


# id, reference, and how many scheduler intervals apart the job runs.
JOBS = (
    ("reminders", "reminders.jobs:run", 1),
    ("purge", "reminders.jobs:purge", 60),
    # Nightly at the default interval of a minute: a card runs out at the end of its day, and
    # the checks answer expired from that moment whether or not this has run.
    ("expire_cards", "reminders.jobs:expire_cards", 1440),
    # Hourly, so that the night's list is made within the hour after local midnight whenever
    # the scheduler started; a list is made once per partner and night, later runs make none.
    ("bus_lists", "reminders.jobs:bus_lists", 60),
    # Hourly, so that points are taken within the hour after the local midnight they expire
    # at, not spendable for most of a day more; a run with nothing due is one query over the
    # open lots (their partial index).
    ("expire_points", "reminders.jobs:expire_points", 60),
)
