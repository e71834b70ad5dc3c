"""The scheduler process: of several started on one database exactly one runs the jobs, a
standby takes over when it is killed, nothing is created or mailed twice, SIGTERM stops it
cleanly; `flask reminders run-once`; and the lock itself."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from core.clock import utcnow
from core.extensions import db
from events import services as events
from reminders.models import EmailStatus, Notification, NotificationKind
from reminders.scheduler import SchedulerLock
from tests.builders import make_shift, make_user

ROOT = Path(__file__).resolve().parents[2]
ACTIVE = "active: running the jobs"
STANDBY = "standby: another scheduler is active"
STOPPED = "scheduler: stopped"
TITLE = "海滨环境清洁"  # the builders' activity title
DEADLINE = 20.0


class Scheduler:
    """A `flask scheduler run` subprocess (or another `command` of the app) whose stderr goes
    to a file, read while it runs (a pipe nobody reads could fill and stall it)."""

    def __init__(
        self,
        name: str,
        env: dict[str, str],
        log_dir: Path,
        command: tuple[str, ...] = ("scheduler", "run"),
    ) -> None:
        self.name = name
        self.log_path = log_dir / f"{name}.log"
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "flask", "--app", "app", *command],
                cwd=ROOT,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=log,
            )

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def says(self, text: str) -> bool:
        return any(text in line for line in self.log().splitlines())

    def running(self) -> bool:
        return self.process.poll() is None

    def end(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(timeout=10)


def wait_for(condition: Callable[[], object], what: str, *processes: Scheduler, timeout=DEADLINE):
    """Poll `condition` until it is true or the deadline passes (then fail, with the logs)."""
    deadline = time.monotonic() + timeout
    while True:
        if result := condition():
            return result
        if time.monotonic() > deadline:
            logs = "\n".join(f"--- {p.name} (rc {p.process.poll()}):\n{p.log()}" for p in processes)
            pytest.fail(f"timed out after {timeout} s waiting for {what}\n{logs}")
        time.sleep(0.1)


@pytest.fixture
def start_scheduler(_migrated, tmp_path) -> Iterator[Callable[..., Scheduler]]:
    """Start scheduler processes on the test database; every one is killed and reaped after
    the test, whatever happened."""
    started: list[Scheduler] = []
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("MAIL_", "SCHEDULER_", "REMINDER_", "FLASK_"))
    }
    env.update(
        DATABASE_URL=_migrated,
        SECRET_KEY="scheduler-test-secret",
        SCHEDULER_INTERVAL_SECONDS="1",
        SCHEDULER_STANDBY_POLL_SECONDS="0.2",
        PASSWORD_HASH_TIME_COST="1",
        PASSWORD_HASH_MEMORY_COST="64",
        MAIL_DEFAULT_SENDER="noreply@volunteer.example",
        MAIL_TIMEOUT="5",
        PYTHONUNBUFFERED="1",
    )

    def start(
        name: str,
        *,
        smtp_port: int | None = None,
        command: tuple[str, ...] = ("scheduler", "run"),
        **settings: str,
    ) -> Scheduler:
        own = dict(env, **settings)
        if smtp_port is not None:
            own.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=str(smtp_port))
        scheduler = Scheduler(name, own, tmp_path, command)
        started.append(scheduler)
        return scheduler

    try:
        yield start
    finally:
        for scheduler in started:
            scheduler.end()


def settle() -> None:
    """End the test's transaction: on SQLite every transaction holds the write lock, which
    the schedulers need."""
    db.session.commit()
    db.session.remove()


def count_notifications(user_id: int, kind: NotificationKind, subject: str) -> int:
    try:
        return db.session.scalar(
            select(func.count()).where(
                Notification.user_id == user_id,
                Notification.kind == kind,
                Notification.subject == subject,
            )
        )
    finally:
        settle()


def email_status(user_id: int, kind: NotificationKind, subject: str) -> EmailStatus | None:
    try:
        return db.session.scalar(
            select(Notification.email_status).where(
                Notification.user_id == user_id,
                Notification.kind == kind,
                Notification.subject == subject,
            )
        )
    finally:
        settle()


def mail_to(smtp_server, address: str) -> list:
    return [m for m in list(smtp_server.handler.messages) if m["To"] == address]


def volunteer_due_soon(email: str) -> tuple[int, str]:
    """A volunteer with email and a confirmed place on a shift starting in about an hour,
    committed; returns (user id, notification subject)."""
    shift = make_shift(starts_in_hours=1)
    volunteer = make_user(display_name="志愿者")
    volunteer.email = email
    events.sign_up(volunteer, shift.id, now=utcnow())
    ids = volunteer.id, f"shift:{shift.id}"
    settle()
    return ids


def test_one_of_two_schedulers_runs_the_jobs_and_a_standby_takes_over_when_it_dies(
    app, smtp_server, start_scheduler
):
    settle()
    first = start_scheduler("first", smtp_port=smtp_server.port)
    second = start_scheduler("second", smtp_port=smtp_server.port)
    both = (first, second)
    wait_for(
        lambda: all(p.says(ACTIVE) or p.says(STANDBY) for p in both),
        "both schedulers to report active or standby",
        *both,
    )
    active = [p for p in both if p.says(ACTIVE)]
    standby = [p for p in both if p.says(STANDBY)]
    assert len(active) == 1 and len(standby) == 1, [p.log() for p in both]
    (active,), (standby,) = active, standby
    assert not standby.says(ACTIVE)

    kind = NotificationKind.shift_soon
    address = "first@volunteer.example"
    user_id, subject = volunteer_due_soon(address)
    wait_for(lambda: count_notifications(user_id, kind, subject), "the notification", *both)
    wait_for(lambda: mail_to(smtp_server, address), "its email", *both)
    time.sleep(3)  # a few more intervals: nothing more may come
    assert count_notifications(user_id, kind, subject) == 1
    assert email_status(user_id, kind, subject) is EmailStatus.sent
    (message,) = mail_to(smtp_server, address)
    assert TITLE in message["Subject"]
    assert len(smtp_server.handler.messages) == 1
    assert active.running() and standby.running()
    assert not standby.says(ACTIVE)

    active.process.send_signal(signal.SIGKILL)
    active.process.wait(timeout=10)
    wait_for(lambda: standby.says(ACTIVE), "the standby to take over", *both, timeout=5)

    address = "second@volunteer.example"
    user_id, subject = volunteer_due_soon(address)
    wait_for(lambda: count_notifications(user_id, kind, subject), "the second one", *both)
    wait_for(lambda: mail_to(smtp_server, address), "its email", *both)
    time.sleep(3)
    assert count_notifications(user_id, kind, subject) == 1
    assert email_status(user_id, kind, subject) is EmailStatus.sent
    (message,) = mail_to(smtp_server, address)
    assert TITLE in message["Subject"]
    assert len(smtp_server.handler.messages) == 2
    assert standby.running()


def drop_other_connections() -> int:
    """What a PostgreSQL restart, a failover or a network drop does to every other client:
    their connections end. Returns how many were ended."""
    ended = db.session.execute(
        text(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
    ).scalar()
    settle()
    return ended


def delivered_once_after_the_drop(round_: int, both: tuple, smtp_server) -> None:
    """A scheduler is active again (for the `round_`-th time since they started), and the
    next reminder is created once and mailed once."""
    wait_for(
        lambda: sum(p.log().count(ACTIVE) for p in both) > round_,
        "a scheduler to be active again",
        *both,
    )
    kind, address = NotificationKind.shift_soon, f"round{round_}@volunteer.example"
    user_id, subject = volunteer_due_soon(address)
    wait_for(lambda: count_notifications(user_id, kind, subject), "the notification", *both)
    wait_for(lambda: mail_to(smtp_server, address), "its email", *both)
    time.sleep(3)  # a few more intervals: nothing more may come
    assert count_notifications(user_id, kind, subject) == 1
    assert len(mail_to(smtp_server, address)) == 1
    assert all(p.running() for p in both), [p.log() for p in both]


def test_schedulers_ride_out_the_database_dropping_their_connections(
    app, smtp_server, start_scheduler
):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("ending other sessions' connections is PostgreSQL's pg_terminate_backend")
    settle()
    both = (
        start_scheduler("first", smtp_port=smtp_server.port),
        start_scheduler("second", smtp_port=smtp_server.port),
    )
    wait_for(lambda: any(p.says(ACTIVE) for p in both), "one scheduler to be active", *both)
    wait_for(lambda: any(p.says(STANDBY) for p in both), "the other to wait", *both)
    for round_ in (1, 2):
        assert drop_other_connections() >= 2  # at least the lock holder's and the standby's
        delivered_once_after_the_drop(round_, both, smtp_server)
    assert len(smtp_server.handler.messages) == 2


def test_a_sender_killed_mid_run_loses_no_mail_and_repeats_at_most_the_one_in_flight(
    app, smtp_server, start_scheduler
):
    addresses = [f"v{n}@volunteer.example" for n in range(40)]
    for address in addresses:
        volunteer_due_soon(address)
    # Slow enough to be killed in the middle of the run.
    smtp_server.handler.delay = 0.05
    run_once = ("reminders", "run-once")
    first = start_scheduler(
        "first", smtp_port=smtp_server.port, command=run_once, MAIL_LEASE_SECONDS="2"
    )
    wait_for(lambda: len(smtp_server.handler.messages) >= 5, "some mail to go out", first)
    first.process.send_signal(signal.SIGKILL)
    first.process.wait(timeout=10)
    smtp_server.handler.delay = 0
    received_before = len(smtp_server.handler.messages)
    assert received_before < len(addresses), "the sender finished before it could be killed"

    time.sleep(2.5)  # the dead sender's lease (2 s) ends
    second = start_scheduler(
        "second", smtp_port=smtp_server.port, command=run_once, MAIL_LEASE_SECONDS="2"
    )
    second.process.wait(timeout=30)

    ids = [m["Message-ID"] for m in smtp_server.handler.messages]
    assert {m["To"] for m in smtp_server.handler.messages} == set(addresses)
    repeated = {i for i in ids if ids.count(i) > 1}
    assert len(repeated) <= 1, repeated  # only the one in flight when the sender died
    assert len(ids) - len(set(ids)) <= 1
    settle()
    statuses = db.session.scalars(select(Notification.email_status)).all()
    settle()
    assert set(statuses) <= {EmailStatus.sent, EmailStatus.not_wanted}


def test_sigterm_stops_a_scheduler_cleanly(app, start_scheduler):
    settle()
    active = start_scheduler("active")
    wait_for(lambda: active.says(ACTIVE), "the scheduler to start", active)
    standby = start_scheduler("standby")
    wait_for(lambda: standby.says(STANDBY), "the second to wait", active, standby)

    for scheduler in (standby, active):
        scheduler.process.send_signal(signal.SIGTERM)
        try:
            code = scheduler.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pytest.fail(f"{scheduler.name} did not stop on SIGTERM:\n{scheduler.log()}")
        assert code == 0, scheduler.log()
        assert scheduler.says(STOPPED), scheduler.log()


def test_run_once_creates_what_is_due_and_a_second_run_creates_nothing(mail_app, smtp_server):
    shift = make_shift(starts_in_hours=1)
    volunteer = make_user(display_name="志愿者")
    volunteer.email = "once@volunteer.example"
    events.sign_up(volunteer, shift.id, now=utcnow())
    user_id, subject = volunteer.id, f"shift:{shift.id}"
    db.session.commit()
    runner = mail_app.test_cli_runner()

    first = runner.invoke(args=["reminders", "run-once"])
    assert first.exit_code == 0, first.output
    created = int(first.output.split("notifications created: ")[1].split(";")[0])
    assert created >= 1  # the volunteer's, and perhaps a leader's digest of the day
    assert "email sent: 1, to retry: 0, failed: 0" in first.output
    assert count_notifications(user_id, NotificationKind.shift_soon, subject) == 1
    (message,) = smtp_server.handler.messages
    assert message["To"] == "once@volunteer.example"
    assert TITLE in message["Subject"]

    second = runner.invoke(args=["reminders", "run-once"])
    assert second.exit_code == 0, second.output
    assert "notifications created: 0; email sent: 0, to retry: 0, failed: 0" in second.output
    assert len(smtp_server.handler.messages) == 1


def test_the_lock_is_held_by_one_at_a_time(_migrated, tmp_path):
    first = SchedulerLock(_migrated, str(tmp_path))
    second = SchedulerLock(_migrated, str(tmp_path))
    try:
        assert first.try_acquire() is True
        assert first.still_held() is True
        assert second.try_acquire() is False
        assert second.still_held() is False
        assert second.try_acquire() is False

        first.release()
        assert first.still_held() is False
        # On PostgreSQL the lock goes with the closed connection, which the server notices a
        # moment after release() returns.
        deadline = time.monotonic() + 5
        while not second.try_acquire():
            assert time.monotonic() < deadline, "the lock was not free after release()"
            time.sleep(0.05)
        assert second.still_held() is True
        assert first.try_acquire() is False
    finally:
        first.release()
        second.release()
