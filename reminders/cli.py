"""`flask scheduler run` (the scheduler process) and `flask reminders ...` (one run for cron
and tests, the state of email delivery, and sending failed email again)."""

from __future__ import annotations

import json
import logging
import signal
import threading

import click
from flask import current_app
from flask.cli import AppGroup

from core.auth.cli import fail, office_actor
from core.clock import utcnow
from core.errors import DomainError
from core.extensions import db
from core.logs import configure_logging
from reminders import jobs, scheduler, services

scheduler_cli = AppGroup("scheduler", help="The reminder scheduler.")
reminders_cli = AppGroup("reminders", help="Reminders and notifications.")


@scheduler_cli.command("run")
def run_scheduler() -> None:
    """Run the scheduler until stopped. Start as many as you like: one works, the others wait
    as standbys and take over if it dies."""
    # The app's one logging configuration: the scheduler's lines and each run's line alike.
    config = current_app.config
    configure_logging(config["LOG_FORMAT"], config["LOG_LEVEL"])
    log = logging.getLogger("scheduler")
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    scheduler.run(current_app._get_current_object(), stop=stop, log=log.info)
    log.info("stopped")


@reminders_cli.command("run-once")
def run_once() -> None:
    """Run every job once (create what is due, send due email) and exit."""
    click.echo(str(jobs.run()))


@reminders_cli.command("email-status")
@click.option("--json", "as_json", is_flag=True, help="Counts as JSON, for monitoring.")
def email_status(as_json: bool) -> None:
    """How many emails are in each state, and the latest failures with their errors."""
    summary = services.email_summary()
    if as_json:
        counts = {status.value: count for status, count in summary.counts.items()}
        failures = [
            {"id": row.id, "user_id": row.user_id, "kind": row.kind.value, "error": row.email_error}
            for row in summary.failures
        ]
        click.echo(json.dumps({"counts": counts, "failures": failures}, ensure_ascii=False))
        return
    for status, count in summary.counts.items():
        click.echo(f"{status.value:<11} {count}")
    for row in summary.failures:
        click.echo(f"failed #{row.id} user {row.user_id} {row.kind.value}: {row.email_error}")


@reminders_cli.command("resend-failed")
@click.option(
    "--id",
    "notification_ids",
    type=int,
    multiple=True,
    help="A notification whose email failed (repeat for more); all failed ones when left out.",
)
def resend_failed(notification_ids: tuple[int, ...]) -> None:
    """Put failed emails back in the queue, as the office; the scheduler sends them. An email
    whose recipient has no address now, turned it off or was disabled stays failed."""
    try:
        queued = services.resend_failed_email(
            office_actor(), notification_ids=list(notification_ids) or None, now=utcnow()
        )
    except DomainError as error:
        fail(error)
    db.session.commit()
    click.echo(f"Queued {queued} failed email(s) to be sent again.")
