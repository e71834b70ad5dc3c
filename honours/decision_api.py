"""API of a round's decision (the city records it, any clerk reads it), the honour
certificates (the clerks of the person's region and the person) and the round's pipeline
report."""

from __future__ import annotations

from flask import Response
from flask.views import MethodView
from flask_login import current_user

from core.api import Blueprint, Page
from core.auth.access import role_required
from core.auth.models import Role
from core.clock import local_zone, utcnow
from core.extensions import db
from core.settings import current_settings
from core.workdays import load_calendar
from honours.decision_schemas import (
    DecisionViewSchema,
    DecisionWriteSchema,
    HonourCertificateSchema,
    PipelineReportSchema,
)
from honours.services import decision, pipeline_report

blp = Blueprint(
    "honours_decision_api",
    __name__,
    url_prefix="/api/v1",
    description="Rounds' decisions, honour certificates and pipeline reports",
)
BEARER = [{"bearerAuth": []}]
# Clerks are accounts holding an assignment to a region (core.auth.assignments); the
# services keep each to their region, the office acts everywhere.
CLERKS = (Role.volunteer, Role.office)


@blp.route("/honours/rounds/<int:round_id>/decision")
class RoundDecision(MethodView):
    @role_required(*CLERKS, owner="self")
    @blp.doc(security=BEARER)
    @blp.response(200, DecisionViewSchema)
    def get(self, round_id: int):
        """The round's decision and the honours it made, or the entries on notice waiting for
        it (any clerk; the entries of my region)"""
        return decision.read_decision(current_user, round_id, now=utcnow())

    @role_required(*CLERKS, owner="self")
    @blp.doc(security=BEARER)
    @blp.arguments(DecisionWriteSchema)
    @blp.response(201, DecisionViewSchema)
    def post(self, data, round_id: int):
        """Record the committee's decision (the city office), once, after the notice closed
        and every objection is answered: each entry on notice is approved and honoured with a
        certificate"""
        now = utcnow()
        decision.record_decision(
            current_user,
            round_id,
            document_number=data["document_number"],
            decided_on=data["decided_on"],
            now=now,
            settings=current_settings().certificates,
        )
        db.session.commit()
        return decision.read_decision(current_user, round_id, now=now)


@blp.route("/honours/<int:honour_id>/certificate.pdf")
class HonourCertificate(MethodView):
    @role_required(Role.volunteer, Role.office, owner="self")
    @blp.doc(security=BEARER)
    @blp.response(200, {"type": "string", "format": "binary"}, content_type="application/pdf")
    def get(self, honour_id: int):
        """An honour's certificate as PDF (the clerks of the person's region, the city, and
        the honoured person)"""
        document, body = decision.print_honour_certificate(current_user, honour_id, now=utcnow())
        disposition = f'attachment; filename="{document.number}.pdf"'
        return Response(
            body, mimetype="application/pdf", headers={"Content-Disposition": disposition}
        )


@blp.route("/me/honour-certificates")
class MyHonourCertificates(MethodView):
    @role_required(Role.volunteer, owner="self")
    @blp.doc(security=BEARER)
    @blp.response(200, HonourCertificateSchema(many=True))
    @blp.paginate(Page)
    def get(self):
        """The certificates of my honours, the newest award first"""
        return decision.list_my_honour_certificates(current_user)


@blp.route("/honours/rounds/<int:round_id>/pipeline")
class RoundPipeline(MethodView):
    @role_required(*CLERKS, owner="self")
    @blp.doc(security=BEARER)
    @blp.response(200, PipelineReportSchema)
    def get(self, round_id: int):
        """The round's pipeline: counts by channel and by district at each stage, the working
        days each review level took, the overdue nominations and the quotas used (the city
        the whole round, a clerk their region)"""
        return pipeline_report.pipeline_report(
            current_user, round_id, now=utcnow(), calendar=load_calendar(), zone=local_zone()
        )
