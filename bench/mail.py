"""`make bench-mail`: Lei Feng day's morning. Reminders fall due at one moment for 20,000
sign-ups; how long until every one is in its inbox, and handed over SMTP?

Two schedulers run as a city runs them (one active, one standby; the production interval of
a minute), on PostgreSQL (BENCH_DATABASE_URL, or a fresh database on the local server), and
mail goes to an SMTP server in another process (bench/mail_sink.py) that writes down each
Message-ID. The clock starts when the shifts are moved to start in 100 minutes, which makes
their "starting soon" reminders due at once; it stops when the receiver holds all 20,000
distinct Message-IDs. The figure is written into bench/RESULTS.md.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import String, cast, create_engine, func, literal, select, text, update
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
DATA = BENCH / ".data"
SIGN_UPS = int(os.environ.get("BENCH_MAIL_SIGN_UPS", "20000"))
TARGET_SECONDS = 600
DEADLINE_SECONDS = float(os.environ.get("BENCH_MAIL_DEADLINE", "1200"))
LOCAL_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
# The section's markers, which `make bench` keeps when it rewrites the file.
BEGIN, END = "<!-- make bench-mail -->", "<!-- /make bench-mail -->"


def choose_database() -> str:
    """BENCH_DATABASE_URL, else a fresh database on the local PostgreSQL."""
    if url := os.environ.get("BENCH_DATABASE_URL"):
        return url
    admin = create_engine(LOCAL_POSTGRES, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text('DROP DATABASE IF EXISTS "vp_bench_mail" WITH (FORCE)'))
        conn.execute(text('CREATE DATABASE "vp_bench_mail"'))
    admin.dispose()
    return make_url(LOCAL_POSTGRES).set(database="vp_bench_mail").render_as_string(False)


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def seed(app, now: datetime) -> list[int]:
    """SIGN_UPS volunteers with an email address, each with a confirmed place on one of the
    live shifts (bench/seed.py), nothing else. Returns the shift ids."""
    from bench import seed as seeding
    from core.auth.models import Role, User
    from core.extensions import db

    scale = seeding.Scale(
        volunteers=SIGN_UPS,
        teams=SIGN_UPS // seeding.LIVE_CAPACITY,
        past_shifts=0,
        check_ins=0,
        merchants=0,
        live_shifts=SIGN_UPS // seeding.LIVE_CAPACITY,
        future_days=0,
        future_shifts_per_district_day=0,
    )
    with app.app_context():
        info = seeding.seed(scale, now=now)
        db.session.execute(
            update(User)
            .where(User.role == Role.volunteer)
            .values(email=literal("v") + cast(User.id, String) + literal("@bench.example"))
        )
        # Not under way yet, nor due: the shifts start next week until the moment we choose.
        move_shifts(info.live_shift_ids, now + timedelta(days=7))
        return info.live_shift_ids


def move_shifts(shift_ids: list[int], starts_at: datetime) -> None:
    """Move the shifts to start at `starts_at` (three hours long), and commit."""
    from core.clock import local_day
    from core.extensions import db
    from events.models import Shift

    db.session.execute(
        update(Shift)
        .where(Shift.id.in_(shift_ids))
        .values(
            starts_at=starts_at,
            ends_at=starts_at + timedelta(hours=3),
            service_day=local_day(starts_at),
        )
    )
    db.session.commit()


def start_schedulers(environment: dict[str, str], logs: Path) -> list[subprocess.Popen]:
    processes = []
    for name in ("first", "second"):
        with (logs / f"scheduler-{name}.log").open("wb") as log:
            processes.append(
                subprocess.Popen(
                    [sys.executable, "-m", "flask", "--app", "app", "scheduler", "run"],
                    cwd=ROOT,
                    env=environment,
                    stdin=subprocess.DEVNULL,
                    stdout=subprocess.DEVNULL,
                    stderr=log,
                )
            )
    return processes


def wait_for_active(logs: Path, deadline: float) -> None:
    while time.monotonic() < deadline:
        if any("active: running the jobs" in p.read_text() for p in logs.glob("scheduler-*.log")):
            return
        time.sleep(0.2)
    raise SystemExit("no scheduler became active")


def distinct_received(path: Path) -> int:
    return len(set(path.read_bytes().splitlines())) if path.exists() else 0


def main() -> int:
    database_url = choose_database()
    environment = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("MAIL_", "SCHEDULER_"))},
        "DATABASE_URL": database_url,
        "SECRET_KEY": "bench-secret-key",
        "PASSWORD_HASH_TIME_COST": "1",
        "PASSWORD_HASH_MEMORY_COST": "8192",
    }
    os.environ.update(environment)
    sys.path.insert(0, str(ROOT))
    from flask_migrate import upgrade

    from app import create_app
    from core.extensions import db
    from reminders.models import Notification, NotificationKind

    DATA.mkdir(exist_ok=True)
    received = DATA / "mail-received.txt"
    received.unlink(missing_ok=True)
    for old in DATA.glob("scheduler-*.log"):
        old.unlink()
    app = create_app()
    now = datetime.now(UTC)
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
    shift_ids = seed(app, now)
    print(f"seeded {SIGN_UPS} volunteers on {len(shift_ids)} shifts")

    port = free_port()
    sink = subprocess.Popen(
        [sys.executable, "-m", "bench.mail_sink", str(port), str(received)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    sink.stdout.readline()  # "listening"
    environment.update(
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=str(port),
        MAIL_DEFAULT_SENDER="noreply@bench.example",
        SITE_URL="https://volunteer.example",
    )
    schedulers = start_schedulers(environment, DATA)
    try:
        wait_for_active(DATA, time.monotonic() + 60)
        with app.app_context():
            move_shifts(shift_ids, datetime.now(UTC) + timedelta(minutes=100))
        due = time.monotonic()
        print("reminders due now; waiting for the inbox and the mail")
        in_inbox = all_mailed = None
        deadline = due + DEADLINE_SECONDS
        while time.monotonic() < deadline and all_mailed is None:
            time.sleep(1)
            if in_inbox is None:
                with app.app_context():
                    stored = db.session.scalar(
                        select(func.count()).where(Notification.kind == NotificationKind.shift_soon)
                    )
                    db.session.rollback()
                if stored >= SIGN_UPS:
                    in_inbox = time.monotonic() - due
                    print(f"all {stored} in the inbox after {in_inbox:.0f} s")
            if distinct_received(received) >= SIGN_UPS:
                all_mailed = time.monotonic() - due
        count = distinct_received(received)
        print(
            f"{count} distinct Message-IDs received"
            + (f" after {all_mailed:.0f} s" if all_mailed else "")
        )
    finally:
        for process in schedulers:
            process.terminate()
        for process in schedulers:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
        sink.terminate()
        sink.wait(timeout=10)
    run_lines = sum(
        log.read_text().count("notifications created") for log in DATA.glob("scheduler-*.log")
    )
    write_results(in_inbox, all_mailed, count, run_lines)
    return 0 if all_mailed is not None and all_mailed <= TARGET_SECONDS else 1


def write_results(in_inbox, all_mailed, count: int, runs: int) -> None:
    """Put the figure into bench/RESULTS.md between its markers (`make bench` keeps it)."""
    load = os.getloadavg()[0]
    verdict = "within" if all_mailed is not None and all_mailed <= TARGET_SECONDS else "NOT within"
    section = "\n".join(
        [
            BEGIN,
            "## Mail at city scale (`make bench-mail`)",
            "",
            f"Run on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} cores, load average"
            f" {load:.2f} at the end; PostgreSQL; two schedulers (one active), a run a minute;"
            " SMTP to aiosmtpd in another process.",
            "",
            "| measurement | seconds | target |",
            "| --- | --- | --- |",
            f'| {SIGN_UPS:,} "starting soon" reminders due at one moment: all in the inbox'
            f" | {in_inbox:.0f} |  |"
            if in_inbox is not None
            else "| inbox | not reached | |",
            f"| … and all handed over SMTP ({count:,} distinct Message-IDs received)"
            f" | {all_mailed:.0f} | ≤ {TARGET_SECONDS} ({verdict}) |"
            if all_mailed is not None
            else f"| mail | {count:,} received by the deadline | ≤ {TARGET_SECONDS} |",
            "",
            f"Scheduler runs that logged a line: {runs}.",
            END,
        ]
    )
    path = BENCH / "RESULTS.md"
    body = path.read_text() if path.exists() else "# Benchmark results\n"
    if BEGIN in body and END in body:
        before, rest = body.split(BEGIN, 1)
        body = before + section + rest.split(END, 1)[1]
    else:
        body = body.rstrip("\n") + "\n\n" + section + "\n"
    path.write_text(body)
    print(section)


if __name__ == "__main__":
    sys.exit(main())
