"""How a courtesy card is named and read: its printed number (ten digits, the last a Luhn check
digit) and the signed code its QR carries; what state a card is in on a day; which honour level
decides its benefits. The card's life (issue, print, hand over, lost, renew) and its checks by
partners build on these."""

from __future__ import annotations

import secrets
from datetime import date

from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import and_, exists, select
from sqlalchemy.orm import aliased

from core.extensions import db
from honours.card_models import CardStatus, CheckOutcome, CourtesyCard
from honours.models import Honour, HonourLevel, HonourType

NUMBER_LENGTH = 10
# The code names the card by number and id, signed with the site's secret: a code made up or
# altered (another number, another id) fails the signature.
SALT = "courtesy-card"
LIVE = (CardStatus.to_print, CardStatus.issued, CardStatus.active)


def luhn_digit(digits: str) -> str:
    """The Luhn check digit of a string of digits."""
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 0:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return str((10 - total % 10) % 10)


def new_number() -> str:
    """A random card number: nine digits (the first not 0) and the check digit. Random, not
    sequential, so that a guessed number is rarely a card."""
    body = str(secrets.randbelow(9 * 10**8) + 10**8)
    return body + luhn_digit(body)


def normalize_number(typed: str | None) -> str | None:
    """The card number as typed (spaces and dashes allowed), or None when it cannot be one:
    wrong length, not digits, or a check digit that does not match (a typing slip)."""
    digits = "".join(ch for ch in (typed or "") if ch not in " -")
    if len(digits) != NUMBER_LENGTH or not digits.isascii() or not digits.isdigit():
        return None
    if luhn_digit(digits[:-1]) != digits[-1]:
        return None
    return digits


def card_code(card: CourtesyCard, *, secret: str) -> str:
    """What the card's QR code carries."""
    return URLSafeSerializer(secret, salt=SALT).dumps([card.number, card.id])


def card_from_code(code: str, *, secret: str) -> CourtesyCard | None:
    """The card a QR code names, or None for a code that is not ours or was altered."""
    try:
        number, card_id = URLSafeSerializer(secret, salt=SALT).loads(code)
    except (BadSignature, ValueError, TypeError):
        return None
    card = db.session.get(CourtesyCard, card_id) if isinstance(card_id, int) else None
    return card if card is not None and card.number == number else None


def card_from_number(typed: str | None) -> CourtesyCard | None:
    """The card with the typed number, or None."""
    number = normalize_number(typed)
    if number is None:
        return None
    return db.session.scalar(select(CourtesyCard).where(CourtesyCard.number == number))


def effective_status(card: CourtesyCard, today: date) -> CardStatus:
    """The card's status on `today`: an active card past its validity date is expired even
    before the nightly job marks it."""
    if card.status is CardStatus.active and card.valid_until < today:
        return CardStatus.expired
    return card.status


def check_outcome(card: CourtesyCard | None, today: date) -> CheckOutcome:
    """What a check of the card answers on `today`, before any benefit is asked for."""
    if card is None:
        return CheckOutcome.unknown
    status = effective_status(card, today)
    if status is CardStatus.active:
        return CheckOutcome.valid
    if status is CardStatus.lost:
        replaced = db.session.scalar(
            select(CourtesyCard.id).where(CourtesyCard.replaces_id == card.id)
        )
        return CheckOutcome.replaced if replaced is not None else CheckOutcome.lost
    return {
        CardStatus.to_print: CheckOutcome.not_active,
        CardStatus.issued: CheckOutcome.not_active,
        CardStatus.expired: CheckOutcome.expired,
        CardStatus.revoked: CheckOutcome.revoked,
    }[status]


def _none_revoked(person_id_column):
    # A revocation under the conduct clauses ends the card with the title, whatever else the
    # person holds (as it takes them off the roll: honours.services.publication).
    revoked = aliased(Honour)
    return ~exists().where(revoked.person_id == person_id_column, revoked.revoked_at.is_not(None))


def carries_card(person_id_column):
    """The SQL condition that the person is one a card is for: they hold a non-revoked honour
    whose type gives the card, and none of their honours was revoked."""
    return and_(
        exists(
            select(Honour.id)
            .join(HonourType, HonourType.id == Honour.honour_type_id)
            .where(
                Honour.person_id == person_id_column,
                Honour.revoked_at.is_(None),
                HonourType.has_courtesy_card.is_(True),
            )
        ),
        _none_revoked(person_id_column),
    )


def highest_level(person_id: int) -> HonourLevel | None:
    """The highest level among the person's honours that carry the card and are not revoked:
    it decides the benefits (None: no such honour, or one of their honours revoked, so no
    card)."""
    levels = db.session.scalars(
        select(HonourType.level)
        .join(Honour, Honour.honour_type_id == HonourType.id)
        .where(
            Honour.person_id == person_id,
            Honour.revoked_at.is_(None),
            HonourType.has_courtesy_card.is_(True),
            _none_revoked(person_id),
        )
    ).all()
    return min(levels, key=lambda level: level.rank) if levels else None


def level_reaches(level: HonourLevel | None, lowest: HonourLevel) -> bool:
    """Whether a holder whose highest honour is `level` is at `lowest` or above."""
    return level is not None and level.rank <= lowest.rank


def live_card(person_id: int) -> CourtesyCard | None:
    """The person's card to print, printed or active, if any (at most one: a unique index)."""
    return db.session.scalar(
        select(CourtesyCard).where(
            CourtesyCard.person_id == person_id, CourtesyCard.status.in_(LIVE)
        )
    )
