"""Redemption at a merchant: one transaction, charged once, never overdrawn or oversold."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from sqlalchemy import func, select, update

from core.auth.models import User
from core.clock import utcnow
from core.errors import Conflict, Forbidden, ValidationFailed
from core.extensions import db
from points import services
from points.models import CatalogItem, LedgerEntry, RedeemCode, Redemption, RedemptionStatus
from tests.builders import give_points, make_merchant, make_user
from tests.concurrency import run_at_once

SHANGHAI = ZoneInfo("Asia/Shanghai")


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def assert_ledger_ok() -> None:
    check = services.verify_ledger()
    assert check.ok, check


@pytest.fixture
def shop(app):
    merchant, staff, items = make_merchant(items=[("毛巾", 10, 3), ("大米5kg", 40, None)])
    return merchant, staff, items


def test_a_redemption_moves_points_takes_stock_and_spends_the_code(shop):
    merchant, staff, (towel, rice) = shop
    volunteer = make_user()
    give_points(volunteer, 100)
    code = services.issue_redeem_code(volunteer, now=utcnow(), lifetime_minutes=5)
    seen = services.look_up_code(staff, code.code, now=utcnow())
    assert (seen.display_name, seen.balance) == (volunteer.display_name, 100)

    made, created = services.redeem(
        staff, code=code.code, lines=[(towel.id, 2), (rice.id, 1)], key="k1", now=utcnow()
    )

    assert created and made.total == 60
    assert services.balance_of(volunteer) == 40
    assert services.merchant_account(merchant).balance == 60
    assert towel.stock == 1 and rice.stock is None
    assert code.used_at is not None
    with pytest.raises(services.CodeInvalid):
        services.look_up_code(staff, code.code, now=utcnow())
    assert_ledger_ok()


def test_refusals_change_nothing(shop):
    _merchant, staff, (towel, rice) = shop
    volunteer = make_user()
    give_points(volunteer, 30)
    code = services.issue_redeem_code(volunteer, now=utcnow(), lifetime_minutes=5)
    db.session.commit()
    attempts = [
        ([(rice.id, 1)], services.InsufficientBalance),
        ([(towel.id, 4)], services.SoldOut),
        ([(towel.id, 0)], ValidationFailed),
        ([], ValidationFailed),
        ([(999_999, 1)], ValidationFailed),
    ]
    for number, (lines, error) in enumerate(attempts):
        with pytest.raises(error):
            services.redeem(staff, code=code.code, lines=lines, key=f"r{number}", now=utcnow())
        db.session.rollback()
    assert services.balance_of(volunteer) == 30
    assert db.session.get(CatalogItem, towel.id).stock == 3
    assert count(Redemption) == 0
    assert services.look_up_code(staff, code.code, now=utcnow()).balance == 30


def test_codes_expire_are_single_and_only_the_newest_works(shop):
    _merchant, staff, (_towel, _) = shop
    volunteer = make_user()
    now = utcnow()
    first = services.issue_redeem_code(volunteer, now=now, lifetime_minutes=5)
    second = services.issue_redeem_code(volunteer, now=now, lifetime_minutes=5)
    assert first.code != second.code and len(second.code) == 8
    with pytest.raises(services.CodeInvalid):
        services.look_up_code(staff, first.code, now=now)
    with pytest.raises(services.CodeInvalid):
        services.look_up_code(staff, second.code, now=now + timedelta(minutes=5, seconds=1))
    for bad in ("", "1234", "abcdefgh", "123456789"):
        with pytest.raises(services.CodeInvalid):
            services.look_up_code(staff, bad, now=now)


def test_the_same_key_returns_the_first_redemption_and_another_basket_is_a_conflict(shop):
    _merchant, staff, (towel, rice) = shop
    volunteer = make_user()
    give_points(volunteer, 100)
    code = services.issue_redeem_code(volunteer, now=utcnow(), lifetime_minutes=5)
    first, _ = services.redeem(
        staff, code=code.code, lines=[(towel.id, 1)], key="same", now=utcnow()
    )
    again, created = services.redeem(
        staff, code=code.code, lines=[(towel.id, 1)], key="same", now=utcnow()
    )
    assert (again.id, created) == (first.id, False)
    assert services.balance_of(volunteer) == 90
    with pytest.raises(Conflict) as refused:
        services.redeem(staff, code=code.code, lines=[(rice.id, 1)], key="same", now=utcnow())
    assert refused.value.code == "key_reused"


def test_a_reversal_gives_back_points_and_stock_once_within_the_window(shop):
    _merchant, staff, (towel, _) = shop
    volunteer = make_user()
    give_points(volunteer, 50)
    code = services.issue_redeem_code(volunteer, now=utcnow(), lifetime_minutes=5)
    made, _ = services.redeem(staff, code=code.code, lines=[(towel.id, 2)], key="x", now=utcnow())
    services.reverse_redemption(staff, made.id, now=utcnow(), window_days=7)
    services.reverse_redemption(staff, made.id, now=utcnow(), window_days=7)
    assert made.status is RedemptionStatus.reversed
    assert services.balance_of(volunteer) == 50
    assert towel.stock == 3
    assert count(LedgerEntry) == 3  # grant, redeem, one reversal
    assert_ledger_ok()

    code = services.issue_redeem_code(volunteer, now=utcnow(), lifetime_minutes=5)
    late, _ = services.redeem(staff, code=code.code, lines=[(towel.id, 1)], key="y", now=utcnow())
    with pytest.raises(Conflict):
        services.reverse_redemption(staff, late.id, now=utcnow() + timedelta(days=8), window_days=7)


def test_staff_of_one_merchant_cannot_touch_another(shop):
    merchant, staff, (towel, _) = shop
    _, other_staff, _ = make_merchant()
    volunteer = make_user()
    give_points(volunteer, 50)
    code = services.issue_redeem_code(volunteer, now=utcnow(), lifetime_minutes=5)
    made, _ = services.redeem(staff, code=code.code, lines=[(towel.id, 1)], key="z", now=utcnow())
    with pytest.raises(Forbidden):
        services.reverse_redemption(other_staff, made.id, now=utcnow(), window_days=7)
    with pytest.raises(Forbidden):
        services.merchant_statement(
            other_staff, merchant.id, start=utcnow() - timedelta(days=1), end=utcnow()
        )
    with pytest.raises(Forbidden):
        services.look_up_code(volunteer, code.code, now=utcnow())


def test_a_statement_counts_redemptions_and_reversals_and_exports_csv(shop):
    merchant, staff, (towel, rice) = shop
    volunteer = make_user(display_name="=HYPERLINK(1)")
    give_points(volunteer, 200)
    start = utcnow() - timedelta(hours=1)
    made = []
    for key, item in (("a", rice), ("b", towel)):
        code = services.issue_redeem_code(volunteer, now=utcnow(), lifetime_minutes=5)
        made.append(
            services.redeem(staff, code=code.code, lines=[(item.id, 1)], key=key, now=utcnow())[0]
        )
    services.reverse_redemption(staff, made[1].id, now=utcnow(), window_days=7)
    statement = services.merchant_statement(
        staff, merchant.id, start=start, end=utcnow() + timedelta(hours=1)
    )
    assert (statement.redeemed, statement.reversed, statement.net) == (50, 10, 40)
    text = services.statement_csv(statement, zone=SHANGHAI)
    assert text.splitlines()[0].startswith("类型")
    assert "'=HYPERLINK(1)" in text
    assert text.splitlines()[-1].endswith(",40")


def test_twenty_concurrent_redemptions_against_a_balance_for_seven_give_seven(app):
    _merchant, staff, (item,) = make_merchant(items=[("爱心餐券", 10, None)])
    volunteer = make_user()
    give_points(volunteer, 70)
    # A volunteer has one live code at a time; to press on the balance alone, twenty counters
    # each get a code of this volunteer, all kept valid.
    code_values = [
        services.issue_redeem_code(volunteer, now=utcnow(), lifetime_minutes=5).code
        for _ in range(20)
    ]
    db.session.execute(
        update(RedeemCode)
        .where(RedeemCode.code.in_(code_values))
        .values(expires_at=utcnow() + timedelta(minutes=5))
    )
    staff_id, item_id, volunteer_id = staff.id, item.id, volunteer.id

    def buy(i):
        staff_user = db.session.get(User, staff_id)
        return services.redeem(
            staff_user, code=code_values[i], lines=[(item_id, 1)], key=f"buy-{i}", now=utcnow()
        )[1]

    outcomes = run_at_once(app, 20, buy)

    assert outcomes.count(True) == 7, outcomes
    assert sum(isinstance(o, services.InsufficientBalance) for o in outcomes) == 13
    assert services.balance_of(db.session.get(User, volunteer_id)) == 0
    assert count(Redemption) == 7
    assert_ledger_ok()


def test_the_same_idempotency_key_sent_ten_times_at_once_charges_once(app):
    _merchant, staff, (item,) = make_merchant(items=[("雨伞", 15, 10)])
    volunteer = make_user()
    give_points(volunteer, 100)
    code = services.issue_redeem_code(volunteer, now=utcnow(), lifetime_minutes=5).code
    staff_id, item_id, volunteer_id = staff.id, item.id, volunteer.id

    def retry(i):
        staff_user = db.session.get(User, staff_id)
        made, _ = services.redeem(
            staff_user, code=code, lines=[(item_id, 1)], key="tap-tap-tap", now=utcnow()
        )
        return made.id

    outcomes = run_at_once(app, 10, retry)

    assert len(set(outcomes)) == 1 and isinstance(outcomes[0], int), outcomes
    assert services.balance_of(db.session.get(User, volunteer_id)) == 85
    assert db.session.get(CatalogItem, item_id).stock == 9
    assert count(Redemption) == 1
    assert_ledger_ok()


def test_stock_of_three_with_ten_concurrent_buyers_sells_three(app):
    _merchant, staff, (item,) = make_merchant(items=[("春联", 5, 3)])
    buyers = [make_user() for _ in range(10)]
    codes = []
    for buyer in buyers:
        give_points(buyer, 20)
        codes.append(services.issue_redeem_code(buyer, now=utcnow(), lifetime_minutes=5).code)
    staff_id, item_id = staff.id, item.id

    def buy(i):
        staff_user = db.session.get(User, staff_id)
        return services.redeem(
            staff_user, code=codes[i], lines=[(item_id, 1)], key=f"c-{i}", now=utcnow()
        )[1]

    outcomes = run_at_once(app, 10, buy)

    assert outcomes.count(True) == 3
    assert sum(isinstance(o, services.SoldOut) for o in outcomes) == 7
    assert db.session.get(CatalogItem, item_id).stock == 0
    assert_ledger_ok()


def test_a_transaction_killed_halfway_leaves_no_partial_entry(app, monkeypatch):
    _merchant, staff, (item,) = make_merchant(items=[("台灯", 30, 5)])
    volunteer = make_user()
    give_points(volunteer, 100)
    code = services.issue_redeem_code(volunteer, now=utcnow(), lifetime_minutes=5).code
    db.session.commit()
    entries_before = count(LedgerEntry)

    def crash(*args, **kwargs):
        raise RuntimeError("power cut after the points moved")

    # The points have moved and the stock is taken when the last step fails.
    monkeypatch.setattr("points.services.redemptions.merchant_account", crash)
    with pytest.raises(RuntimeError):
        services.redeem(staff, code=code, lines=[(item.id, 1)], key="cut", now=utcnow())
    db.session.rollback()

    assert count(LedgerEntry) == entries_before
    assert services.balance_of(volunteer) == 100
    assert db.session.get(CatalogItem, item.id).stock == 5
    assert count(Redemption) == 0
    assert_ledger_ok()


@time_machine.travel("2027-03-05 02:00:00+00:00", tick=False)
def test_only_volunteers_get_codes(app):
    with pytest.raises(Forbidden):
        services.issue_redeem_code(
            make_user(role=services.Role.office), now=utcnow(), lifetime_minutes=5
        )


def test_a_reversal_keeps_its_reason_and_refuses_an_overlong_one(shop):
    _merchant, staff, (towel, _) = shop
    volunteer = make_user()
    give_points(volunteer, 50)
    code = services.issue_redeem_code(volunteer, now=utcnow(), lifetime_minutes=5)
    made, _ = services.redeem(staff, code=code.code, lines=[(towel.id, 1)], key="r", now=utcnow())
    db.session.commit()

    with pytest.raises(ValidationFailed) as refused:
        services.reverse_redemption(staff, made.id, reason="长" * 201, now=utcnow(), window_days=7)
    assert set(refused.value.errors) == {"reason"}
    db.session.rollback()
    assert db.session.get(Redemption, made.id).status is RedemptionStatus.completed

    services.reverse_redemption(staff, made.id, reason="  顾客退货 ", now=utcnow(), window_days=7)
    assert made.reversal_reason == "顾客退货"
    # Reversing again keeps the first reason.
    services.reverse_redemption(staff, made.id, reason="又一次", now=utcnow(), window_days=7)
    assert made.reversal_reason == "顾客退货"
    assert services.balance_of(volunteer) == 50


def test_a_statement_lists_the_newest_first(shop):
    merchant, staff, (towel, _) = shop
    volunteer = make_user()
    give_points(volunteer, 100)
    now = utcnow()
    made = []
    for minutes in (30, 20, 10):
        at = now - timedelta(minutes=minutes)
        code = services.issue_redeem_code(volunteer, now=at, lifetime_minutes=5)
        made.append(
            services.redeem(
                staff, code=code.code, lines=[(towel.id, 1)], key=f"n{minutes}", now=at
            )[0]
        )
    for redemption in made[:2]:
        services.reverse_redemption(staff, redemption.id, reason="退货", now=now, window_days=7)

    statement = services.merchant_statement(
        staff, merchant.id, start=now - timedelta(hours=1), end=now + timedelta(hours=1)
    )

    assert [r.id for r in statement.redemptions] == [m.id for m in reversed(made)]
    assert {r.id for r in statement.reversals} == {made[0].id, made[1].id}


def test_the_statement_csv_gives_local_times_and_names_the_zone(shop):
    merchant, staff, (towel, _) = shop
    volunteer = make_user()
    give_points(volunteer, 50)
    at = datetime(2026, 3, 5, 17, 30, tzinfo=UTC)
    code = services.issue_redeem_code(volunteer, now=at, lifetime_minutes=5)
    services.redeem(staff, code=code.code, lines=[(towel.id, 1)], key="utc", now=at)
    statement = services.merchant_statement(
        staff, merchant.id, start=at - timedelta(hours=1), end=at + timedelta(hours=1)
    )

    rows = list(csv.reader(io.StringIO(services.statement_csv(statement, zone=SHANGHAI))))

    assert rows[0][1] == "时间 (Asia/Shanghai)"
    assert rows[1][1] == "2026-03-06 01:30:00"
