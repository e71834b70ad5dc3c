"""The export's sections about courtesy cards (好人卡): the card one holds and its uses, and
what one did as a clerk (cards issued or ended), as the office (partners registered or decided,
benefits offered) or as a partner's staff (checks made, uses recorded)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, select

from core.auth.models import User
from honours.card_models import Benefit, CardCheck, CardUse, CourtesyCard, Partner
from honours.models import Person
from personal_data.services.sections import SectionSpec, _own


def _holders(model, *columns) -> Select:
    """Rows of `model` (by its person_id) about the register's record linked to the user."""
    return select(*columns).join(Person, Person.id == model.person_id).order_by(model.id)


def _my_cards(user: User) -> Select:
    return _holders(
        CourtesyCard,
        CourtesyCard.id,
        CourtesyCard.number,
        CourtesyCard.status,
        CourtesyCard.valid_until,
        CourtesyCard.replaces_id,
        CourtesyCard.activated_at,
        CourtesyCard.ended_at,
    ).where(Person.user_id == user.id)


def _my_card_uses(user: User) -> Select:
    return (
        _holders(
            CardUse,
            CardUse.id,
            CardUse.card_id,
            Partner.name.label("partner"),
            Benefit.name.label("benefit"),
            CardUse.used_at,
        )
        .join(Partner, Partner.id == CardUse.partner_id)
        .join(Benefit, Benefit.id == CardUse.benefit_id)
        .where(Person.user_id == user.id)
    )


CARD_SECTIONS: list[SectionSpec] = [
    SectionSpec(
        "my_courtesy_cards", _l("My courtesy cards"), "courtesy_card", "person_id", _my_cards
    ),
    SectionSpec(
        "my_card_uses", _l("Uses of my courtesy card"), "card_use", "person_id", _my_card_uses
    ),
    SectionSpec(
        "cards_issued",
        _l("Courtesy cards I issued"),
        "courtesy_card",
        "created_by_id",
        _own(
            CourtesyCard,
            "created_by_id",
            CourtesyCard.id,
            CourtesyCard.person_id,
            CourtesyCard.replaces_id,
            CourtesyCard.created_at,
        ),
    ),
    SectionSpec(
        "cards_ended",
        _l("Courtesy cards I reported lost or ended"),
        "courtesy_card",
        "ended_by_id",
        _own(
            CourtesyCard,
            "ended_by_id",
            CourtesyCard.id,
            CourtesyCard.person_id,
            CourtesyCard.status,
            CourtesyCard.ended_at,
            CourtesyCard.end_note,
        ),
    ),
    SectionSpec(
        "card_partners_registered",
        _l("Card partners I registered"),
        "card_partner",
        "registered_by_id",
        _own(Partner, "registered_by_id", Partner.id, Partner.name, Partner.registered_at),
    ),
    SectionSpec(
        "card_partners_decided",
        _l("Card partners I approved or suspended"),
        "card_partner",
        "decided_by_id",
        _own(
            Partner, "decided_by_id", Partner.id, Partner.name, Partner.status, Partner.decided_at
        ),
    ),
    SectionSpec(
        "card_benefits_created",
        _l("Card benefits I created"),
        "card_benefit",
        "created_by_id",
        _own(Benefit, "created_by_id", Benefit.id, Benefit.name, Benefit.created_at),
    ),
    SectionSpec(
        "card_checks_made",
        _l("Courtesy cards I checked for a partner"),
        "card_check",
        "staff_id",
        _own(
            CardCheck,
            "staff_id",
            CardCheck.id,
            CardCheck.partner_id,
            CardCheck.card_id,
            CardCheck.outcome,
            CardCheck.checked_at,
        ),
    ),
    SectionSpec(
        "card_uses_recorded",
        _l("Card uses I recorded for a partner"),
        "card_use",
        "staff_id",
        _own(
            CardUse,
            "staff_id",
            CardUse.id,
            CardUse.partner_id,
            CardUse.card_id,
            CardUse.benefit_id,
            CardUse.value_fen,
            CardUse.used_at,
        ),
    ),
]
