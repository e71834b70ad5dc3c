"""API schemas of the conduct clauses (with their versions) and of breach cases: a report, a
case as its handlers read it (the reporter's phone whole: only the district and the city read
a case), its steps, and the input of each step."""

from __future__ import annotations

import marshmallow as ma

from core.inputs import Schema
from honours.conduct_models import (
    CaseOutcome,
    CaseStage,
    ClauseKind,
    ReviewOutcome,
    SourceKind,
    StepAction,
)
from honours.schemas import PlaceSchema
from honours.services.breach_case_steps import OPINION_MAX, Decision, ReviewChoice
from honours.services.breach_cases import DESCRIPTION_MAX, NAME_MAX, SOURCE_MAX
from honours.services.clauses import TEXT_MAX, TITLE_MAX

OPINION = ma.validate.Length(max=OPINION_MAX)


class ClauseVersionSchema(Schema):
    id = ma.fields.Integer()
    number = ma.fields.Integer(metadata={"description": "1 for the first wording, and so on"})
    title = ma.fields.String()
    text = ma.fields.String()
    effective_from = ma.fields.Date()
    created_at = ma.fields.AwareDateTime()
    created_by = ma.fields.String(attribute="created_by.display_name")


class ClauseSchema(Schema):
    """A clause with the version in force today and every version (core: ClauseRow)."""

    id = ma.fields.Integer(attribute="clause.id")
    kind = ma.fields.Enum(ClauseKind, by_value=True, attribute="clause.kind")
    position = ma.fields.Integer(attribute="clause.position")
    current = ma.fields.Nested(ClauseVersionSchema, allow_none=True)
    upcoming = ma.fields.Nested(ClauseVersionSchema, allow_none=True)
    versions = ma.fields.List(ma.fields.Nested(ClauseVersionSchema), attribute="clause.versions")


class ClauseVersionCreateSchema(Schema):
    title = ma.fields.String(required=True, validate=ma.validate.Length(max=TITLE_MAX))
    text = ma.fields.String(required=True, validate=ma.validate.Length(max=TEXT_MAX))
    effective_from = ma.fields.Date(
        metadata={"description": "The day it takes effect: today (the default) or later"}
    )


class ClauseCreateSchema(ClauseVersionCreateSchema):
    kind = ma.fields.Enum(ClauseKind, by_value=True, required=True)


class CaseReportSchema(Schema):
    person_id = ma.fields.Integer(
        required=True,
        metadata={"description": "A person of my regions (a clerk), else of the public roll"},
    )
    clause_ids = ma.fields.List(
        ma.fields.Integer(), required=True, validate=ma.validate.Length(min=1, max=10)
    )
    description = ma.fields.String(required=True, validate=ma.validate.Length(max=DESCRIPTION_MAX))
    source_kind = ma.fields.Enum(
        SourceKind,
        by_value=True,
        required=True,
        metadata={
            "description": "public (a verified phone), media (an editor), partner (its staff);"
            " a clerk of the person's region enters any, naming the source"
        },
    )
    source_name = ma.fields.String(validate=ma.validate.Length(max=SOURCE_MAX))
    reporter_name = ma.fields.String(validate=ma.validate.Length(max=NAME_MAX))
    reporter_phone = ma.fields.String(validate=ma.validate.Length(max=20))
    partner_id = ma.fields.Integer(
        metadata={"description": "The partner reporting, for staff of several"}
    )


class CaseReceiptSchema(Schema):
    """What a reporter learns of the case they reported: its number and that it is received."""

    id = ma.fields.Integer()
    received_at = ma.fields.AwareDateTime()


class CasePersonSchema(Schema):
    id = ma.fields.Integer()
    name = ma.fields.String()
    district = ma.fields.Nested(PlaceSchema)


class CitedClauseSchema(Schema):
    id = ma.fields.Integer(attribute="clause.id")
    kind = ma.fields.Enum(ClauseKind, by_value=True, attribute="clause.kind")
    position = ma.fields.Integer(attribute="clause.position")
    version = ma.fields.Integer(attribute="number")
    title = ma.fields.String()
    text = ma.fields.String()


class CaseStepSchema(Schema):
    action = ma.fields.Enum(StepAction, by_value=True)
    from_stage = ma.fields.Enum(CaseStage, by_value=True, allow_none=True)
    to_stage = ma.fields.Enum(CaseStage, by_value=True)
    actor = ma.fields.String(
        attribute="actor.display_name",
        allow_none=True,
        metadata={"description": "None: the platform (the assignment)"},
    )
    at = ma.fields.AwareDateTime()
    opinion = ma.fields.String()


class CaseFileSchema(Schema):
    key = ma.fields.String(attribute="upload.public_key")
    filename = ma.fields.String(attribute="upload.filename")
    content_type = ma.fields.String(attribute="upload.content_type")
    added_at = ma.fields.AwareDateTime()


class CaseHonourSchema(Schema):
    id = ma.fields.Integer()
    name = ma.fields.String(attribute="honour_type.name")
    awarded_on = ma.fields.Date()
    is_revoked = ma.fields.Boolean()


class CaseRowSchema(Schema):
    """A case of the handlers' list (core: honours.services.breach_cases.CaseRow)."""

    id = ma.fields.Integer(attribute="case.id")
    person = ma.fields.Nested(CasePersonSchema, attribute="case.person")
    stage = ma.fields.Enum(CaseStage, by_value=True, attribute="case.stage")
    outcome = ma.fields.Enum(CaseOutcome, by_value=True, attribute="case.outcome", allow_none=True)
    source_kind = ma.fields.Enum(SourceKind, by_value=True, attribute="case.source_kind")
    received_at = ma.fields.AwareDateTime(attribute="case.received_at")
    stage_due_at = ma.fields.AwareDateTime(attribute="case.stage_due_at", allow_none=True)
    is_overdue = ma.fields.Boolean()


class CaseSchema(Schema):
    """A case as its handlers (the person's district, the city) read it."""

    id = ma.fields.Integer(attribute="case.id")
    person = ma.fields.Nested(CasePersonSchema, attribute="case.person")
    stage = ma.fields.Enum(CaseStage, by_value=True, attribute="case.stage")
    stage_due_at = ma.fields.AwareDateTime(attribute="case.stage_due_at", allow_none=True)
    is_overdue = ma.fields.Boolean()
    source_kind = ma.fields.Enum(SourceKind, by_value=True, attribute="case.source_kind")
    source_name = ma.fields.String(attribute="case.source_name")
    reporter_name = ma.fields.String(attribute="case.reporter_name")
    reporter_phone = ma.fields.String(attribute="case.reporter_phone")
    description = ma.fields.String(attribute="case.description")
    received_at = ma.fields.AwareDateTime(attribute="case.received_at")
    clauses = ma.fields.List(
        ma.fields.Nested(CitedClauseSchema),
        attribute="case.clause_versions",
        metadata={"description": "The clauses cited, as the versions in force when reported"},
    )
    files = ma.fields.List(ma.fields.Nested(CaseFileSchema), attribute="case.files")
    findings = ma.fields.String(attribute="case.findings", allow_none=True)
    talk_on = ma.fields.Date(attribute="case.talk_on", allow_none=True)
    talk_by = ma.fields.String(attribute="case.talk_by", allow_none=True)
    talk_summary = ma.fields.String(attribute="case.talk_summary", allow_none=True)
    honours = ma.fields.List(
        ma.fields.Nested(CaseHonourSchema),
        attribute="case.honours",
        metadata={"description": "The honours proposed for revocation"},
    )
    told_at = ma.fields.AwareDateTime(attribute="case.told_at", allow_none=True)
    told_how = ma.fields.String(attribute="case.told_how", allow_none=True)
    statement_due_at = ma.fields.AwareDateTime(attribute="case.statement_due_at", allow_none=True)
    statement_at = ma.fields.AwareDateTime(attribute="case.statement_at", allow_none=True)
    statement = ma.fields.String(attribute="case.statement", allow_none=True)
    outcome = ma.fields.Enum(CaseOutcome, by_value=True, attribute="case.outcome", allow_none=True)
    decided_at = ma.fields.AwareDateTime(attribute="case.decided_at", allow_none=True)
    revocation_id = ma.fields.Integer(attribute="case.revocation_id", allow_none=True)
    review_until = ma.fields.AwareDateTime(attribute="case.review_until", allow_none=True)
    review_requested_at = ma.fields.AwareDateTime(
        attribute="case.review_requested_at", allow_none=True
    )
    review_reason = ma.fields.String(attribute="case.review_reason", allow_none=True)
    review_outcome = ma.fields.Enum(
        ReviewOutcome, by_value=True, attribute="case.review_outcome", allow_none=True
    )
    closed_at = ma.fields.AwareDateTime(attribute="case.closed_at", allow_none=True)
    steps = ma.fields.List(ma.fields.Nested(CaseStepSchema), attribute="case.steps")


class CaseQuerySchema(Schema):
    stage = ma.fields.Enum(CaseStage, by_value=True)
    district_id = ma.fields.Integer()
    is_overdue = ma.fields.Boolean()


class CaseOpinionSchema(Schema):
    opinion = ma.fields.String(validate=OPINION)


class CaseFindingsSchema(Schema):
    findings = ma.fields.String(required=True, validate=OPINION)


class CaseConclusionSchema(Schema):
    choice = ma.fields.String(required=True, validate=ma.validate.OneOf(ReviewChoice.ALL))
    opinion = ma.fields.String(required=True, validate=OPINION)
    honour_ids = ma.fields.List(
        ma.fields.Integer(),
        validate=ma.validate.Length(max=20),
        metadata={"description": "The honours to revoke, for propose_revocation"},
    )


class CaseTalkSchema(Schema):
    talk_on = ma.fields.Date(metadata={"description": "Today when left out"})
    talk_by = ma.fields.String(required=True, validate=ma.validate.Length(max=120))
    summary = ma.fields.String(required=True, validate=OPINION)


class CaseToldSchema(Schema):
    told_at = ma.fields.AwareDateTime(metadata={"description": "Now when left out"})
    how = ma.fields.String(required=True, validate=ma.validate.Length(max=200))


class CaseStatementSchema(Schema):
    statement = ma.fields.String(required=True, validate=OPINION)


class CaseDecisionSchema(Schema):
    decision = ma.fields.String(required=True, validate=ma.validate.OneOf(Decision.ALL))
    opinion = ma.fields.String(required=True, validate=OPINION)
    decision_number = ma.fields.String(validate=ma.validate.Length(max=60))


class CaseReviewRequestSchema(Schema):
    reason = ma.fields.String(required=True, validate=OPINION)


class CaseReviewDecisionSchema(Schema):
    outcome = ma.fields.Enum(ReviewOutcome, by_value=True, required=True)
    opinion = ma.fields.String(required=True, validate=OPINION)


class EvidenceUploadSchema(Schema):
    file = ma.fields.Raw(required=True, metadata={"type": "string", "format": "binary"})
