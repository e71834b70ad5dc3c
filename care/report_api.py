"""API of the care reports (关爱统计): persons visited, cash and goods by year and district with
the running total of condolence funds, a care campaign's coverage, cash against the budget,
goods and open follow-ups (a clerk reads their regions' part), and the past years' totals the
office enters from its books."""

from __future__ import annotations

from flask.views import MethodView
from flask_login import current_user

from care.report_schemas import (
    CampaignReportSchema,
    CareReportSchema,
    PastTotalSchema,
    PastTotalWriteSchema,
)
from care.services import past_totals, reports
from core.api import Blueprint, Page
from core.auth.access import role_required
from core.auth.models import Role
from core.clock import utcnow
from core.rows import commit_keeping_loaded

blp = Blueprint(
    "care_reports_api",
    __name__,
    url_prefix="/api/v1",
    description="Care reports (关爱统计): coverage, condolence funds and the running total",
)
BEARER = [{"bearerAuth": []}]
# Clerks are accounts holding an assignment to a region (core.auth.assignments): the service
# keeps each to their regions' persons, and the running total and past totals to the city.
CLERKS = (Role.volunteer, Role.office)


@blp.route("/care/reports")
class CareReport(MethodView):
    @role_required(*CLERKS)
    @blp.doc(security=BEARER)
    @blp.response(200, CareReportSchema)
    def get(self):
        """Persons visited, cash and goods value by year and district (the city; a clerk,
        their regions' persons), and the running total of condolence funds year by year (the
        city only; null for a clerk). Cash and goods count every visit not reversed"""
        return reports.care_report(current_user, now=utcnow())


@blp.route("/care/campaigns/<int:care_campaign_id>/report")
class CampaignReport(MethodView):
    @role_required(*CLERKS)
    @blp.doc(security=BEARER)
    @blp.response(200, CampaignReportSchema)
    def get(self, care_campaign_id: int):
        """A care campaign's coverage of its list (visited, planned, not reached with the
        reason, not yet), cash by fund source against the budget, goods by item and the
        follow-ups not done (the city; a clerk, their regions' persons). 404 for no such
        campaign"""
        return reports.campaign_report(current_user, care_campaign_id, now=utcnow())


@blp.route("/care/past-totals")
class PastTotals(MethodView):
    @role_required(*CLERKS)
    @blp.doc(security=BEARER)
    @blp.response(200, PastTotalSchema(many=True))
    @blp.paginate(Page)
    def get(self):
        """The past years' condolence funds per fund source, latest year first (the city)"""
        return past_totals.list_past_totals(current_user, now=utcnow())

    @role_required(*CLERKS)
    @blp.doc(security=BEARER)
    @blp.arguments(PastTotalWriteSchema)
    @blp.response(201, PastTotalSchema)
    def post(self, data):
        """Record a past year's condolence funds from one fund source (the city), once: 409
        when that year's total from that source is recorded already, 422 for this year or
        later"""
        total = past_totals.record_past_total(current_user, **data, now=utcnow())
        commit_keeping_loaded()
        return total
