"""Pages of the benefits by application (礼遇申请): the honoured person's own applications on
their card's pages (phone first); the clerks' list by status, benefit and district with its
counts and export, applying on a person's behalf, and an application with the district's and
the city's steps; the department's staff's list and steps on the partner pages (phone
first)."""

from __future__ import annotations

from flask import Blueprint, Response, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from core.auth.access import Who, login_required, role_required
from core.auth.models import Role
from core.clock import to_local, utcnow
from core.errors import NotFound
from core.pages import submit
from core.rows import Window
from core.spreadsheets import Table, csv_bytes, xlsx_bytes
from honours.application_forms import (
    AcknowledgeForm,
    ApplicationFilterForm,
    ApplyForForm,
    ApplyForm,
    CloseForm,
    OpinionForm,
)
from honours.application_models import ApplicationStatus
from honours.services import applications, scope_of
from honours.services.scope import require_clerk

bp = Blueprint("applications", __name__)
PAGE_SIZE = 50
EXPORT_MAX = 10_000
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Clerks are accounts holding an assignment to a region (core.auth.assignments); the service
# keeps each to their region and each step to its role.
CLERKS = (Role.volunteer, Role.office)
HOLDER = (
    "the holder's own applications: anyone signed in whose account is linked to an honoured person"
)


def _scope():
    return scope_of(current_user, utcnow())


def _page_number() -> int:
    return max(1, min(request.args.get("page", 1, type=int), 10_000))


# The honoured person -------------------------------------------------------------------------


def _mine_page(form: ApplyForm | None = None):
    try:
        mine = applications.my_applications(current_user)
    except NotFound:
        return render_template("honours/applications/mine.html", mine=None, form=None)
    form = form or ApplyForm(formdata=None)
    form.offering([offer for offer in mine.offers if offer.reached])
    return render_template("honours/applications/mine.html", mine=mine, form=form)


@bp.get("/me/card/applications")
@login_required(owner="self", why=HOLDER)
def mine():
    return _mine_page()


@bp.post("/me/card/applications")
@login_required(owner="self", why=HOLDER)
def apply_mine():
    form = ApplyForm()
    try:
        offered = applications.my_applications(current_user).offers
    except NotFound:
        offered = []
    form.offering(offered)
    done = submit(
        form,
        lambda: applications.apply_mine(current_user, form.details(), now=utcnow()),
        done=_("Your application is sent: your district looks at it first."),
        then=lambda application: url_for(".mine_detail", application_id=application.id),
    )
    return done or (_mine_page(form), form.status)


@bp.get("/me/card/applications/<int:application_id>")
@login_required(owner="self", why=HOLDER)
def mine_detail(application_id: int):
    application = applications.my_application(current_user, application_id)
    return render_template("honours/applications/mine_detail.html", application=application)


# The clerks ----------------------------------------------------------------------------------


def _filter_form() -> ApplicationFilterForm:
    return ApplicationFilterForm(request.args, benefits=applications.application_benefits())


@bp.get("/honours/applications")
@role_required(*CLERKS, owner="self")
def list_page():
    scope = _scope()
    form = _filter_form()
    filters = form.filters()
    number = _page_number()
    found = applications.list_applications(
        scope, filters, Window((number - 1) * PAGE_SIZE, PAGE_SIZE)
    )
    return render_template(
        "honours/applications/list.html",
        form=form,
        found=found,
        number=number,
        pages=max(1, -(-found.total // PAGE_SIZE)),
        query=form.chosen(),
        others={k: v for k, v in form.chosen().items() if k != "status"},
        counts=applications.status_counts(scope, filters),
        statuses=ApplicationStatus,
    )


def _table(rows, filters: list[tuple[str, str]]) -> Table:
    def when(value):
        return to_local(value).strftime("%Y-%m-%d %H:%M") if value else ""

    return Table(
        title=_("Applications for benefits"),
        headers=[
            _("No."),
            _("Name"),
            _("ID number"),
            _("District"),
            _("Benefit"),
            _("Department"),
            _("What is asked"),
            _("Status"),
            _("Applied"),
            _("Applied by"),
            _("Last step"),
            _("Result"),
            _("Outcome"),
        ],
        rows=[
            [
                row.application.id,
                row.application.person.name,
                row.masked_id_number or "",
                row.application.person.district.label,
                row.application.benefit.name,
                row.application.department.name,
                row.application.asked,
                row.application.status.label,
                when(row.application.applied_at),
                row.application.applied_by.display_name,
                when(row.application.updated_at),
                row.application.result.label if row.application.result else "",
                row.application.outcome or "",
            ]
            for row in rows
        ],
        filters=filters,
    )


@bp.get("/honours/applications/export.<fmt>")
@role_required(*CLERKS, owner="self")
def export(fmt: str):
    if fmt not in ("csv", "xlsx"):
        raise NotFound()
    form = _filter_form()
    found = applications.list_applications(_scope(), form.filters(), Window(0, EXPORT_MAX))
    chosen = [
        (str(form[name].label.text), dict(form[name].choices).get(form[name].data, ""))
        for name in ("status", "benefit_id", "district_id")
        if form[name].data not in (None, "") and not form.errors
    ]
    table = _table(found.items, chosen)
    if fmt == "xlsx":
        response = Response(xlsx_bytes([table]), mimetype=XLSX)
    else:
        response = Response(csv_bytes(table), mimetype="text/csv; charset=utf-8")
    response.headers["Content-Disposition"] = f'attachment; filename="applications.{fmt}"'
    return response


@bp.route("/honours/applications/new", methods=["GET", "POST"])
@role_required(*CLERKS, owner="self")
def new():
    scope = _scope()
    require_clerk(scope)
    form = ApplyForForm(formdata=request.form if request.method == "POST" else None)
    if request.method == "GET":
        form.person_id.data = request.args.get("person_id", type=int)
    form.offering(applications.offers())
    done = submit(
        form,
        lambda: applications.apply_for(
            current_user, scope, form.person_id.data, form.details(), now=utcnow()
        ),
        done=_("The application is made: the person's district looks at it first."),
        then=lambda application: url_for(".detail", application_id=application.id),
    )
    return done or (render_template("honours/applications/new.html", form=form), form.status)


def _detail_page(application_id: int, form: OpinionForm | None = None):
    row = applications.get_application(_scope(), application_id)
    return render_template(
        "honours/applications/detail.html",
        row=row,
        application=row.application,
        form=form or OpinionForm(formdata=None),
    )


@bp.get("/honours/applications/<int:application_id>")
@role_required(*CLERKS, owner="self")
def detail(application_id: int):
    return _detail_page(application_id)


def _clerk_step(application_id: int, step, said: str):
    form = OpinionForm()
    here = url_for(".detail", application_id=application_id)
    done = submit(
        form,
        lambda: step(
            current_user, _scope(), application_id, opinion=form.opinion.data, now=utcnow()
        ),
        done=said,
        then=here,
        refused_to=here,
    )
    return done or (_detail_page(application_id, form), form.status)


@bp.post("/honours/applications/<int:application_id>/propose")
@role_required(*CLERKS, owner="self")
def propose(application_id: int):
    return _clerk_step(
        application_id, applications.propose, _("The application is proposed to the city.")
    )


@bp.post("/honours/applications/<int:application_id>/approve")
@role_required(*CLERKS, owner="self")
def approve(application_id: int):
    return _clerk_step(
        application_id,
        applications.approve,
        _("The application is approved: the department handles it."),
    )


@bp.post("/honours/applications/<int:application_id>/decline")
@role_required(*CLERKS, owner="self")
def decline(application_id: int):
    return _clerk_step(application_id, applications.decline, _("The application is declined."))


# The department ------------------------------------------------------------------------------


@bp.get("/partner/applications")
@role_required(Who.partner_staff, owner="self")
def department_list():
    number = _page_number()
    found = applications.list_department_applications(
        current_user, now=utcnow(), window=Window((number - 1) * PAGE_SIZE, PAGE_SIZE)
    )
    return render_template(
        "honours/applications/department_list.html",
        found=found,
        number=number,
        pages=max(1, -(-found.total // PAGE_SIZE)),
    )


def _department_page(application_id: int, *, acknowledge_form=None, close_form=None):
    row = applications.get_department_application(current_user, application_id, now=utcnow())
    return render_template(
        "honours/applications/department_detail.html",
        row=row,
        application=row.application,
        acknowledge_form=acknowledge_form or AcknowledgeForm(formdata=None),
        close_form=close_form or CloseForm(formdata=None),
    )


@bp.get("/partner/applications/<int:application_id>")
@role_required(Who.partner_staff, owner="self")
def department_detail(application_id: int):
    return _department_page(application_id)


@bp.post("/partner/applications/<int:application_id>/acknowledge")
@role_required(Who.partner_staff, owner="self")
def acknowledge(application_id: int):
    form = AcknowledgeForm()
    here = url_for(".department_detail", application_id=application_id)
    done = submit(
        form,
        lambda: applications.acknowledge(
            current_user, application_id, note=form.note.data, now=utcnow()
        ),
        done=_("The application is in hand."),
        then=here,
        refused_to=here,
    )
    return done or (_department_page(application_id, acknowledge_form=form), form.status)


@bp.post("/partner/applications/<int:application_id>/close")
@role_required(Who.partner_staff, owner="self")
def close(application_id: int):
    form = CloseForm()
    here = url_for(".department_detail", application_id=application_id)
    done = submit(
        form,
        lambda: applications.close(
            current_user,
            application_id,
            result=form.chosen_result(),
            outcome=form.outcome.data,
            now=utcnow(),
        ),
        done=_("The application is closed with its outcome."),
        then=here,
        refused_to=here,
    )
    return done or (_department_page(application_id, close_form=form), form.status)
