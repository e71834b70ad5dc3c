"""Gifts at the same moment, each a request of its own (meaningful on PostgreSQL, where the
row locks decide; SQLite's writers take turns): never past the balance or the monthly cap, one
gift per key, and A→B with B→A at once both go through without a deadlock."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from core.auth.models import User
from core.clock import utcnow
from core.extensions import db
from core.settings import current_settings
from events import services as events
from points import services
from points.gift_models import GiftKind, PointsGift
from tests.builders import give_points, make_shift, make_user
from tests.concurrency import run_at_once
from tests.points.test_gifts import linked

pytestmark = pytest.mark.postgres


def gifts() -> int:
    return db.session.scalar(select(func.count()).select_from(PointsGift))


def balances(*ids: int) -> list[int]:
    return [services.balance_of(db.session.get(User, user_id)) for user_id in ids]


def assert_ledger_ok() -> None:
    check = services.verify_ledger()
    assert check.ok, check


def family(points: int) -> tuple[int, int]:
    """Two linked volunteers, the first with `points`; their ids."""
    giver, relative = make_user(), make_user()
    give_points(giver, points)
    linked(giver, relative, now=utcnow())
    return giver.id, relative.id


def gift(giver_id: int, recipient_id: int, amount: int, key: str, cap: int = 10_000):
    return services.give_points(
        db.session.get(User, giver_id),
        kind=GiftKind.family,
        recipient_id=recipient_id,
        amount=amount,
        note="",
        key=key,
        now=utcnow(),
        monthly_cap=cap,
    )


def test_ten_gifts_at_once_from_a_balance_for_three_give_three(app):
    giver_id, relative_id = family(30)

    outcomes = run_at_once(app, 10, lambda i: gift(giver_id, relative_id, 10, f"g{i}")[1])

    assert outcomes.count(True) == 3, outcomes
    assert sum(isinstance(o, services.InsufficientBalance) for o in outcomes) == 7, outcomes
    assert balances(giver_id, relative_id) == [0, 30] and gifts() == 3
    assert_ledger_ok()


def test_the_same_key_ten_times_at_once_gives_once(app):
    giver_id, relative_id = family(100)

    outcomes = run_at_once(app, 10, lambda i: gift(giver_id, relative_id, 15, "tap")[0].id)

    assert len(set(outcomes)) == 1 and isinstance(outcomes[0], int), outcomes
    assert balances(giver_id, relative_id) == [85, 15] and gifts() == 1
    assert_ledger_ok()


def test_gifts_both_ways_at_once_all_go_through(app):
    a_id, b_id = family(100)
    give_points(db.session.get(User, b_id), 100)

    def either_way(i: int) -> bool:
        giver, recipient = (a_id, b_id) if i % 2 else (b_id, a_id)
        return gift(giver, recipient, 1 + i, f"w{i}")[1]

    outcomes = run_at_once(app, 10, either_way)

    assert outcomes == [True] * 10, outcomes
    given_by_a = sum(1 + i for i in range(10) if i % 2)
    given_by_b = sum(1 + i for i in range(10) if not i % 2)
    assert balances(a_id, b_id) == [100 - given_by_a + given_by_b, 100 - given_by_b + given_by_a]
    assert_ledger_ok()


def test_gifts_at_once_cannot_pass_the_monthly_cap_together(app):
    giver_id, relative_id = family(1000)

    outcomes = run_at_once(app, 10, lambda i: gift(giver_id, relative_id, 10, f"c{i}", cap=50)[1])

    assert outcomes.count(True) == 5, outcomes
    assert sum(isinstance(o, services.GiftCapReached) for o in outcomes) == 5, outcomes
    assert balances(giver_id, relative_id) == [950, 50]
    assert_ledger_ok()


def test_a_confirmation_crediting_two_volunteers_waits_for_a_gift_between_them(app):
    # P's account is older than Q's, but Q checked in first: crediting in check-in order would
    # hold Q while waiting for P, as the gift (taking P, then Q, in the ledger's order) holds P
    # while waiting for Q.
    p, q = make_user(), make_user()
    give_points(p, 10)
    give_points(q, 10)
    shift = make_shift(starts_in_hours=0, hours=2, walk_ins=True)
    leader = shift.activity.team.founder
    secret = current_settings().check_in_secret
    token, _ = events.check_in_code(leader, shift.id, now=shift.starts_at, secret=secret)
    for volunteer in (q, p):
        events.check_in(volunteer, token, now=shift.starts_at, secret=secret)
    for volunteer in (q, p):
        events.check_out(volunteer, shift.id, now=shift.starts_at + timedelta(hours=1))
    ids = (p.id, q.id, leader.id, shift.id)
    after = shift.ends_at + timedelta(minutes=5)
    gift_holds_p = threading.Event()

    def work(i: int):
        p_id, q_id, leader_id, shift_id = ids
        if i == 0:  # a gift: the ledger's lock order, with a pause between the two rows
            p_account = services.volunteer_account(db.session.get(User, p_id))
            services.lock_accounts(p_account)
            gift_holds_p.set()
            time.sleep(0.5)  # the confirmation is now waiting for a row
            q_account = services.volunteer_account(db.session.get(User, q_id))
            services.lock_accounts(p_account, q_account)
            return "gift"
        gift_holds_p.wait(5)
        events.confirm_attendance(db.session.get(User, leader_id), shift_id, now=after)
        return "confirmed"

    outcomes = run_at_once(app, 2, work)

    assert outcomes == ["gift", "confirmed"], outcomes
    assert balances(ids[0], ids[1]) == [20, 20]
    assert_ledger_ok()
