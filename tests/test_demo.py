"""The demo data (`flask demo-data`): something for a leader to do whenever it is loaded, loading
it again, a demo number taken by another kind of account, and the README that describes it.

Every load runs at a set clock: what the demo makes depends on the time of day."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from sqlalchemy import func, inspect, select

from core.auth import services as auth
from core.auth.models import Role, User
from core.districts import District
from core.extensions import db
from core.settings import current_settings
from events import services
from events.models import (
    Activity,
    AttendanceStatus,
    Campaign,
    CheckIn,
    CheckInMethod,
    Shift,
    SignUp,
    SignUpStatus,
)
from points.models import CatalogItem, LedgerEntry, Merchant, Redemption
from points.services import balance_of, verify_ledger
from tests.builders import make_user
from volunteer.models import Membership, Team

CITY = ZoneInfo("Asia/Shanghai")
LEADER = "13700000001"
QINHUANGDAO = ("海港区", "山海关区", "北戴河区", "抚宁区", "昌黎县", "卢龙县", "青龙")
README = Path(__file__).resolve().parent.parent / "README.md"
# Every table the demo writes, but the notifications: the scheduler's catch-up, run by the
# demo, rightly finds more due on a later day.
MODELS = (
    User,
    District,
    Team,
    Membership,
    Campaign,
    Activity,
    Shift,
    SignUp,
    CheckIn,
    Merchant,
    CatalogItem,
    Redemption,
    LedgerEntry,
)


def load_demo(runner, at: datetime):
    with time_machine.travel(at, tick=False):
        result = runner.invoke(args=["demo-data"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    return result


def today_at(hour: int, minute: int = 0) -> datetime:
    """Today's date (whatever the date of the run) at a set local time."""
    return datetime.combine(datetime.now(CITY).date(), time(hour, minute), tzinfo=CITY)


def rows(model) -> set[tuple]:
    columns = [column.key for column in inspect(model).column_attrs]
    return {
        tuple(
            repr(getattr(row, c)) if isinstance(getattr(row, c), list) else getattr(row, c)
            for c in columns
        )
        for row in db.session.scalars(select(model))
    }


def snapshot() -> dict[str, set[tuple]]:
    return {model.__name__: rows(model) for model in MODELS}


@dataclass
class Pair:
    running: Shift
    to_confirm: Shift


def leaders_shifts() -> list[Shift]:
    leader = auth.find_user_by_phone(LEADER)
    teams = select(Team.id).where(Team.founder_id == leader.id)
    return list(
        db.session.scalars(
            select(Shift).join(Activity).where(Activity.team_id.in_(teams)).order_by(Shift.id)
        )
    )


def pair_at(now: datetime) -> Pair:
    """The leader's shift running at `now` and the one that ended about an hour before, each
    with volunteers checked in (on Lei Feng day a demo activity runs then too, empty)."""
    shifts = [s for s in leaders_shifts() if check_ins(s)]
    running = [
        s
        for s in shifts
        if now - timedelta(hours=2) < s.starts_at <= now - timedelta(minutes=55)
        and now + timedelta(minutes=55) <= s.ends_at <= now + timedelta(hours=3)
    ]
    ended = [
        s for s in shifts if now - timedelta(hours=2) < s.ends_at <= now - timedelta(minutes=55)
    ]
    assert len(running) == 1, [(s.starts_at, s.ends_at) for s in leaders_shifts()]
    assert len(ended) == 1, [(s.starts_at, s.ends_at) for s in leaders_shifts()]
    return Pair(running[0], ended[0])


def check_ins(shift: Shift) -> list[CheckIn]:
    return list(db.session.scalars(select(CheckIn).where(CheckIn.shift_id == shift.id)))


def signed_up(shift: Shift) -> list[SignUp]:
    return list(
        db.session.scalars(
            select(SignUp).where(
                SignUp.shift_id == shift.id, SignUp.status == SignUpStatus.confirmed
            )
        )
    )


@pytest.mark.parametrize(
    "local",
    [
        pytest.param(datetime(2027, 3, 5, 10, 20, tzinfo=CITY), id="lei-feng-day-morning"),
        pytest.param(datetime(2027, 7, 15, 15, 45, tzinfo=CITY), id="tourist-season-afternoon"),
        # Between the spring and the tourist season no campaign is open.
        pytest.param(datetime(2027, 5, 12, 0, 20, tzinfo=CITY), id="may-after-midnight"),
        # The shift that waits for confirmation began in the autumn campaign, the running one
        # in the winter campaign.
        pytest.param(datetime(2027, 12, 1, 2, 30, tzinfo=CITY), id="first-night-of-winter"),
        pytest.param(datetime(2028, 6, 1, 1, 10, tzinfo=CITY), id="from-may-into-summer"),
        pytest.param(None, id="today-at-noon"),
    ],
)
def test_demo_gives_a_leader_a_shift_running_now_and_one_to_confirm(runner, local):
    now = local or today_at(12, 20)
    result = load_demo(runner, now)

    pair = pair_at(now)
    for shift in (pair.running, pair.to_confirm):
        activity = shift.activity
        assert activity.status.value == "published"
        assert activity.campaign.is_open_on(shift.service_day)
        assert re.search(r"[\u4e00-\u9fff]", activity.title)
        assert activity.address.startswith(QINHUANGDAO)
        assert not activity.has_geofence  # a newcomer at a desk can check in

    running_in = check_ins(pair.running)
    assert running_in, "somebody has checked in to the running shift"
    assert all(c.method is CheckInMethod.qr and c.checked_out_at is None for c in running_in)
    waiting = {s.user_id for s in signed_up(pair.running)} - {c.user_id for c in running_in}
    assert waiting, "somebody signed up has not checked in yet"

    ended_in = check_ins(pair.to_confirm)
    assert ended_in
    assert all(c.method is CheckInMethod.qr for c in ended_in)
    assert all(c.status is AttendanceStatus.pending for c in ended_in)
    assert pair.to_confirm.attendance_closed_at is None
    assert "running now" in result.output
    assert "to confirm" in result.output

    # The newcomer's two things to try work, by the same services as the pages.
    with time_machine.travel(now, tick=False):
        leader = auth.find_user_by_phone(LEADER)
        secret = current_settings().check_in_secret
        latecomer = db.session.get(User, sorted(waiting)[0])
        token, _ = services.check_in_code(leader, pair.running.id, now=now, secret=secret)
        row, made = services.check_in(latecomer, token, now=now, secret=secret)
        assert made and row.shift_id == pair.running.id
        before = balance_of(ended_in[0].user)
        confirmed = services.confirm_attendance(leader, pair.to_confirm.id, now=now)
        assert len(confirmed) == len(ended_in)
        assert balance_of(ended_in[0].user) > before
    assert verify_ledger().ok


def test_demo_loaded_again_the_same_day_changes_nothing(runner):
    load_demo(runner, datetime(2027, 9, 20, 8, 10, tzinfo=CITY))
    first = snapshot()
    load_demo(runner, datetime(2027, 9, 20, 21, 50, tzinfo=CITY))
    assert snapshot() == first


@pytest.mark.parametrize(
    ("first_day", "later"),
    [
        pytest.param(
            datetime(2027, 9, 20, 8, 10, tzinfo=CITY),
            datetime(2027, 9, 23, 16, 40, tzinfo=CITY),
            id="autumn",
        ),
        # The campaign the demo opened for May is no season's standard campaign.
        pytest.param(
            datetime(2027, 5, 12, 0, 20, tzinfo=CITY),
            datetime(2027, 5, 14, 10, 5, tzinfo=CITY),
            id="may",
        ),
    ],
)
def test_demo_loaded_on_a_later_day_adds_that_days_pair_once(runner, first_day, later):
    load_demo(runner, first_day)
    first = snapshot()
    load_demo(runner, later)
    second = snapshot()
    for name, before in first.items():
        assert before <= second[name], f"{name}: rows changed or vanished"
    pair = pair_at(later)
    added = {name: len(second[name]) - len(first[name]) for name in second}
    assert added["Shift"] == 2
    assert {s[0] for s in second["Shift"] - first["Shift"]} == {
        pair.running.id,
        pair.to_confirm.id,
    }
    assert added["CheckIn"] == len(check_ins(pair.running)) + len(check_ins(pair.to_confirm))
    assert added["Activity"] == 1
    assert added["LedgerEntry"] == added["User"] == added["Campaign"] == 0

    load_demo(runner, later + timedelta(hours=5))
    assert snapshot() == second


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.mark.parametrize(
    ("phone", "role", "said"),
    [
        ("13800000001", Role.volunteer, "志愿者"),  # the office's number
        ("13600000002", Role.volunteer, "志愿者"),  # a merchant's staff
        ("13900000004", Role.office, "文明办"),  # a volunteer
        ("13700000002", Role.merchant_staff, "商家店员"),  # a team leader
    ],
)
def test_demo_data_names_a_number_taken_by_another_kind_of_account_and_writes_nothing(
    runner, phone, role, said
):
    make_user(phone=phone, role=role, display_name="别人的账号")
    db.session.commit()
    result = runner.invoke(args=["demo-data"])
    assert result.exit_code == 1
    assert isinstance(result.exception, SystemExit), result.exception
    assert f"{phone[:3]}****{phone[-4:]}" in result.output or phone in result.output
    assert said in result.output
    db.session.expire_all()
    assert [count(model) for model in MODELS] == [1] + [0] * (len(MODELS) - 1)


def test_readme_names_every_demo_account_the_demo_prints(runner):
    result = load_demo(runner, datetime(2027, 4, 8, 14, 30, tzinfo=CITY))
    printed = re.findall(r"^\s+(\w+)\s+(1\d{10})\s", result.output, re.MULTILINE)
    assert printed
    demo_section = README.read_text().split("\n## ")[1]
    assert "demo-2026-qhd" in demo_section
    for role, phone in printed:
        assert phone in demo_section, f"README does not name the {role} {phone}"
    for words in ("check in", "confirm"):
        assert words in demo_section.lower(), words
