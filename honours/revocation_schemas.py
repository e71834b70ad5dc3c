"""API schemas of revocation: the city's decision (honours, reason, document number), a
revocation as the clerks read it, a recall task and its closing."""

from __future__ import annotations

import marshmallow as ma

from core.inputs import MULTILINE, Schema
from honours.revocation_models import RecallStatus
from honours.schemas import PersonHonourSchema, PlaceSchema, UserBriefSchema
from honours.services.revocation import NOTE_MAX, NUMBER_MAX, REASON_MAX

# More honours than a person could hold is a malformed request.
HONOURS_MAX = 50


class RevokeSchema(Schema):
    honour_ids = ma.fields.List(
        ma.fields.Integer(),
        required=True,
        validate=ma.validate.Length(min=1, max=HONOURS_MAX),
        metadata={"description": "The person's honours to revoke, none revoked yet"},
    )
    reason = ma.fields.String(
        required=True,
        validate=ma.validate.Length(min=1, max=REASON_MAX),
        metadata={**MULTILINE, "description": "The clause broken and what was found"},
    )
    decision_number = ma.fields.String(
        load_default=None,
        allow_none=True,
        validate=ma.validate.Length(max=NUMBER_MAX),
        metadata={"description": "The decision's document number, such as 秦文明〔2026〕12号"},
    )


class RevokedPersonSchema(Schema):
    id = ma.fields.Integer()
    name = ma.fields.String()
    district = ma.fields.Nested(PlaceSchema)


class TaskBriefSchema(Schema):
    id = ma.fields.Integer()
    status = ma.fields.Enum(RecallStatus, by_value=True)


class RevocationSchema(Schema):
    """A revocation (撤销决定): who decided which honours, when and why."""

    id = ma.fields.Integer()
    person = ma.fields.Nested(RevokedPersonSchema)
    honours = ma.fields.List(ma.fields.Nested(PersonHonourSchema))
    reason = ma.fields.String(metadata=MULTILINE)
    decision_number = ma.fields.String(allow_none=True)
    decided_by = ma.fields.Nested(UserBriefSchema)
    decided_at = ma.fields.AwareDateTime()
    recall_task = ma.fields.Nested(TaskBriefSchema, allow_none=True)


class RevocationQuerySchema(Schema):
    person_id = ma.fields.Integer(metadata={"description": "The revocations of one person"})


class RecalledCardSchema(Schema):
    id = ma.fields.Integer()
    number = ma.fields.String()


class RecallTaskSchema(Schema):
    """A recall task (收回任务): the card and certificates to take back from the person."""

    id = ma.fields.Integer(attribute="task.id")
    status = ma.fields.Enum(RecallStatus, by_value=True, attribute="task.status")
    person = ma.fields.Nested(RevokedPersonSchema, attribute="task.person")
    card = ma.fields.Nested(
        RecalledCardSchema,
        attribute="task.card",
        allow_none=True,
        metadata={"description": "The printed card to take back, if the person had one"},
    )
    certificate_numbers = ma.fields.List(
        ma.fields.String(), metadata={"description": "The certificates of the revoked honours"}
    )
    revocation_id = ma.fields.Integer(attribute="task.revocation_id")
    decision_number = ma.fields.String(attribute="task.revocation.decision_number", allow_none=True)
    opened_at = ma.fields.AwareDateTime(attribute="task.opened_at")
    closed_at = ma.fields.AwareDateTime(attribute="task.closed_at", allow_none=True)
    closed_by = ma.fields.Nested(UserBriefSchema, attribute="task.closed_by", allow_none=True)
    note = ma.fields.String(attribute="task.note", allow_none=True)


class RecallTaskQuerySchema(Schema):
    status = ma.fields.Enum(
        RecallStatus, by_value=True, metadata={"description": "Only the tasks in this status"}
    )


class CloseTaskSchema(Schema):
    recovered = ma.fields.Boolean(
        required=True,
        metadata={"description": "True: card and certificates taken back; false: not recoverable"},
    )
    note = ma.fields.String(
        load_default=None,
        allow_none=True,
        validate=ma.validate.Length(max=NOTE_MAX),
        metadata={"description": "Why it cannot be taken back (required when not recovered)"},
    )
