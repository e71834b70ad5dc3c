"""Chinese names are listed in pinyin order (阿, 李, 王, 张, 赵), not by code point (张, 李, 王,
赵, 阿), in SQL on both databases and in lists sorted in memory."""

from __future__ import annotations

from core.collation import pinyin_key
from tests.builders import make_merchant, make_team, make_user
from volunteer import services as volunteers

PINYIN_ORDER = ["阿里巴队", "李家庄队", "王家营队", "张庄队", "赵各庄队"]


def test_pinyin_key_orders_by_sound_not_code_point():
    shuffled = ["赵各庄队", "张庄队", "阿里巴队", "王家营队", "李家庄队"]

    assert sorted(shuffled) != PINYIN_ORDER  # code point order
    assert sorted(shuffled, key=pinyin_key) == PINYIN_ORDER


def test_teams_are_listed_in_pinyin_order(app):
    for name in ("赵各庄队", "张庄队", "阿里巴队", "王家营队", "李家庄队"):
        make_team(name=name)

    names = [team.name for team in volunteers.find_teams()]

    assert names == PINYIN_ORDER


def test_merchant_staff_are_listed_in_pinyin_order(app):
    from core.auth.models import Role
    from points import services as points
    from tests.builders import DEFAULT_PASSWORD, next_phone

    merchant, _, _ = make_merchant()
    office = make_user(role=Role.office)
    for name in ("赵敏", "阿香", "王芳"):
        points.add_staff(
            office, merchant.id, phone=next_phone(), display_name=name, password=DEFAULT_PASSWORD
        )

    names = [user.display_name for user in points.list_staff(office, merchant.id)]

    assert names == ["阿香", "店员", "王芳", "赵敏"]  # 店员 (dian) is the builder's
