"""API schemas of the four seasons of care: a care campaign with its budgets per fund source,
its list of people, and visits with their goods, receipt, photos, versions and reversal.

Money goes in as yuan text (at most 2 decimals, read by honours.services.benefits.parse_yuan,
never through a float) and comes out as integer fen with the same in yuan as text."""

from __future__ import annotations

import marshmallow as ma

from care.models import (
    CareKind,
    FundSource,
    ListRule,
    ReceiptKind,
    Recipient,
    VisitPlace,
    VisitStatus,
)
from care.services import budgets, campaigns, visits
from core.inputs import MULTILINE, Schema
from honours.models import HonourLevel, PersonStatus
from honours.schemas import NamedSchema, PlaceSchema, UserBriefSchema
from honours.services.benefits import YUAN_MESSAGE, yuan_text

FEN = {"description": "In fen"}
YUAN = {"description": "The same in yuan, two decimals"}
# Yuan as typed: digits with at most one point (and thousands commas), never an exponent, which
# a decimal reads as a number too large to compute with.
YUAN_TEXT = ma.validate.Regexp(r"^ *[0-9][0-9,]*(\.[0-9]*)? *$", error=YUAN_MESSAGE)
YUAN_MAX = 20
# One item line's text, as the service stores it.
ITEM_MAX = 60
QUANTITY_MAX = 10_000
NAME_FILTER_MAX = 64


def _yuan(description: str, **options) -> ma.fields.String:
    return ma.fields.String(
        validate=[ma.validate.Length(min=1, max=YUAN_MAX), YUAN_TEXT],
        metadata={"description": description},
        **options,
    )


def _in_yuan(attribute: str) -> ma.fields.Function:
    return ma.fields.Function(
        lambda row: yuan_text(getattr(row, attribute)), metadata={**YUAN, "type": "string"}
    )


# Campaigns and budgets -------------------------------------------------------------------------


class CareCampaignQuerySchema(Schema):
    year = ma.fields.Integer(
        validate=ma.validate.Range(min=2000, max=2100),
        metadata={"description": "Only the care campaigns of this year's seasonal campaigns"},
    )


class CareCampaignCreateSchema(Schema):
    campaign_id = ma.fields.Integer(
        required=True, metadata={"description": "The seasonal campaign it is made from"}
    )
    kind = ma.fields.Enum(CareKind, by_value=True, required=True)
    name = ma.fields.String(
        required=True, validate=ma.validate.Length(min=1, max=campaigns.MAX_NAME)
    )
    plan = ma.fields.String(
        load_default="",
        validate=ma.validate.Length(max=campaigns.MAX_PLAN),
        metadata={**MULTILINE, "description": "What the campaign does, for whom, with what"},
    )
    rule = ma.fields.Enum(
        ListRule,
        by_value=True,
        required=True,
        metadata={"description": "How its list of people is made"},
    )
    min_level = ma.fields.Enum(
        HonourLevel,
        by_value=True,
        allow_none=True,
        load_default=None,
        metadata={"description": "For the honour_level rule: the lowest level on the list"},
    )


class BudgetSchema(Schema):
    """A campaign's budget from one fund source, what its visits spent and what is left."""

    fund_source = ma.fields.Enum(FundSource, by_value=True)
    budget_fen = ma.fields.Integer(metadata=FEN)
    spent_fen = ma.fields.Integer(metadata=FEN)
    left_fen = ma.fields.Integer(metadata=FEN)
    budget_yuan = _in_yuan("budget_fen")
    spent_yuan = _in_yuan("spent_fen")
    left_yuan = _in_yuan("left_fen")


class BudgetChangeSchema(Schema):
    old_fen = ma.fields.Integer(metadata=FEN)
    new_fen = ma.fields.Integer(metadata=FEN)
    old_yuan = _in_yuan("old_fen")
    new_yuan = _in_yuan("new_fen")
    reason = ma.fields.String(metadata=MULTILINE)
    changed_by = ma.fields.Nested(UserBriefSchema)
    changed_at = ma.fields.AwareDateTime()


class BudgetDetailSchema(BudgetSchema):
    """A budget with every change the office made to it, the oldest first."""

    changes = ma.fields.List(ma.fields.Nested(BudgetChangeSchema))


class BudgetWriteSchema(Schema):
    budget_yuan = _yuan(
        "The budget from this fund source in yuan, at most 2 decimals; never below what its "
        "visits have spent",
        required=True,
    )
    reason = ma.fields.String(
        load_default="",
        validate=ma.validate.Length(max=budgets.MAX_REASON),
        metadata={**MULTILINE, "description": "Why it is set or changed"},
    )


class CareCampaignSchema(Schema):
    """A care campaign (关爱活动) with its budgets per fund source."""

    id = ma.fields.Integer()
    name = ma.fields.String()
    kind = ma.fields.Enum(CareKind, by_value=True)
    plan = ma.fields.String(metadata=MULTILINE)
    rule = ma.fields.Enum(ListRule, by_value=True)
    min_level = ma.fields.Enum(HonourLevel, by_value=True, allow_none=True)
    campaign = ma.fields.Nested(NamedSchema, metadata={"description": "The seasonal campaign"})
    year = ma.fields.Integer()
    created_at = ma.fields.AwareDateTime()
    budgets = ma.fields.List(ma.fields.Nested(BudgetSchema))


class ListMadeSchema(Schema):
    added = ma.fields.Integer(metadata={"description": "People added to the list now"})


class ListUploadedSchema(ListMadeSchema):
    already = ma.fields.Integer(metadata={"description": "People of the file on the list already"})


class ListUploadSchema(Schema):
    file = ma.fields.Raw(
        required=True,
        metadata={
            "type": "string",
            "format": "binary",
            "description": "An Excel workbook (.xlsx) whose first row names a column 身份证号",
        },
    )


# The list of people ----------------------------------------------------------------------------


class TargetQuerySchema(Schema):
    name = ma.fields.String(
        validate=ma.validate.Length(max=NAME_FILTER_MAX),
        metadata={"description": "Only the people whose name holds this text"},
    )


class TargetSchema(Schema):
    """A person on a campaign's list (慰问对象), whether they were visited and, if not reached,
    why."""

    id = ma.fields.Integer(attribute="target.id")
    care_campaign_id = ma.fields.Integer(attribute="target.care_campaign_id")
    person_id = ma.fields.Integer(attribute="target.person_id")
    name = ma.fields.String(attribute="target.person.name")
    region = ma.fields.Nested(PlaceSchema, attribute="target.person.region")
    is_deceased = ma.fields.Function(
        lambda line: line["target"].person.status is PersonStatus.deceased,
        metadata={"type": "boolean", "description": "The visit goes to a relative"},
    )
    skip_reason = ma.fields.String(
        attribute="target.skip_reason",
        allow_none=True,
        metadata={"description": "Why they were not reached"},
    )
    skipped_at = ma.fields.AwareDateTime(attribute="target.skipped_at", allow_none=True)
    visited = ma.fields.Boolean(
        metadata={"description": "A visit of this campaign was paid to them and not reversed"}
    )
    visit_id = ma.fields.Integer(
        allow_none=True,
        metadata={"description": "Their latest visit of this campaign not reversed, if any"},
    )


class SkipSchema(Schema):
    reason = ma.fields.String(
        required=True,
        validate=ma.validate.Length(min=1, max=campaigns.MAX_REASON),
        metadata={**MULTILINE, "description": "Declined, moved, in hospital far away..."},
    )


# Visits ----------------------------------------------------------------------------------------


class VisitQuerySchema(Schema):
    status = ma.fields.Enum(VisitStatus, by_value=True)
    person_id = ma.fields.Integer(metadata={"description": "The visits of one person"})


class GoodWriteSchema(Schema):
    item = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=ITEM_MAX))
    quantity = ma.fields.Integer(required=True, validate=ma.validate.Range(min=1, max=QUANTITY_MAX))
    value_yuan = _yuan("The line's value in yuan, at most 2 decimals", required=True)


class VisitWriteSchema(Schema):
    """What a visit records; an edit sends the whole of it again."""

    visit_on = ma.fields.Date(required=True)
    place = ma.fields.Enum(VisitPlace, by_value=True, required=True)
    visitors = ma.fields.String(
        required=True,
        validate=ma.validate.Length(min=1, max=visits.MAX_SHORT),
        metadata={"description": "Who visits, names and posts: 市文明办 王主任"},
    )
    recipient = ma.fields.Enum(Recipient, by_value=True, load_default=Recipient.person)
    relative_name = ma.fields.String(
        allow_none=True,
        load_default=None,
        validate=ma.validate.Length(max=64),
        metadata={"description": "For a relative as the recipient: their name"},
    )
    relative_relation = ma.fields.String(
        allow_none=True, load_default=None, validate=ma.validate.Length(max=32)
    )
    cash_yuan = _yuan(
        "Condolence cash in yuan, at most 2 decimals; charged to the fund source's budget",
        load_default="0",
    )
    fund_source = ma.fields.Enum(
        FundSource,
        by_value=True,
        allow_none=True,
        load_default=None,
        metadata={"description": "Where the cash comes from (required with cash)"},
    )
    needs = ma.fields.String(
        load_default="",
        validate=ma.validate.Length(max=visits.MAX_TEXT),
        metadata={**MULTILINE, "description": "Needs found on the visit"},
    )
    follow_up = ma.fields.String(
        load_default="",
        validate=ma.validate.Length(max=visits.MAX_TEXT),
        metadata={**MULTILINE, "description": "What is to be done about them"},
    )
    goods = ma.fields.List(
        ma.fields.Nested(GoodWriteSchema),
        load_default=list,
        validate=ma.validate.Length(max=visits.MAX_GOODS),
    )


class RecordVisitSchema(VisitWriteSchema):
    person_id = ma.fields.Integer(required=True, metadata={"description": "Whom it visits"})
    done = ma.fields.Boolean(
        required=True, metadata={"description": "True: paid already; false: planned"}
    )
    off_list_reason = ma.fields.String(
        allow_none=True,
        load_default=None,
        validate=ma.validate.Length(max=visits.MAX_TEXT),
        metadata={**MULTILINE, "description": "Required for a person not on the list"},
    )
    corrects_id = ma.fields.Integer(
        allow_none=True,
        load_default=None,
        metadata={"description": "The reversed visit of this person this one records anew"},
    )


class VersionSchema(Schema):
    version = ma.fields.Integer(
        required=True,
        validate=ma.validate.Range(min=1),
        metadata={"description": "The visit's version the client last read"},
    )


class EditVisitSchema(VisitWriteSchema, VersionSchema):
    pass


class ReceiptQuerySchema(VersionSchema):
    kind = ma.fields.Enum(
        ReceiptKind,
        by_value=True,
        required=True,
        metadata={"description": "A signature drawn on the phone, or a scanned receipt list"},
    )


class VisitFileUploadSchema(Schema):
    file = ma.fields.Raw(
        required=True,
        metadata={
            "type": "string",
            "format": "binary",
            "description": "An image (JPEG, PNG, WebP); a scanned receipt may be a PDF",
        },
    )


class ReverseSchema(Schema):
    reason = ma.fields.String(
        required=True,
        validate=ma.validate.Length(min=1, max=visits.MAX_TEXT),
        metadata={**MULTILINE, "description": "Why the locked visit is reversed"},
    )


class VisitPersonSchema(Schema):
    id = ma.fields.Integer()
    name = ma.fields.String()
    region = ma.fields.Nested(PlaceSchema)
    is_deceased = ma.fields.Function(
        lambda person: person.status is PersonStatus.deceased, metadata={"type": "boolean"}
    )


class GoodSchema(Schema):
    item = ma.fields.String()
    quantity = ma.fields.Integer()
    value_fen = ma.fields.Integer(metadata=FEN)
    value_yuan = _in_yuan("value_fen")


class VisitVersionSchema(Schema):
    version = ma.fields.Integer(metadata={"description": "The version the edit made"})
    changes = ma.fields.Dict(
        keys=ma.fields.String(),
        values=ma.fields.List(ma.fields.Raw()),
        metadata={"description": "Each field changed: its value before and after"},
    )
    changed_by = ma.fields.Nested(UserBriefSchema)
    changed_at = ma.fields.AwareDateTime()


class ReversalSchema(Schema):
    cash_fen = ma.fields.Integer(metadata={"description": "Given back to the budget, in fen"})
    cash_yuan = _in_yuan("cash_fen")
    reason = ma.fields.String(metadata=MULTILINE)
    reversed_by = ma.fields.Nested(UserBriefSchema)
    reversed_at = ma.fields.AwareDateTime()


class VisitRowSchema(Schema):
    """A visit in a list."""

    id = ma.fields.Integer()
    care_campaign_id = ma.fields.Integer()
    person = ma.fields.Nested(VisitPersonSchema)
    target_id = ma.fields.Integer(
        allow_none=True, metadata={"description": "Its person's place on the list, if there"}
    )
    off_list_reason = ma.fields.String(allow_none=True, metadata=MULTILINE)
    status = ma.fields.Enum(VisitStatus, by_value=True)
    visit_on = ma.fields.Date()
    place = ma.fields.Enum(VisitPlace, by_value=True)
    visitors = ma.fields.String()
    cash_fen = ma.fields.Integer(metadata=FEN)
    cash_yuan = _in_yuan("cash_fen")
    fund_source = ma.fields.Enum(FundSource, by_value=True, allow_none=True)
    version = ma.fields.Integer()
    is_reversed = ma.fields.Function(
        lambda visit: visit.reversal is not None, metadata={"type": "boolean"}
    )


class VisitSchema(VisitRowSchema):
    """A visit (走访慰问记录) with its goods, receipt and photos (their keys under
    /api/v1/uploads/), the versions of its edits and its reversal."""

    recipient = ma.fields.Enum(Recipient, by_value=True)
    relative_name = ma.fields.String(allow_none=True)
    relative_relation = ma.fields.String(allow_none=True)
    visited_at = ma.fields.AwareDateTime(allow_none=True)
    needs = ma.fields.String(metadata=MULTILINE)
    follow_up = ma.fields.String(metadata=MULTILINE)
    follow_up_done_at = ma.fields.AwareDateTime(allow_none=True)
    goods = ma.fields.List(ma.fields.Nested(GoodSchema))
    goods_value_fen = ma.fields.Integer(metadata=FEN)
    goods_value_yuan = _in_yuan("goods_value_fen")
    receipt_key = ma.fields.Function(
        lambda visit: visit.receipt.public_key if visit.receipt is not None else None,
        allow_none=True,
        metadata={"type": "string", "description": "GET /api/v1/uploads/{key} for the receipt"},
    )
    receipt_kind = ma.fields.Enum(ReceiptKind, by_value=True, allow_none=True)
    photo_keys = ma.fields.Function(
        lambda visit: [photo.upload.public_key for photo in visit.photos],
        metadata={
            "type": "array",
            "items": {"type": "string"},
            "description": "GET /api/v1/uploads/{key} for each photo",
        },
    )
    corrects_id = ma.fields.Integer(
        allow_none=True, metadata={"description": "The reversed visit this one records anew"}
    )
    created_by = ma.fields.Nested(UserBriefSchema)
    created_at = ma.fields.AwareDateTime()
    verified_by = ma.fields.Nested(UserBriefSchema, allow_none=True)
    verified_at = ma.fields.AwareDateTime(allow_none=True)
    locked_by = ma.fields.Nested(UserBriefSchema, allow_none=True)
    locked_at = ma.fields.AwareDateTime(allow_none=True)
    versions = ma.fields.List(ma.fields.Nested(VisitVersionSchema))
    reversal = ma.fields.Nested(ReversalSchema, allow_none=True)


class VisitFileSchema(Schema):
    """A receipt or photo just attached to a visit."""

    key = ma.fields.String(metadata={"description": "GET /api/v1/uploads/{key} for the file"})
    filename = ma.fields.String()
    content_type = ma.fields.String()
    size = ma.fields.Integer()
    visit_id = ma.fields.Integer()
    version = ma.fields.Integer(metadata={"description": "The visit's version now"})


class LockedSchema(Schema):
    locked = ma.fields.Integer(metadata={"description": "Verified visits locked now"})
