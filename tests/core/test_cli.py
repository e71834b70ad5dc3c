"""Command-line tools: creating accounts and loading the demo data."""

from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

import time_machine
from sqlalchemy import func, select

from core.auth import services
from core.auth.models import Role, User
from core.extensions import db
from events.models import CheckIn
from points.models import Redemption
from points.services import verify_ledger
from tests.test_demo import MODELS as DEMO_MODELS
from volunteer.models import Team


def today_at(hour: int, minute: int) -> datetime:
    city = ZoneInfo("Asia/Shanghai")
    return datetime.combine(datetime.now(city).date(), time(hour, minute), tzinfo=city)


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_users_create_makes_an_office_account_that_can_sign_in(runner, client):
    result = runner.invoke(
        args=[
            "users",
            "create",
            "--phone",
            "13700000009",
            "--name",
            "文明办管理员",
            "--role",
            "office",
            "--password",
            "long-enough-1",
        ]
    )
    assert result.exit_code == 0, result.output
    user = services.find_user_by_phone("13700000009")
    assert user.role is Role.office
    assert "long-enough-1" not in user.password_hash
    response = client.post("/login", data={"phone": "13700000009", "password": "long-enough-1"})
    assert response.status_code == 302


def test_users_create_asks_for_the_password_at_a_prompt(runner):
    result = runner.invoke(
        args=["users", "create", "--phone", "13700000008", "--name", "张三"],
        input="secret-pass-1\nsecret-pass-1\n",
    )
    assert result.exit_code == 0, result.output
    assert "secret-pass-1" not in result.output
    assert services.authenticate("13700000008", "secret-pass-1") is not None


def test_users_create_refuses_bad_input_and_creates_nothing(runner):
    bad_phone = runner.invoke(
        args=["users", "create", "--phone", "12345", "--name", "x", "--password", "long-enough-1"]
    )
    assert bad_phone.exit_code == 1
    assert "11" in bad_phone.output
    weak = runner.invoke(
        args=["users", "create", "--phone", "13700000007", "--name", "x", "--password", "1234"]
    )
    assert weak.exit_code == 1
    assert count(User) == 0


def test_users_create_refuses_a_taken_phone(runner):
    args = ["users", "create", "--phone", "13700000006", "--name", "x", "--password", "pass-word-1"]
    assert runner.invoke(args=args).exit_code == 0
    again = runner.invoke(args=args)
    assert again.exit_code == 1
    assert count(User) == 1


def test_demo_data_prints_the_accounts_and_running_it_twice_changes_nothing(runner):
    # Today, at a set time: what the demo makes depends on the date and on the time of day.
    with time_machine.travel(today_at(9, 40), tick=False):
        first = runner.invoke(args=["demo-data"])
    assert first.exit_code == 0, first.output
    assert "13800000001" in first.output
    assert "demo-2026-qhd" in first.output
    counts = [count(model) for model in DEMO_MODELS]
    assert counts[1] == 8
    assert db.session.scalar(select(Team.id).where(Team.name == "爱先行志愿服务队"))
    assert count(CheckIn) > 0
    with time_machine.travel(today_at(17, 5), tick=False):
        second = runner.invoke(args=["demo-data"])
    assert second.exit_code == 0, second.output
    db.session.expire_all()
    assert [count(model) for model in DEMO_MODELS] == counts
    assert count(Redemption) > 0
    assert verify_ledger().ok
    assert services.authenticate("13800000001", "demo-2026-qhd").role is Role.office
