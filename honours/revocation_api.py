"""API of revocation (撤销): the city revokes a person's honours; the clerks of the person's
district read the revocations and their recall tasks (收回任务) and close them."""

from __future__ import annotations

from flask.views import MethodView
from flask_login import current_user

from core.api import Blueprint, answer_page, window_of
from core.auth.access import role_required
from core.auth.models import Role
from core.clock import utcnow
from core.extensions import db
from honours.revocation_schemas import (
    CloseTaskSchema,
    RecallTaskQuerySchema,
    RecallTaskSchema,
    RevocationQuerySchema,
    RevocationSchema,
    RevokeSchema,
)
from honours.services import revocation

blp = Blueprint(
    "revocations_api",
    __name__,
    url_prefix="/api/v1",
    description="Revocation of honours and the recall of cards and certificates (撤销与收回)",
)
BEARER = [{"bearerAuth": []}]
# Clerks are accounts holding an assignment (core.auth.assignments); the service keeps
# revoking to the city and the lists and tasks to the district of the person.
CLERKS = (Role.volunteer, Role.office)


@blp.route("/honours/persons/<int:person_id>/revocations")
class PersonRevocations(MethodView):
    @role_required(*CLERKS, owner="self")
    @blp.doc(security=BEARER)
    @blp.arguments(RevokeSchema)
    @blp.response(201, RevocationSchema)
    def post(self, data, person_id: int):
        """Revoke honours of the person (the city): in one step the honours are revoked, the
        person's card stops working, the certificates are marked revoked, the roll no longer
        shows the person and a recall task opens for their district. 422 for an honour that is
        not the person's or an empty reason, 409 for an honour revoked already"""
        made = revocation.revoke_honours(
            current_user,
            person_id,
            data["honour_ids"],
            reason=data["reason"],
            decision_number=data.get("decision_number"),
            now=utcnow(),
        )
        made_id = made.id
        db.session.commit()
        return revocation.get_revocation(current_user, made_id, now=utcnow())


@blp.route("/honours/revocations")
class Revocations(MethodView):
    @role_required(*CLERKS, owner="self")
    @blp.doc(security=BEARER)
    @blp.arguments(RevocationQuerySchema, location="query")
    @blp.response(200, RevocationSchema(many=True))
    @blp.paginate()
    def get(self, query, pagination_parameters):
        """The revocations of my districts' persons (all for the city), the newest first"""
        found = revocation.list_revocations(
            current_user,
            now=utcnow(),
            window=window_of(pagination_parameters),
            person_id=query.get("person_id"),
        )
        return answer_page(pagination_parameters, found)


@blp.route("/honours/recall-tasks")
class RecallTasks(MethodView):
    @role_required(*CLERKS, owner="self")
    @blp.doc(security=BEARER)
    @blp.arguments(RecallTaskQuerySchema, location="query")
    @blp.response(200, RecallTaskSchema(many=True))
    @blp.paginate()
    def get(self, query, pagination_parameters):
        """The recall tasks of my districts' persons (all for the city), the oldest first,
        in one status if asked"""
        found = revocation.list_recall_tasks(
            current_user,
            now=utcnow(),
            window=window_of(pagination_parameters),
            status=query.get("status"),
        )
        return answer_page(pagination_parameters, found)


@blp.route("/honours/recall-tasks/<int:task_id>/close")
class CloseRecallTask(MethodView):
    @role_required(*CLERKS, owner="self")
    @blp.doc(security=BEARER)
    @blp.arguments(CloseTaskSchema)
    @blp.response(200, RecallTaskSchema)
    def post(self, data, task_id: int):
        """Close a recall task of my district (or any, for the city): taken back, or not
        recoverable with a note. 409 when it is closed already, 404 for another district's"""
        revocation.close_recall_task(
            current_user,
            task_id,
            recovered=data["recovered"],
            note=data.get("note"),
            now=utcnow(),
        )
        db.session.commit()
        return revocation.get_recall_task(current_user, task_id, now=utcnow())
