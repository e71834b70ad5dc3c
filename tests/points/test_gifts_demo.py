"""The gifting demo: 李志强 and 张晓梅 linked as family and giving each other points, 陈静's
request to 李志强 waiting, donations to 未淑云's team's pool and the city's, and the office's
award from the city's pool; loading the demo again adds nothing."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import select

from core.auth.services import find_user_by_phone
from core.extensions import db
from points import services
from points.gift_models import FamilyLink, LinkStatus, PointsGift, PoolAward
from tests.test_demo import CITY, load_demo, rows

# The demo's content is the same on either database: checked on the SQLite pass (conftest).
pytestmark = pytest.mark.demo_content

NOW = datetime(2027, 4, 16, 10, 0, tzinfo=CITY)


def test_the_gifting_demo_holds_a_family_gifts_donations_and_an_award_once(app, runner):
    load_demo(runner, NOW)
    li = find_user_by_phone("13900000001")
    links = {(link.other(li).display_name, link.status) for link in services.family_of(li)}
    assert links == {("张晓梅", LinkStatus.confirmed), ("陈静", LinkStatus.requested)}
    gifts = db.session.scalars(select(PointsGift).order_by(PointsGift.id)).all()
    assert [(g.giver.display_name, g.kind.value, g.amount) for g in gifts] == [
        ("张晓梅", "family", 10),
        ("李志强", "family", 15),
        ("李志强", "team_pool", 20),
        ("王海燕", "team_pool", 20),
        ("周洋", "city_pool", 30),
        ("刘建国", "city_pool", 20),
    ]
    award = db.session.scalars(select(PoolAward)).one()
    assert (award.recipient.display_name, award.reason) == ("吴桂芳", "2026年度优秀志愿者奖励")
    assert [(p.name, p.balance) for p in services.pools()] == [
        ("全市爱心积分池", 20),
        ("未淑云道德模范志愿服务队爱心积分池", 40),
    ]
    assert services.verify_ledger().ok
    first = {model.__name__: rows(model) for model in (FamilyLink, PointsGift, PoolAward)}

    load_demo(runner, NOW.replace(day=20))
    assert {model.__name__: rows(model) for model in (FamilyLink, PointsGift, PoolAward)} == first
