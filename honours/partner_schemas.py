"""API schemas of the courtesy card's partners, their staff and their benefits. A partner is
dumped from a `PartnerView`, whose contact phone is whole for the office only; a benefit's
value is given in fen and as yuan text, and typed in as yuan text (never a float)."""

from __future__ import annotations

import marshmallow as ma

from core.inputs import MULTILINE, Schema
from honours.card_models import (
    BenefitArea,
    BenefitKind,
    LimitPeriod,
    PartnerKind,
    PartnerStatus,
)
from honours.models import HonourLevel
from honours.services.benefits import DESCRIPTION_MAX, LIMIT_MAX, NAME_MAX, yuan_text
from honours.services.partners import ADDRESS_MAX, CONTACT_NAME_MAX


class PartnerDistrictSchema(Schema):
    id = ma.fields.Integer()
    name = ma.fields.String(attribute="label")


class PartnerMerchantSchema(Schema):
    id = ma.fields.Integer()
    name = ma.fields.String()


class PartnerSchema(Schema):
    """A partner as the reader may see it."""

    id = ma.fields.Integer(attribute="partner.id")
    name = ma.fields.String(attribute="partner.name")
    kind = ma.fields.Enum(PartnerKind, by_value=True, attribute="partner.kind")
    status = ma.fields.Enum(PartnerStatus, by_value=True, attribute="partner.status")
    district = ma.fields.Nested(
        PartnerDistrictSchema,
        attribute="partner.district",
        allow_none=True,
        metadata={"description": "None: city-wide"},
    )
    merchant = ma.fields.Nested(
        PartnerMerchantSchema,
        attribute="partner.merchant",
        allow_none=True,
        metadata={"description": "The caring merchant's record, for a caring merchant"},
    )
    address = ma.fields.String(attribute="partner.address")
    contact_name = ma.fields.String(attribute="partner.contact_name")
    contact_phone = ma.fields.String(
        metadata={"description": "Whole for the office, masked (138****5678) for others"}
    )
    registered_at = ma.fields.AwareDateTime(attribute="partner.registered_at")
    decided_at = ma.fields.AwareDateTime(attribute="partner.decided_at", allow_none=True)


class PartnerWriteSchema(Schema):
    name = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=NAME_MAX))
    kind = ma.fields.Enum(
        PartnerKind,
        by_value=True,
        required=True,
        metadata={"description": "With merchant_id the kind is `merchant` whatever is sent"},
    )
    district_id = ma.fields.Integer(
        allow_none=True,
        load_default=None,
        metadata={"description": "None: city-wide (a district's clerk names theirs)"},
    )
    merchant_id = ma.fields.Integer(
        allow_none=True,
        load_default=None,
        metadata={"description": "The caring merchant this partner is; linked once only"},
    )
    address = ma.fields.String(load_default="", validate=ma.validate.Length(max=ADDRESS_MAX))
    contact_name = ma.fields.String(
        load_default="", validate=ma.validate.Length(max=CONTACT_NAME_MAX)
    )
    contact_phone = ma.fields.String(load_default="", validate=ma.validate.Length(max=20))


class PartnerQuerySchema(Schema):
    status = ma.fields.Enum(PartnerStatus, by_value=True)
    kind = ma.fields.Enum(PartnerKind, by_value=True)


class StaffUserSchema(Schema):
    id = ma.fields.Integer()
    display_name = ma.fields.String()


class StaffMemberSchema(Schema):
    user = ma.fields.Nested(StaffUserSchema)
    assignment_id = ma.fields.Integer(
        attribute="assignment.id",
        allow_none=True,
        metadata={"description": "None: staff of the linked caring merchant"},
    )
    granted_at = ma.fields.AwareDateTime(attribute="assignment.granted_at", allow_none=True)
    via_merchant = ma.fields.Boolean()


class StaffWriteSchema(Schema):
    phone = ma.fields.String(
        required=True,
        validate=ma.validate.Length(min=1, max=20),
        metadata={"description": "The mobile number of an existing, enabled account"},
    )


class StaffAssignmentSchema(Schema):
    assignment_id = ma.fields.Integer(attribute="id")
    user = ma.fields.Nested(StaffUserSchema)
    partner_id = ma.fields.Integer()
    granted_at = ma.fields.AwareDateTime()
    withdrawn_at = ma.fields.AwareDateTime(allow_none=True)


class BenefitPartnerSchema(Schema):
    id = ma.fields.Integer()
    name = ma.fields.String()


class BenefitSchema(Schema):
    id = ma.fields.Integer()
    name = ma.fields.String()
    description = ma.fields.String()
    area = ma.fields.Enum(BenefitArea, by_value=True)
    kind = ma.fields.Enum(BenefitKind, by_value=True)
    discount_percent = ma.fields.Integer(
        allow_none=True, metadata={"description": "The share of the price paid (80: 20% off)"}
    )
    value_fen = ma.fields.Integer(metadata={"description": "One use for settlement, in fen"})
    value_yuan = ma.fields.Function(
        lambda benefit: yuan_text(benefit.value_fen),
        metadata={"description": "The same in yuan, as text (12.50)", "type": "string"},
    )
    limit_count = ma.fields.Integer(allow_none=True)
    limit_period = ma.fields.Enum(LimitPeriod, by_value=True, allow_none=True)
    lowest_level = ma.fields.Enum(HonourLevel, by_value=True)
    is_active = ma.fields.Boolean()
    is_shared = ma.fields.Boolean(metadata={"description": "Given by several partners"})
    partners = ma.fields.List(ma.fields.Nested(BenefitPartnerSchema))


class BenefitWriteSchema(Schema):
    name = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=NAME_MAX))
    description = ma.fields.String(
        load_default="", validate=ma.validate.Length(max=DESCRIPTION_MAX), metadata=MULTILINE
    )
    area = ma.fields.Enum(BenefitArea, by_value=True, required=True)
    kind = ma.fields.Enum(BenefitKind, by_value=True, required=True)
    discount_percent = ma.fields.Integer(
        allow_none=True,
        load_default=None,
        metadata={"description": "For a discount: the share paid, 1 to 99 per cent"},
    )
    value_yuan = ma.fields.String(
        required=True,
        validate=ma.validate.Length(min=1, max=20),
        metadata={"description": "One use's value in yuan as text, at most 2 decimals (12.50)"},
    )
    limit_count = ma.fields.Integer(
        allow_none=True,
        load_default=None,
        metadata={"description": f"Uses a period, 1 to {LIMIT_MAX}; null for no limit"},
    )
    limit_period = ma.fields.Enum(LimitPeriod, by_value=True, allow_none=True, load_default=None)
    lowest_level = ma.fields.Enum(HonourLevel, by_value=True, load_default=HonourLevel.county)
    partner_ids = ma.fields.List(
        ma.fields.Integer(),
        required=True,
        validate=ma.validate.Length(max=100),
        metadata={"description": "The partners that give it: one, or several for a shared one"},
    )
    is_active = ma.fields.Boolean(load_default=True)


class BenefitQuerySchema(Schema):
    partner_id = ma.fields.Integer()
    area = ma.fields.Enum(BenefitArea, by_value=True)
    is_active = ma.fields.Boolean()
