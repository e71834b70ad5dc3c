"""API of the courtesy-card reports: cards by state and district, uses by partner, month and
benefit, refusals by partner and outcome (the city, or a clerk for their regions' persons),
and the settlement with each partner for a month with its lines (the city, or a partner's staff
for their own partner)."""

from __future__ import annotations

from flask.views import MethodView
from flask_login import current_user

from core.api import Blueprint, answer_page, window_of
from core.auth.access import Who, role_required
from core.auth.models import Role
from core.clock import local_day, utcnow
from honours.card_report_schemas import (
    CardsReportSchema,
    PeriodQuerySchema,
    RefusalsReportSchema,
    SettlementLineSchema,
    SettlementQuerySchema,
    SettlementSchema,
    UsesReportSchema,
)
from honours.services import card_reports

blp = Blueprint(
    "card_reports_api",
    __name__,
    url_prefix="/api/v1",
    description="Courtesy-card reports (好人卡统计): cards, uses, refusals and settlement",
)
BEARER = [{"bearerAuth": []}]
# Clerks are accounts holding an assignment to a region (core.auth.assignments): the service
# keeps each to their regions' persons.
CLERKS = (Role.volunteer, Role.office)
SETTLING = (
    "the city settles with every partner, a partner's staff (merchant staff too) read their own"
)


def _period(query):
    return card_reports.period_of(**query, today=local_day(utcnow()))


@blp.route("/honours/card-reports/cards")
class CardsReport(MethodView):
    @role_required(*CLERKS, owner="self")
    @blp.doc(security=BEARER)
    @blp.arguments(PeriodQuerySchema, location="query")
    @blp.response(200, CardsReportSchema)
    def get(self, query):
        """Cards by state as they stand today, by district, with how many were issued in the
        period (the city; a clerk, their regions' persons). 422 for a period that ends before
        it starts, runs past 2000–2100 or longer than 36 months"""
        return card_reports.cards_report(current_user, _period(query), now=utcnow())


@blp.route("/honours/card-reports/uses")
class UsesReport(MethodView):
    @role_required(*CLERKS, owner="self")
    @blp.doc(security=BEARER)
    @blp.arguments(PeriodQuerySchema, location="query")
    @blp.response(200, UsesReportSchema)
    def get(self, query):
        """Uses of cards in the period by partner and local month, and by benefit, with their
        value in fen (the city; a clerk, their regions' persons' uses)"""
        return card_reports.uses_report(current_user, _period(query), now=utcnow())


@blp.route("/honours/card-reports/refusals")
class RefusalsReport(MethodView):
    @role_required(*CLERKS, owner="self")
    @blp.doc(security=BEARER)
    @blp.arguments(PeriodQuerySchema, location="query")
    @blp.response(200, RefusalsReportSchema)
    def get(self, query):
        """Checks in the period that answered anything but valid, by partner and outcome (the
        city; a clerk, the checks of their regions' persons' cards)"""
        return card_reports.refusals_report(current_user, _period(query), now=utcnow())


@blp.route("/honours/card-reports/settlement")
class Settlement(MethodView):
    @role_required(*CLERKS, Who.partner_staff, owner="self", why=SETTLING)
    @blp.doc(security=BEARER)
    @blp.arguments(SettlementQuerySchema, location="query")
    @blp.response(200, SettlementSchema)
    def get(self, query):
        """What each partner is due for a local month, by benefit, in fen: every partner with
        uses or the one named (the city), the caller's own partner (a partner's staff). 403
        for anyone else or for a partner not the caller's; 404 for no such partner"""
        now = utcnow()
        return card_reports.settlement(
            current_user,
            month=card_reports.month_of(query["month"], local_day(now)),
            partner_id=query["partner_id"],
            now=now,
        )


@blp.route("/honours/card-reports/settlement/lines")
class SettlementLines(MethodView):
    @role_required(*CLERKS, Who.partner_staff, owner="self", why=SETTLING)
    @blp.doc(security=BEARER)
    @blp.arguments(SettlementQuerySchema, location="query")
    @blp.response(200, SettlementLineSchema(many=True))
    @blp.paginate()
    def get(self, query, pagination_parameters):
        """One partner's uses in a local month, oldest first, as a statement it may be sent:
        time, the card's last 4 digits, benefit and value (the city naming the partner, 422
        without; a partner's staff, their own)"""
        now = utcnow()
        _, lines = card_reports.settlement_lines(
            current_user,
            month=card_reports.month_of(query["month"], local_day(now)),
            partner_id=query["partner_id"],
            window=window_of(pagination_parameters),
            now=now,
        )
        return answer_page(pagination_parameters, lines)
