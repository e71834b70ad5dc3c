"""API: the office grants and withdraws scoped roles (clerks of a region or sector, city office
staff, panel reviewers, media editors) and reads an account's history of them."""

from __future__ import annotations

import marshmallow as ma
from flask.views import MethodView
from flask_login import current_user

from core.api import Blueprint, Page
from core.auth import assignments
from core.auth.access import role_required
from core.auth.assignments import AssignmentKind
from core.auth.models import Role
from core.clock import utcnow
from core.extensions import db
from core.inputs import Schema

blp = Blueprint(
    "assignments_api",
    __name__,
    url_prefix="/api/v1",
    description=(
        "Scoped roles (office): a community, street or district clerk is assigned to a region "
        "of that level (see /regions), a sector clerk to a sector, city office staff, panel "
        "reviewers and media editors to no scope. Withdrawn assignments stay in the history."
    ),
)
BEARER = [{"bearerAuth": []}]


class ScopeSchema(Schema):
    id = ma.fields.Integer()
    code = ma.fields.String()
    name = ma.fields.String()


class AssignmentSchema(Schema):
    id = ma.fields.Integer()
    user_id = ma.fields.Integer()
    kind = ma.fields.Enum(AssignmentKind, by_value=True)
    region = ma.fields.Nested(ScopeSchema, allow_none=True)
    sector = ma.fields.Nested(ScopeSchema, allow_none=True)
    partner_id = ma.fields.Integer(
        allow_none=True, metadata={"description": "For a card partner's staff: the partner"}
    )
    granted_by_id = ma.fields.Integer(allow_none=True)
    granted_at = ma.fields.AwareDateTime()
    withdrawn_by_id = ma.fields.Integer(allow_none=True)
    withdrawn_at = ma.fields.AwareDateTime(allow_none=True)


class AssignmentCreateSchema(Schema):
    kind = ma.fields.Enum(AssignmentKind, by_value=True, required=True)
    region_id = ma.fields.Integer(
        metadata={"description": "For a community, street or district clerk"}
    )
    sector_id = ma.fields.Integer(metadata={"description": "For a sector clerk"})


@blp.route("/office/users/<int:user_id>/assignments")
class UserAssignments(MethodView):
    @role_required(Role.office)
    @blp.doc(security=BEARER)
    @blp.response(200, AssignmentSchema(many=True))
    @blp.paginate(Page)
    def get(self, user_id: int):
        """The account's assignments, held and withdrawn, the newest grant first (office)"""
        return assignments.assignment_history(current_user, user_id)

    @role_required(Role.office)
    @blp.doc(security=BEARER)
    @blp.arguments(AssignmentCreateSchema)
    @blp.response(201, AssignmentSchema)
    def post(self, data, user_id: int):
        """Assign the account a scoped role (office)"""
        assignment = assignments.grant_assignment(current_user, user_id, now=utcnow(), **data)
        db.session.commit()
        return assignment


@blp.route("/office/assignments/<int:assignment_id>/withdrawal")
class AssignmentWithdrawal(MethodView):
    @role_required(Role.office)
    @blp.doc(security=BEARER)
    @blp.response(200, AssignmentSchema)
    def post(self, assignment_id: int):
        """Withdraw an assignment (office); it stays in the history"""
        assignment = assignments.withdraw_assignment(current_user, assignment_id, now=utcnow())
        db.session.commit()
        return assignment
