"""Scaled out as a city runs it: two gunicorn instances and two schedulers on one PostgreSQL
and Redis. A session and a CSRF token from one instance work on the other; the login limit
counts across both and by the client's real address; and under a load of sign-ups, check-ins
and redemptions with reminders and email due, one instance (master and workers) and the active
scheduler are killed and then every database connection is cut: no 5xx beyond the requests in
flight, every reminder once, every email delivered, the ledger clean.

PostgreSQL only (SQLite is one server's database) and Redis at 127.0.0.1:6379 (`.ci/run`
starts it)."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import redis
import requests
from sqlalchemy import func, select, text

from core.auth import services as auth
from core.clock import utcnow
from core.extensions import db
from core.settings import current_settings
from events import services as events
from points import services as points
from reminders import services as reminders
from reminders.models import EmailStatus, Notification
from tests.builders import DEFAULT_PASSWORD, give_points, make_merchant, make_shift, make_user
from tests.reminders.test_scheduler import ACTIVE, Scheduler, wait_for
from tests.smtp import free_port

ROOT = Path(__file__).resolve().parent.parent
REDIS_URL = "redis://127.0.0.1:6379/7"
SECRET = "scale-out-secret"
THREADS = 6
# Seconds between one thread's requests: the writes last about as long as the test's story.
PACE = 0.05
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


@pytest.fixture
def shared_redis() -> Iterator[str]:
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.RedisError:
        pytest.skip("Redis is not running at 127.0.0.1:6379 (.ci/run starts it)")
    client.flushdb()
    try:
        yield REDIS_URL
    finally:
        client.flushdb()
        client.close()


@pytest.fixture
def environment(app, _migrated, shared_redis, smtp_server) -> dict[str, str]:
    if db.engine.dialect.name != "postgresql":
        pytest.skip("scaling out needs PostgreSQL: SQLite is one server's database")
    keep = {k: v for k, v in os.environ.items() if not k.startswith(("MAIL_", "SCHEDULER_"))}
    return keep | {
        "APP_ENV": "production",
        "LOG_FORMAT": "json",
        "DATABASE_URL": _migrated,
        "SECRET_KEY": SECRET,
        "RATELIMIT_ENABLED": "true",
        "RATELIMIT_STORAGE_URI": shared_redis,
        "PROXY_FIX": "true",
        "LOGIN_ATTEMPTS_PER_PHONE": "5 per 15 minutes",
        "LOGIN_ATTEMPTS_PER_ADDRESS": "8 per 15 minutes",
        "PASSWORD_HASH_TIME_COST": "1",
        "PASSWORD_HASH_MEMORY_COST": "64",
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": str(smtp_server.port),
        "MAIL_DEFAULT_SENDER": "noreply@volunteer.example",
        "MAIL_LEASE_SECONDS": "3",
        "SCHEDULER_INTERVAL_SECONDS": "1",
        "SCHEDULER_STANDBY_POLL_SECONDS": "0.2",
        "PYTHONUNBUFFERED": "1",
        # Production needs an SMS provider; nothing here asks for a code.
        "SMS_PROVIDER": "aliyun",
        "ALIYUN_SMS_ACCESS_KEY_ID": "LTAI-test-id",
        "ALIYUN_SMS_ACCESS_KEY_SECRET": "test-secret",
        "ALIYUN_SMS_SIGN_NAME": "文明实践积分",
        "ALIYUN_SMS_TEMPLATE_SIGN_IN": "SMS_100000001",
        "ALIYUN_SMS_TEMPLATE_REGISTER": "SMS_100000002",
        "ALIYUN_SMS_TEMPLATE_RESET_PASSWORD": "SMS_100000003",
    }


class Instance:
    """One gunicorn (a master and two workers) in a process group of its own."""

    def __init__(self, name: str, env: dict[str, str], log_dir: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = log_dir / f"{name}.log"
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(
                [
                    *(sys.executable, "-m", "gunicorn", "--workers", "2"),
                    *("--bind", f"127.0.0.1:{self.port}", "--graceful-timeout", "5"),
                    "app:create_app()",
                ],
                cwd=ROOT,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=log,
                start_new_session=True,
            )
        wait_for(self.ready, f"{name} to answer /readyz", timeout=30)

    def ready(self) -> bool:
        try:
            return requests.get(f"{self.url}/readyz", timeout=2).status_code == 200
        except requests.RequestException:
            return False

    def kill(self) -> None:
        """SIGKILL to the master and every worker at once."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)


@pytest.fixture
def start(environment, tmp_path) -> Iterator[Callable]:
    started: list = []

    def begin(kind: str, name: str):
        if kind == "gunicorn":
            made = Instance(name, environment, tmp_path)
        else:
            made = Scheduler(name, environment, tmp_path)
        started.append(made)
        return made

    try:
        yield begin
    finally:
        for each in started:
            if isinstance(each, Instance):
                each.kill()
            else:
                each.end()


def bearer(user, now) -> dict[str, str]:
    _, secret = auth.issue_token(user, now=now, days=1)
    return {"Authorization": f"Bearer {secret}"}


def csrf_token(session: requests.Session, url: str) -> str:
    return CSRF.search(session.get(url, timeout=10).text).group(1)


def sign_in(session: requests.Session, base: str, phone: str, password: str, forwarded: str):
    return session.post(
        f"{base}/login",
        data={
            "phone": phone,
            "password": password,
            "csrf_token": csrf_token(session, f"{base}/login"),
        },
        headers={"X-Forwarded-For": forwarded},
        allow_redirects=False,
        timeout=10,
    )


def test_a_session_and_its_csrf_token_work_on_either_instance(start):
    volunteer = make_user(display_name="跨实例")
    shift = make_shift(starts_in_hours=48)
    phone, shift_id = volunteer.phone, shift.id
    db.session.commit()
    first, second = start("gunicorn", "first"), start("gunicorn", "second")
    browser = requests.Session()

    signed_in = sign_in(browser, first.url, phone, DEFAULT_PASSWORD, "198.51.100.1")
    token = csrf_token(browser, f"{first.url}/activities/{shift.activity_id}")
    signed_up = browser.post(
        f"{second.url}/shifts/{shift_id}/sign-up",
        data={"csrf_token": token},
        allow_redirects=False,
        timeout=10,
    )

    assert signed_in.status_code == 302
    assert browser.get(f"{second.url}/me/shifts", timeout=10).url.endswith("/me/shifts")
    assert signed_up.status_code == 302, signed_up.text
    db.session.expire_all()
    assert events.find_sign_up(volunteer, shift_id) is not None


def test_the_login_limit_counts_across_instances_by_the_real_address(start):
    target = make_user(display_name="被试密码的")
    phones = [make_user().phone for _ in range(4)]
    db.session.commit()
    both = [start("gunicorn", "first"), start("gunicorn", "second")]

    tries = [
        sign_in(requests.Session(), both[n % 2].url, target.phone, "wrong", f"198.51.100.{n}")
        for n in range(6)
    ]
    # Per address: eight tries from one client, whichever phones and instances.
    from_one = [
        sign_in(requests.Session(), both[n % 2].url, phones[n % 4], "wrong", "203.0.113.9")
        for n in range(9)
    ]
    elsewhere = sign_in(requests.Session(), both[0].url, phones[0], "wrong", "203.0.113.10")

    assert [r.status_code for r in tries] == [200] * 5 + [429]
    assert [r.status_code for r in from_one] == [200] * 8 + [429]
    assert elsewhere.status_code == 200


class Load:
    """API sign-ups, check-ins and redemptions from THREADS threads on the live instances,
    paced to last through the kill and the cut, then balance reads until stopped; records
    when each request began and how it ended."""

    def __init__(
        self,
        work: list[Callable[[str], requests.Response]],
        idle: Callable[[str], requests.Response],
    ) -> None:
        self.work, self.idle = work, idle
        self.instances: list = []
        self.results: list[tuple[float, int | str]] = []
        self.stop = threading.Event()
        # Set once every write has been answered: a slow machine takes longer, never fewer.
        self.worked = threading.Event()
        self._answered = 0
        self._lock = threading.Lock()
        self._threads = [threading.Thread(target=self._run, args=(n,)) for n in range(THREADS)]

    def _run(self, n: int) -> None:
        step = n
        while not self.stop.wait(PACE):
            with self._lock:
                call = self.work[step] if step < len(self.work) else self.idle
                instance = self.instances[step % len(self.instances)]
            step += THREADS
            began = time.monotonic()
            try:
                outcome: int | str = call(instance.url).status_code
            except requests.RequestException as error:
                outcome = type(error).__name__
            with self._lock:
                self.results.append((began, outcome))
                if call is not self.idle:
                    self._answered += 1
                    if self._answered == len(self.work):
                        self.worked.set()

    def begin(self, instances: list) -> None:
        self.instances = instances
        for thread in self._threads:
            thread.start()

    def end(self) -> None:
        self.stop.set()
        for thread in self._threads:
            thread.join(timeout=30)


def load_of(volunteers, tokens, codes, shifts, code, staff_headers, item_id) -> list[Callable]:
    """Each volunteer signs up for the shifts, checks in and spends at the counter."""
    work: list[Callable] = []
    for volunteer in volunteers:
        headers = tokens[volunteer.id]
        for shift_id in shifts:
            work.append(
                lambda base, h=headers, s=shift_id: requests.post(
                    f"{base}/api/v1/shifts/{s}/sign-up", json={}, headers=h, timeout=20
                )
            )
        work.append(
            lambda base, h=headers: requests.post(
                f"{base}/api/v1/check-ins", json={"token": code}, headers=h, timeout=20
            )
        )
        work.append(
            lambda base, h=headers, v=volunteer.id: requests.post(
                f"{base}/api/v1/redemptions",
                json={"code": codes[v], "lines": [{"item_id": item_id, "quantity": 1}]},
                headers={**staff_headers, "Idempotency-Key": f"scale-{v}"},
                timeout=20,
            )
        )
    return work


def test_killing_an_instance_and_the_active_scheduler_then_cutting_the_database(
    start, environment, smtp_server
):
    now = utcnow()
    # Checked in to now, signed up for soon (its reminder due): the two do not overlap.
    live = make_shift(starts_in_hours=0, hours=1, capacity=60, walk_ins=True)
    soon = make_shift(starts_in_hours=1.5, hours=1, capacity=60)
    later = [make_shift(starts_in_hours=24 * 3 + 6 * n, capacity=60) for n in range(8)]
    _, staff, (item,) = make_merchant(items=(("环保购物袋", 1, None),))
    volunteers = [make_user(display_name=f"志愿者{n}") for n in range(40)]
    tokens, codes = {}, {}
    for n, volunteer in enumerate(volunteers):
        volunteer.email = f"v{n}@volunteer.example"
        events.sign_up(volunteer, soon.id, now=now)  # a "starting soon" reminder is due
        give_points(volunteer, 20)
        tokens[volunteer.id] = bearer(volunteer, now)
        codes[volunteer.id] = points.issue_redeem_code(volunteer, now=now, lifetime_minutes=30).code
    staff_headers = bearer(staff, now)
    code, _ = events.check_in_code(live.activity.team.founder, live.id, now=now, secret=SECRET)
    work = load_of(volunteers, tokens, codes, [s.id for s in later], code, staff_headers, item.id)
    db.session.commit()

    first, second = start("gunicorn", "first"), start("gunicorn", "second")
    schedulers = [start("scheduler", "scheduler-a"), start("scheduler", "scheduler-b")]
    wait_for(lambda: any(s.says(ACTIVE) for s in schedulers), "a scheduler", *schedulers)
    balance = tokens[volunteers[0].id]
    load = Load(
        work, lambda base: requests.get(f"{base}/api/v1/me/points", headers=balance, timeout=20)
    )
    load.begin([first, second])
    time.sleep(3)

    first.kill()
    active = next(s for s in schedulers if s.says(ACTIVE))
    active.process.send_signal(signal.SIGKILL)
    load.instances = [second]
    time.sleep(1)
    cut_at = time.monotonic()
    cut = db.session.execute(
        text(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
    ).scalar()
    db.session.commit()
    time.sleep(4)
    assert load.worked.wait(timeout=120), "the writes were not all answered"
    load.end()

    assert cut > 0
    writes_after_cut = [b for b, _ in load.results if b > cut_at + 1]
    assert writes_after_cut, "the load ended before the database was cut"
    statuses = [outcome for _, outcome in load.results]
    server_errors = [(began, o) for began, o in load.results if isinstance(o, int) and o >= 500]
    assert len(server_errors) <= 2 * THREADS, (
        server_errors
    )  # at most one in flight per thread, twice
    assert not [b for b, _ in server_errors if b > cut_at + 1], server_errors
    assert statuses.count(201) + statuses.count(200) > len(work) / 2, statuses

    # Every reminder once and every email delivered, by the surviving scheduler.
    survivor = next(s for s in schedulers if s is not active)
    wait_for(lambda: survivor.says(ACTIVE), "the standby to take over", survivor, timeout=30)

    def mail_settled() -> bool:
        db.session.expire_all()
        waiting = db.session.scalar(
            select(func.count()).where(
                Notification.email_status.in_((EmailStatus.pending, EmailStatus.sending))
            )
        )
        due = reminders.find_due(utcnow(), current_settings().reminders)
        db.session.commit()
        return waiting == 0 and not due

    wait_for(mail_settled, "every reminder created and mailed", survivor, timeout=60)
    sent = db.session.scalars(
        select(Notification.id).where(Notification.email_status == EmailStatus.sent)
    ).all()
    failed = db.session.scalar(
        select(func.count()).where(Notification.email_status == EmailStatus.failed)
    )
    db.session.commit()
    ids = [m["Message-ID"] for m in smtp_server.handler.messages]
    assert failed == 0
    assert {f"<notification-{i}@volunteer.example>" for i in sent} == set(ids)
    assert len(ids) - len(set(ids)) <= 1  # only what was in flight when the scheduler died
    assert len(sent) >= len(volunteers)

    verify = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "app", "points", "verify"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert verify.returncode == 0, verify.stdout + verify.stderr
    assert second.process.poll() is None
