"""Demo courtesy cards (好人卡): the city's partners (the bus company, two check-up centres, a
scenic spot and the demo's caring merchants) with staff accounts, their benefits in the 8
areas, a card for every good person of the demo register who is due one, and most of a year of
checks and uses. One card was lost and replaced (and the lost one was presented afterwards);
one card waits to be printed and one to be handed over."""

from __future__ import annotations

import random
from contextlib import suppress
from datetime import datetime, time, timedelta

from sqlalchemy import select

from core.auth.models import Role, User
from core.auth.services import find_user_by_phone
from core.clock import local_day, local_moment, utcnow
from core.demo import OFFICE, ensure_account
from core.districts import District
from core.errors import Conflict
from core.extensions import db
from core.settings import current_settings
from honours.card_models import (
    BenefitArea,
    BenefitKind,
    CourtesyCard,
    LimitPeriod,
    Partner,
    PartnerKind,
)
from honours.models import HonourLevel
from honours.services import cards, partners, verification
from honours.services.benefits import BenefitDetails, create_benefit
from honours.services.partners import PartnerDetails
from honours.services.scope import scope_of
from points.demo import MERCHANTS
from points.models import Merchant

SEED = 20261203
# How long ago the partners signed up and the cards were handed out.
SINCE = timedelta(days=300)
USING_HOLDERS = 20

# (name, kind, district code, address, contact, staff account (phone, name)).
PARTNERS = [
    (
        "秦皇岛市公交集团",
        PartnerKind.bus,
        "haigang",
        "海港区河北大街西段 166 号",
        ("调度中心 周经理", "03353661234"),
        ("13400000001", "公交验卡员 赵师傅"),
    ),
    (
        "秦皇岛市第一医院健康体检中心",
        PartnerKind.health,
        "haigang",
        "海港区文化路 258 号",
        ("体检中心 孙主任", "03353032001"),
        ("13400000002", "体检中心前台 钱护士"),
    ),
    (
        "秦皇岛市中医医院治未病中心",
        PartnerKind.health,
        "haigang",
        "海港区建国路 61 号",
        ("治未病中心 李主任", "03353032002"),
        None,
    ),
    (
        "山海关景区（天下第一关）",
        PartnerKind.scenic,
        "shanhaiguan",
        "山海关区东大街 1 号",
        ("游客中心 吴经理", "03355051234"),
        ("13400000003", "景区检票员 郑女士"),
    ),
]
STAFF_PHONES = tuple(staff[0] for *_, staff in PARTNERS if staff is not None)

# (name, area, kind, partners by index in PARTNERS or "merchants", value in fen, discount,
# limit, lowest level, description).
BENEFITS = [
    (
        "市内公交免费乘车",
        BenefitArea.transport,
        BenefitKind.free,
        [0],
        200,
        None,
        None,
        HonourLevel.city,
        "持卡乘坐市内公交线路免费，上车出示好人卡。",
    ),
    (
        "每年一次免费健康体检",
        BenefitArea.health,
        BenefitKind.free,
        [1, 2],
        30000,
        None,
        (1, LimitPeriod.year),
        HonourLevel.city,
        "在任一合作体检中心免费体检一次（全市每年一次）。",
    ),
    (
        "就医优先挂号",
        BenefitArea.health,
        BenefitKind.priority,
        [1, 2],
        0,
        None,
        None,
        HonourLevel.city,
        "门诊挂号、取药设好人优先窗口。",
    ),
    (
        "景区免票游览",
        BenefitArea.scenic,
        BenefitKind.free,
        [3],
        8000,
        None,
        (2, LimitPeriod.year),
        HonourLevel.city,
        "本人凭卡免门票，每年两次。",
    ),
    (
        "爱心商家购物九折",
        BenefitArea.shopping,
        BenefitKind.discount,
        "merchants",
        0,
        90,
        (4, LimitPeriod.month),
        HonourLevel.city,
        "在合作爱心商家购物享九折，每月四次。",
    ),
]


def _account(phone: str, name: str, since: datetime) -> User:
    user = find_user_by_phone(phone)
    if user is None:
        user = ensure_account(phone, name, Role.volunteer)
        user.created_at = since
    return user


def _partners(office: User, since: datetime) -> tuple[list[Partner], list[Partner], list[User]]:
    """The city's partners and the caring merchants as partners, approved, with staff."""
    districts = dict(db.session.execute(select(District.code, District.id)).all())
    listed, staff = [], []
    for name, kind, district, address, (contact, phone), account in PARTNERS:
        partner = partners.register_partner(
            office,
            PartnerDetails(
                name=name,
                kind=kind,
                district_id=districts[district],
                address=address,
                contact_name=contact,
                contact_phone=phone,
            ),
            now=since,
        )
        partners.approve_partner(office, partner.id, now=since)
        if account is not None:
            user = _account(*account, since)
            partners.add_partner_staff(office, partner.id, phone=user.phone, now=since)
            staff.append(user)
        listed.append(partner)
    merchants = []
    for merchant_name, *_ in MERCHANTS:
        merchant = db.session.scalar(select(Merchant).where(Merchant.name == merchant_name))
        partner = partners.register_partner(
            office,
            PartnerDetails(
                name=merchant.name,
                kind=PartnerKind.merchant,
                district_id=merchant.district_id,
                address=merchant.address,
                merchant_id=merchant.id,
            ),
            now=since,
        )
        partners.approve_partner(office, partner.id, now=since)
        merchants.append(partner)
    return listed, merchants, staff


def _benefits(office: User, listed: list[Partner], merchants: list[Partner], since: datetime):
    made = []
    for name, area, kind, given_by, fen, discount, limit, level, text in BENEFITS:
        partner_ids = (
            [p.id for p in merchants]
            if given_by == "merchants"
            else [listed[i].id for i in given_by]
        )
        count, period = limit or (None, None)
        made.append(
            create_benefit(
                office,
                BenefitDetails(
                    name=name,
                    area=area,
                    kind=kind,
                    partner_ids=tuple(partner_ids),
                    value_fen=fen,
                    description=text,
                    discount_percent=discount,
                    limit_count=count,
                    limit_period=period,
                    lowest_level=level,
                ),
                now=since,
            )
        )
    return made


def _cards(office: User, since: datetime) -> list[CourtesyCard]:
    """A card for everyone due one, printed and handed over within a fortnight; the last
    issued waits to be printed, the one before to be handed over."""
    scope = scope_of(office, since)
    cards.issue_all(office, scope, valid_until=None, now=since)
    issued = list(db.session.scalars(select(CourtesyCard).order_by(CourtesyCard.id)))
    printed_at = since + timedelta(days=7)
    to_print = [card.id for card in issued[:-1]]
    # Their sheets were printed then; the PDF is made when printed, and not kept.
    for first in range(0, len(to_print), cards.PRINT_MAX):
        cards.mark_printed(
            office, scope, card_ids=to_print[first : first + cards.PRINT_MAX], now=printed_at
        )
    for card in issued[:-2]:
        cards.hand_over(office, scope, card.id, now=printed_at + timedelta(days=7))
    return issued[:-2]


def _moments(rng: random.Random, start: datetime, end: datetime, count: int) -> list[datetime]:
    days = (local_day(end) - local_day(start)).days
    picked = sorted(rng.randrange(1, days) for _ in range(count))
    return [
        local_moment(local_day(start) + timedelta(days=day), time(rng.randrange(8, 17)))
        for day in picked
    ]


def _use(staff: User, card: CourtesyCard, partner: Partner, benefit_id: int, at, settings):
    answer = verification.check_card(
        staff, number=card.number, partner_id=partner.id, now=at, settings=settings
    )
    if not answer.is_valid:
        return
    # A limit of the period reached is refused and the refusal recorded, as at the desk.
    with suppress(Conflict):
        verification.record_use(
            staff,
            card_id=card.id,
            benefit_id=benefit_id,
            partner_id=partner.id,
            now=at + timedelta(minutes=2),
            settings=settings,
        )


def _year_of_uses(rng, active, listed, merchants, staff, made, start, now, settings) -> None:
    """Bus rides, check-ups, visits to the pass and discounts over the months since the cards
    were handed over; a desk's refusal where a limit was reached."""
    bus, checkup, _priority, scenic, discount = made
    merchant_staff = [find_user_by_phone(account[0]) for *_, account, _items in MERCHANTS]
    for card in active:
        for at in _moments(rng, start, now, rng.randrange(2, 7)):
            _use(staff[0], card, listed[0], bus.id, at, settings)
        if rng.random() < 0.6:
            at = _moments(rng, start, now, 1)[0]
            _use(staff[1], card, listed[1], checkup.id, at, settings)
        for at in _moments(rng, start, now, rng.randrange(0, 4)):
            _use(staff[2], card, listed[3], scenic.id, at, settings)
        if rng.random() < 0.5:
            shop = rng.randrange(len(merchants))
            at = _moments(rng, start, now, 1)[0]
            _use(merchant_staff[shop], card, merchants[shop], discount.id, at, settings)


def load() -> list[tuple[str, str, str]]:
    """Create the demo's partners, benefits, cards and their uses unless they are there; return
    the partners' staff accounts as (role, phone, name)."""
    now = utcnow()
    accounts = [("partner_staff", *account) for *_, account in PARTNERS if account is not None]
    if db.session.scalar(select(Partner.id).limit(1)) is not None:
        return accounts
    settings = current_settings()
    office = find_user_by_phone(OFFICE[0])
    since = now - SINCE
    listed, merchants, staff = _partners(office, since)
    made = _benefits(office, listed, merchants, since)
    active = _cards(office, since)
    handed = since + timedelta(days=14)
    rng = random.Random(SEED)
    lost = active[0]
    lost_on = now - timedelta(days=100)
    # The holders who used their cards: a sample, as checking each use takes a while to make.
    users = rng.sample(active[1:], min(USING_HOLDERS, len(active) - 1))
    _year_of_uses(rng, users, listed, merchants, staff, made, handed, now, settings)
    _year_of_uses(rng, [lost], listed, merchants, staff, made, handed, lost_on, settings)
    replacement = cards.report_lost(
        office, scope_of(office, lost_on), lost.id, note="本人在公交车上遗失", now=lost_on
    ).replacement
    scope = scope_of(office, lost_on)
    cards.mark_printed(office, scope, card_ids=[replacement.id], now=lost_on + timedelta(days=3))
    cards.hand_over(office, scope, replacement.id, now=lost_on + timedelta(days=5))
    # Someone tried the lost card at the pass: refused, and the district told.
    verification.check_card(
        staff[2],
        number=lost.number,
        partner_id=listed[3].id,
        now=lost_on + timedelta(days=20),
        settings=settings,
    )
    _year_of_uses(
        rng,
        [replacement],
        listed,
        merchants,
        staff,
        made,
        lost_on + timedelta(days=5),
        now,
        settings,
    )
    return accounts
