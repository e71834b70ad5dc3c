"""Gifting points: family links asked, answered and ended; a gift carries the days of the lots
it draws; the monthly cap, the refusals, one gift per key, nothing kept of a request that died
half way; donations to the pools and the office's awards from them."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from core.auth.models import Role
from core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from core.extensions import db
from core.rows import Window
from points import services
from points.gift_models import GiftKind, LinkStatus, PointsGift, PoolAward, Relation
from points.lot_models import PointsLot
from points.models import Account
from points.services import ledger
from tests.builders import make_team, make_user
from tests.points.test_lots import DAYS, assert_ledger_ok, earn, open_lots
from volunteer.models import TeamStatus

# Noon in Shanghai on 16 March 2026, after the three days of DAYS.
NOW = datetime(2026, 3, 16, 4, 0, tzinfo=UTC)
CAP = 500


def linked(giver, relative, *, now: datetime = NOW):
    link = services.request_link(giver, phone=relative.phone, relation=Relation.parent, now=now)
    return services.answer_link(relative, link.id, accept=True, now=now)


def give(giver, amount: int, key: str, *, now: datetime = NOW, cap: int = CAP, **target):
    target.setdefault("kind", GiftKind.family)
    return services.give_points(
        giver,
        amount=amount,
        note=target.pop("note", ""),
        key=key,
        now=now,
        monthly_cap=cap,
        **target,
    )


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_a_link_is_asked_by_number_confirmed_by_the_relative_and_ended_by_either(app):
    son, mother, stranger = make_user(), make_user(), make_user()
    link = services.request_link(son, phone=mother.phone, relation=Relation.parent, now=NOW)
    assert link.status is LinkStatus.requested
    # Seen from the mother's side, the son is her child.
    assert link.relation_seen_by(mother) is Relation.child
    with pytest.raises(Conflict) as twice:
        services.request_link(mother, phone=son.phone, relation=Relation.child, now=NOW)
    assert twice.value.code == "link_exists"
    with pytest.raises(Forbidden):
        services.answer_link(son, link.id, accept=True, now=NOW)
    with pytest.raises(NotFound):
        services.answer_link(stranger, link.id, accept=True, now=NOW)

    services.answer_link(mother, link.id, accept=True, now=NOW)
    again = services.answer_link(mother, link.id, accept=True, now=NOW)
    assert again.status is LinkStatus.confirmed and again.answered_at == NOW
    with pytest.raises(Conflict):
        services.answer_link(mother, link.id, accept=False, now=NOW)
    assert [other.id for other in services.family_members(son)] == [mother.id]
    assert [other.id for other in services.family_members(mother)] == [son.id]

    with pytest.raises(NotFound):
        services.end_link(stranger, link.id, now=NOW)
    services.end_link(mother, link.id, now=NOW)
    assert services.family_of(son) == [] and services.family_members(mother) == []
    # Once ended, either may ask again.
    services.request_link(mother, phone=son.phone, relation=Relation.child, now=NOW)


def test_a_declined_request_may_be_asked_again_and_bad_numbers_are_refused(app):
    asker, asked = make_user(), make_user()
    link = services.request_link(asker, phone=asked.phone, relation=Relation.sibling, now=NOW)
    with pytest.raises(Conflict) as waiting:
        services.end_link(asked, link.id, now=NOW)
    assert waiting.value.code == "link_waiting"
    services.answer_link(asked, link.id, accept=False, now=NOW)
    assert services.family_of(asker) == []
    services.request_link(asker, phone=asked.phone, relation=Relation.sibling, now=NOW)

    staff = make_user(role=Role.merchant_staff)
    for phone in (asker.phone, staff.phone, "13999999999", "12345"):
        with pytest.raises(ValidationFailed) as refused:
            services.request_link(asker, phone=phone, relation=Relation.other, now=NOW)
        assert set(refused.value.errors) == {"phone"}


def test_a_gift_carries_the_days_of_the_lots_it_draws(app):
    giver, relative = make_user(), make_user()
    for i, moment in enumerate(DAYS):
        earn(giver, 30, moment, f"earn-{i}")
    linked(giver, relative)

    gift, made = give(giver, 40, "g1", recipient_id=relative.id, note="买菜用")

    assert made and gift.given_on == date(2026, 3, 16)
    assert open_lots(giver) == [
        (date(2026, 3, 2), 0),
        (date(2026, 3, 9), 20),
        (date(2026, 3, 16), 30),
    ]
    # The recipient's lots count from the giver's days, not the day of the gift.
    assert open_lots(relative) == [(date(2026, 3, 2), 30), (date(2026, 3, 9), 10)]
    entry_lots = db.session.scalars(
        select(PointsLot.entry_id).where(PointsLot.entry_id == gift.entry_id)
    )
    assert len(list(entry_lots)) == 2
    assert (services.balance_of(giver), services.balance_of(relative)) == (50, 40)
    assert_ledger_ok()


def test_both_sides_see_what_it_was_and_who_in_their_history(app):
    giver = make_user(display_name="李志强")
    relative = make_user(display_name="李母")
    earn(giver, 100, DAYS[0], "earn")
    linked(giver, relative)
    team = make_team(name="暖阳志愿服务队")
    give(giver, 10, "family", recipient_id=relative.id, note="生日快乐")
    give(giver, 20, "team", kind=GiftKind.team_pool, team_id=team.id)
    give(giver, 30, "city", kind=GiftKind.city_pool)
    office = make_user(role=Role.office)
    services.award_from_pool(
        office,
        team_id=None,
        recipient_id=relative.id,
        amount=25,
        reason="年度优秀志愿者",
        key="award",
        now=NOW,
    )

    def lines(user):
        found = services.history(user, window=Window(size=10)).items
        return [(line.movement, line.change, line.counterpart, line.entry.memo) for line in found]

    movements = services.Movement
    assert lines(giver)[:3] == [
        (movements.donated, -30, None, services.pool_name(None)),
        (movements.donated, -20, None, services.pool_name(team)),
        (movements.gift_sent, -10, "李母", "生日快乐"),
    ]
    assert lines(relative) == [
        (movements.pool_award, 25, None, "年度优秀志愿者"),
        (movements.gift_received, 10, "李志强", "生日快乐"),
    ]
    assert [(p.team_id, p.balance) for p in services.pools()] == [(None, 5), (team.id, 20)]
    assert_ledger_ok()


def test_gifts_go_only_along_a_confirmed_link_to_an_enabled_volunteer_from_an_enabled_one(app):
    giver, waiting, disabled, other = make_user(), make_user(), make_user(), make_user()
    earn(giver, 50, DAYS[0], "earn")
    services.request_link(giver, phone=waiting.phone, relation=Relation.child, now=NOW)
    linked(giver, disabled)
    disabled.is_enabled = False
    pending_team = make_team()
    pending_team.status = TeamStatus.pending
    db.session.commit()

    refusals = [
        ({"recipient_id": waiting.id}, 10, ValidationFailed, "recipient_id"),
        ({"recipient_id": disabled.id}, 10, ValidationFailed, "recipient_id"),
        ({"recipient_id": other.id}, 10, ValidationFailed, "recipient_id"),
        ({"recipient_id": None}, 10, ValidationFailed, "recipient_id"),
        ({"kind": GiftKind.team_pool, "team_id": pending_team.id}, 10, ValidationFailed, "team_id"),
        ({"kind": GiftKind.city_pool}, 0, ValidationFailed, "amount"),
        ({"kind": GiftKind.city_pool}, 51, services.InsufficientBalance, None),
    ]
    for number, (target, amount, error, field) in enumerate(refusals):
        with pytest.raises(error) as refused:
            give(giver, amount, f"r{number}", **target)
        assert field is None or set(refused.value.errors) == {field}
        db.session.rollback()

    linked(giver, other)
    giver.is_enabled = False
    with pytest.raises(Forbidden) as closed:
        give(giver, 10, "from-disabled", recipient_id=other.id)
    assert closed.value.code == "account_disabled"
    db.session.rollback()
    assert count(PointsGift) == 0 and services.balance_of(giver) == 50


def test_the_cap_counts_every_gift_of_the_local_month_and_the_next_month_starts_again(app):
    giver, relative = make_user(), make_user()
    earn(giver, 500, DAYS[0], "earn")
    linked(giver, relative)
    # 31 March, 23:30 in Shanghai; half an hour later it is April there, still March in UTC.
    march_end = datetime(2026, 3, 31, 15, 30, tzinfo=UTC)
    april = march_end + timedelta(hours=1)
    give(giver, 60, "a", recipient_id=relative.id, now=march_end, cap=100)
    give(giver, 30, "b", kind=GiftKind.city_pool, now=march_end, cap=100)
    db.session.commit()

    with pytest.raises(services.GiftCapReached) as capped:
        give(giver, 11, "c", recipient_id=relative.id, now=march_end, cap=100)
    assert capped.value.code == "monthly_cap" and "10" in capped.value.errors["amount"][0]
    db.session.rollback()
    assert services.gift_allowance(giver, now=march_end, monthly_cap=100) == 10

    give(giver, 100, "d", recipient_id=relative.id, now=april, cap=100)
    assert services.gift_allowance(giver, now=april, monthly_cap=100) == 0
    assert services.balance_of(giver) == 310
    assert_ledger_ok()


def test_the_same_key_gives_once_and_another_request_with_it_is_refused(app):
    giver, relative = make_user(), make_user()
    earn(giver, 100, DAYS[0], "earn")
    linked(giver, relative)
    first, made = give(giver, 10, "tap", recipient_id=relative.id)
    again, made_again = give(giver, 10, "tap", recipient_id=relative.id)
    assert made and not made_again and again.id == first.id
    with pytest.raises(Conflict) as reused:
        give(giver, 20, "tap", recipient_id=relative.id)
    assert reused.value.code == "key_reused"
    # Keys are each giver's own.
    earn(relative, 10, DAYS[0], "earn-relative")
    _, theirs = give(relative, 5, "tap", recipient_id=giver.id)
    assert theirs
    assert (services.balance_of(giver), services.balance_of(relative)) == (95, 15)


def test_a_gift_that_dies_after_the_points_moved_leaves_nothing_behind(app, monkeypatch):
    giver, relative = make_user(), make_user()
    earn(giver, 30, DAYS[0], "earn-0")
    earn(giver, 30, DAYS[1], "earn-1")
    linked(giver, relative)
    db.session.commit()
    before = (open_lots(giver), open_lots(relative), count(PointsGift))

    followed = ledger.follow_entry

    def dies_after(*args, **kwargs):
        followed(*args, **kwargs)
        raise RuntimeError("the worker was killed")

    monkeypatch.setattr(ledger, "follow_entry", dies_after)
    with pytest.raises(RuntimeError):
        give(giver, 45, "dies", recipient_id=relative.id)
    db.session.rollback()

    assert (services.balance_of(giver), services.balance_of(relative)) == (60, 0)
    assert (open_lots(giver), open_lots(relative), count(PointsGift)) == before
    monkeypatch.undo()
    # The key was never used: the retry goes through.
    _, made = give(giver, 45, "dies", recipient_id=relative.id)
    assert made and services.balance_of(relative) == 45
    assert_ledger_ok()


def test_the_office_awards_from_a_pool_with_a_reason_and_a_pool_never_goes_below_zero(app):
    donor, winner = make_user(), make_user()
    office = make_user(role=Role.office)
    team = make_team()
    earn(donor, 100, DAYS[0], "earn")
    give(donor, 30, "to-team", kind=GiftKind.team_pool, team_id=team.id)

    def award(amount: int, key: str, **kwargs):
        values = {"team_id": team.id, "recipient_id": winner.id, "reason": "助老服务之星"}
        return services.award_from_pool(
            office, **{**values, **kwargs}, amount=amount, key=key, now=NOW + timedelta(days=1)
        )

    with pytest.raises(ValidationFailed) as no_reason:
        award(10, "a", reason=" ")
    assert set(no_reason.value.errors) == {"reason"}
    with pytest.raises(Forbidden):
        services.award_from_pool(
            donor, team_id=team.id, recipient_id=winner.id, amount=1, reason="x", key="k", now=NOW
        )
    made, created = award(20, "b")
    assert created and award(20, "b")[0].id == made.id
    # The award is a new lot of the day it was made.
    assert open_lots(winner) == [(date(2026, 3, 17), 20)]
    db.session.commit()
    with pytest.raises(services.InsufficientBalance):
        award(11, "c")
    db.session.rollback()
    with pytest.raises(services.InsufficientBalance):
        award(1, "d", team_id=None)
    db.session.rollback()

    pool = db.session.scalars(select(Account).where(Account.team_id == team.id)).one()
    assert pool.balance == 10 and count(PoolAward) == 1
    assert_ledger_ok()
