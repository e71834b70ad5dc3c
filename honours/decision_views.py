"""Pages of a round's decision and pipeline: the committee's decision (the city records it, any
clerk reads it), the honour certificates (the clerks of the person's region and the person),
and the pipeline report with its downloads."""

from __future__ import annotations

from flask import Blueprint, Response, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from core.auth.access import role_required
from core.auth.models import Role
from core.clock import local_zone, utcnow
from core.errors import NotFound
from core.pages import submit
from core.settings import current_settings
from core.spreadsheets import csv_bytes, xlsx_bytes
from core.workdays import load_calendar
from honours.decision_forms import DecisionForm
from honours.pipeline_exports import PARTS, pipeline_tables
from honours.services import decision, pipeline_report, scope_of

bp = Blueprint("honours_decision", __name__)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Clerks are accounts holding an assignment to a region (core.auth.assignments); the
# services keep each to their region, the office acts everywhere.
CLERKS = (Role.volunteer, Role.office)


@bp.app_template_global()
def decision_outcome(nomination):
    """The honour an approved nomination became, for its detail page's slot."""
    return decision.nomination_outcome(current_user, nomination, now=utcnow())


@bp.app_template_global()
def decision_my_certificates():
    """The signed-in person's honour certificates, for their profile."""
    if not current_user.is_authenticated:
        return []
    return decision.list_my_honour_certificates(current_user)


# The decision ---------------------------------------------------------------------------------


def _decision_page(round_id: int, form: DecisionForm):
    now = utcnow()
    found = decision.read_decision(current_user, round_id, now=now)
    page = render_template(
        "honours/decision/round.html",
        found=found,
        form=form,
        is_city=scope_of(current_user, now).is_city,
        now=now,
    )
    return page, form.status


@bp.route("/honours/rounds/<int:round_id>/decision", methods=["GET", "POST"])
@role_required(*CLERKS, owner="self")
def round_decision(round_id: int):
    if request.method == "GET":
        return _decision_page(round_id, DecisionForm(formdata=None))
    # Asked first, so that a clerk below the city is refused before the form is read.
    decision.require_decider(current_user, utcnow())
    form = DecisionForm()
    here = url_for(".round_decision", round_id=round_id)
    done = submit(
        form,
        lambda: decision.record_decision(
            current_user,
            round_id,
            **form.values(),
            now=utcnow(),
            settings=current_settings().certificates,
        ),
        done=lambda made: _("The decision %(number)s is recorded.", number=made.document_number),
        then=here,
        refused_to=here,
    )
    return done or _decision_page(round_id, form)


@bp.get("/honours/register/honours/<int:honour_id>/certificate.pdf")
@role_required(Role.volunteer, Role.office, owner="self")
def honour_certificate(honour_id: int):
    document, body = decision.print_honour_certificate(current_user, honour_id, now=utcnow())
    response = Response(body, mimetype="application/pdf")
    # An attachment: the pages' Content-Security-Policy would stop a built-in viewer inline.
    response.headers["Content-Disposition"] = f'attachment; filename="{document.number}.pdf"'
    return response


# The pipeline --------------------------------------------------------------------------------


def _report(round_id: int):
    return pipeline_report.pipeline_report(
        current_user, round_id, now=utcnow(), calendar=load_calendar(), zone=local_zone()
    )


@bp.get("/honours/rounds/<int:round_id>/pipeline")
@role_required(*CLERKS, owner="self")
def round_pipeline(round_id: int):
    return render_template("honours/pipeline/round.html", report=_report(round_id), parts=PARTS)


@bp.get("/honours/rounds/<int:round_id>/pipeline.<fmt>")
@role_required(*CLERKS, owner="self")
def pipeline_export(round_id: int, fmt: str):
    part = request.args.get("part", next(iter(PARTS)))
    if fmt not in ("csv", "xlsx") or part not in PARTS:
        raise NotFound()
    tables = pipeline_tables(_report(round_id))
    if fmt == "xlsx":
        response = Response(xlsx_bytes([tables[name] for name in PARTS]), mimetype=XLSX)
        name = f"pipeline-{round_id}.xlsx"
    else:
        response = Response(csv_bytes(tables[part]), mimetype="text/csv; charset=utf-8")
        name = f"pipeline-{round_id}-{part}.csv"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
