"""`make bench`: city-scale benchmarks of the platform against the floor of its own stack.

Generates the data (bench/seed.py), serves the app under gunicorn, and drives it with locust
in separate processes: peak throughput from a closed loop, latency at a fixed rate of about
60% of the peak. Pages are driven as a browser drives them: a session cookie from a real
sign-in through the login form, and the CSRF token read from a form. Each endpoint is
measured beside its floor (one INSERT and commit, or a bare JSON answer) three times,
interleaved, and the median ratio reported. Then it times the season report on the million
check-ins against one hand-written GROUP BY, and the reminder scan as the stored shifts grow
from 20,000 to 200,000. Prints one table and writes it, with the machine's details, to
bench/RESULTS.md.
"""

from __future__ import annotations

import heapq
import http.cookiejar
import json
import os
import platform
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from flask_migrate import upgrade
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from bench import mail

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
LOCUST = Path(os.environ.get("BENCH_LOCUST", ROOT / ".venv-bench" / "bin" / "locust"))
SECRET = "bench-secret-key"
RUN_SECONDS = float(os.environ.get("BENCH_RUN_SECONDS", "4"))
REPEATS = int(os.environ.get("BENCH_REPEATS", "3"))
USERS = int(os.environ.get("BENCH_USERS", "16"))
# Volunteers signed in as browsers for the sign-up by page (each signs up many times).
PAGE_VOLUNTEERS = int(os.environ.get("BENCH_PAGE_VOLUNTEERS", "300"))
WORKERS = int(os.environ.get("BENCH_WORKERS", str(2 * (os.cpu_count() or 1) + 1)))
LOCAL_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


# The database -------------------------------------------------------------------------------


def _postgres_reachable() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 5432), timeout=1):
            return True
    except OSError:
        return False


def choose_database() -> tuple[str, str]:
    """BENCH_DATABASE_URL, else a fresh database on the local PostgreSQL, else SQLite."""
    if url := os.environ.get("BENCH_DATABASE_URL"):
        return url, "PostgreSQL" if url.startswith("postgresql") else "SQLite"
    if _postgres_reachable():
        admin = create_engine(LOCAL_POSTGRES, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text('DROP DATABASE IF EXISTS "vp_bench" WITH (FORCE)'))
            conn.execute(text('CREATE DATABASE "vp_bench"'))
        admin.dispose()
        url = make_url(LOCAL_POSTGRES).set(database="vp_bench")
        return url.render_as_string(hide_password=False), "PostgreSQL"
    path = BENCH / ".data" / "bench.sqlite3"
    path.parent.mkdir(exist_ok=True)
    for leftover in path.parent.glob("bench.sqlite3*"):
        leftover.unlink()
    return f"sqlite:///{path}", "SQLite (no PostgreSQL found)"


def app_environment(database_url: str) -> dict[str, str]:
    """The settings the served app and this process share."""
    return {
        "DATABASE_URL": database_url,
        "SECRET_KEY": SECRET,
        # The benchmark is one address sending thousands of requests: not what limits are for.
        "RATELIMIT_ENABLED": "false",
        "PASSWORD_HASH_TIME_COST": "1",
        "PASSWORD_HASH_MEMORY_COST": "8192",
    }


# Serving --------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """gunicorn serving bench.wsgi on loopback, its log kept for the 'database is locked'
    count."""

    def __init__(self, environment: dict[str, str]) -> None:
        self.port = free_port()
        # Kept open for the server's lifetime, read for the 'database is locked' count.
        self.log = tempfile.NamedTemporaryFile("w+", suffix=".log", delete=False)  # noqa: SIM115
        self.process = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "gunicorn"),
                "--workers",
                str(WORKERS),
                "--bind",
                f"127.0.0.1:{self.port}",
                "--backlog",
                "2048",
                "--log-level",
                "warning",
                "bench.wsgi:create_bench_app()",
            ],
            cwd=ROOT,
            env={**os.environ, **environment},
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        self.url = f"http://127.0.0.1:{self.port}"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(self.url + "/bench/json", timeout=2).read()
                return
            except OSError:
                time.sleep(0.3)
        raise RuntimeError("gunicorn did not come up:\n" + Path(self.log.name).read_text())

    def locked_count(self) -> int:
        return Path(self.log.name).read_text().count("database is locked")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


_CSRF_FIELD = re.compile(r'name="csrf_token"[^>]*?value="([^"]+)"')


def csrf_token_in(page: str) -> str:
    """The CSRF token of the first form on a page ("" if it has none)."""
    found = _CSRF_FIELD.search(page)
    return found.group(1) if found else ""


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *_args, **_kwargs):
        return None


def _signed_in_browser(
    server: Server, phone: str, password: str
) -> tuple[urllib.request.OpenerDirector, http.cookiejar.CookieJar]:
    """What a browser does to sign in: GET the sign-in page, POST its form with the CSRF token
    read from it, keep the cookies it is answered with (the redirect is not followed)."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), _NoRedirect())
    token = csrf_token_in(opener.open(server.url + "/login").read().decode())
    body = urllib.parse.urlencode({"phone": phone, "password": password, "csrf_token": token})
    try:
        opener.open(server.url + "/login", data=body.encode()).read()
    except urllib.error.HTTPError as answer:  # the 302 to the start page, not followed
        if answer.code != 302:
            raise RuntimeError(f"sign-in of {phone} answered {answer.code}") from answer
    else:
        raise RuntimeError(f"sign-in of {phone} was refused (no redirect)")
    return opener, jar


def _cookie_header(jar: http.cookiejar.CookieJar) -> str:
    return "; ".join(f"{c.name}={c.value}" for c in jar)


def sign_in_cookie(server: Server, phone: str, password: str) -> str:
    """A real sign-in through the login form; returns the Cookie header of the session."""
    _opener, jar = _signed_in_browser(server, phone, password)
    return _cookie_header(jar)


def browser_session(server: Server, phone: str, password: str, page: str) -> tuple[str, str]:
    """A real sign-in, then `page` opened as the signed-in browser: returns the Cookie header
    as it stands after the page (the page may rewrite the session) and the CSRF token of the
    page's form. Flask-WTF's token is per session, so one serves every form the session posts."""
    opener, jar = _signed_in_browser(server, phone, password)
    token = csrf_token_in(opener.open(server.url + page).read().decode())
    if not token:
        raise RuntimeError(f"no CSRF token on {page} for {phone}")
    return _cookie_header(jar), token


def sign_in_browsers(
    server: Server, visits: list[tuple[str, str]], password: str
) -> list[tuple[str, str]]:
    """browser_session for each (phone, page), a few at a time: each pays for a password
    hash on the server."""
    with ThreadPoolExecutor(max_workers=4) as workers:
        return list(
            workers.map(lambda visit: browser_session(server, visit[0], password, visit[1]), visits)
        )


# Load -----------------------------------------------------------------------------------------


@dataclass
class Measure:
    """One locust run."""

    requests: int
    failures: int
    rps: float
    p50: float
    p99: float


def run_locust(
    server: Server, name: str, items: list[dict], *, rate: float | None, expect: str
) -> Measure:
    """Drive the server with the items: closed loop (rate None) or a fixed total rate."""
    with tempfile.TemporaryDirectory() as scratch:
        data = Path(scratch) / "items.json"
        data.write_text(json.dumps(items))
        prefix = Path(scratch) / "out"
        environment = {
            **os.environ,
            "BENCH_ITEMS": str(data),
            "BENCH_SCENARIO": name,
            "BENCH_EXPECT": expect,
            "BENCH_RATE": str(rate / USERS) if rate else "0",
        }
        subprocess.run(
            [
                str(LOCUST),
                "-f",
                str(BENCH / "locustfile.py"),
                "--headless",
                "--only-summary",
                "--users",
                str(USERS),
                "--spawn-rate",
                str(USERS),
                "--run-time",
                f"{round(RUN_SECONDS)}s",
                "--stop-timeout",
                "10",
                "--host",
                server.url,
                "--csv",
                str(prefix),
                "--loglevel",
                "ERROR",
            ],
            env=environment,
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        rows = (Path(f"{prefix}_stats.csv")).read_text().splitlines()
        failures = Path(f"{prefix}_failures.csv")
        if failures.exists() and len(failures.read_text().splitlines()) > 1:
            print(f"  {name}: failures:", *failures.read_text().splitlines()[1:4], sep="\n    ")
    header = rows[0].split(",")
    total = dict(zip(header, rows[-1].split(","), strict=False))
    return Measure(
        requests=int(total["Request Count"]),
        failures=int(total["Failure Count"]),
        rps=float(total["Requests/s"]),
        p50=float(total["50%"] if total["50%"] != "N/A" else 0),
        p99=float(total["99%"] if total["99%"] != "N/A" else 0),
    )


def shift_chains(shifts) -> list[list[tuple[int, int]]]:
    """The shifts (id, activity id, starts_at, ends_at) as few chains as hold them, each of
    (id, activity id) in time order with no two overlapping: a volunteer may sign up to every
    shift of one chain."""
    ends: list[tuple[datetime, int]] = []  # (end of a chain's last shift, chain), a heap
    chains: list[list[tuple[int, int]]] = []
    for shift_id, activity_id, starts_at, ends_at in sorted(shifts, key=lambda s: (s[2], s[0])):
        if ends and ends[0][0] <= starts_at:
            _, chain = heapq.heappop(ends)
        else:
            chain = len(chains)
            chains.append([])
        chains[chain].append((shift_id, activity_id))
        heapq.heappush(ends, (ends_at, chain))
    return chains


class Pool:
    """Ids that a write consumes (a volunteer checks in once, spends one code): a run is given
    the next ones, and only what it used is taken, so nothing is repeated or wasted."""

    def __init__(self, ids: list[int]) -> None:
        self.ids = ids
        self.position = 0

    def next(self, count: int) -> list[int]:
        return self.ids[self.position : self.position + count]

    def used(self, count: int) -> None:
        # In-flight requests at the stop may have been served without being counted.
        self.position = min(self.position + count + USERS, len(self.ids))


@dataclass
class Pair:
    """An endpoint measured beside its floor: each round gives the floor's and the endpoint's
    peaks, then both at the same fixed rate (60% of the endpoint's peak)."""

    name: str
    label: str
    make: Callable[[int], list[dict]]
    floor: Callable[[int], list[dict]]
    pool: Pool | None = None
    target: float | None = None
    expect: str = "200,201"
    rounds: list[tuple[Measure, Measure, Measure, Measure]] = field(default_factory=list)
    # Answers that counted as success but did not do the work (see page_sign_ups).
    refused: int = 0


PEAK_ITEMS = 1500  # per second of a run: more than any endpoint here serves


def _run(
    server: Server,
    name: str,
    make,
    pool: Pool | None,
    count: int,
    rate,
    expect: str = "200,201",
) -> Measure:
    result = run_locust(server, name, make(count), rate=rate, expect=expect)
    if pool is not None:
        pool.used(result.requests)
    return result


def measure(server: Server, pair: Pair) -> None:
    """One round of a pair."""
    peak_items = int(PEAK_ITEMS * RUN_SECONDS)
    floor_peak = _run(server, "floor", pair.floor, None, peak_items, None)
    peak = _run(server, pair.name, pair.make, pair.pool, peak_items, None, pair.expect)
    rate = max(peak.rps * 0.6, 1.0)
    fixed_items = int(rate * RUN_SECONDS * 1.5) + 50
    fixed = _run(server, pair.name, pair.make, pair.pool, fixed_items, rate, pair.expect)
    floor_fixed = _run(server, "floor", pair.floor, None, fixed_items, rate)
    pair.rounds.append((floor_peak, peak, fixed, floor_fixed))


# In-process measurements -----------------------------------------------------------------


def analyze(db) -> None:
    """Refresh the planner's statistics after a bulk load, as autovacuum would in time: with
    a table it believes empty, PostgreSQL picks nested loops that take a hundred times longer."""
    db.session.execute(text("ANALYZE"))
    db.session.commit()


def time_median(work: Callable[[], object], runs: int = 5) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


SEASON_SQL = """
SELECT c.season, count(*) AS person_times, count(DISTINCT ci.user_id) AS volunteers,
       coalesce(sum(ci.served_minutes), 0) AS minutes, coalesce(sum(ci.points_due), 0) AS points,
       count(DISTINCT a.id) AS activities, count(DISTINCT s.id) AS shifts,
       count(DISTINCT a.team_id) AS teams
FROM check_in ci
JOIN shift s ON s.id = ci.shift_id
JOIN activity a ON a.id = s.activity_id
JOIN campaign c ON c.id = a.campaign_id
WHERE ci.status = 'confirmed' AND c.year = :year
GROUP BY c.season
"""


def scale(seed):
    """The city's scale, or a small one (BENCH_SCALE=small) to try the harness quickly."""
    if os.environ.get("BENCH_SCALE") == "small":
        return seed.Scale(
            volunteers=6000,
            teams=50,
            past_shifts=500,
            check_ins=10_000,
            merchants=60,
            live_shifts=50,
        )
    return seed.Scale()


def main() -> int:
    started = time.monotonic()
    # Whatever else keeps the cores busy lowers every figure; the results say how busy.
    load = os.getloadavg()[0]
    database_url, database = choose_database()
    environment = app_environment(database_url)
    os.environ.update(environment)
    sys.path.insert(0, str(ROOT))

    from app import create_app
    from bench import seed
    from bench.wsgi import floor_metadata
    from core.auth.models import User
    from core.extensions import db
    from core.settings import current_settings
    from events import services as events
    from events.models import Shift, SignUp, SignUpStatus
    from office import services as office
    from points.models import RedeemCode
    from reminders import services as reminders

    app = create_app()
    print(f"database: {database}")
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        floor_metadata.create_all(db.engine)
        now = datetime.now(UTC)
        seeding = time.monotonic()
        info = seed.seed(scale(seed), now=now)
        analyze(db)
        print(f"seeded in {time.monotonic() - seeding:.0f} s")
        live_shifts = sorted(set(info.live_shift_of.values()))
        db.session.commit()

    server = Server(environment)
    cookie = sign_in_cookie(server, info.listing_phone, seed.PASSWORD)
    arrivals, joiners = (Pool(list(info.volunteer_ids)) for _ in range(2))

    class UnspentCodes(Pool):
        """Volunteers whose code is still unspent, read from the database each time: a
        redemption the load generator lost count of must not be tried again."""

        def next(self, count: int) -> list[int]:
            with app.app_context():
                return list(
                    db.session.scalars(
                        select(RedeemCode.user_id)
                        .where(RedeemCode.used_at.is_(None), RedeemCode.user_id.in_(wanted))
                        .order_by(RedeemCode.user_id)
                        .limit(count)
                    )
                )

    wanted = set(info.volunteer_ids)
    spenders = UnspentCodes([])

    def bearer(user_id: int) -> dict[str, str]:
        return {"Authorization": f"Bearer {seed.token_secret(user_id)}"}

    def check_ins(count: int) -> list[dict]:
        with app.app_context():
            office_user = db.session.get(User, info.office_id)
            codes = {
                shift_id: events.check_in_code(
                    office_user,
                    shift_id,
                    now=datetime.now(UTC),
                    secret=current_settings().check_in_secret,
                )[0]
                for shift_id in live_shifts
            }
        return [
            {
                "m": "POST",
                "p": "/api/v1/check-ins",
                "h": bearer(v),
                "j": {"token": codes[info.live_shift_of[v]]},
            }
            for v in arrivals.next(count)
        ]

    future = info.future_shift_ids

    def sign_ups(count: int) -> list[dict]:
        return [
            {
                "m": "POST",
                "p": f"/api/v1/shifts/{future[n % len(future)]}/sign-up",
                "h": bearer(v),
                "j": {},
            }
            for n, v in enumerate(joiners.next(count))
        ]

    # Sign-ups by page, as a browser sends them: volunteers from the far end of the list (the
    # API scenarios take theirs from the start; the very last reads the listing), each signed
    # in once through the login form, with the CSRF token of an activity page it opened. A
    # sign-in costs a password hash, so each volunteer signs up many times, along a chain of
    # shifts that do not overlap (none is refused); consecutive requests are different
    # volunteers on different shifts, as in the API's sign-up.
    with app.app_context():
        rows = db.session.execute(
            select(Shift.id, Shift.activity_id, Shift.starts_at, Shift.ends_at).where(
                Shift.id.in_(future)
            )
        ).all()
    chains = shift_chains(rows)
    page_volunteers = info.volunteer_ids[-(PAGE_VOLUNTEERS + 1) : -1]
    page_pairs = [
        (k, chains[k % len(chains)][j])
        for j in range(max(len(chain) for chain in chains))
        for k in range(len(page_volunteers))
        if j < len(chains[k % len(chains)])
    ]
    signing_in = time.monotonic()
    sessions = sign_in_browsers(
        server,
        [
            (info.phone_of[v], f"/activities/{chains[k % len(chains)][0][1]}")
            for k, v in enumerate(page_volunteers)
        ],
        seed.PASSWORD,
    )
    print(f"{len(sessions)} volunteers signed in in {time.monotonic() - signing_in:.0f} s")
    page_slots = Pool(list(range(len(page_pairs))))

    def page_sign_ups(count: int) -> list[dict]:
        items = []
        for n in page_slots.next(count):
            k, (shift_id, _activity_id) = page_pairs[n]
            cookie, token = sessions[k]
            items.append(
                {
                    "m": "POST",
                    "p": f"/shifts/{shift_id}/sign-up",
                    "h": {"Cookie": cookie},
                    "f": {"csrf_token": token},
                }
            )
        return items

    def page_sign_ups_stored() -> int:
        with app.app_context():
            return db.session.scalar(
                select(func.count())
                .select_from(SignUp)
                .where(SignUp.user_id.in_(page_volunteers), SignUp.status != SignUpStatus.cancelled)
            )

    def redemptions(hot: bool) -> Callable[[int], list[dict]]:
        merchants = info.staff_by_merchant[:1] if hot else info.staff_by_merchant[:50]

        def make(count: int) -> list[dict]:
            items = []
            for n, v in enumerate(spenders.next(count)):
                _, staff_id, item_id = merchants[n % len(merchants)]
                items.append(
                    {
                        "m": "POST",
                        "p": "/api/v1/redemptions",
                        "h": {**bearer(staff_id), "Idempotency-Key": uuid.uuid4().hex},
                        "j": {
                            "code": seed.redeem_code_of(v),
                            "lines": [{"item_id": item_id, "quantity": 1}],
                        },
                    }
                )
            return items

        return make

    def balances(count: int) -> list[dict]:
        ids = info.volunteer_ids
        return [
            {"m": "GET", "p": "/api/v1/me/points", "h": bearer(ids[n % len(ids)])}
            for n in range(count)
        ]

    listing_path = (
        f"/activities?district_id={info.listing_district_id}&day={info.listing_day.isoformat()}"
    )

    def listings(count: int) -> list[dict]:
        return [{"m": "GET", "p": listing_path, "h": {"Cookie": cookie}}] * count

    def floor_inserts(count: int) -> list[dict]:
        return [{"m": "POST", "p": "/bench/insert"}] * count

    def floor_json(count: int) -> list[dict]:
        return [{"m": "GET", "p": "/bench/json"}] * count

    pairs = [
        Pair(
            "check_in", "check-in (QR code, bearer token)", check_ins, floor_inserts, arrivals, 0.5
        ),
        Pair(
            "sign_up",
            "sign-up (a different volunteer and shift each)",
            sign_ups,
            floor_inserts,
            joiners,
            0.5,
        ),
        Pair(
            "sign_up_page",
            "sign-up by page (session cookie, CSRF token, answered 302)",
            page_sign_ups,
            floor_inserts,
            page_slots,
            expect="302",
        ),
        Pair(
            "redeem",
            "redemption across 50 merchants",
            redemptions(False),
            floor_inserts,
            spenders,
            0.4,
        ),
        Pair(
            "redeem_hot",
            "redemption at one merchant (hot account)",
            redemptions(True),
            floor_inserts,
            spenders,
        ),
        Pair("balance", "balance read (vs bare JSON)", balances, floor_json, None, 0.5),
        Pair("listing", "listing page, signed in (vs bare JSON)", listings, floor_json, None, 0.05),
    ]
    held_before = page_sign_ups_stored()
    try:
        for repeat in range(REPEATS):
            for pair in pairs:
                measure(server, pair)
            print(f"round {repeat + 1} of {REPEATS} done at {time.monotonic() - started:.0f} s")
        locked = server.locked_count()
    finally:
        server.stop()

    # A refused sign-up is answered 302 too (back to the activity, with a message): what was
    # answered 302 and not stored counts as an error (at least; a request served after its
    # run's count was taken may hide one).
    page = next(pair for pair in pairs if pair.name == "sign_up_page")
    answered = sum(
        m.requests - m.failures for _, peak, fixed, _ in page.rounds for m in (peak, fixed)
    )
    stored = page_sign_ups_stored() - held_before
    page.refused = max(answered - stored, 0)
    print(f"sign-up by page: {answered} answered 302, {stored} sign-ups stored")

    with app.app_context():
        office_user = db.session.get(User, info.office_id)
        year = info.report_year
        report = office.ReportFilter(year=year)
        app_seconds = time_median(lambda: office.breakdown(office_user, report, "season"))
        sql_seconds = time_median(
            lambda: db.session.execute(text(SEASON_SQL), {"year": year}).all()
        )
        same = sorted(
            (line.key.value, line.figures.person_times)
            for line in office.breakdown(office_user, report, "season")
        ) == sorted(
            (row[0], row[1]) for row in db.session.execute(text(SEASON_SQL), {"year": year})
        )
        db.session.commit()

        scan_now = datetime.now(UTC) + timedelta(minutes=1)
        reminder_settings = current_settings().reminders
        reminders.create_due_notifications(now=scan_now, settings=reminder_settings)
        db.session.commit()
        scans = {}
        stored = info.future_shift_count
        seed.add_future_shifts(max(20_000 - stored, 0), now=scan_now)
        db.session.commit()
        analyze(db)
        scans[20_000] = time_median(lambda: reminders.find_due(scan_now, reminder_settings))
        seed.add_future_shifts(180_000, now=scan_now)
        db.session.commit()
        analyze(db)
        scans[200_000] = time_median(lambda: reminders.find_due(scan_now, reminder_settings))

    lines = results_table(pairs, app_seconds, sql_seconds, same, scans, locked)
    text_out = "\n".join(lines)
    print(text_out)
    write_results(text_out, database, time.monotonic() - started, load)
    return 0


def _ratio(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def results_table(pairs, app_seconds, sql_seconds, same, scans, locked) -> list[str]:
    """The one table: each endpoint's peak and latency against its floor in the same run, then
    the report and the reminder scan."""
    med = statistics.median
    out = [
        "| measurement | req/s at peak | floor req/s | ratio | target | p50 / p99 ms at 60% of peak"
        " | floor p99 ms, same rate | p99 ratio (≤ 3) | errors |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for pair in pairs:
        floor_peak, peak, fixed, floor_fixed = zip(*pair.rounds, strict=True)
        ratios = [p.rps / f.rps for p, f in zip(peak, floor_peak, strict=True) if f.rps]
        p99s = [p.p99 / f.p99 for p, f in zip(fixed, floor_fixed, strict=True) if f.p99]
        errors = sum(m.failures for m in peak + fixed) + pair.refused
        target = f"≥ {pair.target}" if pair.target else "—"
        out.append(
            f"| {pair.label} | {med(m.rps for m in peak):.0f}"
            f" | {med(m.rps for m in floor_peak):.0f} | {_ratio(ratios):.2f} | {target}"
            f" | {med(m.p50 for m in fixed):.0f} / {med(m.p99 for m in fixed):.0f}"
            f" | {med(m.p99 for m in floor_fixed):.0f} | {_ratio(p99s):.1f} | {errors} |"
        )
    out += [
        "",
        "| measurement | result | target |",
        "| --- | --- | --- |",
        f"| season report on the check-ins (app call) | {app_seconds * 1000:.0f} ms | < 500 ms |",
        f"| the same figures by one hand-written GROUP BY | {sql_seconds * 1000:.0f} ms | |",
        f"| report ÷ hand-written query | {app_seconds / sql_seconds:.2f}"
        f" (same figures: {'yes' if same else 'NO'}) | ≤ 1.5 |",
        f"| reminder scan, 20,000 future shifts | {scans[20_000] * 1000:.1f} ms | < 100 ms |",
        f"| reminder scan, 200,000 future shifts | {scans[200_000] * 1000:.1f} ms | nearly flat |",
        f"| 'database is locked' in the server log | {locked} | 0 |",
    ]
    return out


def write_results(table: str, database: str, seconds: float, load: float) -> None:
    """bench/RESULTS.md: the machine, the settings, the table."""
    cpu = "unknown"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        found = re.search(r"model name\s*:\s*(.+)", cpuinfo.read_text())
        cpu = found.group(1).strip() if found else cpu
    memory = ""
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        found = re.search(r"MemTotal:\s*(\d+)", meminfo.read_text())
        memory = f", {int(found.group(1)) / 1024 / 1024:.0f} GiB" if found else ""
    body = [
        "# Benchmark results",
        "",
        f"Written by `make bench` on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC in {seconds:.0f} s.",
        "",
        f"- machine: {cpu}, {os.cpu_count()} cores{memory}; {platform.platform()};"
        f" load average {load:.2f} when the run began",
        f"- Python {platform.python_version()}; database: {database}",
        f"- gunicorn {WORKERS} sync workers; locust (FastHttpUser) in its own process,"
        f" {USERS} users, {RUN_SECONDS:.0f} s per run; each endpoint and its floor"
        f" {REPEATS}× interleaved",
        "- data: 50,000 volunteers, 500 teams, 20,000 past shifts with 1,000,000 confirmed"
        " check-ins, 200 merchants",
        "",
        table,
        "",
    ]
    notes = BENCH / "NOTES.md"
    if notes.exists():
        body += [notes.read_text()]
    # `make bench-mail` writes its own section; it is kept until that benchmark runs again.
    results = BENCH / "RESULTS.md"
    previous = results.read_text() if results.exists() else ""
    if mail.BEGIN in previous and mail.END in previous:
        section = previous.split(mail.BEGIN, 1)[1].split(mail.END, 1)[0]
        body += [mail.BEGIN + section + mail.END, ""]
    results.write_text("\n".join(body))


if __name__ == "__main__":
    raise SystemExit(main())
