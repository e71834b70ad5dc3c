"""Demo data of points: merchants and points supermarkets with staff and catalogues, and a few
volunteers who spent some of the points they earned (one purchase undone)."""

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
from points.models import Merchant, MerchantKind

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
