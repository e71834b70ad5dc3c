"""Capacity and check-in under concurrent requests: each thread is a request of its own, with
its own connection and transaction. The promises are tested on both stores; PostgreSQL is
where real concurrency bites."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

from sqlalchemy import func, select

from core.auth.models import User
from core.clock import utcnow
from core.extensions import db
from core.settings import current_settings
from events import services
from events.models import CheckIn, Shift, SignUp, SignUpStatus
from tests.builders import make_shift, make_user
from tests.concurrency import run_at_once


def test_twenty_concurrent_sign_ups_for_five_places_give_five_and_fifteen_waiting(app):
    shift = make_shift(capacity=5)
    shift_id = shift.id
    volunteer_ids = [make_user(display_name=f"志愿者{i}").id for i in range(20)]

    def sign_up(i):
        user = db.session.get(User, volunteer_ids[i])
        return services.sign_up(user, shift_id, now=utcnow(), join_waiting_list=True).status

    outcomes = run_at_once(app, 20, sign_up)

    assert Counter(outcomes) == {SignUpStatus.confirmed: 5, SignUpStatus.waiting: 15}
    assert db.session.get(Shift, shift_id).seats_taken == 5
    stored = Counter(db.session.scalars(select(SignUp.status).where(SignUp.shift_id == shift_id)))
    assert stored == {SignUpStatus.confirmed: 5, SignUpStatus.waiting: 15}


def test_concurrent_sign_ups_without_the_waiting_list_never_exceed_capacity(app):
    shift = make_shift(capacity=3)
    shift_id = shift.id
    volunteer_ids = [make_user().id for _ in range(12)]

    def sign_up(i):
        user = db.session.get(User, volunteer_ids[i])
        return services.sign_up(user, shift_id, now=utcnow()).status

    outcomes = run_at_once(app, 12, sign_up)

    assert outcomes.count(SignUpStatus.confirmed) == 3
    assert sum(isinstance(o, services.ShiftFull) for o in outcomes) == 9
    assert db.session.get(Shift, shift_id).seats_taken == 3


def test_concurrent_cancellations_promote_each_waiting_volunteer_once(app):
    shift = make_shift(capacity=3)
    holders = [make_user() for _ in range(3)]
    waiting = [make_user() for _ in range(5)]
    now = utcnow()
    for user in holders + waiting:
        services.sign_up(user, shift.id, now=now, join_waiting_list=True)
    shift_id, holder_ids = shift.id, [u.id for u in holders]

    def cancel(i):
        user = db.session.get(User, holder_ids[i])
        return services.cancel_sign_up(user, shift_id, now=utcnow(), cutoff_hours=2).status

    outcomes = run_at_once(app, 3, cancel)

    assert outcomes == [SignUpStatus.cancelled] * 3
    assert db.session.get(Shift, shift_id).seats_taken == 3
    statuses = Counter(db.session.scalars(select(SignUp.status).where(SignUp.shift_id == shift_id)))
    assert statuses == {
        SignUpStatus.cancelled: 3,
        SignUpStatus.confirmed: 3,
        SignUpStatus.waiting: 2,
    }


def test_ten_concurrent_scans_by_one_volunteer_give_one_check_in(app):
    shift = make_shift(starts_in_hours=-1, capacity=5)
    volunteer = make_user()
    services.sign_up(volunteer, shift.id, now=utcnow() - timedelta(hours=2))
    leader = shift.activity.team.founder
    token, _ = services.check_in_code(
        leader, shift.id, now=utcnow(), secret=current_settings().check_in_secret
    )
    volunteer_id = volunteer.id

    def scan(i):
        user = db.session.get(User, volunteer_id)
        row, created = services.check_in(
            user, token, now=utcnow(), secret=current_settings().check_in_secret
        )
        return row.id, created

    outcomes = run_at_once(app, 10, scan)

    assert all(isinstance(o, tuple) for o in outcomes), outcomes
    assert len({row_id for row_id, _ in outcomes}) == 1
    assert sum(created for _, created in outcomes) == 1
    assert db.session.scalar(select(func.count()).select_from(CheckIn)) == 1


def test_concurrent_walk_ins_never_exceed_capacity(app):
    shift = make_shift(starts_in_hours=-1, capacity=4, walk_ins=True)
    walkers = [make_user().id for _ in range(10)]
    shift_id = shift.id
    token, _ = services.check_in_code(
        shift.activity.team.founder,
        shift.id,
        now=utcnow(),
        secret=current_settings().check_in_secret,
    )

    def scan(i):
        return services.check_in(
            db.session.get(User, walkers[i]),
            token,
            now=utcnow(),
            secret=current_settings().check_in_secret,
        )

    outcomes = run_at_once(app, 10, scan)

    assert sum(isinstance(o, tuple) for o in outcomes) == 4
    assert db.session.get(Shift, shift_id).seats_taken == 4
    assert db.session.scalar(select(func.count()).select_from(CheckIn)) == 4


def test_the_leader_and_the_office_confirming_at_once_credit_the_points_once(app):
    from core.auth.models import Role
    from points import services as points
    from points.models import EntryKind, LedgerEntry

    shift = make_shift(starts_in_hours=-7, hours=6, capacity=5, walk_ins=True)
    leader = shift.activity.team.founder
    volunteers = [make_user(display_name=f"志愿者{i}") for i in range(5)]
    for volunteer in volunteers:
        services.check_in_by_leader(
            leader, shift.id, phone=volunteer.phone, now=shift.starts_at, leader_days=7
        )
        services.check_out(volunteer, shift.id, now=shift.ends_at)
    office = make_user(role=Role.office)
    confirmers = [leader.id, office.id] * 3
    shift_id, volunteer_ids = shift.id, [v.id for v in volunteers]

    def confirm(i):
        user = db.session.get(User, confirmers[i])
        return len(services.confirm_attendance(user, shift_id, now=utcnow()))

    outcomes = run_at_once(app, len(confirmers), confirm)

    assert all(isinstance(o, int) for o in outcomes), outcomes
    assert sum(outcomes) == 5
    entries = db.session.scalars(select(LedgerEntry).where(LedgerEntry.kind == EntryKind.earn))
    assert len(entries.all()) == 5
    # Six hours at the test campaign's 10 points an hour: 60 each, credited once.
    for volunteer_id in volunteer_ids:
        assert points.balance_of(db.session.get(User, volunteer_id)) == 60
    assert points.verify_ledger().ok
