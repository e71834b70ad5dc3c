"""API of the courtesy card's partners and benefits: the office registers, changes, approves
and suspends partners, adds and withdraws their staff and offers benefits; a district's clerk
registers and reads partners of their district; a partner's staff read their own partner, its
staff and its benefits. Nobody else reads any of it."""

from __future__ import annotations

from flask.views import MethodView
from flask_login import current_user

from core.api import Blueprint, Page, answer_page, window_of
from core.auth.access import Who, role_required
from core.auth.models import Role
from core.clock import utcnow
from core.extensions import db
from core.rows import commit_keeping_loaded
from honours.partner_schemas import (
    BenefitQuerySchema,
    BenefitSchema,
    BenefitWriteSchema,
    PartnerQuerySchema,
    PartnerSchema,
    PartnerWriteSchema,
    StaffAssignmentSchema,
    StaffMemberSchema,
    StaffWriteSchema,
)
from honours.services import benefits, partners

blp = Blueprint(
    "card_partners_api",
    __name__,
    url_prefix="/api/v1",
    description=(
        "Courtesy-card partners (礼遇合作单位) and their benefits (礼遇项目): the office manages "
        "them; a district's clerk registers partners of their district for the office to "
        "approve; a partner's staff read their own partner and its benefits"
    ),
)
BEARER = [{"bearerAuth": []}]
# The office; a district's clerk and a partner's staff are volunteers holding an assignment
# (a caring merchant's staff act for its linked partner): the services keep each to theirs.
READERS = (Role.office, Who.district_clerk, Who.partner_staff)
REGISTRARS = (Role.office, Who.district_clerk)


def _details(data: dict) -> partners.PartnerDetails:
    return partners.PartnerDetails(**data)


def _benefit_details(data: dict) -> benefits.BenefitDetails:
    values = dict(data)
    values["value_fen"] = benefits.parse_yuan(values.pop("value_yuan"))
    values["partner_ids"] = tuple(values["partner_ids"])
    return benefits.BenefitDetails(**values)


@blp.route("/card-partners")
class Partners(MethodView):
    @role_required(*READERS, owner="self")
    @blp.doc(security=BEARER)
    @blp.arguments(PartnerQuerySchema, location="query")
    @blp.response(200, PartnerSchema(many=True))
    @blp.paginate()
    def get(self, query, pagination_parameters):
        """The partners I may read, by name: every one (the office), my district's (a
        district's clerk), mine (a partner's staff)"""
        found = partners.list_partners(
            current_user, now=utcnow(), window=window_of(pagination_parameters), **query
        )
        return answer_page(pagination_parameters, found)

    @role_required(*REGISTRARS, owner="self")
    @blp.doc(security=BEARER)
    @blp.arguments(PartnerWriteSchema)
    @blp.response(201, PartnerSchema)
    def post(self, data):
        """Register a partner, waiting for the office's approval (the office; a district's
        clerk in their district). A caring merchant names its merchant, linked once only"""
        partner = partners.register_partner(current_user, _details(data), now=utcnow())
        commit_keeping_loaded()
        return partners.view_of(current_user, partner)


@blp.route("/card-partners/<int:partner_id>")
class OnePartner(MethodView):
    @role_required(*READERS, owner="self")
    @blp.doc(security=BEARER)
    @blp.response(200, PartnerSchema)
    def get(self, partner_id: int):
        """One partner (the office; the clerk of its district; its own staff). The contact
        phone is whole for the office only"""
        return partners.get_partner(current_user, partner_id, now=utcnow())

    @role_required(Role.office)
    @blp.doc(security=BEARER)
    @blp.arguments(PartnerWriteSchema)
    @blp.response(200, PartnerSchema)
    def put(self, data, partner_id: int):
        """Change a partner's details (the office); its status stays"""
        partner = partners.update_partner(current_user, partner_id, _details(data), now=utcnow())
        commit_keeping_loaded()
        return partners.view_of(current_user, partner)


@blp.route("/card-partners/<int:partner_id>/approval")
class PartnerApproval(MethodView):
    @role_required(Role.office)
    @blp.doc(security=BEARER)
    @blp.response(200, PartnerSchema)
    def post(self, partner_id: int):
        """Approve a waiting or suspended partner (the office): its staff check cards, its
        benefits are given (409 when approved already)"""
        partner = partners.approve_partner(current_user, partner_id, now=utcnow())
        commit_keeping_loaded()
        return partners.view_of(current_user, partner)


@blp.route("/card-partners/<int:partner_id>/suspension")
class PartnerSuspension(MethodView):
    @role_required(Role.office)
    @blp.doc(security=BEARER)
    @blp.response(200, PartnerSchema)
    def post(self, partner_id: int):
        """Suspend an approved partner (the office): no checks, no benefits until approved
        again (409 when not approved)"""
        partner = partners.suspend_partner(current_user, partner_id, now=utcnow())
        commit_keeping_loaded()
        return partners.view_of(current_user, partner)


@blp.route("/card-partners/<int:partner_id>/staff")
class PartnerStaff(MethodView):
    @role_required(Role.office, Who.partner_staff, owner="self")
    @blp.doc(security=BEARER)
    @blp.response(200, StaffMemberSchema(many=True))
    @blp.paginate(Page)
    def get(self, partner_id: int):
        """Who checks cards for the partner (the office; its own staff): those added, then
        the staff of its linked caring merchant"""
        return partners.list_partner_staff(current_user, partner_id, now=utcnow())

    @role_required(Role.office)
    @blp.doc(security=BEARER)
    @blp.arguments(StaffWriteSchema)
    @blp.response(201, StaffAssignmentSchema)
    def post(self, data, partner_id: int):
        """Add an existing, enabled account to the partner's staff by its mobile number (the
        office)"""
        assignment = partners.add_partner_staff(
            current_user, partner_id, phone=data["phone"], now=utcnow()
        )
        commit_keeping_loaded()
        return assignment


@blp.route("/card-partners/<int:partner_id>/staff/<int:assignment_id>")
class OnePartnerStaff(MethodView):
    @role_required(Role.office)
    @blp.doc(security=BEARER)
    @blp.response(204)
    def delete(self, partner_id: int, assignment_id: int):
        """Take an account off the partner's staff (the office); the assignment stays in the
        account's history"""
        partners.withdraw_partner_staff(current_user, partner_id, assignment_id, now=utcnow())
        db.session.commit()


@blp.route("/card-benefits")
class Benefits(MethodView):
    @role_required(Role.office, Who.partner_staff, owner="self")
    @blp.doc(security=BEARER)
    @blp.arguments(BenefitQuerySchema, location="query")
    @blp.response(200, BenefitSchema(many=True))
    @blp.paginate()
    def get(self, query, pagination_parameters):
        """Benefits by name: every one (the office; by partner, area, active or not), those
        of my partners (a partner's staff)"""
        found = benefits.list_benefits(
            current_user, now=utcnow(), window=window_of(pagination_parameters), **query
        )
        return answer_page(pagination_parameters, found)

    @role_required(Role.office)
    @blp.doc(security=BEARER)
    @blp.arguments(BenefitWriteSchema)
    @blp.response(201, BenefitSchema)
    def post(self, data):
        """Offer a benefit (the office), given by one partner or shared by several. The value
        is typed in yuan (at most 2 decimals) and kept in fen"""
        benefit = benefits.create_benefit(current_user, _benefit_details(data), now=utcnow())
        commit_keeping_loaded()
        return benefit


@blp.route("/card-benefits/<int:benefit_id>")
class OneBenefit(MethodView):
    @role_required(Role.office, Who.partner_staff, owner="self")
    @blp.doc(security=BEARER)
    @blp.response(200, BenefitSchema)
    def get(self, benefit_id: int):
        """One benefit (the office; the staff of a partner giving it)"""
        return benefits.get_benefit(current_user, benefit_id, now=utcnow())

    @role_required(Role.office)
    @blp.doc(security=BEARER)
    @blp.arguments(BenefitWriteSchema)
    @blp.response(200, BenefitSchema)
    def put(self, data, benefit_id: int):
        """Change a benefit (the office); uses recorded before keep their own value"""
        benefit = benefits.update_benefit(
            current_user, benefit_id, _benefit_details(data), now=utcnow()
        )
        commit_keeping_loaded()
        return benefit
