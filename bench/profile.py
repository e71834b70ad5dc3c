"""`make bench-profile SCENARIO=check_in`: where one benchmarked request spends its time.

Runs COUNT requests of a scenario in this process, through the app's test client, against
the database `make bench` leaves behind (BENCH_DATABASE_URL, else `vp_bench` on the local
PostgreSQL), each with fresh data as the benchmark uses it (a different volunteer per write).
Prints the statements each request sends, grouped, and the CPU time per request, and writes
a pyinstrument profile to bench/.data/profile-SCENARIO.txt (and .html).

Scenarios: check_in, sign_up, redemption, balance, listing, floor_insert, floor_json.
"""

from __future__ import annotations

import os
import sys
import time
import uuid
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import event, select, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / ".data"

Item = tuple[str, str, dict[str, str], dict | None]


def _bearer(user_id: int) -> dict[str, str]:
    from bench import seed

    return {"Authorization": f"Bearer {seed.token_secret(user_id)}"}


def _check_ins(db, count: int) -> list[Item]:
    from core.auth.models import Role, User
    from events import services as events

    now = datetime.now(UTC)
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
    codes = {sid: events.check_in_code(office, sid, now=now)[0] for sid in {r[1] for r in rows}}
    return [("POST", "/api/v1/check-ins", _bearer(u), {"token": codes[s]}) for u, s in rows]


def _sign_ups(db, count: int) -> list[Item]:
    rows = db.session.execute(
        text(
            "SELECT v.id, h.id FROM "
            "(SELECT id, row_number() OVER (ORDER BY random()) AS n FROM users "
            " WHERE role = 'volunteer' LIMIT :count) v JOIN "
            "(SELECT id, row_number() OVER (ORDER BY random()) AS n FROM shift "
            " WHERE starts_at > :now AND seats_taken < capacity LIMIT :count) h ON h.n = v.n"
        ),
        {"now": datetime.now(UTC), "count": count},
    ).all()
    return [("POST", f"/api/v1/shifts/{s}/sign-up", _bearer(u), {}) for u, s in rows]


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
        items.append(("POST", "/api/v1/redemptions", headers, body))
    return items


def _balances(db, count: int) -> list[Item]:
    ids = db.session.scalars(
        text("SELECT id FROM users WHERE role = 'volunteer' LIMIT :count"), {"count": count}
    ).all()
    return [("GET", "/api/v1/me/points", _bearer(u), None) for u in ids]


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
    return [("GET", f"/activities?district_id={district_id}&day={day}", {}, None)] * count


SCENARIOS = {
    "check_in": _check_ins,
    "sign_up": _sign_ups,
    "redemption": _redemptions,
    "balance": _balances,
    "listing": _listing,
    "floor_insert": lambda db, count: [("POST", "/bench/insert", {}, None)] * count,
    "floor_json": lambda db, count: [("GET", "/bench/json", {}, None)] * count,
}


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
    app.config["WTF_CSRF_ENABLED"] = False  # to sign the listing's reader in
    client = app.test_client()
    with app.app_context():
        items = SCENARIOS[scenario](db, count)
        if scenario == "listing":
            phone = db.session.scalar(
                text("SELECT phone FROM users WHERE role = 'volunteer' ORDER BY id DESC LIMIT 1")
            )
            client.post("/login", data={"phone": phone, "password": seed.PASSWORD})
        db.session.remove()
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
        for method, path, headers, body in items:
            answers[client.open(path, method=method, headers=headers, json=body).status_code] += 1
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
