"""Builders for card verification: approved partners with staff, benefits, honoured persons and
their cards, made directly with the models. They add and flush, and never commit."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from itertools import count

from core.auth.assignments import AssignmentKind, RoleAssignment
from core.auth.models import User
from core.extensions import db
from core.regions import Region
from honours import services
from honours.card_models import (
    Benefit,
    BenefitArea,
    BenefitKind,
    BenefitPartner,
    CardStatus,
    CourtesyCard,
    LimitPeriod,
    Partner,
    PartnerKind,
    PartnerStatus,
)
from honours.models import HonourCategory, HonourLevel, Person
from honours.services.card_codes import luhn_digit
from tests.builders import make_user
from tests.honours.builders import NOW, honour_type, make_person, scope

_numbers = count(300000001)
_names = count(1)


def card_number() -> str:
    body = str(next(_numbers))
    return body + luhn_digit(body)


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


def make_holder(place: Region, office: User, *, code: str = "good_person_city", **values) -> Person:
    """A person of `place` honoured with `code` (秦皇岛好人, a city-level honour with a card,
    unless told)."""
    person = make_person(place, office, **values)
    services.award_honour(
        office,
        scope(office),
        {
            "person_id": person.id,
            "honour_type_id": honour_type(code).id,
            "category": HonourCategory.helping_others,
            "awarded_on": date(2025, 12, 1),
        },
        now=NOW,
    )
    return person


def make_card(
    person: Person,
    office: User,
    *,
    status: CardStatus = CardStatus.active,
    valid_until: date | None = None,
    replaces: CourtesyCard | None = None,
) -> CourtesyCard:
    """The person's card in `status` (active, valid a year after NOW, unless told)."""
    card = CourtesyCard(
        number=card_number(),
        person_id=person.id,
        status=status,
        valid_until=valid_until or NOW.date() + timedelta(days=365),
        replaces_id=replaces.id if replaces is not None else None,
        created_at=NOW - timedelta(days=10),
        created_by_id=office.id,
        printed_at=None if status is CardStatus.to_print else NOW - timedelta(days=9),
        activated_at=NOW - timedelta(days=8) if status is not CardStatus.to_print else None,
    )
    db.session.add(card)
    db.session.flush()
    return card
