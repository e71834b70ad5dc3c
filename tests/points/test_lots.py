"""Points lots: each earning is a lot with its day, spending draws the soonest to expire first,
a reversal gives back to the lots it came from, and `points verify` checks them."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select, update

from core.auth.models import Role
from core.clock import local_day
from core.extensions import db
from core.settings import current_settings
from events import services as events
from points import services
from points.lot_models import LotDraw, PointsLot
from tests.builders import make_merchant, make_shift, make_user

# Noon in Shanghai on three days, so that each earning is a lot of its own day.
DAYS = [datetime(2026, 3, d, 4, 0, tzinfo=UTC) for d in (2, 9, 16)]


def earn(volunteer, amount: int, moment: datetime, key: str) -> None:
    services.adjust(
        make_user(role=Role.office), volunteer.id, amount=amount, reason="服务", key=key, now=moment
    )


def open_lots(volunteer) -> list[tuple[date, int]]:
    account = services.volunteer_account(volunteer)
    return [
        (lot.earned_on, lot.remaining)
        for lot in db.session.scalars(
            select(PointsLot)
            .where(PointsLot.account_id == account.id)
            .order_by(PointsLot.earned_on, PointsLot.id)
            .execution_options(populate_existing=True)
        )
    ]


def assert_ledger_ok() -> None:
    check = services.verify_ledger()
    assert check.ok, check


def test_a_purchase_draws_the_oldest_lots_and_its_reversal_gives_them_back(app):
    _merchant, staff, (rice,) = make_merchant(items=[("大米5kg", 40, None)])
    volunteer = make_user()
    for i, moment in enumerate(DAYS):
        earn(volunteer, 30, moment, f"earn-{i}")
    assert open_lots(volunteer) == [(date(2026, 3, d), 30) for d in (2, 9, 16)]

    later = DAYS[-1] + timedelta(days=1)
    code = services.issue_redeem_code(volunteer, now=later, lifetime_minutes=5)
    made, _ = services.redeem(staff, code=code.code, lines=[(rice.id, 1)], key="k", now=later)

    assert open_lots(volunteer) == [
        (date(2026, 3, 2), 0),
        (date(2026, 3, 9), 20),
        (date(2026, 3, 16), 30),
    ]
    assert_ledger_ok()

    services.reverse_redemption(staff, made.id, now=later, window_days=7)

    # Back to the lots it came from, with their own days: no new lot of the reversal's day.
    assert open_lots(volunteer) == [(date(2026, 3, d), 30) for d in (2, 9, 16)]
    assert db.session.scalar(select(LotDraw.amount).order_by(LotDraw.id.desc())) == -10
    assert_ledger_ok()


def test_a_deduction_takes_the_oldest_points_first(app):
    volunteer = make_user()
    earn(volunteer, 10, DAYS[0], "a")
    earn(volunteer, 10, DAYS[1], "b")
    services.adjust(
        make_user(role=Role.office),
        volunteer.id,
        amount=-15,
        reason="重复发放",
        key="c",
        now=DAYS[2],
    )
    assert open_lots(volunteer) == [(date(2026, 3, 2), 0), (date(2026, 3, 9), 5)]
    assert_ledger_ok()


def test_verify_fails_on_a_corrupted_lot_and_names_it(app, runner):
    volunteer = make_user()
    earn(volunteer, 12, DAYS[0], "a")
    db.session.commit()
    assert runner.invoke(args=["points", "verify"]).exit_code == 0

    db.session.execute(update(PointsLot).values(remaining=PointsLot.remaining - 2))
    db.session.commit()
    broken = runner.invoke(args=["points", "verify"])

    assert broken.exit_code == 1
    assert "LOTS account" in broken.output and "LOT " in broken.output


def test_a_shifts_correction_takes_back_that_shifts_points_not_older_ones(app):
    shift = make_shift(starts_in_hours=0, hours=3, walk_ins=True)
    volunteer = make_user()
    earn(volunteer, 10, shift.starts_at - timedelta(days=20), "older")
    leader = shift.activity.team.founder
    secret = current_settings().check_in_secret
    token, _ = events.check_in_code(leader, shift.id, now=shift.starts_at, secret=secret)
    row, _ = events.check_in(volunteer, token, now=shift.starts_at, secret=secret)
    events.check_out(volunteer, shift.id, now=shift.starts_at + timedelta(hours=2))
    after = shift.ends_at + timedelta(minutes=5)
    events.confirm_attendance(leader, shift.id, now=after)
    earned_on = local_day(after)

    events.correct_times(
        leader,
        row.id,
        checked_in_at=shift.starts_at,
        checked_out_at=shift.starts_at + timedelta(minutes=70),
        reason="核实后更正",
        now=after,
        leader_days=7,
    )

    assert open_lots(volunteer) == [
        (local_day(shift.starts_at - timedelta(days=20)), 10),
        (earned_on, 10),
    ]
    assert_ledger_ok()
