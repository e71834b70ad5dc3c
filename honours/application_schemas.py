"""API schemas of the benefits by application (礼遇申请): an application as the clerks read it
(the ID number and phone masked), as the person reads their own, as a department's staff read
it (the ID number's last 4 digits, the phone masked); its steps; applying and each step."""

from __future__ import annotations

import marshmallow as ma

from core.inputs import Schema
from honours.application_models import ApplicationResult, ApplicationStatus
from honours.card_models import BenefitArea
from honours.models import HonourLevel
from honours.schemas import PlaceSchema
from honours.services.applications import ASKED_MAX, OPINION_MAX, OUTCOME_MAX

STATUS = {"description": "applied → proposed | declined → approved | declined → in_hand → closed"}


class DepartmentBriefSchema(Schema):
    id = ma.fields.Integer()
    name = ma.fields.String()


class ApplicationBenefitSchema(Schema):
    id = ma.fields.Integer()
    name = ma.fields.String()
    area = ma.fields.Enum(BenefitArea, by_value=True)


class ApplicationStepSchema(Schema):
    at = ma.fields.AwareDateTime()
    from_status = ma.fields.Enum(ApplicationStatus, by_value=True, allow_none=True)
    to_status = ma.fields.Enum(ApplicationStatus, by_value=True)
    opinion = ma.fields.String()


class ApplicationStaffStepSchema(ApplicationStepSchema):
    actor = ma.fields.String(attribute="actor.display_name", metadata={"description": "Who"})


class _ApplicationSchema(Schema):
    id = ma.fields.Integer()
    benefit = ma.fields.Nested(ApplicationBenefitSchema)
    department = ma.fields.Nested(DepartmentBriefSchema)
    asked = ma.fields.String(metadata={"description": "What is asked"})
    status = ma.fields.Enum(ApplicationStatus, by_value=True, metadata=STATUS)
    applied_at = ma.fields.AwareDateTime()
    updated_at = ma.fields.AwareDateTime()
    result = ma.fields.Enum(ApplicationResult, by_value=True, allow_none=True)
    outcome = ma.fields.String(allow_none=True)
    closed_at = ma.fields.AwareDateTime(allow_none=True)


class MyApplicationSchema(_ApplicationSchema):
    """One of my applications, with its steps."""

    steps = ma.fields.List(ma.fields.Nested(ApplicationStepSchema))


class ApplicantSchema(Schema):
    id = ma.fields.Integer()
    name = ma.fields.String()
    district = ma.fields.Nested(PlaceSchema)


class ClerkApplicationSchema(Schema):
    """An application as the clerks read it (core: honours.services.applications.ApplicationRow)."""

    id = ma.fields.Integer(attribute="application.id")
    person = ma.fields.Nested(ApplicantSchema, attribute="application.person")
    masked_id_number = ma.fields.String(allow_none=True)
    masked_phone = ma.fields.String(allow_none=True)
    benefit = ma.fields.Nested(ApplicationBenefitSchema, attribute="application.benefit")
    department = ma.fields.Nested(DepartmentBriefSchema, attribute="application.department")
    asked = ma.fields.String(attribute="application.asked")
    status = ma.fields.Enum(
        ApplicationStatus, by_value=True, attribute="application.status", metadata=STATUS
    )
    applied_at = ma.fields.AwareDateTime(attribute="application.applied_at")
    applied_by = ma.fields.String(attribute="application.applied_by.display_name")
    updated_at = ma.fields.AwareDateTime(attribute="application.updated_at")
    result = ma.fields.Enum(
        ApplicationResult, by_value=True, attribute="application.result", allow_none=True
    )
    outcome = ma.fields.String(attribute="application.outcome", allow_none=True)
    steps = ma.fields.List(
        ma.fields.Nested(ApplicationStaffStepSchema), attribute="application.steps"
    )
    may_propose = ma.fields.Boolean()
    may_approve = ma.fields.Boolean()
    may_decline = ma.fields.Boolean()


class DepartmentApplicationSchema(Schema):
    """An application as the department's staff read it: the name, the ID number's last 4
    digits, the phone masked and what is asked (core: applications.DepartmentRow)."""

    id = ma.fields.Integer(attribute="application.id")
    name = ma.fields.String(attribute="application.person.name")
    id_tail = ma.fields.String(
        allow_none=True, metadata={"description": "The last 4 characters of the ID number"}
    )
    masked_phone = ma.fields.String(allow_none=True)
    benefit = ma.fields.Nested(ApplicationBenefitSchema, attribute="application.benefit")
    department = ma.fields.Nested(DepartmentBriefSchema, attribute="application.department")
    asked = ma.fields.String(attribute="application.asked")
    status = ma.fields.Enum(ApplicationStatus, by_value=True, attribute="application.status")
    updated_at = ma.fields.AwareDateTime(attribute="application.updated_at")
    result = ma.fields.Enum(
        ApplicationResult, by_value=True, attribute="application.result", allow_none=True
    )
    outcome = ma.fields.String(attribute="application.outcome", allow_none=True)
    may_acknowledge = ma.fields.Boolean()
    may_close = ma.fields.Boolean()


class ApplicationOfferSchema(Schema):
    benefit = ma.fields.Nested(ApplicationBenefitSchema)
    department = ma.fields.Nested(DepartmentBriefSchema)
    lowest_level = ma.fields.Enum(HonourLevel, by_value=True, attribute="benefit.lowest_level")
    reached = ma.fields.Boolean(metadata={"description": "Whether my honour level gives it"})


class MyApplicationsSchema(Schema):
    applications = ma.fields.List(ma.fields.Nested(MyApplicationSchema))
    offers = ma.fields.List(
        ma.fields.Nested(ApplicationOfferSchema),
        metadata={"description": "The benefits given by application, each with a department"},
    )


ID = ma.fields.Integer(required=True, validate=ma.validate.Range(min=1))


class ApplicationApplySchema(Schema):
    benefit_id = ID
    department_id = ma.fields.Integer(
        required=True,
        validate=ma.validate.Range(min=1),
        metadata={"description": "One of the benefit's partners, the department to handle it"},
    )
    asked = ma.fields.String(
        required=True,
        validate=ma.validate.Length(min=1, max=ASKED_MAX),
        metadata={"description": "What is asked, e.g. the child's school stage; no ID numbers"},
    )


class ApplicationApplyForSchema(ApplicationApplySchema):
    person_id = ID


class ApplicationOpinionSchema(Schema):
    opinion = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=OPINION_MAX))


class ApplicationAcknowledgeSchema(Schema):
    note = ma.fields.String(load_default=None, validate=ma.validate.Length(max=OPINION_MAX))


class ApplicationCloseSchema(Schema):
    result = ma.fields.Enum(ApplicationResult, by_value=True, required=True)
    outcome = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=OUTCOME_MAX))


class ApplicationQuerySchema(Schema):
    status = ma.fields.Enum(ApplicationStatus, by_value=True)
    benefit_id = ma.fields.Integer(validate=ma.validate.Range(min=1))
    district_id = ma.fields.Integer(validate=ma.validate.Range(min=1))


class DepartmentApplicationQuerySchema(Schema):
    status = ma.fields.Enum(
        ApplicationStatus,
        by_value=True,
        metadata={"description": "approved, in_hand or closed"},
    )
