"""API: participation figures and breakdowns (the office; a leader for their teams), and a
volunteer's service record."""

from __future__ import annotations

from flask.views import MethodView
from flask_login import current_user

from core.api import Blueprint, Page
from core.auth.access import Who, role_required
from core.auth.models import Role
from core.clock import utcnow
from office import services
from office.schemas import (
    ReportFiguresSchema,
    ReportLineSchema,
    ReportNoShowQuerySchema,
    ReportNoShowsSchema,
    ReportQuerySchema,
    VolunteerServiceRecordSchema,
)

blp = Blueprint("office_api", __name__, url_prefix="/api/v1", description="Participation reports")
BEARER = [{"bearerAuth": []}]


def _record(record: services.ServiceRecord) -> dict:
    return {
        "lines": record.lines,
        "totals": [
            {"year": y, "person_times": n, "hours": h, "points": p} for y, n, h, p in record.totals
        ],
    }


@blp.route("/reports/summary")
class ReportSummary(MethodView):
    @role_required(Who.leader, Role.office, owner="team")
    @blp.doc(security=BEARER)
    @blp.arguments(ReportQuerySchema, location="query")
    @blp.response(200, ReportFiguresSchema)
    def get(self, filters):
        """The participation figures for the filters"""
        return services.summary(current_user, filters)


@blp.route("/reports/by/<any(season, campaign, district, team, category):by>")
class ReportBreakdown(MethodView):
    @role_required(Who.leader, Role.office, owner="team")
    @blp.doc(security=BEARER)
    @blp.arguments(ReportQuerySchema, location="query")
    @blp.response(200, ReportLineSchema(many=True))
    @blp.paginate(Page)
    def get(self, filters, by: str):
        """The figures per season, campaign, district, team or activity category"""
        return services.breakdown(current_user, filters, by)


@blp.route("/reports/no-shows")
class ReportNoShows(MethodView):
    @role_required(Role.office)
    @blp.doc(security=BEARER)
    @blp.arguments(ReportNoShowQuerySchema, location="query")
    @blp.response(200, ReportNoShowsSchema)
    def get(self, query):
        """No-show rates by team and season (the office): no-shows per hundred seats held on
        the shifts that have started, a seat being a confirmed sign-up (a no-show included)"""
        return services.no_show_rates(
            current_user, year=query["year"], season=query.get("season"), now=utcnow()
        )


@blp.route("/me/service-record")
class MyServiceRecord(MethodView):
    @role_required(Role.volunteer, owner="self")
    @blp.doc(security=BEARER)
    @blp.response(200, VolunteerServiceRecordSchema)
    def get(self):
        """My service record (服务记录): every confirmed shift and the totals per year"""
        return _record(services.service_record(current_user, current_user.id))


@blp.route("/volunteers/<int:volunteer_id>/service-record")
class VolunteerServiceRecord(MethodView):
    @role_required(Role.volunteer, Role.office, owner="self")
    @blp.doc(security=BEARER)
    @blp.response(200, VolunteerServiceRecordSchema)
    def get(self, volunteer_id: int):
        """A volunteer's service record (the office)"""
        return _record(services.service_record(current_user, volunteer_id))
