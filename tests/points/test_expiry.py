"""Points expiry: the policy's rules, the nightly job (once per volunteer and run, harmless twice,
catching up after days down), lots across a redemption, a reversal and a gift, a policy
switched on over old balances, the warnings at 30 and 7 days, and the office's figures."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from core.auth.models import Role
from core.errors import Forbidden
from core.extensions import db
from core.rows import Window
from core.settings import current_settings
from points import services
from points.lot_models import ExpiryRule
from points.models import CauseKind, EntryKind, LedgerEntry
from points.services import expiry
from reminders import services as reminders
from reminders.models import Notification, NotificationKind
from tests.builders import make_merchant, make_user


def noon(day: date) -> datetime:
    """Local noon (Asia/Shanghai) of a day, in UTC."""
    return datetime(day.year, day.month, day.day, 4, tzinfo=UTC)


def night(day: date) -> datetime:
    """01:00 local on a day: when the nightly job runs."""
    return datetime(day.year, day.month, day.day, 1, tzinfo=UTC) - timedelta(hours=8)


@pytest.fixture
def office(app):
    return make_user(role=Role.office, display_name="文明办")


def earn(office, volunteer, amount: int, day: date) -> None:
    services.adjust(
        office,
        volunteer.id,
        amount=amount,
        reason="服务",
        key=f"earn-{volunteer.id}-{day}-{amount}",
        now=noon(day),
    )


def run(day: date) -> int:
    return expiry.expire_points(now=night(day))


def expired_entries(volunteer=None) -> list[LedgerEntry]:
    query = select(LedgerEntry).where(LedgerEntry.kind == EntryKind.expire)
    if volunteer is not None:
        account = services.volunteer_account(volunteer)
        query = query.where(LedgerEntry.from_account_id == account.id)
    return list(db.session.scalars(query.order_by(LedgerEntry.id)))


def balance(volunteer) -> int:
    return services.balance_of(volunteer)


@pytest.fixture(autouse=True)
def ledger_stays_whole(app):
    yield
    check = services.verify_ledger()
    assert check.ok, check


def test_policy_days(app):
    months = expiry.Policy(ExpiryRule.months, 1, date(2020, 1, 1))
    # Month ends clip: Jan 29 to 31 all expire on Feb 28, so Feb 28's cutoff is Jan 31.
    assert months.expires_on(date(2026, 1, 31)) == date(2026, 2, 28)
    assert months.cutoff(date(2026, 2, 28)) == date(2026, 1, 31)
    assert months.cutoff(date(2026, 3, 31)) == date(2026, 2, 28)
    assert months.expires_on(date(2026, 3, 1)) == date(2026, 4, 1)
    year_end = expiry.Policy(ExpiryRule.following_year_end, None, date(2020, 1, 1))
    assert year_end.expires_on(date(2025, 1, 1)) == date(2027, 1, 1)
    assert year_end.expires_on(date(2025, 12, 31)) == date(2027, 1, 1)
    assert year_end.cutoff(date(2027, 1, 1)) == date(2025, 12, 31)
    # Points earned before the policy count from the day it was set.
    late = expiry.Policy(ExpiryRule.months, 12, date(2026, 3, 10))
    assert late.expires_on(date(2023, 1, 5)) == date(2027, 3, 10)


def test_points_expire_months_after_they_were_earned_one_entry_per_volunteer_and_run(
    office,
):
    expiry.set_policy(office, rule=ExpiryRule.months, months=12, now=noon(date(2025, 1, 1)))
    li, wang = make_user(display_name="李"), make_user(display_name="王")
    earn(office, li, 30, date(2025, 3, 2))
    earn(office, li, 20, date(2025, 3, 9))
    earn(office, wang, 10, date(2025, 3, 2))
    earn(office, wang, 15, date(2025, 3, 2))

    assert run(date(2026, 3, 1)) == 0
    assert run(date(2026, 3, 2)) == 2
    assert [e.amount for e in expired_entries(li)] == [30]
    assert [e.amount for e in expired_entries(wang)] == [25]
    assert (balance(li), balance(wang)) == (20, 0)
    # Run again the same night, or the next: nothing more is due yet.
    assert run(date(2026, 3, 2)) == run(date(2026, 3, 8)) == 0
    assert run(date(2026, 3, 9)) == 1
    assert balance(li) == 0
    assert [e.idempotency_key for e in expired_entries(li)] == [
        f"expiry:{services.volunteer_account(li).id}:{n}" for n in (1, 2)
    ]
    (line, *_) = services.history(li, window=Window(size=10)).items
    assert line.movement is services.Movement.expired and line.change == -20
    assert line.entry.memo == "2026-03-09"


def test_following_year_end_keeps_points_through_the_next_year(office):
    expiry.set_policy(
        office, rule=ExpiryRule.following_year_end, months=None, now=noon(date(2024, 6, 1))
    )
    volunteer = make_user()
    earn(office, volunteer, 10, date(2025, 1, 1))
    earn(office, volunteer, 20, date(2025, 12, 31))
    earn(office, volunteer, 40, date(2026, 1, 1))

    assert run(date(2026, 12, 31)) == 0
    assert run(date(2027, 1, 1)) == 1
    assert [e.amount for e in expired_entries(volunteer)] == [30]
    assert balance(volunteer) == 40
    assert run(date(2027, 12, 31)) == 0
    assert run(date(2028, 1, 1)) == 1
    assert balance(volunteer) == 0


def test_a_policy_switched_on_over_old_balances_expires_nothing_that_night(office):
    volunteer = make_user()
    earn(office, volunteer, 50, date(2023, 1, 5))
    switched = date(2026, 3, 10)
    expiry.set_policy(office, rule=ExpiryRule.months, months=12, now=noon(switched))

    assert run(switched) == 0
    assert run(switched + timedelta(days=1)) == 0
    assert expiry.expiring_soon(volunteer, now=noon(switched)) is None
    # Counted from the day of the switch: a warning a month ahead, gone a year on.
    assert expiry.expiring_soon(volunteer, now=noon(date(2027, 2, 20))) == (50, date(2027, 3, 10))
    assert run(date(2027, 3, 9)) == 0
    assert run(date(2027, 3, 10)) == 1
    assert balance(volunteer) == 0


def test_setting_the_same_policy_again_does_not_move_its_day(office):
    first = expiry.set_policy(office, rule=ExpiryRule.months, months=12, now=noon(date(2025, 1, 1)))
    again = expiry.set_policy(office, rule=ExpiryRule.months, months=12, now=noon(date(2025, 6, 1)))
    assert again.id == first.id and again.since == date(2025, 1, 1)
    never = expiry.set_policy(
        office, rule=ExpiryRule.never, months=None, now=noon(date(2025, 7, 1))
    )
    assert never.id != first.id and expiry.policy_in_force() is None


def test_the_job_catches_up_after_being_down_ten_days(office):
    expiry.set_policy(office, rule=ExpiryRule.months, months=6, now=noon(date(2025, 1, 1)))
    volunteer = make_user()
    for offset in range(13):
        earn(office, volunteer, 5, date(2025, 3, 1) + timedelta(days=offset))

    assert run(date(2025, 9, 1)) == 1
    # Down from September 2 to 11: the run of the 12th takes the ten days due meanwhile.
    assert run(date(2025, 9, 12)) == 1
    assert [e.amount for e in expired_entries(volunteer)] == [5, 55]
    assert balance(volunteer) == 5


def test_a_redemption_spends_the_oldest_lots_so_less_expires(office):
    _merchant, staff, (rice,) = make_merchant(items=[("大米5kg", 40, None)])
    expiry.set_policy(office, rule=ExpiryRule.months, months=12, now=noon(date(2025, 1, 1)))
    volunteer = make_user()
    earn(office, volunteer, 30, date(2025, 3, 2))
    earn(office, volunteer, 30, date(2025, 3, 9))
    bought = noon(date(2025, 4, 1))
    code = services.issue_redeem_code(volunteer, now=bought, lifetime_minutes=5)
    services.redeem(staff, code=code.code, lines=[(rice.id, 1)], key="k", now=bought)

    assert run(date(2026, 3, 2)) == 0
    assert run(date(2026, 3, 9)) == 1
    assert [e.amount for e in expired_entries(volunteer)] == [20]
    assert balance(volunteer) == 0


def test_points_a_reversal_gives_back_to_an_expired_lot_expire_on_the_next_run(office):
    _merchant, staff, (towel,) = make_merchant(items=[("毛巾", 10, None)])
    expiry.set_policy(office, rule=ExpiryRule.months, months=12, now=noon(date(2025, 1, 1)))
    volunteer = make_user()
    earn(office, volunteer, 30, date(2025, 3, 2))
    earn(office, volunteer, 30, date(2025, 9, 1))
    bought = noon(date(2026, 2, 27))
    code = services.issue_redeem_code(volunteer, now=bought, lifetime_minutes=5)
    made, _ = services.redeem(staff, code=code.code, lines=[(towel.id, 1)], key="k", now=bought)

    assert run(date(2026, 3, 2)) == 1
    assert [e.amount for e in expired_entries(volunteer)] == [20]
    services.reverse_redemption(staff, made.id, now=noon(date(2026, 3, 3)), window_days=7)
    # Back to the March lot, with its day: expired, and taken on the next run.
    assert expiry.expiring_soon(volunteer, now=noon(date(2026, 3, 3))) == (10, date(2026, 3, 3))
    assert run(date(2026, 3, 4)) == 1
    assert [e.amount for e in expired_entries(volunteer)] == [20, 10]
    assert balance(volunteer) == 30


def test_gifted_points_keep_the_givers_days_and_expire_with_them(office):
    expiry.set_policy(office, rule=ExpiryRule.months, months=12, now=noon(date(2025, 1, 1)))
    giver, family = make_user(display_name="父亲"), make_user(display_name="女儿")
    earn(office, giver, 30, date(2025, 3, 2))
    earn(office, family, 10, date(2025, 6, 1))
    services.post(
        services.Posting(
            from_account=services.volunteer_account(giver),
            to_account=services.volunteer_account(family),
            amount=20,
            kind=EntryKind.gift,
            cause_kind=CauseKind.gift,
            cause_id=None,
            key="gift-1",
        ),
        now=noon(date(2025, 9, 1)),
    )

    assert run(date(2026, 3, 2)) == 2
    assert [e.amount for e in expired_entries(giver)] == [10]
    assert [e.amount for e in expired_entries(family)] == [20]
    assert (balance(giver), balance(family)) == (0, 10)
    assert run(date(2026, 6, 1)) == 1
    assert balance(family) == 0


def test_volunteers_are_warned_once_a_month_at_30_and_once_at_7_days(office):
    expiry.set_policy(office, rule=ExpiryRule.months, months=12, now=noon(date(2025, 1, 1)))
    volunteer, fresh = make_user(), make_user()
    earn(office, volunteer, 30, date(2025, 3, 2))
    earn(office, volunteer, 12, date(2025, 3, 9))
    earn(office, fresh, 30, date(2026, 1, 1))
    settings = current_settings().reminders

    def told() -> list[tuple[str, dict]]:
        rows = db.session.scalars(
            select(Notification)
            .where(Notification.kind == NotificationKind.points_expiring)
            .order_by(Notification.id)
        )
        return [(row.subject, row.params) for row in rows if row.user_id == volunteer.id]

    reminders.create_due_notifications(now=noon(date(2026, 1, 30)), settings=settings)
    assert told() == []
    # 30 days before March 2, run twice.
    for at in (noon(date(2026, 1, 31)), noon(date(2026, 1, 31)) + timedelta(hours=3)):
        reminders.create_due_notifications(now=at, settings=settings)
    assert told() == [
        (
            "points_expiring:2026-03:30",
            {"amount": 30, "first_on": "2026-03-02", "expires_on": "2026-03-02"},
        )
    ]
    # Down for days: on February 24 March 2 is 6 days off and March 9 within 30, so the
    # month's second notice names both; on March 2 that month has been told at 7 already.
    for day in (date(2026, 2, 24), date(2026, 2, 25), date(2026, 3, 2)):
        reminders.create_due_notifications(now=noon(day), settings=settings)
    assert told()[1:] == [
        (
            "points_expiring:2026-03:7",
            {"amount": 42, "first_on": "2026-03-02", "expires_on": "2026-03-09"},
        )
    ]
    assert all(row.user_id != fresh.id for row in db.session.scalars(select(Notification)))


def test_the_office_sees_what_expires_next_month_and_what_expired_by_month(office):
    expiry.set_policy(office, rule=ExpiryRule.months, months=12, now=noon(date(2024, 1, 1)))
    volunteer = make_user()
    earn(office, volunteer, 10, date(2025, 1, 15))
    earn(office, volunteer, 20, date(2025, 3, 31))
    earn(office, volunteer, 40, date(2025, 4, 1))
    earn(office, volunteer, 80, date(2025, 5, 1))
    run(date(2026, 1, 15))
    # Local midnight of April 1 is still March 31 in UTC: the month is the local one.
    expiry.expire_points(now=datetime(2026, 3, 31, 16, 30, tzinfo=UTC))

    figures = expiry.expiry_figures(office, now=noon(date(2026, 4, 10)))

    assert figures.next_month == date(2026, 5, 1)
    assert figures.expiring_next_month == 80
    assert len(figures.expired_by_month) == 12
    assert figures.expired_by_month[0] == (date(2025, 5, 1), 0)
    by_month = dict(figures.expired_by_month)
    assert by_month[date(2026, 1, 1)] == 10
    assert by_month[date(2026, 3, 1)] == 0
    assert by_month[date(2026, 4, 1)] == 60
    with pytest.raises(Forbidden):
        expiry.expiry_figures(volunteer, now=noon(date(2026, 4, 10)))
