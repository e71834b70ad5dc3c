"""Demo data of points: merchants and points supermarkets with staff and catalogues, a few
volunteers who spent some of the points they earned (one purchase undone), and gifts: two
volunteers linked as family who gave each other points, a request to link still waiting,
donations to a team's and the city's charity pools and the office's award from the city's."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from core.auth.services import find_user_by_phone
from core.clock import utcnow
from core.demo import DEMO_PASSWORD, OFFICE
from core.districts import District
from core.extensions import db
from core.settings import current_settings
from points import services
from points.gift_models import GiftKind, Relation
from points.models import Merchant, MerchantKind
from volunteer.models import Team

# Name, kind, district, address, staff (phone, name), items (name, price, stock or None).
MERCHANTS = [
    (
        "海港区新时代文明实践中心积分超市",
        MerchantKind.points_supermarket,
        "haigang",
        "海港区文化路文明实践中心一楼",
        ("13600000001", "刘店长"),
        [("洗衣液", 20, 50), ("大米 5 公斤", 60, 30), ("环保购物袋", 5, None), ("毛巾", 10, 80)],
    ),
    (
        "北戴河爱心理发店",
        MerchantKind.caring_merchant,
        "beidaihe",
        "北戴河区东经路 18 号",
        ("13600000002", "高师傅"),
        [("洗剪吹一次", 15, None), ("儿童理发", 10, None)],
    ),
    (
        "昌黎乡村积分超市（十里铺文明实践站）",
        MerchantKind.points_supermarket,
        "changli",
        "昌黎县十里铺乡文明实践站",
        ("13600000003", "王站长"),
        [("食用油", 30, 20), ("挂面", 8, 40), ("春联福字", 5, 100)],
    ),
]

# Who spent what (volunteer phone, merchant index, [(item index, quantity)], undone?).
PURCHASES = [
    ("13900000001", 0, [(3, 1)], False),
    ("13900000003", 0, [(0, 1)], False),
    ("13900000002", 1, [(0, 1)], True),
    ("13900000004", 2, [(1, 2)], False),
]


def load() -> list[tuple[str, str, str]]:
    """Create what is missing; return the staff accounts as (role, phone, name)."""
    office = find_user_by_phone(OFFICE[0])
    districts = {d.code: d.id for d in db.session.scalars(select(District))}
    accounts, merchants = [], []
    for name, kind, district, address, (phone, staff_name), items in MERCHANTS:
        accounts.append(("merchant_staff", phone, f"{staff_name}（{name}）"))
        merchant = db.session.scalar(select(Merchant).where(Merchant.name == name))
        if merchant is None:
            merchant = services.register_merchant(
                office,
                name=name,
                kind=kind,
                district_id=districts[district],
                address=address,
                contact=phone,
            )
            staff = services.add_staff(
                office, merchant.id, phone=phone, display_name=staff_name, password=DEMO_PASSWORD
            )
            for item_name, price, stock in items:
                services.add_item(staff, merchant.id, name=item_name, price=price, stock=stock)
            merchants.append((merchant, staff))
    if len(merchants) == len(MERCHANTS):
        _spend(merchants)
    _give(office)
    return accounts


def _spend(merchants) -> None:
    now = utcnow() - timedelta(days=2)
    for number, (phone, index, lines, undone) in enumerate(PURCHASES):
        volunteer = find_user_by_phone(phone)
        merchant, staff = merchants[index]
        items = sorted(merchant.items, key=lambda item: item.id)
        basket = [(items[i].id, quantity) for i, quantity in lines]
        price = sum(items[i].price * quantity for i, quantity in lines)
        if services.balance_of(volunteer) < price:
            continue
        at = now + timedelta(hours=number)
        code = services.issue_redeem_code(
            volunteer, now=at, lifetime_minutes=current_settings().redeem_code_minutes
        )
        made, _ = services.redeem(staff, code=code.code, lines=basket, key=f"demo-{number}", now=at)
        if undone:
            services.reverse_redemption(
                staff,
                made.id,
                reason="顾客改选其他商品",
                now=at + timedelta(minutes=10),
                window_days=current_settings().redemption_reversal_days,
            )


# The family link (asker, asked, what the asked is to the asker), confirmed; a request waiting.
FAMILY = ("13900000001", "13900000002", Relation.spouse)
WAITING = ("13900000005", "13900000001", Relation.sibling)
# Gifts (giver, family member's phone or a team's name or None for the city's pool, points,
# note), a day ago in this order.
GIFTS = [
    ("13900000002", "13900000001", 10, "周末一起去积分超市换东西"),
    ("13900000001", "13900000002", 15, "给你换瓶洗发水"),
    ("13900000001", "未淑云道德模范志愿服务队", 20, ""),
    ("13900000003", "未淑云道德模范志愿服务队", 20, "为孤寡老人尽一份心"),
    ("13900000008", None, 30, ""),
    ("13900000004", None, 20, "助力乡村振兴"),
]
AWARD = ("13900000009", 30, "2026年度优秀志愿者奖励")


def _give(office) -> None:
    """The gifts, once: a later load finds the family link and adds nothing."""
    asker, asked = find_user_by_phone(FAMILY[0]), find_user_by_phone(FAMILY[1])
    if services.family_of(asker):
        return
    now = utcnow() - timedelta(days=1)
    link = services.request_link(asker, phone=asked.phone, relation=FAMILY[2], now=now)
    services.answer_link(asked, link.id, accept=True, now=now + timedelta(hours=1))
    waiting_asker = find_user_by_phone(WAITING[0])
    services.request_link(waiting_asker, phone=WAITING[1], relation=WAITING[2], now=now)
    cap = current_settings().gift_monthly_cap
    for number, (phone, to, amount, note) in enumerate(GIFTS):
        giver = find_user_by_phone(phone)
        if services.balance_of(giver) < amount:
            continue
        if to is None:
            target = {"kind": GiftKind.city_pool}
        elif to.isdigit():
            target = {"kind": GiftKind.family, "recipient_id": find_user_by_phone(to).id}
        else:
            team = db.session.scalar(select(Team).where(Team.name == to))
            target = {"kind": GiftKind.team_pool, "team_id": team.id}
        services.give_points(
            giver,
            **target,
            amount=amount,
            note=note,
            key=f"demo-gift-{number}",
            now=now + timedelta(hours=2, minutes=number),
            monthly_cap=cap,
        )
    phone, amount, reason = AWARD
    (city,) = [pool for pool in services.pools() if pool.team_id is None]
    if city.balance >= amount:
        services.award_from_pool(
            office,
            team_id=None,
            recipient_id=find_user_by_phone(phone).id,
            amount=amount,
            reason=reason,
            key="demo-award",
            now=now + timedelta(hours=5),
        )
