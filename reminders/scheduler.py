"""The scheduler process: one at a time holds the lock and runs the jobs; others wait as
standbys and take over when it dies. Web workers never start one."""

from __future__ import annotations

import contextlib
import fcntl
import threading
from collections.abc import Callable
from pathlib import Path

from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.interval import IntervalTrigger
from flask import Flask
from sqlalchemy import create_engine, make_url, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import NullPool

from core.extensions import db
from reminders import jobs

# Any constant works: advisory locks are per database, and this is the only one we take.
ADVISORY_LOCK_KEY = 0x766F6C7573  # "volus"


class SchedulerLock:
    """Who may run the jobs: a PostgreSQL session advisory lock (released by the server when
    the holder's connection dies, so a killed scheduler frees it at once), or on SQLite an
    exclusive file lock beside the database (released by the kernel when the process dies)."""

    def __init__(self, database_url: str, instance_path: str) -> None:
        self.url = make_url(database_url)
        self.instance_path = instance_path
        self._engine: Engine | None = None
        self._connection: Connection | None = None
        self._file = None

    @property
    def is_postgresql(self) -> bool:
        return self.url.get_backend_name() == "postgresql"

    def try_acquire(self) -> bool:
        """Take the lock if it is free; never waits."""
        if self.is_postgresql:
            return self._try_advisory_lock()
        return self._try_file_lock()

    def _try_advisory_lock(self) -> bool:
        try:
            if self._connection is None:
                self._engine = create_engine(self.url, poolclass=NullPool)
                # Autocommit: a session lock needs no transaction, and an idle open transaction
                # would hold back vacuum for as long as the scheduler lives.
                self._connection = self._engine.connect().execution_options(
                    isolation_level="AUTOCOMMIT"
                )
            query = text("SELECT pg_try_advisory_lock(:key)")
            return bool(self._connection.execute(query, {"key": ADVISORY_LOCK_KEY}).scalar())
        except SQLAlchemyError:
            # The server restarted or the network broke: a standby tries again next time.
            self.release()
            return False

    def _try_file_lock(self) -> bool:
        database = self.url.database
        if database and database != ":memory:":
            path = Path(database + ".scheduler.lock")
        else:
            path = Path(self.instance_path) / "scheduler.lock"
        handle = open(path, "a")  # noqa: SIM115 (held open for the process's lifetime)
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            return False
        self._file = handle
        return True

    def still_held(self) -> bool:
        """False if the lock's connection has gone (the server restarted, the network broke):
        another scheduler may hold it by now."""
        if not self.is_postgresql:
            return self._file is not None
        if self._connection is None:
            return False
        try:
            held = text(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted"
                " AND pid = pg_backend_pid() AND objid = :key"
            )
            key = ADVISORY_LOCK_KEY & 0xFFFFFFFF
            return bool(self._connection.execute(held, {"key": key}).scalar())
        except SQLAlchemyError:
            return False

    def release(self) -> None:
        """Give the lock up now (closing the connection alone frees it a moment later). Never
        raises: on a connection the server has dropped there is nothing left to give up."""
        connection, self._connection = self._connection, None
        if connection is not None:
            with contextlib.suppress(SQLAlchemyError):
                connection.execute(text("SELECT pg_advisory_unlock_all()"))
            with contextlib.suppress(SQLAlchemyError):
                connection.close()
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None
        if self._file is not None:
            self._file.close()
            self._file = None


def build_scheduler(app: Flask) -> BackgroundScheduler:
    """An APScheduler with its job store in the app's database. A late job still runs
    (no misfire grace limit) and runs once however many intervals it missed (coalesce)."""
    with app.app_context():
        engine = db.engine
    return BackgroundScheduler(
        jobstores={"default": SQLAlchemyJobStore(engine=engine)},
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None},
        timezone=app.config["TIMEZONE"],
    )


def install_jobs(scheduler: BackgroundScheduler, interval_seconds: float) -> None:
    """Put the standard jobs in the store. A stored job with the same schedule is kept as it
    is, so that one missed while no scheduler ran fires once on start; a stored job that is no
    longer standard (an earlier release's) is removed."""
    wanted = {job_id for job_id, _, _ in jobs.JOBS}
    for stored in scheduler.get_jobs():
        if stored.id not in wanted:
            scheduler.remove_job(stored.id)
    for job_id, reference, every in jobs.JOBS:
        trigger = IntervalTrigger(seconds=interval_seconds * every)
        stored = scheduler.get_job(job_id)
        if (
            stored is not None
            and stored.func_ref == reference
            and stored.trigger.interval == trigger.interval
        ):
            continue
        scheduler.add_job(reference, trigger, id=job_id, name=job_id, replace_existing=True)


def run(app: Flask, *, stop: threading.Event, log: Callable[[str], None]) -> None:
    """Run until `stop` is set: wait for the lock as a standby, run the jobs while it is held,
    and go back to standby when the lock or the database is lost, however often that happens.
    Only `stop` (SIGTERM) ends it."""
    config = app.config
    poll = config["SCHEDULER_STANDBY_POLL_SECONDS"]
    jobs.bind(app)
    while not stop.is_set():
        lock = SchedulerLock(config["SQLALCHEMY_DATABASE_URI"], app.instance_path)
        try:
            if _wait_for_lock(lock, stop, poll, log):
                log("active: running the jobs")
                _run_while_held(app, lock, stop, poll)
                if not stop.is_set():
                    log("lost the lock: back to standby")
        except SQLAlchemyError as error:
            log(f"lost the database ({type(error).__name__}): back to standby")
        finally:
            lock.release()
        # A moment before trying again, so that a database that is down is not hammered.
        stop.wait(poll)


def _wait_for_lock(
    lock: SchedulerLock, stop: threading.Event, poll: float, log: Callable[[str], None]
) -> bool:
    """Standby until the lock is ours (True) or `stop` is set (False)."""
    announced = False
    while not lock.try_acquire():
        if not announced:
            log("standby: another scheduler is active; waiting to take over")
            announced = True
        if stop.wait(poll):
            return False
    return True


def _run_while_held(app: Flask, lock: SchedulerLock, stop: threading.Event, poll: float) -> None:
    scheduler = build_scheduler(app)
    scheduler.start(paused=True)
    try:
        install_jobs(scheduler, app.config["SCHEDULER_INTERVAL_SECONDS"])
        scheduler.resume()
        while not stop.wait(poll):
            if not lock.still_held():
                return
    finally:
        scheduler.shutdown(wait=True)
