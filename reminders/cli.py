"""`flask scheduler run` (the scheduler process) and `flask reminders ...` (one run for cron
and tests, and the state of email delivery)."""

from __future__ import annotations

import json
import logging
import signal
import sys
import threading

import click
from flask import current_app
from flask.cli import AppGroup

from reminders import jobs, scheduler, services

scheduler_cli = AppGroup("scheduler", help="The reminder scheduler.")
reminders_cli = AppGroup("reminders", help="Reminders and notifications.")


def _log(message: str) -> None:
    click.echo(f"scheduler: {message}", err=True)
    sys.stderr.flush()


@scheduler_cli.command("run")
def run_scheduler() -> None:
    """Run the scheduler until stopped. Start as many as you like: one works, the others wait
    as standbys and take over if it dies."""
    # One line per run from the jobs, beside the scheduler's own; APScheduler's "running job"
    # lines every minute would drown them.
    logging.basicConfig(level=logging.INFO, format="scheduler: %(message)s", stream=sys.stderr)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    scheduler.run(current_app._get_current_object(), stop=stop, log=_log)
    _log("stopped")


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
