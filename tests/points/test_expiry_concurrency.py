"""The nightly expiry beside itself and beside redemptions, at the same moment (meaningful on
PostgreSQL, where the account's row lock decides; SQLite's writers take turns): one entry per
account, nothing both spent and expired, and every point accounted for."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from core.auth.models import Role, User
from core.extensions import db
from points import services
from points.lot_models import ExpiryRule
from points.models import Account, EntryKind, LedgerEntry
from points.services import expiry
from tests.builders import make_merchant, make_user
from tests.concurrency import run_at_once

# Local noon of the day the points earned a year before expire.
NOW = datetime(2026, 3, 2, 4, tzinfo=UTC)


def at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 4, tzinfo=UTC)


def earn(office, volunteer, amount: int, day: date) -> None:
    services.adjust(
        office, volunteer.id, amount=amount, reason="服务", key=f"{volunteer.id}-{day}", now=at(day)
    )


def moved(account_id: int, kind: EntryKind) -> int:
    return db.session.scalar(
        select(func.coalesce(func.sum(LedgerEntry.amount), 0)).where(
            LedgerEntry.from_account_id == account_id, LedgerEntry.kind == kind
        )
    )


def run_job(_i: int) -> int:
    return expiry.expire_points(now=NOW, after_each=db.session.commit)


@pytest.mark.postgres
def test_two_runs_at_once_post_one_entry_per_account(app):
    office = make_user(role=Role.office)
    expiry.set_policy(office, rule=ExpiryRule.months, months=12, now=at(date(2025, 1, 1)))
    volunteers = [make_user() for _ in range(6)]
    for volunteer in volunteers:
        earn(office, volunteer, 20, date(2025, 3, 1))
        earn(office, volunteer, 15, date(2025, 3, 2))
        earn(office, volunteer, 10, date(2025, 3, 3))

    results = run_at_once(app, 3, run_job)

    assert all(isinstance(r, int) for r in results), results
    assert sum(results) == 6
    amounts = db.session.scalars(
        select(LedgerEntry.amount).where(LedgerEntry.kind == EntryKind.expire)
    )
    assert sorted(amounts) == [35] * 6
    assert services.verify_ledger().ok


@pytest.mark.postgres
def test_the_job_never_expires_what_a_concurrent_redemption_spends(app):
    office = make_user(role=Role.office)
    _merchant, staff, (soap,) = make_merchant(items=[("肥皂", 10, None)])
    expiry.set_policy(office, rule=ExpiryRule.months, months=12, now=at(date(2025, 1, 1)))
    volunteers = [make_user() for _ in range(10)]
    codes = []
    for volunteer in volunteers:
        earn(office, volunteer, 20, date(2025, 3, 2))  # expires today
        earn(office, volunteer, 20, date(2025, 6, 1))
        codes.append(services.issue_redeem_code(volunteer, now=NOW, lifetime_minutes=5).code)
    accounts = [services.volunteer_account(v).id for v in volunteers]
    staff_id, soap_id = staff.id, soap.id

    def work(i: int):
        if i == len(volunteers):
            return run_job(i)
        redemption, _ = services.redeem(
            db.session.get(User, staff_id),
            code=codes[i],
            lines=[(soap_id, 3)],
            key=f"k{i}",
            now=NOW,
        )
        return redemption.total

    results = run_at_once(app, len(volunteers) + 1, work)

    *purchases, job = results
    assert isinstance(job, int), results
    assert all(isinstance(r, int | services.InsufficientBalance) for r in purchases), results
    for account_id, outcome in zip(accounts, purchases, strict=True):
        balance = db.session.get(Account, account_id).balance
        spent, expired = moved(account_id, EntryKind.redeem), moved(account_id, EntryKind.expire)
        assert balance >= 0
        assert expired + spent + balance == 40
        # Either the purchase came first and took the oldest lot (nothing left to expire), or
        # the job did and the purchase found the balance short.
        if isinstance(outcome, services.InsufficientBalance):
            assert (spent, expired, balance) == (0, 20, 20)
        else:
            assert (spent, expired, balance) == (30, 0, 10)
    assert services.verify_ledger().ok
