"""The event rules, through the service functions."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
import time_machine
from sqlalchemy import func, select

from core.auth.models import Role
from core.clock import utcnow
from core.consent import services as consents
from core.consent.models import ConsentKind
from core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from core.extensions import db
from core.settings import current_settings
from events import services
from events.models import (
    ActivityNotice,
    ActivityStatus,
    AttendanceStatus,
    Campaign,
    CheckInChange,
    NoticeKind,
    Season,
    Shift,
    SignUpStatus,
)
from tests.builders import make_activity, make_campaign, make_shift, make_team, make_user


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


# Campaigns and the points rule


def test_create_year_makes_the_four_seasons_once(app):
    office = make_user(role=Role.office)
    first = services.create_standard_year(office, 2027)
    assert sorted(c.season.value for c in first) == sorted(s.value for s in Season)
    assert services.create_standard_year(office, 2027) == []
    assert count(Campaign) == 4
    spring = next(c for c in first if c.season is Season.spring)
    assert spring.multiplier_on(date(2027, 3, 5)) == 2
    autumn = next(c for c in first if c.season is Season.autumn_harvest)
    assert autumn.multiplier_on(date(2027, 10, 8)) == 2  # the Double Ninth of 2027
    winter = next(c for c in first if c.season is Season.winter)
    assert winter.ends_on == date(2028, 2, 29)
    assert winter.multiplier_on(date(2028, 1, 26)) == 2  # Spring Festival 2028


def test_only_the_office_creates_campaigns(app):
    with pytest.raises(Forbidden):
        services.create_standard_year(make_user(), 2027)


def test_a_campaign_refuses_a_bonus_day_outside_its_window(app):
    with pytest.raises(ValidationFailed) as refused:
        make_campaign(
            starts_on=date(2027, 3, 1),
            ends_on=date(2027, 3, 31),
            bonus_days=[services.BonusDaySpec(date(2027, 4, 5), 2)],
        )
    assert "bonus_days" in refused.value.errors


def test_points_count_full_hours_up_to_the_cap_then_the_bonus(app):
    campaign = make_campaign(
        starts_on=date(2027, 3, 1),
        ends_on=date(2027, 3, 31),
        points_per_hour=10,
        cap=30,
        bonus_days=[services.BonusDaySpec(date(2027, 3, 5), 3)],
    )
    ordinary, bonus = date(2027, 3, 4), date(2027, 3, 5)
    assert services.points_for(campaign, 59, ordinary) == 0
    assert services.points_for(campaign, 119, ordinary) == 10
    assert services.points_for(campaign, 600, ordinary) == 30
    assert services.points_for(campaign, 125, bonus) == 60
    assert services.points_for(campaign, 600, bonus) == 90


# Activities and shifts


def test_a_leader_cannot_act_on_another_teams_activity(app):
    activity = make_activity()
    stranger = make_team().founder
    with pytest.raises(Forbidden):
        services.publish_activity(stranger, activity.id, now=utcnow())
    with pytest.raises(Forbidden):
        services.add_shift(
            stranger,
            activity.id,
            starts_at=utcnow() + timedelta(days=1),
            ends_at=utcnow() + timedelta(days=1, hours=2),
            capacity=3,
            allows_walk_ins=False,
            now=utcnow(),
        )


def test_publishing_needs_an_upcoming_shift(app):
    activity = make_activity()
    with pytest.raises(Conflict):
        services.publish_activity(activity.team.founder, activity.id, now=utcnow())


def test_a_shift_outside_the_campaign_is_refused(app):
    today = utcnow().date()
    campaign = make_campaign(starts_on=today, ends_on=today + timedelta(days=3))
    activity = make_activity(campaign=campaign)
    with pytest.raises(ValidationFailed) as refused:
        make_shift(activity, starts_in_hours=24 * 10)
    assert "starts_at" in refused.value.errors


@time_machine.travel(datetime(2027, 6, 1, 2, 0, tzinfo=UTC), tick=False)
def test_a_series_submitted_twice_makes_its_shifts_once(app):
    campaign = make_campaign(starts_on=date(2027, 6, 1), ends_on=date(2027, 8, 31))
    activity = make_activity(campaign=campaign)
    spec = services.SeriesSpec(
        first_day=date(2027, 6, 1),
        last_day=date(2027, 6, 30),
        weekdays=frozenset({5, 6}),
        start_time=time(8, 0),
        end_time=time(12, 0),
        capacity=10,
    )
    series, made = services.add_shift_series(activity.team.founder, activity.id, spec, now=utcnow())
    again, made_again = services.add_shift_series(
        activity.team.founder, activity.id, spec, now=utcnow()
    )
    assert made == 8  # June 2027 has four Saturdays and four Sundays
    assert (again.id, made_again) == (series.id, 0)
    assert count(Shift) == 8
    first = db.session.scalars(select(Shift).order_by(Shift.starts_at)).first()
    assert first.starts_at == datetime(2027, 6, 5, 0, 0, tzinfo=UTC)  # 08:00 in Shanghai


@time_machine.travel(datetime(2027, 6, 1, 2, 0, tzinfo=UTC), tick=False)
def test_a_night_series_crosses_midnight(app):
    campaign = make_campaign(starts_on=date(2027, 6, 1), ends_on=date(2027, 8, 31))
    activity = make_activity(campaign=campaign)
    spec = services.SeriesSpec(
        first_day=date(2027, 6, 4),
        last_day=date(2027, 6, 4),
        weekdays=frozenset(range(7)),
        start_time=time(22, 0),
        end_time=time(2, 0),
        capacity=2,
    )
    services.add_shift_series(activity.team.founder, activity.id, spec, now=utcnow())
    shift = db.session.scalars(select(Shift)).one()
    assert shift.ends_at - shift.starts_at == timedelta(hours=4)


def test_editing_the_rest_of_a_series_leaves_earlier_shifts_and_tells_volunteers(app):
    today = utcnow().date()
    activity = make_activity()
    leader = activity.team.founder
    spec = services.SeriesSpec(
        first_day=today + timedelta(days=2),
        last_day=today + timedelta(days=8),
        weekdays=frozenset(range(7)),
        start_time=time(9, 0),
        end_time=time(11, 0),
        capacity=5,
    )
    services.add_shift_series(leader, activity.id, spec, now=utcnow())
    services.publish_activity(leader, activity.id, now=utcnow())
    shifts = db.session.scalars(select(Shift).order_by(Shift.starts_at)).all()
    volunteer = make_user()
    services.sign_up(volunteer, shifts[4].id, now=utcnow())

    changed = services.update_shift(
        leader,
        shifts[3].id,
        start_time=time(14, 0),
        end_time=time(16, 0),
        capacity=6,
        allows_walk_ins=True,
        rest_of_series=True,
        now=utcnow(),
    )

    assert [s.id for s in changed] == [s.id for s in shifts[3:]]
    assert shifts[0].capacity == 5
    assert all(s.capacity == 6 and s.allows_walk_ins for s in shifts[3:])
    notice = db.session.scalars(select(ActivityNotice)).one()
    assert (notice.user_id, notice.shift_id, notice.kind) == (
        volunteer.id,
        shifts[4].id,
        NoticeKind.changed,
    )


def test_cancelling_an_activity_cancels_sign_ups_and_records_a_notice_each(app):
    shift = make_shift(capacity=3)
    people = [make_user() for _ in range(3)]
    for person in people:
        services.sign_up(person, shift.id, now=utcnow())
    activity = shift.activity
    services.cancel_activity(activity.team.founder, activity.id, reason="台风", now=utcnow())
    assert activity.status is ActivityStatus.cancelled
    assert shift.seats_taken == 0
    notices = db.session.scalars(select(ActivityNotice)).all()
    assert sorted(n.user_id for n in notices) == sorted(p.id for p in people)
    assert {n.kind for n in notices} == {NoticeKind.cancelled}
    with pytest.raises(Conflict) as refused:
        services.sign_up(make_user(), shift.id, now=utcnow())
    assert refused.value.code == "cancelled"


# Sign-ups


def test_a_full_shift_offers_the_waiting_list_and_a_cancellation_promotes_the_first(app):
    shift = make_shift(capacity=1)
    first, second, third = make_user(), make_user(), make_user()
    now = utcnow()
    assert services.sign_up(first, shift.id, now=now).status is SignUpStatus.confirmed
    with pytest.raises(services.ShiftFull):
        services.sign_up(second, shift.id, now=now)
    waiting = services.sign_up(second, shift.id, now=now, join_waiting_list=True)
    later = services.sign_up(
        third, shift.id, now=now + timedelta(seconds=1), join_waiting_list=True
    )
    assert (services.waiting_position(waiting), services.waiting_position(later)) == (1, 2)

    services.cancel_sign_up(first, shift.id, now=now, cutoff_hours=2)

    assert waiting.status is SignUpStatus.confirmed
    assert waiting.promoted_at == now
    assert later.status is SignUpStatus.waiting
    assert services.waiting_position(later) == 1


def test_signing_up_again_returns_the_sign_up_held(app):
    shift = make_shift()
    volunteer = make_user()
    first = services.sign_up(volunteer, shift.id, now=utcnow())
    assert services.sign_up(volunteer, shift.id, now=utcnow()).id == first.id
    assert shift.seats_taken == 1


def test_overlapping_shifts_are_refused(app):
    first = make_shift(starts_in_hours=24, hours=4)
    other_team_shift = make_shift(starts_in_hours=26, hours=4)
    volunteer = make_user()
    services.sign_up(volunteer, first.id, now=utcnow())
    with pytest.raises(Conflict) as refused:
        services.sign_up(volunteer, other_team_shift.id, now=utcnow())
    assert refused.value.code == "overlapping_shift"
    adjacent = make_shift(first.activity, starts_in_hours=28, hours=2)
    assert services.sign_up(volunteer, adjacent.id, now=utcnow()).status is SignUpStatus.confirmed


def test_cancelling_closes_at_the_cut_off(app):
    shift = make_shift(starts_in_hours=3)
    volunteer = make_user()
    services.sign_up(volunteer, shift.id, now=utcnow())
    with pytest.raises(Conflict) as refused:
        services.cancel_sign_up(
            volunteer, shift.id, now=utcnow() + timedelta(hours=1, minutes=1), cutoff_hours=2
        )
    assert refused.value.code == "too_late"
    services.cancel_sign_up(
        volunteer, shift.id, now=utcnow() + timedelta(minutes=59), cutoff_hours=2
    )
    assert shift.seats_taken == 0


def test_only_volunteers_sign_up(app):
    shift = make_shift()
    with pytest.raises(Forbidden):
        services.sign_up(make_user(role=Role.merchant_staff), shift.id, now=utcnow())


def test_the_calendar_file_is_only_for_a_signed_up_volunteer(app):
    shift = make_shift()
    volunteer = make_user()
    with pytest.raises(NotFound):
        services.shift_calendar(volunteer, shift.id, now=utcnow())
    services.sign_up(volunteer, shift.id, now=utcnow())
    ics = services.shift_calendar(volunteer, shift.id, now=utcnow()).decode()
    assert "BEGIN:VEVENT" in ics
    assert "海滨环境清洁" in ics
    assert shift.starts_at.strftime("%Y%m%dT%H%M%SZ") in ics


# Check-in


def scan(shift, user, *, at=None, **location):
    now = at or utcnow()
    token, _ = services.check_in_code(
        shift.activity.team.founder, shift.id, now=now, secret=current_settings().check_in_secret
    )
    return services.check_in(
        user, token, now=now, **location, secret=current_settings().check_in_secret
    )


def test_a_code_is_accepted_for_two_minutes_and_forgeries_never(app):
    shift = make_shift(starts_in_hours=0, walk_ins=True)
    now = utcnow()
    token, expires_in = services.check_in_code(
        shift.activity.team.founder, shift.id, now=now, secret=current_settings().check_in_secret
    )
    assert 0 < expires_in <= 60
    assert (
        services.read_check_in_code(
            token, now=now + timedelta(seconds=59), secret=current_settings().check_in_secret
        ).id
        == shift.id
    )
    with pytest.raises(services.CheckInCodeInvalid):
        services.read_check_in_code(
            token, now=now + timedelta(minutes=3), secret=current_settings().check_in_secret
        )
    with pytest.raises(services.CheckInCodeInvalid):
        services.read_check_in_code(
            token[:-2] + "xx", now=now, secret=current_settings().check_in_secret
        )
    with pytest.raises(services.CheckInCodeInvalid):
        services.read_check_in_code(
            "not-a-token", now=now, secret=current_settings().check_in_secret
        )


def test_check_in_opens_thirty_minutes_before_the_start(app):
    shift = make_shift(starts_in_hours=1, walk_ins=True)
    volunteer = make_user()
    with pytest.raises(ValidationFailed):
        scan(shift, volunteer)
    row, created = scan(shift, volunteer, at=shift.starts_at - timedelta(minutes=29))
    assert created and row.is_walk_in


def test_a_shift_without_walk_ins_refuses_strangers(app):
    shift = make_shift(starts_in_hours=0)
    with pytest.raises(Conflict) as refused:
        scan(shift, make_user())
    assert refused.value.code == "not_signed_up"


def test_the_geofence_refuses_a_far_phone_and_the_leader_can_check_in_by_number(app):
    place = services.Place(
        "山海关老龙头景区", latitude=39.9680, longitude=119.7980, checkin_radius_m=200
    )
    activity = make_activity(place=place)
    shift = make_shift(activity, starts_in_hours=0)
    volunteer = make_user()
    services.sign_up(volunteer, shift.id, now=utcnow() - timedelta(hours=1))
    consents.give_consent(volunteer, ConsentKind.location, now=utcnow())
    with pytest.raises(ValidationFailed) as missing:
        scan(shift, volunteer)
    assert "location" in missing.value.errors
    with pytest.raises(ValidationFailed) as far:
        scan(shift, volunteer, latitude=39.9350, longitude=119.6000)
    assert "17272" in far.value.errors["location"][0]  # the distance, in metres
    row = services.check_in_by_leader(
        activity.team.founder, shift.id, phone=volunteer.phone, now=utcnow(), leader_days=7
    )
    assert not row.is_walk_in
    # The leader's check-in made no location check.
    assert (row.inside_fence, row.distance_m) == (None, None)
    again, created = scan(shift, volunteer, latitude=39.9681, longitude=119.7981)
    assert (again.id, created) == (row.id, False)


# Attendance


def test_confirmation_clamps_minutes_to_the_shift_and_computes_points(app):
    shift = make_shift(starts_in_hours=0, hours=3, walk_ins=True)
    early, forgetful = make_user(), make_user()
    scan(shift, early, at=shift.starts_at - timedelta(minutes=20))
    services.check_out(early, shift.id, now=shift.ends_at + timedelta(minutes=40))
    scan(shift, forgetful, at=shift.starts_at + timedelta(minutes=30))
    leader = shift.activity.team.founder
    with pytest.raises(Conflict):
        services.confirm_attendance(leader, shift.id, now=shift.ends_at - timedelta(minutes=1))

    after = shift.ends_at + timedelta(hours=1)
    confirmed = services.confirm_attendance(leader, shift.id, now=after)

    assert [c.user_id for c in confirmed] == [early.id]
    assert (confirmed[0].served_minutes, confirmed[0].points_due) == (180, 30)
    sheet = {
        line.user.id: line
        for line in services.attendance_sheet(leader, shift.id, now=after, leader_days=7)
    }
    assert sheet[forgetful.id].state == "needs_review"
    assert sheet[forgetful.id].check_in.checked_out_at == shift.ends_at
    assert services.confirm_attendance(leader, shift.id, now=after) == []

    flagged = sheet[forgetful.id].check_in
    services.confirm_attendance(leader, shift.id, check_in_ids=[flagged.id], now=after)
    assert (flagged.status, flagged.served_minutes, flagged.points_due) == (
        AttendanceStatus.confirmed,
        150,
        20,
    )


def test_a_correction_after_confirmation_recomputes_and_keeps_the_trail(app):
    shift = make_shift(starts_in_hours=0, hours=4, walk_ins=True)
    volunteer = make_user()
    row, _ = scan(shift, volunteer, at=shift.starts_at)
    services.check_out(volunteer, shift.id, now=shift.starts_at + timedelta(hours=1))
    leader = shift.activity.team.founder
    services.confirm_attendance(leader, shift.id, now=shift.ends_at)
    with pytest.raises(ValidationFailed):
        services.correct_times(
            leader,
            row.id,
            checked_in_at=shift.starts_at,
            checked_out_at=shift.ends_at,
            reason="",
            now=shift.ends_at,
            leader_days=7,
        )
    services.correct_times(
        leader,
        row.id,
        checked_in_at=shift.starts_at,
        checked_out_at=shift.ends_at,
        reason="忘记签退，现场核实",
        now=shift.ends_at,
        leader_days=7,
    )
    assert (row.served_minutes, row.points_due) == (240, 40)
    history = services.check_in_history(volunteer, row.id)
    assert [(h.field, h.reason) for h in history] == [("checked_out_at", "忘记签退，现场核实")]
    with pytest.raises(Forbidden):
        services.check_in_history(make_user(), row.id)


def test_no_show_only_for_a_confirmed_volunteer_who_never_came(app):
    shift = make_shift(starts_in_hours=0, capacity=3)
    absent, present = make_user(), make_user()
    before = utcnow() - timedelta(hours=1)
    absent_sign_up = services.sign_up(absent, shift.id, now=before)
    present_sign_up = services.sign_up(present, shift.id, now=before)
    scan(shift, present)
    leader = shift.activity.team.founder
    assert services.mark_no_show(leader, absent_sign_up.id, now=utcnow()).status is (
        SignUpStatus.no_show
    )
    with pytest.raises(Conflict):
        services.mark_no_show(leader, present_sign_up.id, now=utcnow())


def test_a_forgotten_check_in_is_fixed_by_an_accepted_request(app):
    shift = make_shift(starts_in_hours=0, hours=2)
    volunteer = make_user()
    services.sign_up(volunteer, shift.id, now=utcnow() - timedelta(hours=1))
    after = shift.ends_at + timedelta(hours=1)
    asked = services.request_correction(
        volunteer,
        shift.id,
        checked_in_at=shift.starts_at,
        checked_out_at=shift.ends_at,
        message="手机没电，没能扫码",
        now=after,
    )
    with pytest.raises(Conflict):
        services.request_correction(
            volunteer,
            shift.id,
            checked_in_at=shift.starts_at,
            checked_out_at=shift.ends_at,
            message="again",
            now=after,
        )
    leader = shift.activity.team.founder
    with pytest.raises(Forbidden):
        services.decide_correction(
            make_team().founder, asked.id, accept=True, reply="", now=after, leader_days=7
        )
    services.decide_correction(leader, asked.id, accept=True, reply="", now=after, leader_days=7)
    row = services.find_check_in(volunteer.id, shift.id)
    assert (row.status, row.served_minutes, row.points_due) == (
        AttendanceStatus.confirmed,
        120,
        20,
    )
    assert count(CheckInChange) >= 1
    with pytest.raises(Conflict):
        services.decide_correction(
            leader, asked.id, accept=False, reply="no", now=after, leader_days=7
        )


def test_service_totals_add_confirmed_minutes_by_year_and_season(app):
    shift = make_shift(starts_in_hours=-5, hours=2, walk_ins=True)
    volunteer = make_user()
    scan(shift, volunteer, at=shift.starts_at)
    services.check_out(volunteer, shift.id, now=shift.ends_at)
    services.confirm_attendance(shift.activity.team.founder, shift.id, now=utcnow())
    totals = services.service_totals(volunteer)
    assert [(t.season, t.shifts, t.minutes, t.hours) for t in totals] == [
        (Season.winter, 1, 120, 2.0)
    ]
