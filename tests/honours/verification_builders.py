"""Builders for card verification: approved partners with staff, benefits, honoured persons and
their cards, made directly with the models. They add and flush, and never commit."""

from __future__ import annotations

from datetime import datetime, timedelta
from itertools import count

from core.auth.assignments import AssignmentKind, RoleAssignment
from core.auth.models import User
from core.extensions import db
from honours.card_models import (
    Benefit,
    BenefitArea,
    BenefitKind,
    BenefitPartner,
    LimitPeriod,
    Partner,
    PartnerKind,
    PartnerStatus,
)
from honours.models import HonourLevel
from tests.builders import make_user
from tests.honours.builders import NOW

_names = count(1)


def wrong_check_digit(number: str) -> str:
    return number[:-1] + str((int(number[-1]) + 1) % 10)


def make_partner(office: User, *, name: str | None = None, **values) -> Partner:
    """An approved partner (a scenic spot unless told)."""
    partner = Partner(
        name=name or f"礼遇景区{next(_names)}",
        kind=values.pop("kind", PartnerKind.scenic),
        address="山海关路1号",
        contact_name="王经理",
        contact_phone="13803359999",
        status=values.pop("status", PartnerStatus.approved),
        registered_at=NOW - timedelta(days=30),
        registered_by_id=office.id,
        decided_at=NOW - timedelta(days=30),
        decided_by_id=office.id,
        **values,
    )
    db.session.add(partner)
    db.session.flush()
    return partner


def make_staff(partner: Partner, *, name: str = "验卡员", since: datetime | None = None) -> User:
    """A volunteer account holding a partner-staff assignment to the partner."""
    user = make_user(display_name=name)
    db.session.add(
        RoleAssignment(
            user_id=user.id,
            kind=AssignmentKind.partner_staff,
            partner_id=partner.id,
            granted_at=since or NOW - timedelta(days=1),
        )
    )
    db.session.flush()
    return user


def make_benefit(
    office: User,
    partners: list[Partner],
    *,
    name: str | None = None,
    limit: int | None = 2,
    period: LimitPeriod | None = LimitPeriod.year,
    lowest: HonourLevel = HonourLevel.county,
    kind: BenefitKind = BenefitKind.free,
    value_fen: int = 6000,
    **values,
) -> Benefit:
    """A benefit given by `partners` (free entry twice a year, worth 60 yuan, unless told)."""
    benefit = Benefit(
        name=name or f"免费游览{next(_names)}",
        area=values.pop("area", BenefitArea.scenic),
        kind=kind,
        value_fen=value_fen,
        limit_count=limit,
        limit_period=period if limit is not None else None,
        lowest_level=lowest,
        created_by_id=office.id,
        created_at=NOW - timedelta(days=30),
        **values,
    )
    db.session.add(benefit)
    db.session.flush()
    for partner in partners:
        db.session.add(BenefitPartner(benefit_id=benefit.id, partner_id=partner.id))
    db.session.flush()
    return benefit
