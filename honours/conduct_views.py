"""Pages of the conduct clauses and breach cases: the clauses with their history and the
office's new versions; reporting a breach (a signed-in volunteer with a verified phone, a media
editor, a partner's staff on a phone, a clerk's entry); the handlers' list by stage with
overdue marks, a case's page with its timeline and the viewer's next step; the office's
report with its exports."""

from __future__ import annotations

from flask import Blueprint, Response, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from core.auth.access import Who, login_required, role_required
from core.auth.models import Role
from core.clock import local_day, utcnow
from core.errors import Forbidden
from core.pages import carry_out, submit
from core.rows import Window
from core.settings import current_settings
from core.spreadsheets import csv_bytes, xlsx_bytes
from core.workdays import load_calendar
from honours.conduct_forms import (
    CaseFilterForm,
    ClauseForm,
    ClauseVersionForm,
    ConcludeForm,
    DecisionForm,
    FindingsForm,
    OpinionForm,
    ReportForm,
    ReviewDecisionForm,
    ReviewRequestForm,
    StatementForm,
    TalkForm,
    ToldForm,
)
from honours.conduct_models import CaseStage, ClauseKind, ReviewOutcome, SourceKind
from honours.services import breach_case_report, breach_case_steps, breach_cases, clauses
from honours.services.partner_staff import NOT_PARTNER_STAFF, partners_of
from honours.services.scope import scope_of

bp = Blueprint("conduct", __name__)
PAGE_SIZE = 50
CLERKS = (Role.volunteer, Role.office)
READERS = "the clauses are the city's published rules, read by anyone signed in"
PUBLIC = "anyone signed in reports a breach in their own name; the service asks a verified phone"


def _deadlines() -> breach_case_steps.Deadlines:
    return breach_case_steps.Deadlines(current_settings().conduct, load_calendar())


def _evidence() -> list[breach_cases.Evidence]:
    return [
        breach_cases.Evidence(f.stream, f.filename)
        for f in request.files.getlist("files")
        if f and f.filename
    ]


# Clauses ----------------------------------------------------------------------------------------


@bp.get("/honours/clauses")
@login_required(why=READERS)
def clause_list():
    now = utcnow()
    return render_template(
        "honours/conduct/clauses.html",
        rows=clauses.list_clauses(now=now),
        is_city=scope_of(current_user, now).is_city,
        form=ClauseForm(formdata=None),
        kinds=ClauseKind,
    )


@bp.post("/honours/clauses")
@role_required(Role.office)
def new_clause():
    form = ClauseForm()
    return carry_out(
        lambda: clauses.create_clause(
            current_user, ClauseKind(form.kind.data), form.values(), now=utcnow()
        ),
        form=form,
        done=lambda v: _("%(code)s is entered.", code=v.clause.code),
        then=url_for(".clause_list"),
    )


@bp.route("/honours/clauses/<int:clause_id>/versions", methods=["GET", "POST"])
@role_required(Role.office)
def new_version(clause_id: int):
    clause = clauses.get_clause(clause_id)
    current = clauses.version_in_force(clause, local_day(utcnow()))
    form = ClauseVersionForm(obj=current if request.method == "GET" else None)
    if request.method == "GET":
        # The form starts from the wording in force; its day is no default for a new one.
        form.effective_from.data = None
    answer = submit(
        form,
        lambda: clauses.add_version(current_user, clause_id, form.values(), now=utcnow()),
        done=lambda v: _("Version %(n)d of %(code)s is saved.", n=v.number, code=v.clause.code),
        then=url_for(".clause_list"),
    )
    return answer or (
        render_template("honours/conduct/version_form.html", clause=clause, form=form),
        form.status,
    )


# Reporting --------------------------------------------------------------------------------------


def _report_page(form: ReportForm, template: str, **extra):
    page = render_template(template, form=form, q=request.args.get("q", ""), **extra)
    return page, form.status


def _report_form(sources, *, now) -> ReportForm:
    q = request.args.get("q", "")
    found = breach_cases.reportable_persons(current_user, q, now=now)
    chosen = request.form.get("person_id", type=int)
    if chosen is not None and all(p.id != chosen for p in found):
        found += breach_cases.reportable_persons_by_id(current_user, chosen, now=now)
    return ReportForm(persons=found, clause_rows=clauses.list_clauses(now=now), sources=sources)


def _report(form: ReportForm, source: SourceKind | None, *, then: str, partner_id=None):
    def act():
        values = form.values(source)
        if partner_id is not None:
            values["partner_id"] = partner_id
        return breach_cases.report_case(
            current_user,
            values,
            now=utcnow(),
            settings=current_settings().conduct,
            calendar=load_calendar(),
            evidence=_evidence(),
            uploads=current_settings().uploads,
        )

    return submit(
        form,
        act,
        done=lambda case: _(
            "Your report is received as case No. %(id)d; the district looks into it.", id=case.id
        ),
        then=then,
    )


@bp.route("/honours/report-breach", methods=["GET", "POST"])
@login_required(owner="self", why=PUBLIC)
def report_public():
    now = utcnow()
    sources = [SourceKind.public]
    if breach_cases.is_media_editor(current_user, now):
        sources.append(SourceKind.media)
    form = _report_form(sources, now=now)
    if not form.source_kind.data:
        form.source_kind.data = SourceKind.public.value
    answer = _report(form, None, then=url_for(".report_public"))
    return answer or _report_page(
        form,
        "honours/conduct/report.html",
        verified=current_user.phone_verified_at is not None,
        action=url_for(".report_public", q=request.args.get("q", "")),
    )


@bp.route("/partner/report-breach", methods=["GET", "POST"])
@role_required(Who.partner_staff, owner="self")
def report_partner():
    now = utcnow()
    mine = partners_of(current_user, now)
    if not mine:
        raise Forbidden(NOT_PARTNER_STAFF)
    partner_id = request.args.get("partner_id", type=int) or mine[0].id
    partner = next((p for p in mine if p.id == partner_id), None)
    if partner is None:
        raise Forbidden(NOT_PARTNER_STAFF)
    form = _report_form([SourceKind.partner], now=now)
    back = url_for("card_partners.own", partner_id=partner.id)
    answer = _report(form, SourceKind.partner, then=back, partner_id=partner.id)
    return answer or _report_page(
        form,
        "honours/conduct/report_partner.html",
        partner=partner,
        action=url_for(".report_partner", partner_id=partner.id, q=request.args.get("q", "")),
    )


@bp.route("/honours/cases/new", methods=["GET", "POST"])
@role_required(*CLERKS, owner="self")
def enter_case():
    now = utcnow()
    breach_cases.require_entering(current_user, now)
    form = _report_form(list(SourceKind), now=now)
    answer = _report(form, None, then=url_for(".case_list"))
    return answer or _report_page(
        form,
        "honours/conduct/enter.html",
        action=url_for(".enter_case", q=request.args.get("q", "")),
    )


# The handlers' pages ----------------------------------------------------------------------------


@bp.get("/honours/cases")
@role_required(*CLERKS, owner="self")
def case_list():
    now = utcnow()
    form = CaseFilterForm(request.args)
    stage = CaseStage(form.stage.data) if form.validate() and form.stage.data else None
    number = max(1, min(request.args.get("page", 1, type=int), 10_000))
    found = breach_cases.list_cases(
        current_user,
        breach_cases.CaseFilter(stage=stage),
        Window((number - 1) * PAGE_SIZE, PAGE_SIZE),
        now=now,
    )
    return render_template(
        "honours/conduct/cases.html",
        form=form,
        found=found,
        number=number,
        pages=max(1, -(-found.total // PAGE_SIZE)),
        counts=breach_cases.stage_counts(current_user, now=now),
        stage=stage,
    )


@bp.get("/honours/cases/<int:case_id>")
@role_required(*CLERKS, owner="self")
def case_page(case_id: int):
    detail = breach_cases.get_case(current_user, case_id, now=utcnow())
    held = [h for h in detail.case.person.honours if not h.is_revoked]
    return render_template(
        "honours/conduct/case.html",
        detail=detail,
        case=detail.case,
        stages=CaseStage,
        forms={
            "investigation": OpinionForm(formdata=None),
            "findings": FindingsForm(formdata=None),
            "conclusion": ConcludeForm(formdata=None, honours=held),
            "talk": TalkForm(formdata=None, talk_on=local_day(utcnow())),
            "told": ToldForm(formdata=None, told_on=local_day(utcnow())),
            "statement": StatementForm(formdata=None),
            "decision": DecisionForm(formdata=None),
            "review_request": ReviewRequestForm(formdata=None),
            "review_decision": ReviewDecisionForm(formdata=None),
        },
    )


def _step(case_id: int, form, action, done: str) -> Response:
    page = url_for(".case_page", case_id=case_id)
    return carry_out(lambda: action(form), form=form, done=done, then=page)


@bp.post("/honours/cases/<int:case_id>/investigation")
@role_required(*CLERKS, owner="self")
def start_investigation(case_id: int):
    return _step(
        case_id,
        OpinionForm(),
        lambda f: breach_case_steps.start_investigation(
            current_user, case_id, f.opinion.data, now=utcnow()
        ),
        _("The investigation is started."),
    )


@bp.post("/honours/cases/<int:case_id>/findings")
@role_required(*CLERKS, owner="self")
def record_findings(case_id: int):
    return _step(
        case_id,
        FindingsForm(),
        lambda f: breach_case_steps.record_findings(
            current_user, case_id, f.findings.data, now=utcnow(), deadlines=_deadlines()
        ),
        _("The findings are sent to the city."),
    )


@bp.post("/honours/cases/<int:case_id>/conclusion")
@role_required(*CLERKS, owner="self")
def conclude(case_id: int):
    return _step(
        case_id,
        ConcludeForm(),
        lambda f: breach_case_steps.conclude_review(
            current_user,
            case_id,
            f.choice.data,
            f.opinion.data,
            honour_ids=f.honour_ids.data or [],
            now=utcnow(),
            deadlines=_deadlines(),
        ),
        _("The review is concluded."),
    )


@bp.post("/honours/cases/<int:case_id>/talk")
@role_required(*CLERKS, owner="self")
def record_talk(case_id: int):
    return _step(
        case_id,
        TalkForm(),
        lambda f: breach_case_steps.record_talk(
            current_user,
            case_id,
            talk_on=f.talk_on.data,
            talk_by=f.talk_by.data,
            summary=f.summary.data,
            now=utcnow(),
        ),
        _("The warning talk is recorded; the case is closed."),
    )


@bp.post("/honours/cases/<int:case_id>/told")
@role_required(*CLERKS, owner="self")
def record_told(case_id: int):
    def act(f):
        now = utcnow()
        return breach_case_steps.record_told(
            current_user,
            case_id,
            told_at=breach_case_steps.moment_of_day(f.told_on.data, now),
            how=f.how.data,
            now=now,
            deadlines=_deadlines(),
        )

    return _step(case_id, ToldForm(), act, _("Recorded; the statement period runs."))


@bp.post("/honours/cases/<int:case_id>/statement")
@role_required(*CLERKS, owner="self")
def record_statement(case_id: int):
    return _step(
        case_id,
        StatementForm(),
        lambda f: breach_case_steps.record_statement(
            current_user, case_id, f.statement.data, now=utcnow()
        ),
        _("The statement is recorded."),
    )


@bp.post("/honours/cases/<int:case_id>/decision")
@role_required(*CLERKS, owner="self")
def decide(case_id: int):
    return _step(
        case_id,
        DecisionForm(),
        lambda f: breach_case_steps.decide_case(
            current_user,
            case_id,
            f.decision.data,
            f.opinion.data,
            decision_number=f.decision_number.data or None,
            now=utcnow(),
            deadlines=_deadlines(),
        ),
        _("The decision is recorded; the case is closed."),
    )


@bp.post("/honours/cases/<int:case_id>/review-request")
@role_required(*CLERKS, owner="self")
def request_review(case_id: int):
    return _step(
        case_id,
        ReviewRequestForm(),
        lambda f: breach_case_steps.request_review(
            current_user, case_id, f.reason.data, now=utcnow(), deadlines=_deadlines()
        ),
        _("The request for review is recorded."),
    )


@bp.post("/honours/cases/<int:case_id>/review-decision")
@role_required(*CLERKS, owner="self")
def decide_review(case_id: int):
    return _step(
        case_id,
        ReviewDecisionForm(),
        lambda f: breach_case_steps.decide_review(
            current_user, case_id, ReviewOutcome(f.outcome.data), f.opinion.data, now=utcnow()
        ),
        _("The review is decided."),
    )


# The office's report ----------------------------------------------------------------------------


@bp.get("/honours/cases/report")
@role_required(*CLERKS, owner="self")
def report_page():
    report = breach_case_report.case_report(current_user, now=utcnow(), calendar=load_calendar())
    return render_template("honours/conduct/report_figures.html", report=report)


@bp.get("/honours/cases/report.<any(csv, xlsx):fmt>")
@role_required(*CLERKS, owner="self")
def report_export(fmt: str):
    report = breach_case_report.case_report(current_user, now=utcnow(), calendar=load_calendar())
    tables = breach_case_report.report_tables(report)
    if fmt == "csv":
        body, mimetype = csv_bytes(tables[0]), "text/csv; charset=utf-8"
    else:
        body = xlsx_bytes(tables)
        mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    name = f"breach-cases.{fmt}"
    return Response(
        body, mimetype=mimetype, headers={"Content-Disposition": f"attachment; filename={name}"}
    )
