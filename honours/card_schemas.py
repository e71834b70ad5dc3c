"""API schemas of the courtesy card's life: a card as the clerks read it (the holder's name and
masked ID number), the persons due one, issuing, printing, handing over, a lost card and its
replacement, renewal; and the holder's own card with its QR code's payload and uses."""

from __future__ import annotations

import marshmallow as ma

from core.inputs import Schema
from honours.card_models import CardStatus
from honours.models import HonourLevel
from honours.schemas import PlaceSchema
from honours.services.cards import NOTE_MAX, PRINT_MAX

YEAR = ma.validate.Range(min=2000, max=2100)


class CardHolderSchema(Schema):
    id = ma.fields.Integer()
    name = ma.fields.String()
    district = ma.fields.Nested(PlaceSchema)


class CardBriefSchema(Schema):
    id = ma.fields.Integer()
    number = ma.fields.String(metadata={"description": "Ten digits, the last a Luhn check digit"})


class CardSchema(Schema):
    """A card row of the clerks' list (core: honours.services.cards.CardRow)."""

    id = ma.fields.Integer(attribute="card.id")
    number = ma.fields.String(attribute="card.number")
    holder = ma.fields.Nested(CardHolderSchema, attribute="card.person")
    masked_id_number = ma.fields.String(
        allow_none=True, metadata={"description": "The holder's ID number, masked"}
    )
    status = ma.fields.Enum(
        CardStatus,
        by_value=True,
        metadata={"description": "The status on the day: an active card past its date is expired"},
    )
    stored_status = ma.fields.Enum(CardStatus, by_value=True, attribute="card.status")
    valid_until = ma.fields.Date(attribute="card.valid_until")
    created_at = ma.fields.AwareDateTime(attribute="card.created_at")
    printed_at = ma.fields.AwareDateTime(attribute="card.printed_at", allow_none=True)
    activated_at = ma.fields.AwareDateTime(attribute="card.activated_at", allow_none=True)
    ended_at = ma.fields.AwareDateTime(attribute="card.ended_at", allow_none=True)
    end_note = ma.fields.String(attribute="card.end_note", allow_none=True)
    replaces = ma.fields.Nested(CardBriefSchema, attribute="card.replaces", allow_none=True)
    replaced_by = ma.fields.Nested(CardBriefSchema, allow_none=True)
    may_keep = ma.fields.Boolean(
        metadata={"description": "Whether I print, hand over and report this card lost"}
    )


class CardQuerySchema(Schema):
    status = ma.fields.Enum(CardStatus, by_value=True)
    district_id = ma.fields.Integer()
    q = ma.fields.String(
        validate=ma.validate.Length(max=64),
        metadata={"description": "Part of the holder's name, or the whole card number"},
    )
    valid_year = ma.fields.Integer(
        validate=YEAR, metadata={"description": "Cards valid until a day of this year"}
    )


class EligibleSchema(Schema):
    id = ma.fields.Integer(attribute="person.id")
    name = ma.fields.String(attribute="person.name")
    district = ma.fields.Nested(PlaceSchema, attribute="person.district")
    masked_id_number = ma.fields.String(allow_none=True)
    level = ma.fields.Enum(
        HonourLevel,
        by_value=True,
        allow_none=True,
        metadata={"description": "The highest level of the honours giving the card"},
    )


class IssueSchema(Schema):
    person_id = ma.fields.Integer(required=True)
    valid_until = ma.fields.Date(
        metadata={"description": "After today; the end of next year when left out"}
    )


class IssueAllSchema(Schema):
    valid_until = ma.fields.Date(
        metadata={"description": "After today; the end of next year when left out"}
    )
    district_id = ma.fields.Integer(
        metadata={"description": "Only the persons of this district (the city may choose)"}
    )


class IssueRunSchema(Schema):
    issued = ma.fields.Integer()
    skipped = ma.fields.Integer(
        metadata={"description": "Persons whose card another clerk issued meanwhile"}
    )
    valid_until = ma.fields.Date()


class PrintSchema(Schema):
    card_ids = ma.fields.List(
        ma.fields.Integer(),
        validate=ma.validate.Length(max=PRINT_MAX),
        metadata={
            "description": "The cards to print (to print, or printed already: again); every "
            "card to print of my districts when left out"
        },
    )


class LostSchema(Schema):
    note = ma.fields.String(
        validate=ma.validate.Length(max=NOTE_MAX),
        metadata={"description": "Where and when it was lost"},
    )


class ReplacementSchema(Schema):
    lost = ma.fields.Nested(CardBriefSchema)
    replacement = ma.fields.Nested(CardBriefSchema)
    valid_until = ma.fields.Date(attribute="replacement.valid_until")


class RenewSchema(Schema):
    year = ma.fields.Integer(
        required=True, validate=YEAR, metadata={"description": "The cards valid until this year"}
    )
    valid_until = ma.fields.Date(required=True, metadata={"description": "The new date"})


class RenewRunSchema(Schema):
    renewed = ma.fields.Integer()


class CardUseSchema(Schema):
    id = ma.fields.Integer()
    partner = ma.fields.String(attribute="partner.name")
    benefit = ma.fields.String(attribute="benefit.name")
    used_at = ma.fields.AwareDateTime()


class MyCardSchema(Schema):
    number = ma.fields.String(attribute="card.number")
    name = ma.fields.String(attribute="card.person.name")
    status = ma.fields.Enum(CardStatus, by_value=True)
    valid_until = ma.fields.Date(attribute="card.valid_until")
    masked_id_number = ma.fields.String(allow_none=True)
    code = ma.fields.String(
        allow_none=True,
        metadata={"description": "What the card's QR code carries, while the card is active"},
    )
    level = ma.fields.Enum(
        HonourLevel,
        by_value=True,
        allow_none=True,
        metadata={"description": "The honour level that decides the benefits"},
    )
    uses = ma.fields.List(
        ma.fields.Nested(CardUseSchema),
        attribute="uses.items",
        metadata={"description": "The latest uses of my cards, newest first (up to 50)"},
    )
    use_count = ma.fields.Integer(attribute="uses.total")
