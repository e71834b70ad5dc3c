"""Builders for the card's partners and benefits: a partner in a given state, its staff, a
benefit. They add and flush, and never commit."""

from __future__ import annotations

from datetime import timedelta
from itertools import count

from sqlalchemy import select

from core.auth.assignments import AssignmentKind, RoleAssignment
from core.auth.models import User
from core.districts import District, ensure_districts
from core.extensions import db
from honours.card_models import (
    Benefit,
    BenefitArea,
    BenefitKind,
    LimitPeriod,
    Partner,
    PartnerKind,
    PartnerStatus,
)
from honours.models import HonourLevel
from points.models import Merchant
from tests.builders import make_user
from tests.honours.builders import NOW, make_office

_serials = count(1)
CONTACT_PHONE = "13803351234"


def district(code: str = "haigang") -> District:
    ensure_districts()
    return db.session.scalar(select(District).where(District.code == code))


def make_partner(
    *,
    name: str | None = None,
    kind: PartnerKind = PartnerKind.scenic,
    status: PartnerStatus = PartnerStatus.approved,
    merchant: Merchant | None = None,
    district_code: str | None = "haigang",
    contact_phone: str = CONTACT_PHONE,
    office: User | None = None,
) -> Partner:
    """A partner (approved unless told), registered and decided by the office a day before
    NOW."""
    office = office or make_office()
    partner = Partner(
        name=name or f"礼遇单位{next(_serials)}",
        kind=PartnerKind.merchant if merchant is not None else kind,
        merchant_id=merchant.id if merchant is not None else None,
        district_id=district(district_code).id if district_code else None,
        address="海港区文化路1号",
        contact_name="王经理",
        contact_phone=contact_phone,
        status=status,
        registered_at=NOW - timedelta(days=2),
        registered_by_id=office.id,
    )
    if status is not PartnerStatus.pending:
        partner.decided_at = NOW - timedelta(days=1)
        partner.decided_by_id = office.id
    db.session.add(partner)
    db.session.flush()
    return partner


def make_partner_staff(partner: Partner, *, name: str = "验卡员") -> User:
    """A volunteer's account on the partner's staff since a day before NOW."""
    user = make_user(display_name=name)
    db.session.add(
        RoleAssignment(
            user_id=user.id,
            kind=AssignmentKind.partner_staff,
            partner_id=partner.id,
            granted_at=NOW - timedelta(days=1),
        )
    )
    db.session.flush()
    return user


def make_benefit(
    *partners: Partner,
    name: str | None = None,
    area: BenefitArea = BenefitArea.scenic,
    kind: BenefitKind = BenefitKind.free,
    value_fen: int = 8000,
    limit_count: int | None = 2,
    limit_period: LimitPeriod | None = LimitPeriod.year,
    lowest_level: HonourLevel = HonourLevel.county,
    discount_percent: int | None = None,
    is_active: bool = True,
    office: User | None = None,
) -> Benefit:
    office = office or make_office()
    benefit = Benefit(
        name=name or f"礼遇{next(_serials)}",
        area=area,
        kind=kind,
        discount_percent=discount_percent,
        value_fen=value_fen,
        limit_count=limit_count,
        limit_period=limit_period if limit_count is not None else None,
        lowest_level=lowest_level,
        is_active=is_active,
        created_at=NOW - timedelta(days=1),
        created_by_id=office.id,
    )
    benefit.partners = list(partners)
    db.session.add(benefit)
    db.session.flush()
    return benefit
