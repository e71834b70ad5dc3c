"""API schemas for points: balances, history, redeem codes, merchants, redemptions, statements
and the office's adjustments. Names start with Points/Merchant/Redemption so that they do not
clash with other packages' schemas in the OpenAPI document."""

from __future__ import annotations

import marshmallow as ma

from core.inputs import MULTILINE, Schema
from points.expiry_schemas import PointsExpiringSoonSchema
from points.models import AccountKind, EntryKind, MerchantKind, RedemptionStatus
from points.services import MAX_REVERSAL_REASON

# Requests ------------------------------------------------------------------------------


class IdempotencyHeaderSchema(Schema):
    """The key that makes a retried request (a lost answer, a double tap) happen once."""

    key = ma.fields.String(
        data_key="Idempotency-Key",
        required=True,
        validate=ma.validate.Length(min=1, max=100),
        metadata={"description": "A fresh random value per intended operation, e.g. a UUID"},
    )


class MerchantQuerySchema(Schema):
    district_id = ma.fields.Integer()


class RedeemCodeLookUpSchema(Schema):
    code = ma.fields.String(required=True, validate=ma.validate.Length(max=20))


class RedemptionLineInputSchema(Schema):
    item_id = ma.fields.Integer(required=True)
    quantity = ma.fields.Integer(required=True)


class RedemptionCreateSchema(Schema):
    code = ma.fields.String(required=True, validate=ma.validate.Length(max=20))
    lines = ma.fields.List(
        ma.fields.Nested(RedemptionLineInputSchema),
        required=True,
        validate=ma.validate.Length(max=50),
    )


class RedemptionReversalSchema(Schema):
    """The body may be left out: clients made before reasons were asked send none."""

    reason = ma.fields.String(
        load_default=None,
        allow_none=True,
        metadata={**MULTILINE, "description": "Why it is undone (the counter's page asks)"},
        validate=ma.validate.Length(max=MAX_REVERSAL_REASON),
    )


class StatementQuerySchema(Schema):
    start = ma.fields.Date(required=True, metadata={"description": "First local day"})
    end = ma.fields.Date(required=True, metadata={"description": "Last local day, included"})


class MerchantCreateSchema(Schema):
    name = ma.fields.String(required=True, validate=ma.validate.Length(max=120))
    kind = ma.fields.Enum(MerchantKind, by_value=True, required=True)
    district_id = ma.fields.Integer(required=True)
    address = ma.fields.String(required=True, validate=ma.validate.Length(max=200))
    contact = ma.fields.String(load_default="", validate=ma.validate.Length(max=64))


class MerchantStaffCreateSchema(Schema):
    phone = ma.fields.String(required=True, validate=ma.validate.Length(max=20))
    display_name = ma.fields.String(required=True, validate=ma.validate.Length(max=64))
    password = ma.fields.String(required=True, load_only=True, validate=ma.validate.Length(max=128))


class CatalogItemCreateSchema(Schema):
    name = ma.fields.String(required=True, validate=ma.validate.Length(max=120))
    price = ma.fields.Integer(required=True)
    stock = ma.fields.Integer(
        load_default=None, allow_none=True, metadata={"description": "Left out: unlimited"}
    )


class CatalogItemUpdateSchema(CatalogItemCreateSchema):
    is_active = ma.fields.Boolean(load_default=True)


class PointsAdjustmentCreateSchema(Schema):
    volunteer_id = ma.fields.Integer(required=True)
    amount = ma.fields.Integer(
        required=True, metadata={"description": "Positive grants, negative deducts"}
    )
    reason = ma.fields.String(
        metadata=MULTILINE, required=True, validate=ma.validate.Length(max=500)
    )


# Responses -----------------------------------------------------------------------------


class PointsBalanceSchema(Schema):
    balance = ma.fields.Integer()
    expiring_soon = ma.fields.Nested(
        PointsExpiringSoonSchema,
        allow_none=True,
        metadata={"description": "Points of the balance that expire within 30 days, if any"},
    )


class PointsHistoryLineSchema(Schema):
    id = ma.fields.Integer(attribute="entry.id")
    kind = ma.fields.Enum(EntryKind, by_value=True, attribute="entry.kind")
    change = ma.fields.Integer(metadata={"description": "Positive: received; negative: spent"})
    memo = ma.fields.String(attribute="entry.memo")
    counterpart = ma.fields.String(
        allow_none=True,
        metadata={"description": "A gift between family members: the other one's name"},
    )
    created_at = ma.fields.AwareDateTime(attribute="entry.created_at")


class RedeemCodeSchema(Schema):
    code = ma.fields.String(metadata={"description": "8 digits, shown as text and QR code"})
    expires_at = ma.fields.AwareDateTime()


class RedeemCodeLookUpResultSchema(Schema):
    display_name = ma.fields.String()
    balance = ma.fields.Integer()
    expires_at = ma.fields.AwareDateTime()


class CatalogItemSchema(Schema):
    id = ma.fields.Integer()
    merchant_id = ma.fields.Integer()
    name = ma.fields.String()
    price = ma.fields.Integer()
    stock = ma.fields.Integer(allow_none=True, metadata={"description": "null: unlimited"})
    is_active = ma.fields.Boolean()


class MerchantSchema(Schema):
    id = ma.fields.Integer()
    name = ma.fields.String()
    kind = ma.fields.Enum(MerchantKind, by_value=True)
    district_id = ma.fields.Integer()
    district_name = ma.fields.String(attribute="district.label")
    address = ma.fields.String()
    contact = ma.fields.String()
    is_active = ma.fields.Boolean()
    created_at = ma.fields.AwareDateTime()


class MerchantWithItemsSchema(MerchantSchema):
    """A merchant as volunteers browse it: only the items on offer."""

    items = ma.fields.List(ma.fields.Nested(CatalogItemSchema), attribute="offered_items")


class MerchantStaffSchema(Schema):
    id = ma.fields.Integer()
    display_name = ma.fields.String()
    phone = ma.fields.String()


class RedemptionLineSchema(Schema):
    item_id = ma.fields.Integer()
    name = ma.fields.String()
    unit_price = ma.fields.Integer()
    quantity = ma.fields.Integer()


class RedemptionVolunteerSchema(Schema):
    """Who redeemed, without contact details (merchants see no phone numbers)."""

    display_name = ma.fields.String()


class RedemptionSchema(Schema):
    id = ma.fields.Integer()
    merchant_id = ma.fields.Integer()
    total = ma.fields.Integer()
    status = ma.fields.Enum(RedemptionStatus, by_value=True)
    created_at = ma.fields.AwareDateTime()
    reversed_at = ma.fields.AwareDateTime(allow_none=True)
    reversal_reason = ma.fields.String(allow_none=True)
    lines = ma.fields.List(ma.fields.Nested(RedemptionLineSchema))
    volunteer = ma.fields.Nested(RedemptionVolunteerSchema, attribute="user")


class MerchantStatementRowSchema(Schema):
    kind = ma.fields.String(metadata={"description": "redemption or reversal"})
    at = ma.fields.AwareDateTime()
    points = ma.fields.Integer(metadata={"description": "Negative for a reversal"})
    redemption = ma.fields.Nested(RedemptionSchema)


class MerchantStatementSchema(Schema):
    """A services.Statement: its totals and its rows in time order."""

    merchant_id = ma.fields.Integer(attribute="merchant.id")
    start = ma.fields.AwareDateTime()
    end = ma.fields.AwareDateTime(metadata={"description": "Exclusive"})
    redeemed = ma.fields.Integer()
    reversed = ma.fields.Integer()
    net = ma.fields.Integer()
    rows = ma.fields.List(ma.fields.Nested(MerchantStatementRowSchema))

    @ma.pre_dump
    def with_rows(self, statement, **kwargs) -> dict:
        rows = [("redemption", r.created_at, r.total, r) for r in statement.redemptions] + [
            ("reversal", r.reversed_at, -r.total, r) for r in statement.reversals
        ]
        rows.sort(key=lambda row: (row[1], row[3].id))
        fields = ("merchant", "start", "end", "redeemed", "reversed", "net")
        return {
            **{name: getattr(statement, name) for name in fields},
            "rows": [{"kind": k, "at": at, "points": p, "redemption": r} for k, at, p, r in rows],
        }


class PointsAdjustmentSchema(Schema):
    id = ma.fields.Integer()
    volunteer_id = ma.fields.Method("volunteer_id_of", metadata={"type": "integer"})
    amount = ma.fields.Method(
        "signed_amount", metadata={"type": "integer", "description": "Negative: deducted"}
    )
    reason = ma.fields.String(attribute="memo")
    created_at = ma.fields.AwareDateTime()

    def _grants(self, entry) -> bool:
        return entry.to_account.kind is AccountKind.volunteer

    def volunteer_id_of(self, entry) -> int:
        account = entry.to_account if self._grants(entry) else entry.from_account
        return account.owner_id

    def signed_amount(self, entry) -> int:
        return entry.amount if self._grants(entry) else -entry.amount
