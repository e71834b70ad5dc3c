"""API of the benefits by application (礼遇申请: 就业帮扶, 子女入学): the clerks' applications (a
clerk of the person's region applies on their behalf; the district proposes or declines, the
city approves or declines), the honoured person's own, and the department's (its staff
acknowledge and close the applications the city approved for it)."""

from __future__ import annotations

from flask.views import MethodView
from flask_login import current_user

from core.api import Blueprint, answer_page, window_of
from core.auth.access import Who, login_required, role_required
from core.auth.models import Role
from core.clock import utcnow
from core.extensions import db
from honours.application_schemas import (
    ApplicationAcknowledgeSchema,
    ApplicationApplyForSchema,
    ApplicationApplySchema,
    ApplicationCloseSchema,
    ApplicationOpinionSchema,
    ApplicationQuerySchema,
    ClerkApplicationSchema,
    DepartmentApplicationQuerySchema,
    DepartmentApplicationSchema,
    MyApplicationSchema,
    MyApplicationsSchema,
)
from honours.application_views import HOLDER
from honours.services import applications, scope_of

blp = Blueprint(
    "applications_api",
    __name__,
    url_prefix="/api/v1",
    description=(
        "Benefits by application (礼遇申请: employment, schooling): applied for by the honoured "
        "person or a clerk, proposed by the district, approved by the city, handled by the "
        "department named"
    ),
)
BEARER = [{"bearerAuth": []}]
# Clerks are accounts holding an assignment to a region (core.auth.assignments); the service
# keeps each to their region and each step to its role.
CLERKS = (Role.volunteer, Role.office)


def _scope():
    return scope_of(current_user, utcnow())


def _details(data: dict) -> applications.ApplicationDetails:
    return applications.ApplicationDetails(
        benefit_id=data["benefit_id"], department_id=data["department_id"], asked=data["asked"]
    )


def _clerks(application_id: int):
    return applications.get_application(_scope(), application_id)


# The clerks ----------------------------------------------------------------------------------


@blp.route("/honours/applications")
class Applications(MethodView):
    @role_required(*CLERKS, owner="self")
    @blp.doc(security=BEARER)
    @blp.arguments(ApplicationQuerySchema, location="query")
    @blp.response(200, ClerkApplicationSchema(many=True))
    @blp.paginate()
    def get(self, query, pagination_parameters):
        """The applications of my regions' persons (all for the city), the latest moved
        first, by status, benefit and district (any clerk)"""
        found = applications.list_applications(
            _scope(), applications.ApplicationFilter(**query), window_of(pagination_parameters)
        )
        return answer_page(pagination_parameters, found)

    @role_required(*CLERKS, owner="self")
    @blp.doc(security=BEARER)
    @blp.arguments(ApplicationApplyForSchema)
    @blp.response(201, ClerkApplicationSchema)
    def post(self, data):
        """Apply on a person's behalf (a clerk of the person's community, street or district,
        or the city). 422 when the card is not valid or the honour level does not give the
        benefit; 409 when an application for it is open"""
        application = applications.apply_for(
            current_user, _scope(), data["person_id"], _details(data), now=utcnow()
        )
        db.session.commit()
        return _clerks(application.id)


@blp.route("/honours/applications/<int:application_id>")
class OneApplication(MethodView):
    @role_required(*CLERKS, owner="self")
    @blp.doc(security=BEARER)
    @blp.response(200, ClerkApplicationSchema)
    def get(self, application_id: int):
        """An application of my regions' person, with its steps"""
        return _clerks(application_id)


@blp.route("/honours/applications/<int:application_id>/proposal")
class Proposal(MethodView):
    @role_required(*CLERKS, owner="self")
    @blp.doc(security=BEARER)
    @blp.arguments(ApplicationOpinionSchema)
    @blp.response(200, ClerkApplicationSchema)
    def post(self, data, application_id: int):
        """Propose an application to the city, with the district's opinion (the district
        clerk of the person's district). 409 when it does not wait for the district"""
        applications.propose(
            current_user, _scope(), application_id, opinion=data["opinion"], now=utcnow()
        )
        db.session.commit()
        return _clerks(application_id)


@blp.route("/honours/applications/<int:application_id>/approval")
class Approval(MethodView):
    @role_required(*CLERKS, owner="self")
    @blp.doc(security=BEARER)
    @blp.arguments(ApplicationOpinionSchema)
    @blp.response(200, ClerkApplicationSchema)
    def post(self, data, application_id: int):
        """Approve a proposed application, with the city's opinion (the city): it goes to the
        department. 409 when it is not proposed"""
        applications.approve(
            current_user, _scope(), application_id, opinion=data["opinion"], now=utcnow()
        )
        db.session.commit()
        return _clerks(application_id)


@blp.route("/honours/applications/<int:application_id>/refusal")
class Refusal(MethodView):
    @role_required(*CLERKS, owner="self")
    @blp.doc(security=BEARER)
    @blp.arguments(ApplicationOpinionSchema)
    @blp.response(200, ClerkApplicationSchema)
    def post(self, data, application_id: int):
        """Decline an application, saying why: one just made (the district), one proposed
        (the city). 409 past the city's approval"""
        applications.decline(
            current_user, _scope(), application_id, opinion=data["opinion"], now=utcnow()
        )
        db.session.commit()
        return _clerks(application_id)


# The honoured person -------------------------------------------------------------------------


@blp.route("/me/card/applications")
class MyApplications(MethodView):
    @login_required(owner="self", why=HOLDER)
    @blp.doc(security=BEARER)
    @blp.response(200, MyApplicationsSchema)
    def get(self):
        """My applications, the latest first, and the benefits I may apply for with the
        departments that handle them. 404 when my account is not linked to an honoured
        person"""
        return applications.my_applications(current_user)

    @login_required(owner="self", why=HOLDER)
    @blp.doc(security=BEARER)
    @blp.arguments(ApplicationApplySchema)
    @blp.response(201, MyApplicationSchema)
    def post(self, data):
        """Apply for a benefit given by application. 422 when my card is not valid or my
        honour level does not give it; 409 when my application for it is open"""
        application = applications.apply_mine(current_user, _details(data), now=utcnow())
        db.session.commit()
        return applications.my_application(current_user, application.id)


@blp.route("/me/card/applications/<int:application_id>")
class MyApplication(MethodView):
    @login_required(owner="self", why=HOLDER)
    @blp.doc(security=BEARER)
    @blp.response(200, MyApplicationSchema)
    def get(self, application_id: int):
        """One of my applications, with its steps and the opinions given"""
        return applications.my_application(current_user, application_id)


# The department ------------------------------------------------------------------------------


@blp.route("/partner/applications")
class DepartmentApplications(MethodView):
    @role_required(Who.partner_staff, owner="self")
    @blp.doc(security=BEARER)
    @blp.arguments(DepartmentApplicationQuerySchema, location="query")
    @blp.response(200, DepartmentApplicationSchema(many=True))
    @blp.paginate()
    def get(self, query, pagination_parameters):
        """The applications the city approved for the departments I work for: those waiting
        first (a partner's staff)"""
        found = applications.list_department_applications(
            current_user,
            now=utcnow(),
            status=query.get("status"),
            window=window_of(pagination_parameters),
        )
        return answer_page(pagination_parameters, found)


@blp.route("/partner/applications/<int:application_id>")
class DepartmentApplication(MethodView):
    @role_required(Who.partner_staff, owner="self")
    @blp.doc(security=BEARER)
    @blp.response(200, DepartmentApplicationSchema)
    def get(self, application_id: int):
        """One application of my department: the name, the ID number's last 4 digits, the
        phone masked and what is asked"""
        return applications.get_department_application(current_user, application_id, now=utcnow())


@blp.route("/partner/applications/<int:application_id>/acknowledgement")
class Acknowledgement(MethodView):
    @role_required(Who.partner_staff, owner="self")
    @blp.doc(security=BEARER)
    @blp.arguments(ApplicationAcknowledgeSchema)
    @blp.response(200, DepartmentApplicationSchema)
    def post(self, data, application_id: int):
        """Acknowledge an approved application: it is in hand (my department's staff). 409
        when it is not approved and waiting"""
        now = utcnow()
        applications.acknowledge(current_user, application_id, note=data.get("note"), now=now)
        db.session.commit()
        return applications.get_department_application(current_user, application_id, now=now)


@blp.route("/partner/applications/<int:application_id>/closing")
class Closing(MethodView):
    @role_required(Who.partner_staff, owner="self")
    @blp.doc(security=BEARER)
    @blp.arguments(ApplicationCloseSchema)
    @blp.response(200, DepartmentApplicationSchema)
    def post(self, data, application_id: int):
        """Close an application in hand with its outcome: granted or not, and what was done
        (my department's staff). 409 when it is not in hand"""
        now = utcnow()
        applications.close(
            current_user,
            application_id,
            result=data["result"],
            outcome=data["outcome"],
            now=now,
        )
        db.session.commit()
        return applications.get_department_application(current_user, application_id, now=now)
