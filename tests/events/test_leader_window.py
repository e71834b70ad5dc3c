"""A leader changes a shift's record (walk-ins, times, correction requests) only while the shift
ended less than LEADER_CORRECTION_DAYS ago; older records are the office's."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine

from core.auth.models import Role
from core.errors import Forbidden
from events import services
from tests.builders import make_shift, make_user

API = "/api/v1"
DAYS = 7


@pytest.fixture
def served(app):
    """A two-hour shift that has ended, with one volunteer checked in by the leader."""
    shift = make_shift(starts_in_hours=-3, hours=2, walk_ins=True)
    volunteer = make_user(display_name="志愿者小张")
    leader = shift.activity.team.founder
    row = services.check_in_by_leader(
        leader, shift.id, phone=volunteer.phone, now=shift.starts_at, leader_days=DAYS
    )
    return shift, leader, volunteer, row


def correct(user, shift, row, *, now):
    return services.correct_times(
        user,
        row.id,
        checked_in_at=shift.starts_at,
        checked_out_at=shift.ends_at,
        reason="现场核实",
        now=now,
        leader_days=DAYS,
    )


def test_a_leader_corrects_times_within_the_window_and_not_after(served):
    shift, leader, _, row = served

    correct(leader, shift, row, now=shift.ends_at + timedelta(days=DAYS) - timedelta(minutes=1))
    with pytest.raises(Forbidden) as refused:
        correct(leader, shift, row, now=shift.ends_at + timedelta(days=DAYS))

    assert refused.value.code == "record_settled"
    assert "7" in str(refused.value.message)


def test_the_office_corrects_an_old_record(served):
    shift, _, _, row = served

    corrected = correct(
        make_user(role=Role.office), shift, row, now=shift.ends_at + timedelta(days=90)
    )

    assert corrected.checked_out_at == shift.ends_at


def test_a_leader_adds_a_walk_in_only_within_the_window(served):
    shift, leader, _, _ = served
    late = make_user(display_name="迟到的志愿者")

    with pytest.raises(Forbidden):
        services.check_in_by_leader(
            leader,
            shift.id,
            phone=late.phone,
            now=shift.ends_at + timedelta(days=DAYS, hours=1),
            leader_days=DAYS,
        )
    row = services.check_in_by_leader(
        leader, shift.id, phone=late.phone, now=shift.ends_at + timedelta(days=1), leader_days=DAYS
    )

    assert row.is_walk_in


def test_a_leader_decides_a_correction_request_only_within_the_window(served):
    shift, leader, _, _ = served
    forgot = make_user(display_name="忘记扫码的志愿者")
    services.sign_up(forgot, shift.id, now=shift.starts_at - timedelta(days=1))
    asked = services.request_correction(
        forgot,
        shift.id,
        checked_in_at=shift.starts_at,
        checked_out_at=shift.ends_at,
        message="手机没电",
        now=shift.ends_at + timedelta(hours=1),
    )
    late = shift.ends_at + timedelta(days=DAYS + 1)

    with pytest.raises(Forbidden):
        services.decide_correction(
            leader, asked.id, accept=True, reply="", now=late, leader_days=DAYS
        )
    decided = services.decide_correction(
        make_user(role=Role.office), asked.id, accept=True, reply="", now=late, leader_days=DAYS
    )

    assert decided.status.value == "accepted"


def test_the_window_is_a_setting_the_api_follows(make_app, bearer):
    for days, status in ((DAYS, 403), (30, 200)):
        app = make_app(LEADER_CORRECTION_DAYS=days)
        with app.app_context():
            shift = make_shift(starts_in_hours=-3, hours=2, walk_ins=True)
            leader = shift.activity.team.founder
            volunteer = make_user()
            with time_machine.travel(shift.ends_at + timedelta(days=10), tick=False):
                headers = bearer(leader)
                response = app.test_client().post(
                    f"{API}/shifts/{shift.id}/check-ins",
                    json={"phone": volunteer.phone},
                    headers=headers,
                )
            assert response.status_code == status, response.text
            if status == 403:
                assert response.json["code"] == "record_settled"
                assert services.find_check_in(volunteer.id, shift.id) is None
