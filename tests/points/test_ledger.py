"""The ledger: entries post once, balances never go below zero and always equal their entries,
also under concurrent spending."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from core.auth.models import Role, User
from core.clock import utcnow
from core.errors import Conflict, Forbidden, ValidationFailed
from core.extensions import db
from core.rows import Window
from core.settings import current_settings
from events import services as events
from points import services
from points.models import Account, AccountKind, CauseKind, EntryKind, LedgerEntry
from tests.builders import make_shift, make_user
from tests.concurrency import run_at_once


def grant(volunteer: User, amount: int, key: str = "grant") -> None:
    services.adjust(
        make_user(role=Role.office),
        volunteer.id,
        amount=amount,
        reason="开户",
        key=key,
        now=utcnow(),
    )


def spend(volunteer: User, amount: int, key: str) -> tuple[LedgerEntry, bool]:
    """A stand-in for a redemption until merchants exist: volunteer → adjustment pool."""
    return services.post(
        services.Posting(
            from_account=services.volunteer_account(volunteer),
            to_account=services.system_account(AccountKind.adjustment),
            amount=amount,
            kind=EntryKind.redeem,
            cause_kind=CauseKind.redemption,
            cause_id=None,
            key=key,
        ),
        now=utcnow(),
    )


def assert_ledger_ok() -> None:
    check = services.verify_ledger()
    assert check.ok, check


def test_an_adjustment_needs_the_office_a_reason_and_a_sane_amount(app):
    volunteer = make_user()
    office = make_user(role=Role.office)
    with pytest.raises(Forbidden):
        services.adjust(make_user(), volunteer.id, amount=5, reason="x", key="a", now=utcnow())
    with pytest.raises(ValidationFailed):
        services.adjust(office, volunteer.id, amount=5, reason=" ", key="b", now=utcnow())
    with pytest.raises(ValidationFailed):
        services.adjust(office, volunteer.id, amount=0, reason="x", key="c", now=utcnow())
    services.adjust(office, volunteer.id, amount=30, reason="表彰", key="d", now=utcnow())
    services.adjust(office, volunteer.id, amount=-10, reason="重复发放", key="e", now=utcnow())
    assert services.balance_of(volunteer) == 20
    assert [
        (h.change, h.entry.memo) for h in services.history(volunteer, window=Window()).items
    ] == [
        (-10, "重复发放"),
        (30, "表彰"),
    ]
    assert_ledger_ok()


def test_a_deduction_beyond_the_balance_is_refused_and_changes_nothing(app):
    volunteer = make_user()
    grant(volunteer, 5)
    db.session.commit()
    with pytest.raises(services.InsufficientBalance):
        spend(volunteer, 6, "too-much")
    db.session.rollback()
    assert services.balance_of(volunteer) == 5
    assert db.session.scalar(select(func.count()).select_from(LedgerEntry)) == 1
    assert_ledger_ok()


def test_the_same_key_posts_once_and_a_reused_key_is_a_conflict(app):
    volunteer = make_user()
    grant(volunteer, 50)
    first, made = spend(volunteer, 10, "order-1")
    again, made_again = spend(volunteer, 10, "order-1")
    assert (made, made_again, again.id) == (True, False, first.id)
    assert services.balance_of(volunteer) == 40
    with pytest.raises(Conflict) as refused:
        spend(volunteer, 11, "order-1")
    assert refused.value.code == "key_reused"


def test_confirmed_attendance_credits_points_once_and_a_correction_posts_the_difference(app):
    shift = make_shift(starts_in_hours=0, hours=3, walk_ins=True)
    volunteer = make_user()
    leader = shift.activity.team.founder
    now = shift.starts_at
    token, _ = events.check_in_code(
        leader, shift.id, now=now, secret=current_settings().check_in_secret
    )
    row, _ = events.check_in(volunteer, token, now=now, secret=current_settings().check_in_secret)
    events.check_out(volunteer, shift.id, now=shift.starts_at + timedelta(hours=2))
    after = shift.ends_at + timedelta(minutes=5)
    events.confirm_attendance(leader, shift.id, now=after)
    events.confirm_attendance(leader, shift.id, check_in_ids=[row.id], now=after)
    assert services.balance_of(volunteer) == 20

    events.correct_times(
        leader,
        row.id,
        checked_in_at=shift.starts_at,
        checked_out_at=shift.ends_at,
        reason="漏记一小时",
        now=after,
        leader_days=7,
    )
    assert services.balance_of(volunteer) == 30
    events.correct_times(
        leader,
        row.id,
        checked_in_at=shift.starts_at,
        checked_out_at=shift.starts_at + timedelta(minutes=70),
        reason="核实后更正",
        now=after,
        leader_days=7,
    )
    changes = [(h.entry.kind, h.change) for h in services.history(volunteer, window=Window()).items]
    assert changes == [(EntryKind.reverse, -20), (EntryKind.earn, 10), (EntryKind.earn, 20)]
    assert services.balance_of(volunteer) == 10
    assert_ledger_ok()


def test_verify_fails_when_a_cached_balance_is_corrupted(app, runner):
    volunteer = make_user()
    grant(volunteer, 12)
    db.session.commit()
    ok = runner.invoke(args=["points", "verify"])
    assert ok.exit_code == 0, ok.output
    assert "ledger OK" in ok.output
    db.session.execute(update(Account).where(Account.owner_id == volunteer.id).values(balance=13))
    db.session.commit()
    broken = runner.invoke(args=["points", "verify"])
    assert broken.exit_code == 1
    assert "MISMATCH" in broken.output


def test_twenty_concurrent_spends_against_a_balance_for_seven_give_seven(app):
    volunteer = make_user()
    grant(volunteer, 70)
    volunteer_id = volunteer.id

    def attempt(i):
        return spend(db.session.get(User, volunteer_id), 10, f"spend-{i}")[1]

    outcomes = run_at_once(app, 20, attempt)

    assert outcomes.count(True) == 7
    assert sum(isinstance(o, services.InsufficientBalance) for o in outcomes) == 13
    assert services.balance_of(db.session.get(User, volunteer_id)) == 0
    assert_ledger_ok()


def test_the_same_key_sent_ten_times_at_once_charges_once(app):
    volunteer = make_user()
    grant(volunteer, 100)
    volunteer_id = volunteer.id

    def attempt(i):
        entry, made = spend(db.session.get(User, volunteer_id), 25, "one-order")
        return entry.id, made

    outcomes = run_at_once(app, 10, attempt)

    assert all(isinstance(o, tuple) for o in outcomes), outcomes
    assert len({entry_id for entry_id, _ in outcomes}) == 1
    assert sum(made for _, made in outcomes) == 1
    assert services.balance_of(db.session.get(User, volunteer_id)) == 75
    assert_ledger_ok()


def test_concurrent_first_use_makes_one_account(app):
    volunteer = make_user()
    volunteer_id = volunteer.id

    def open_account(i):
        return services.volunteer_account(db.session.get(User, volunteer_id)).id

    outcomes = run_at_once(app, 8, open_account)

    assert len(set(outcomes)) == 1, outcomes
    count = db.session.scalar(select(func.count()).where(Account.kind == AccountKind.volunteer))
    assert count == 1
