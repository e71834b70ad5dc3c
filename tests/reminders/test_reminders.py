"""Each reminder appears at its time, once, and only for whom it is meant; choices are
respected; a second run, a late run and concurrent runs create nothing twice."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from sqlalchemy import func, select

from core.auth.models import Role
from core.clock import local_day, local_moment, utcnow
from core.extensions import db
from core.settings import current_settings
from events import services as events
from reminders import services
from reminders.models import DeliveryChoice, EmailStatus, Notification, NotificationKind
from tests.builders import make_activity, make_campaign, make_team, make_user
from tests.concurrency import run_at_once
from tests.events.builders import make_shift_at
from volunteer import services as volunteers

K = NotificationKind
SHIFT = (K.shift_tomorrow, K.shift_soon)


def notifications(kind: NotificationKind | None = None, user=None) -> list[Notification]:
    query = select(Notification).order_by(Notification.id)
    if kind is not None:
        query = query.where(Notification.kind == kind)
    if user is not None:
        query = query.where(Notification.user_id == user.id)
    return list(db.session.scalars(query))


def run(now, kind=None) -> int:
    """Run the job at `now`; how many it created (of `kind` only, if given: other reminders,
    such as a leader's weekly digest, may fall due at the same moment)."""
    if kind is None:
        return services.create_due_notifications(now=now, settings=current_settings().reminders)
    kinds = kind if isinstance(kind, tuple) else (kind,)
    before = sum(len(notifications(k)) for k in kinds)
    services.create_due_notifications(now=now, settings=current_settings().reminders)
    return sum(len(notifications(k)) for k in kinds) - before


@pytest.fixture
def base():
    """A moment well ahead, so that no builder's 'now' interferes: a Thursday at 09:00 local
    time, whatever the day and hour the tests run, so that neither the leaders' Monday digest
    nor their free-places notice (from 10:00 for tomorrow's shifts) falls due beside what a
    test counts."""
    shanghai = ZoneInfo("Asia/Shanghai")  # the tests' TIMEZONE
    day = utcnow().astimezone(shanghai).date() + timedelta(days=10)
    day += timedelta(days=(3 - day.weekday()) % 7)
    return datetime.combine(day, time(9, 0), tzinfo=shanghai).astimezone(UTC)


def test_a_volunteer_is_reminded_a_day_and_two_hours_before_a_shift_once_each(app, base):
    activity = make_activity()
    shift = make_shift_at(activity, base + timedelta(hours=30), base + timedelta(hours=33))
    volunteer = make_user(display_name="志愿者甲")
    events.sign_up(volunteer, shift.id, now=base)

    assert run(shift.starts_at - timedelta(hours=24, minutes=1), SHIFT) == 0
    assert run(shift.starts_at - timedelta(hours=23, minutes=59), SHIFT) == 1
    assert run(shift.starts_at - timedelta(hours=23, minutes=58), SHIFT) == 0
    assert run(shift.starts_at - timedelta(hours=2, minutes=1), SHIFT) == 0
    assert run(shift.starts_at - timedelta(hours=1, minutes=59), SHIFT) == 1
    assert run(shift.starts_at - timedelta(minutes=30), SHIFT) == 0
    assert run(shift.starts_at + timedelta(minutes=1), SHIFT) == 0

    rows = notifications(user=volunteer)
    assert [r.kind for r in rows] == [K.shift_tomorrow, K.shift_soon]
    assert all(r.subject == f"shift:{shift.id}" for r in rows)
    assert rows[0].params["title"] == activity.title
    assert rows[0].params["address"] == activity.address


def test_only_confirmed_places_of_open_shifts_are_reminded(app, base):
    activity = make_activity()
    full = make_shift_at(activity, base + timedelta(hours=5), base + timedelta(hours=6), capacity=1)
    other = make_shift_at(activity, base + timedelta(hours=7), base + timedelta(hours=8))
    seated, waiting, cancelled = make_user(), make_user(), make_user()
    events.sign_up(seated, full.id, now=base)
    events.sign_up(waiting, full.id, now=base, join_waiting_list=True)
    events.sign_up(cancelled, other.id, now=base)
    events.cancel_sign_up(cancelled, other.id, now=base, cutoff_hours=2)
    leader = activity.team.founder
    cancelled_shift = make_shift_at(activity, base + timedelta(hours=9), base + timedelta(hours=10))
    events.sign_up(waiting, cancelled_shift.id, now=base)
    events.cancel_shift(leader, cancelled_shift.id, reason="天气", rest_of_series=False, now=base)

    run(base + timedelta(hours=1))

    reminded = {(r.user_id, r.kind) for r in notifications(K.shift_tomorrow)}
    assert reminded == {(seated.id, K.shift_tomorrow)}


def test_a_sign_up_inside_the_short_lead_time_gets_only_the_short_reminder(app, base):
    shift = make_shift_at(make_activity(), base + timedelta(hours=1), base + timedelta(hours=2))
    volunteer = make_user()
    events.sign_up(volunteer, shift.id, now=base)

    assert run(base, K.shift_soon) == 1
    assert [r.kind for r in notifications(user=volunteer)] == [K.shift_soon]


def test_lead_times_come_from_the_settings(make_app, base):
    app = make_app(REMINDER_SHIFT_FIRST_HOURS=48, REMINDER_SHIFT_SECOND_HOURS=3)
    with app.app_context():
        shift = make_shift_at(
            make_activity(), base + timedelta(hours=60), base + timedelta(hours=61)
        )
        volunteer = make_user()
        events.sign_up(volunteer, shift.id, now=base)
        assert run(shift.starts_at - timedelta(hours=49), SHIFT) == 0
        assert run(shift.starts_at - timedelta(hours=47), SHIFT) == 1
        assert run(shift.starts_at - timedelta(hours=3, minutes=1), SHIFT) == 0
        assert run(shift.starts_at - timedelta(hours=2, minutes=59), SHIFT) == 1


def test_a_promotion_from_the_waiting_list_is_told_once(app, base):
    shift = make_shift_at(
        make_activity(), base + timedelta(days=2), base + timedelta(days=2, hours=2), capacity=1
    )
    first, second = make_user(), make_user(display_name="候补志愿者")
    events.sign_up(first, shift.id, now=base)
    events.sign_up(second, shift.id, now=base, join_waiting_list=True)
    events.cancel_sign_up(first, shift.id, now=base + timedelta(hours=1), cutoff_hours=2)

    assert run(base + timedelta(hours=1, minutes=1), K.waiting_list_promoted) == 1
    assert run(base + timedelta(hours=1, minutes=2), K.waiting_list_promoted) == 0
    (row,) = notifications(K.waiting_list_promoted)
    assert row.user_id == second.id
    assert row.params["shift_id"] == shift.id


def test_cancelled_and_changed_activities_are_told_to_each_signed_up_volunteer(app, base):
    activity = make_activity()
    shift = make_shift_at(activity, base + timedelta(days=3), base + timedelta(days=3, hours=2))
    a, b = make_user(), make_user()
    for volunteer in (a, b):
        events.sign_up(volunteer, shift.id, now=base)
    events.cancel_activity(activity.team.founder, activity.id, reason="台风预警", now=base)

    assert run(base + timedelta(minutes=1), K.activity_cancelled) == 2
    assert run(base + timedelta(minutes=2), K.activity_cancelled) == 0
    rows = notifications(K.activity_cancelled)
    assert {r.user_id for r in rows} == {a.id, b.id}
    assert "台风预警" in rows[0].params["message"]


def test_points_earned_are_told_after_confirmation(app, base):
    activity = make_activity(campaign=make_campaign(points_per_hour=10))
    start = utcnow() - timedelta(hours=5)
    shift = make_shift_at(activity, start, start + timedelta(hours=3))
    volunteer = make_user()
    leader = activity.team.founder
    events.check_in_by_leader(leader, shift.id, phone=volunteer.phone, now=start, leader_days=7)
    events.confirm_attendance(leader, shift.id, now=shift.ends_at + timedelta(minutes=1))
    confirmed_at = shift.ends_at + timedelta(minutes=1)
    # The forgotten check-out is closed at the shift's end and needs the leader's review.
    (row,) = events.attendance_sheet(leader, shift.id, now=confirmed_at, leader_days=7)
    events.confirm_attendance(leader, shift.id, check_in_ids=[row.check_in.id], now=confirmed_at)

    assert run(utcnow(), K.points_earned) == 1
    (note,) = notifications(K.points_earned)
    assert note.user_id == volunteer.id
    assert note.params["amount"] == 30


def test_leaders_hear_of_free_places_tomorrow_from_the_set_hour_once(app):
    today = local_day(utcnow()) + timedelta(days=5)
    tomorrow = today + timedelta(days=1)
    team = make_team()
    activity = make_activity(team)
    nine = local_moment(tomorrow, time(9))
    open_shift = make_shift_at(activity, nine, nine + timedelta(hours=2), capacity=3)
    full = make_shift_at(activity, nine + timedelta(hours=3), nine + timedelta(hours=4), capacity=1)
    events.sign_up(make_user(), full.id, now=nine - timedelta(days=2))
    later = make_shift_at(activity, nine + timedelta(days=1), nine + timedelta(days=1, hours=1))

    assert run(local_moment(today, time(9, 59)), K.free_places_tomorrow) == 0
    assert run(local_moment(today, time(10, 0)), K.free_places_tomorrow) == 1
    assert run(local_moment(today, time(15, 0)), K.free_places_tomorrow) == 0
    (row,) = notifications(K.free_places_tomorrow)
    assert row.user_id == team.founder_id
    assert [s["shift_id"] for s in row.params["shifts"]] == [open_shift.id]
    assert later.id not in [s["shift_id"] for s in row.params["shifts"]]


def test_unconfirmed_attendance_is_reminded_twelve_hours_after_the_end(app):
    activity = make_activity()
    start = utcnow() - timedelta(hours=3)
    shift = make_shift_at(activity, start, start + timedelta(hours=2))
    confirmed = make_shift_at(activity, start - timedelta(hours=1), start - timedelta(minutes=30))
    leader = activity.team.founder
    for each in (shift, confirmed):
        events.check_in_by_leader(
            leader, each.id, phone=make_user().phone, now=each.starts_at, leader_days=7
        )
    closing = confirmed.ends_at + timedelta(minutes=1)
    (line,) = events.attendance_sheet(leader, confirmed.id, now=closing, leader_days=7)
    events.confirm_attendance(leader, confirmed.id, check_in_ids=[line.check_in.id], now=closing)

    assert run(shift.ends_at + timedelta(hours=11, minutes=59), K.attendance_unconfirmed) == 0
    assert run(shift.ends_at + timedelta(hours=12), K.attendance_unconfirmed) == 1
    assert run(shift.ends_at + timedelta(hours=13), K.attendance_unconfirmed) == 0
    (row,) = notifications(K.attendance_unconfirmed)
    assert (row.user_id, row.params["shift_id"], row.params["pending"]) == (leader.id, shift.id, 1)


def test_a_join_request_waiting_two_days_is_reminded_to_each_leader(app):
    team = make_team()
    volunteer = make_user(display_name="申请人")
    asked = utcnow()
    volunteers.request_to_join(volunteer, team.id, now=asked)

    assert run(asked + timedelta(days=2) - timedelta(minutes=1), K.join_request_waiting) == 0
    assert run(asked + timedelta(days=2), K.join_request_waiting) == 1
    assert run(asked + timedelta(days=2, hours=1), K.join_request_waiting) == 0
    (row,) = notifications(K.join_request_waiting)
    assert row.user_id == team.founder_id
    assert row.params["name"] == "申请人"


def test_the_weekly_digest_comes_on_monday_morning_local_time_once(app):
    today = local_day(utcnow()) + timedelta(days=7)
    monday = today - timedelta(days=today.weekday())
    team = make_team()
    idle = make_team()
    activity = make_activity(team)
    inside = make_shift_at(activity, local_moment(monday, time(14)), local_moment(monday, time(16)))
    sunday = monday + timedelta(days=6)
    last = make_shift_at(activity, local_moment(sunday, time(20)), local_moment(sunday, time(21)))
    make_shift_at(
        activity,
        local_moment(monday + timedelta(days=7), time(9)),
        local_moment(monday + timedelta(days=7), time(10)),
    )

    assert run(local_moment(monday, time(7, 59)), K.weekly_digest) == 0
    assert run(local_moment(monday, time(8)), K.weekly_digest) == 2
    assert run(local_moment(monday, time(9)), K.weekly_digest) == 0
    assert run(local_moment(monday + timedelta(days=1), time(8)), K.weekly_digest) == 0
    rows = {r.user_id: r for r in notifications(K.weekly_digest)}
    assert [s["shift_id"] for s in rows[team.founder_id].params["shifts"]] == [inside.id, last.id]
    assert rows[idle.founder_id].params["shifts"] == []
    assert rows[team.founder_id].subject == f"week:{monday.isoformat()}"


def test_the_digest_day_and_hour_are_settings(make_app):
    app = make_app(REMINDER_DIGEST_WEEKDAY=4, REMINDER_DIGEST_HOUR=17)
    with app.app_context():
        make_team()
        today = local_day(utcnow()) + timedelta(days=7)
        friday = today + timedelta(days=(4 - today.weekday()) % 7)
        assert run(local_moment(friday, time(16, 59)), K.weekly_digest) == 0
        assert run(local_moment(friday, time(17)), K.weekly_digest) == 1


def test_the_office_hears_of_unplanned_teams_fourteen_days_before_a_campaign(app, office_user):
    today = local_day(utcnow())
    starts = today + timedelta(days=20)
    campaign = make_campaign(starts_on=starts, ends_on=starts + timedelta(days=30))
    planned = make_team(name="已计划队")
    make_activity(planned, campaign)
    cancelled_team = make_team(name="已取消队")
    withdrawn = make_activity(cancelled_team, campaign)
    events.cancel_activity(cancelled_team.founder, withdrawn.id, reason="改期", now=utcnow())
    make_team(name="未计划队")
    offices = db.session.scalar(select(func.count()).select_from(select(Notification).subquery()))
    assert offices == 0

    assert run(local_moment(starts - timedelta(days=15), time(12)), K.campaign_unplanned_teams) == 0
    created = run(local_moment(starts - timedelta(days=14), time(0, 1)), K.campaign_unplanned_teams)
    rows = notifications(K.campaign_unplanned_teams)
    assert created == len(rows) > 0
    assert {r.user.role for r in rows} == {Role.office}
    assert office_user.id in {r.user_id for r in rows}
    params = rows[0].params
    assert "未计划队" in params["teams"] and "已取消队" in params["teams"]
    assert "已计划队" not in params["teams"]
    assert run(local_moment(starts - timedelta(days=3), time(0)), K.campaign_unplanned_teams) == 0


def test_a_kind_turned_off_is_not_created_and_inbox_only_sends_no_email(make_app, base):
    app = make_app(MAIL_SERVER="127.0.0.1")
    with app.app_context():
        shift = make_shift_at(make_activity(), base + timedelta(hours=1), base + timedelta(hours=2))
        off, inbox_only, both = make_user(), make_user(), make_user()
        for volunteer in (off, inbox_only, both):
            volunteer.email = f"v{volunteer.id}@example.org"
            events.sign_up(volunteer, shift.id, now=base)
        services.set_preferences(off, {K.shift_soon: DeliveryChoice.off}, now=base)
        services.set_preferences(inbox_only, {K.shift_soon: DeliveryChoice.inbox}, now=base)

        assert run(base, K.shift_soon) == 2
        status = {r.user_id: r.email_status for r in notifications(K.shift_soon)}
        assert status == {inbox_only.id: EmailStatus.not_wanted, both.id: EmailStatus.pending}


def test_without_an_address_or_a_mail_server_nothing_is_queued_for_email(app, base):
    shift = make_shift_at(make_activity(), base + timedelta(hours=1), base + timedelta(hours=2))
    volunteer = make_user()
    volunteer.email = "v@example.org"
    events.sign_up(volunteer, shift.id, now=base)

    run(base)
    assert [r.email_status for r in notifications(K.shift_soon)] == [EmailStatus.not_wanted]


def test_a_scheduler_down_for_days_catches_up_once_and_skips_what_is_over(app, base):
    activity = make_activity()
    gone = make_shift_at(activity, base + timedelta(hours=3), base + timedelta(hours=4))
    coming = make_shift_at(activity, base + timedelta(days=3), base + timedelta(days=3, hours=1))
    volunteer = make_user()
    for shift in (gone, coming):
        events.sign_up(volunteer, shift.id, now=base)

    back = base + timedelta(days=2, hours=12)
    assert run(back, SHIFT) == 1
    (row,) = notifications(user=volunteer)
    assert (row.kind, row.params["shift_id"]) == (K.shift_tomorrow, coming.id)
    assert run(back + timedelta(minutes=1), SHIFT) == 0


def test_concurrent_runs_create_each_notification_once(app, base):
    shift = make_shift_at(
        make_activity(), base + timedelta(hours=1), base + timedelta(hours=2), capacity=20
    )
    volunteers_ = [make_user() for _ in range(12)]
    for volunteer in volunteers_:
        events.sign_up(volunteer, shift.id, now=base)

    results = run_at_once(app, 6, lambda _: run(base))

    assert not [r for r in results if isinstance(r, Exception)], results
    assert sum(results) == 12
    assert len(notifications(K.shift_soon)) == 12


def test_run_once_on_the_command_line_uses_the_clock(app, runner, base):
    shift = make_shift_at(make_activity(), base + timedelta(hours=1), base + timedelta(hours=2))
    events.sign_up(make_user(), shift.id, now=base)
    db.session.commit()

    with time_machine.travel(base, tick=False):
        first = runner.invoke(args=["reminders", "run-once"])
        second = runner.invoke(args=["reminders", "run-once"])

    assert first.exit_code == 0, first.output
    assert "notifications created: 1" in first.output
    assert "notifications created: 0" in second.output
