"""Builders for the card's life: an honoured person due a card, a card in a given state, a use
of it. They add and flush, and never commit."""

from __future__ import annotations

from datetime import date, timedelta
from itertools import count

from core.auth.assignments import AssignmentKind
from core.auth.models import User
from core.extensions import db
from core.regions import Region
from honours import services
from honours.card_models import (
    Benefit,
    BenefitArea,
    BenefitKind,
    CardStatus,
    CardUse,
    CourtesyCard,
    Partner,
    PartnerKind,
    PartnerStatus,
)
from honours.models import HonourCategory, Person
from honours.services.card_codes import luhn_digit
from tests.honours.builders import (
    NOW,
    honour_type,
    make_clerk,
    make_office,
    make_person,
    make_places,
    scope,
)

_numbers = count(200000001)


def card_number() -> str:
    body = str(next(_numbers))
    return body + luhn_digit(body)


def make_honoured(
    place: Region,
    office: User | None = None,
    *,
    code: str = "good_person_city",
    user: User | None = None,
    **values,
) -> Person:
    """A person of `place` honoured with `code` (秦皇岛好人 by default: it gives a card)."""
    office = office or make_office()
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
    if user is not None:
        person.user_id = user.id
        db.session.flush()
    return person


def make_card(
    person: Person,
    office: User,
    *,
    status: CardStatus = CardStatus.active,
    valid_until: date | None = None,
    **values,
) -> CourtesyCard:
    """A card of the person in `status` (active by default), valid until a year after NOW."""
    card = CourtesyCard(
        number=card_number(),
        person_id=person.id,
        status=status,
        valid_until=valid_until or NOW.date() + timedelta(days=365),
        created_at=NOW,
        created_by_id=office.id,
        printed_at=NOW if status is not CardStatus.to_print else None,
        activated_at=NOW if status is CardStatus.active else None,
        **values,
    )
    db.session.add(card)
    db.session.flush()
    return card


def make_use(card: CourtesyCard, office: User, *, partner_name: str, benefit_name: str, at=NOW):
    """A use of the card at a new partner (approved) for a new free benefit."""
    partner = Partner(
        name=partner_name,
        kind=PartnerKind.scenic,
        status=PartnerStatus.approved,
        registered_at=NOW,
        registered_by_id=office.id,
    )
    benefit = Benefit(
        name=benefit_name,
        area=BenefitArea.scenic,
        kind=BenefitKind.free,
        value_fen=5000,
        created_at=NOW,
        created_by_id=office.id,
    )
    db.session.add_all([partner, benefit])
    db.session.flush()
    use = CardUse(
        card_id=card.id,
        person_id=card.person_id,
        benefit_id=benefit.id,
        partner_id=partner.id,
        staff_id=office.id,
        used_at=at,
        value_fen=5000,
    )
    db.session.add(use)
    db.session.flush()
    return use


def card_keepers() -> dict:
    """The city's places, the office, a district clerk of 海港区 and one of 山海关区, a street
    clerk of 文化路, and a good person of 文化里社区 due a card (王德明)."""
    places = make_places()
    office = make_office()
    return {
        "places": places,
        "office": office,
        "district": make_clerk(AssignmentKind.district_clerk, places["haigang"]),
        "other_district": make_clerk(AssignmentKind.district_clerk, places["shanhaiguan"]),
        "street": make_clerk(AssignmentKind.street_clerk, places["wenhualu"]),
        "person": make_honoured(places["wenhuali"], office, name="王德明"),
    }
