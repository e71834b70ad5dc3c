"""API of the conduct clauses (read by anyone signed in, versioned by the office) and of breach
cases: reporting one (the public with a verified phone, the media, a partner's staff, a clerk),
the handlers' list and case, evidence, and each step by its role."""

from __future__ import annotations

from flask.views import MethodView
from flask_login import current_user

from core.api import Blueprint, answer_page, window_of
from core.auth.access import login_required, role_required
from core.auth.models import Role
from core.clock import utcnow
from core.extensions import db
from core.rows import Slice
from core.settings import current_settings
from core.workdays import load_calendar
from honours.conduct_schemas import (
    CaseConclusionSchema,
    CaseDecisionSchema,
    CaseFileSchema,
    CaseFindingsSchema,
    CaseOpinionSchema,
    CaseQuerySchema,
    CaseReceiptSchema,
    CaseReportSchema,
    CaseReviewDecisionSchema,
    CaseReviewRequestSchema,
    CaseRowSchema,
    CaseSchema,
    CaseStatementSchema,
    CaseTalkSchema,
    CaseToldSchema,
    ClauseCreateSchema,
    ClauseSchema,
    ClauseVersionCreateSchema,
    ClauseVersionSchema,
    EvidenceUploadSchema,
)
from honours.services import breach_case_steps as steps
from honours.services import breach_cases, clauses

blp = Blueprint(
    "conduct_api", __name__, url_prefix="/api/v1", description="Conduct clauses and breach cases"
)
BEARER = [{"bearerAuth": []}]
# Clerks are accounts holding an assignment (core.auth.assignments); the services keep a case
# to the person's district and the city.
CLERKS = (Role.volunteer, Role.office)
READERS = "the clauses are the city's published rules, read by anyone signed in"
REPORTERS = (
    "the public (a verified phone), media editors, a partner's staff (merchant staff of a "
    "linked merchant) and clerks report; the service says who may report what"
)


def _deadlines() -> steps.Deadlines:
    return steps.Deadlines(current_settings().conduct, load_calendar())


def _case(case_id: int):
    return breach_cases.get_case(current_user, case_id, now=utcnow())


@blp.route("/honours/clauses")
class Clauses(MethodView):
    @login_required(why=READERS)
    @blp.doc(security=BEARER)
    @blp.response(200, ClauseSchema(many=True))
    @blp.paginate()
    def get(self, pagination_parameters):
        """The 4 prohibitions and 6 exit clauses, each with the version in force today and
        every version"""
        rows = clauses.list_clauses(now=utcnow())
        window = window_of(pagination_parameters)
        page = Slice(rows[window.first : window.first + window.size], len(rows))
        return answer_page(pagination_parameters, page)

    @role_required(Role.office)
    @blp.doc(security=BEARER)
    @blp.arguments(ClauseCreateSchema)
    @blp.response(201, ClauseVersionSchema)
    def post(self, data):
        """Enter a clause as its first version (the office): the next number of its kind.
        409 when the rules' 4 prohibitions or 6 exit clauses exist"""
        kind = data.pop("kind")
        version = clauses.create_clause(current_user, kind, data, now=utcnow())
        db.session.commit()
        return version


@blp.route("/honours/clauses/<int:clause_id>/versions")
class ClauseVersions(MethodView):
    @role_required(Role.office)
    @blp.doc(security=BEARER)
    @blp.arguments(ClauseVersionCreateSchema)
    @blp.response(201, ClauseVersionSchema)
    def post(self, data, clause_id: int):
        """Edit a clause by adding a version, taking effect today or later (the office); the
        old versions stay and cases keep citing the one in force when reported"""
        version = clauses.add_version(current_user, clause_id, data, now=utcnow())
        db.session.commit()
        return version


@blp.route("/honours/cases")
class Cases(MethodView):
    @role_required(*CLERKS, owner="self")
    @blp.doc(security=BEARER)
    @blp.arguments(CaseQuerySchema, location="query")
    @blp.response(200, CaseRowSchema(many=True))
    @blp.paginate()
    def get(self, query, pagination_parameters):
        """The breach cases of my districts (the city: all), the newest first, by stage,
        district and whether overdue (district clerks, the city)"""
        found = breach_cases.list_cases(
            current_user,
            breach_cases.CaseFilter(**query),
            window_of(pagination_parameters),
            now=utcnow(),
        )
        return answer_page(pagination_parameters, found)

    @login_required(owner="self", why=REPORTERS)
    @blp.doc(security=BEARER)
    @blp.arguments(CaseReportSchema)
    @blp.response(201, CaseReceiptSchema)
    def post(self, data):
        """Report a breach of the conduct clauses about a person (受理), assigned at once to
        the person's district. 403 for a public report without a verified phone"""
        case = breach_cases.report_case(
            current_user,
            data,
            now=utcnow(),
            settings=current_settings().conduct,
            calendar=load_calendar(),
        )
        receipt = {"id": case.id, "received_at": case.received_at}
        db.session.commit()
        return receipt


@blp.route("/honours/cases/<int:case_id>")
class OneCase(MethodView):
    @role_required(*CLERKS, owner="self")
    @blp.doc(security=BEARER)
    @blp.response(200, CaseSchema)
    def get(self, case_id: int):
        """A case with its clauses, evidence and steps (the person's district, the city)"""
        return _case(case_id)


@blp.route("/honours/cases/<int:case_id>/files")
class CaseFiles(MethodView):
    @login_required(owner="self", why=REPORTERS)
    @blp.doc(security=BEARER)
    @blp.arguments(EvidenceUploadSchema, location="files")
    @blp.response(201, CaseFileSchema)
    def post(self, data, case_id: int):
        """Add an evidence file (an image or a PDF): the handlers while the case is open, the
        reporter until the district's investigation ends"""
        upload = breach_cases.add_evidence(
            current_user,
            case_id,
            breach_cases.Evidence(data["file"].stream, data["file"].filename),
            now=utcnow(),
            settings=current_settings().uploads,
        )
        answer = {"upload": upload, "added_at": upload.created_at}
        db.session.commit()
        return answer


def _step(route: str, schema, doc: str, act):
    """One POST route per step: the service does the step, the case is answered."""

    class Step(MethodView):
        @role_required(*CLERKS, owner="self")
        @blp.doc(security=BEARER)
        @blp.arguments(schema)
        @blp.response(200, CaseSchema)
        def post(self, data, case_id: int):
            act(case_id, data)
            db.session.commit()
            return _case(case_id)

    Step.post.__doc__ = doc
    Step.__name__ = Step.__qualname__ = "Case" + route.title().replace("-", "")
    blp.route(f"/honours/cases/<int:case_id>/{route}")(Step)


_step(
    "investigation",
    CaseOpinionSchema,
    "The district clerk takes the case up (assigned → investigating)",
    lambda case_id, d: steps.start_investigation(
        current_user, case_id, d.get("opinion"), now=utcnow()
    ),
)
_step(
    "findings",
    CaseFindingsSchema,
    "The district clerk records the findings and sends the case to the city",
    lambda case_id, d: steps.record_findings(
        current_user, case_id, d["findings"], now=utcnow(), deadlines=_deadlines()
    ),
)
_step(
    "conclusion",
    CaseConclusionSchema,
    "The city concludes its review: no_breach (closed), warning (a talk to record) or "
    "propose_revocation of the honours named",
    lambda case_id, d: steps.conclude_review(
        current_user,
        case_id,
        d["choice"],
        d["opinion"],
        honour_ids=d.get("honour_ids", []),
        now=utcnow(),
        deadlines=_deadlines(),
    ),
)
_step(
    "talk",
    CaseTalkSchema,
    "Record the warning talk (the district or the city); the case is closed",
    lambda case_id, d: steps.record_talk(
        current_user,
        case_id,
        talk_on=d.get("talk_on"),
        talk_by=d["talk_by"],
        summary=d["summary"],
        now=utcnow(),
    ),
)
_step(
    "told",
    CaseToldSchema,
    "Record how and when the person was told of the proposed revocation; the statement "
    "period of 10 working days runs from then",
    lambda case_id, d: steps.record_told(
        current_user,
        case_id,
        told_at=d.get("told_at"),
        how=d["how"],
        now=utcnow(),
        deadlines=_deadlines(),
    ),
)
_step(
    "statement",
    CaseStatementSchema,
    "Record the person's statement, once",
    lambda case_id, d: steps.record_statement(current_user, case_id, d["statement"], now=utcnow()),
)
_step(
    "decision",
    CaseDecisionSchema,
    "The city decides: revoke the proposed honours or keep them. 409 while the statement "
    "period runs and no statement is in",
    lambda case_id, d: steps.decide_case(
        current_user,
        case_id,
        d["decision"],
        d["opinion"],
        decision_number=d.get("decision_number"),
        now=utcnow(),
        deadlines=_deadlines(),
    ),
)
_step(
    "review-request",
    CaseReviewRequestSchema,
    "Record the person's one request for review of a revocation, within its time limit",
    lambda case_id, d: steps.request_review(
        current_user, case_id, d["reason"], now=utcnow(), deadlines=_deadlines()
    ),
)
_step(
    "review-decision",
    CaseReviewDecisionSchema,
    "The city decides the request for review: upheld or overturned",
    lambda case_id, d: steps.decide_review(
        current_user, case_id, d["outcome"], d["opinion"], now=utcnow()
    ),
)
