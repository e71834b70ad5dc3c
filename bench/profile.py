"""`make bench-profile SCENARIO=check_in`: where one benchmarked request spends its time.

Runs COUNT requests of a scenario in this process, through the app's test client, against
the database `make bench` leaves behind (BENCH_DATABASE_URL, else `vp_bench` on the local
PostgreSQL), each with fresh data as the benchmark uses it (a different volunteer per write).
Prints the statements each request sends, grouped, and the CPU time per request, and writes
a pyinstrument profile to bench/.data/profile-SCENARIO.txt (and .html).

Scenarios: check_in, sign_up, sign_up_page, redemption, balance, listing, floor_insert,
floor_json. sign_up_page signs each volunteer in through the login form first (CSRF on, as a
browser does; not profiled) and posts the sign-up form with the session's CSRF token.
"""

from __future__ import annotations

import os
import sys
import time
import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import event, select, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / ".data"


@dataclass
class Item:
    """One request: a JSON body or form fields, sent by the client given (its cookies are a
    signed-in browser's) or else by the shared one."""

    method: str
    path: str
    headers: dict[str, str]
    json: dict | None = None
    form: dict[str, str] | None = None
    client: Any = None
    # (phone, page): sign in as a browser first and post the form with the page's CSRF token.
    sign_in: tuple[str, str] | None = None


def _bearer(user_id: int) -> dict[str, str]:
    from bench import seed

    return {"Authorization": f"Bearer {seed.token_secret(user_id)}"}


def _check_ins(db, count: int) -> list[Item]:
    from core.auth.models import Role, User
    from core.settings import current_settings
    from events import services as events

    now, secret = datetime.now(UTC), current_settings().check_in_secret
    rows = db.session.execute(
        text(
            "SELECT s.user_id, s.shift_id FROM sign_up s JOIN shift h ON h.id = s.shift_id "
            "WHERE h.starts_at <= :soon AND h.ends_at > :now AND s.status = 'confirmed' "
            "AND NOT EXISTS (SELECT 1 FROM check_in c "
            "WHERE c.user_id = s.user_id AND c.shift_id = s.shift_id) LIMIT :count"
        ),
        {"now": now, "soon": now + events.CHECK_IN_OPENS_BEFORE, "count": count},
    ).all()
    office = db.session.scalars(select(User).where(User.role == Role.office)).first()
    codes = {
        sid: events.check_in_code(office, sid, now=now, secret=secret)[0]
        for sid in {r[1] for r in rows}
    }
    return [Item("POST", "/api/v1/check-ins", _bearer(u), {"token": codes[s]}) for u, s in rows]


def _sign_up_pairs(db, count: int) -> list[tuple[int, int]]:
    """(volunteer, shift) pairs at random, the shift not started and with seats left, the
    volunteer holding no place that overlaps it (so that none is refused)."""
    return db.session.execute(
        text(
            "SELECT v.id, h.id FROM "
            "(SELECT id, row_number() OVER (ORDER BY random()) AS n FROM users "
            " WHERE role = 'volunteer' LIMIT :over) v JOIN "
            "(SELECT id, starts_at, ends_at, row_number() OVER (ORDER BY random()) AS n "
            " FROM shift WHERE starts_at > :now AND seats_taken < capacity LIMIT :over) h "
            "ON h.n = v.n "
            "WHERE NOT EXISTS (SELECT 1 FROM sign_up s JOIN shift f ON f.id = s.shift_id "
            " WHERE s.user_id = v.id AND s.status IN ('confirmed', 'waiting') "
            " AND f.starts_at < h.ends_at AND f.ends_at > h.starts_at) "
            "LIMIT :count"
        ),
        {"now": datetime.now(UTC), "count": count, "over": 2 * count},
    ).all()


def _sign_ups(db, count: int) -> list[Item]:
    return [
        Item("POST", f"/api/v1/shifts/{s}/sign-up", _bearer(u), {})
        for u, s in _sign_up_pairs(db, count)
    ]


def _sign_ups_by_page(db, count: int) -> list[Item]:
    """The sign-up form posted by each volunteer's own browser, signed in first (see
    _browser) on the shift's activity page."""
    items = []
    for user_id, shift_id in _sign_up_pairs(db, count):
        phone, activity_id = db.session.execute(
            text(
                "SELECT u.phone, s.activity_id FROM users u, shift s "
                "WHERE u.id = :user AND s.id = :shift"
            ),
            {"user": user_id, "shift": shift_id},
        ).one()
        path = f"/shifts/{shift_id}/sign-up"
        items.append(Item("POST", path, {}, form={}, sign_in=(phone, f"/activities/{activity_id}")))
    return items


def _browser(app, phone: str, page: str):
    """A test client keeping its cookies, as a browser: the sign-in page, its form posted with
    the CSRF token read from it, then `page`; returns the client and the CSRF token of the
    page's form. Outside any app context: a request inside one would share its `g`, and the
    signed-in user Flask-Login keeps there, with the next."""
    from bench import seed
    from bench.run import csrf_token_in

    browser = app.test_client()
    token = csrf_token_in(browser.get("/login").text)
    answer = browser.post(
        "/login", data={"phone": phone, "password": seed.PASSWORD, "csrf_token": token}
    )
    if answer.status_code != 302:
        raise RuntimeError(f"sign-in of {phone} answered {answer.status_code}")
    return browser, csrf_token_in(browser.get(page).text)


def _redemptions(db, count: int) -> list[Item]:
    from bench import seed

    counters = db.session.execute(
        text(
            "SELECT s.user_id, i.id FROM merchant_staff s "
            "JOIN catalog_item i ON i.merchant_id = s.merchant_id "
            "WHERE i.is_active AND (i.stock IS NULL OR i.stock > :count) LIMIT 50"
        ),
        {"count": count},
    ).all()
    spenders = db.session.scalars(
        text("SELECT user_id FROM redeem_code WHERE used_at IS NULL LIMIT :count"),
        {"count": count},
    ).all()
    items = []
    for n, volunteer_id in enumerate(spenders):
        staff_id, item_id = counters[n % len(counters)]
        headers = {**_bearer(staff_id), "Idempotency-Key": uuid.uuid4().hex}
        lines = [{"item_id": item_id, "quantity": 1}]
        body = {"code": seed.redeem_code_of(volunteer_id), "lines": lines}
        items.append(Item("POST", "/api/v1/redemptions", headers, body))
    return items


def _balances(db, count: int) -> list[Item]:
    ids = db.session.scalars(
        text("SELECT id FROM users WHERE role = 'volunteer' LIMIT :count"), {"count": count}
    ).all()
    return [Item("GET", "/api/v1/me/points", _bearer(u)) for u in ids]


def _listing(db, count: int) -> list[Item]:
    # The busiest district-day with at most 30 future shifts, as the benchmark's listing.
    district_id, day = db.session.execute(
        text(
            "SELECT a.district_id, s.service_day FROM shift s "
            "JOIN activity a ON a.id = s.activity_id WHERE s.starts_at > :now "
            "GROUP BY 1, 2 HAVING count(*) <= 30 ORDER BY count(*) DESC LIMIT 1"
        ),
        {"now": datetime.now(UTC)},
    ).one()
    return [Item("GET", f"/activities?district_id={district_id}&day={day}", {})] * count


SCENARIOS = {
    "check_in": _check_ins,
    "sign_up": _sign_ups,
    "sign_up_page": _sign_ups_by_page,
    "redemption": _redemptions,
    "balance": _balances,
    "listing": _listing,
    "floor_insert": lambda db, count: [Item("POST", "/bench/insert", {})] * count,
    "floor_json": lambda db, count: [Item("GET", "/bench/json", {})] * count,
}
# Scenarios that sign their volunteers in as browsers do: CSRF stays on for them.
BROWSER_SCENARIOS = {"sign_up_page"}


def _database_url() -> str:
    if url := os.environ.get("BENCH_DATABASE_URL"):
        return url
    from bench.run import LOCAL_POSTGRES

    return make_url(LOCAL_POSTGRES).set(database="vp_bench").render_as_string(False)


def main() -> int:
    scenario = sys.argv[1] if len(sys.argv) > 1 else ""
    if scenario not in SCENARIOS:
        print(f"usage: python -m bench.profile {{{','.join(SCENARIOS)}}} [COUNT]")
        return 2
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 300
    from bench.run import app_environment

    os.environ.update(app_environment(_database_url()))
    from pyinstrument import Profiler

    from bench import seed
    from bench.wsgi import create_bench_app
    from core.extensions import db

    app = create_bench_app()
    # CSRF is off only to sign the listing's reader in simply; on for the browser scenarios.
    app.config["WTF_CSRF_ENABLED"] = scenario in BROWSER_SCENARIOS
    client = app.test_client()
    with app.app_context():
        items = SCENARIOS[scenario](db, count)
        if scenario == "listing":
            phone = db.session.scalar(
                text("SELECT phone FROM users WHERE role = 'volunteer' ORDER BY id DESC LIMIT 1")
            )
            client.post("/login", data={"phone": phone, "password": seed.PASSWORD})
        db.session.remove()
    for item in items:
        if item.sign_in is not None:
            item.client, token = _browser(app, *item.sign_in)
            item.form = {**(item.form or {}), "csrf_token": token}
    with app.app_context():
        statements: list[str] = []
        event.listen(
            db.engine,
            "before_cursor_execute",
            lambda _c, _cur, statement, *_: statements.append(" ".join(statement.split())[:110]),
        )
    if not items:
        print("no fresh data for this scenario: run `make bench` again")
        return 1

    answers: Counter[int] = Counter()
    profiler = Profiler(interval=0.0005)
    started = time.process_time()
    with profiler:
        for item in items:
            response = (item.client or client).open(
                item.path, method=item.method, headers=item.headers, json=item.json, data=item.form
            )
            answers[response.status_code] += 1
    cpu = (time.process_time() - started) / len(items)

    print(f"{scenario}: {len(items)} requests, answers {dict(answers)}")
    print(f"CPU {cpu * 1000:.2f} ms per request (profiler included)")
    print(f"{len(statements) / len(items):.1f} statements per request:")
    for statement, seen in Counter(statements).most_common():
        print(f"  {seen / len(items):4.1f}  {statement}")
    OUT.mkdir(exist_ok=True)
    (OUT / f"profile-{scenario}.txt").write_text(
        profiler.output_text(unicode=True, color=False), encoding="utf-8"
    )
    (OUT / f"profile-{scenario}.html").write_text(profiler.output_html(), encoding="utf-8")
    print(f"profile: {OUT / f'profile-{scenario}.txt'} and .html")
    return 0


if __name__ == "__main__":
    sys.exit(main())
