"""Pages of revocation (撤销): the city's decision from the person's register page, the list of
revocations with its export, the district's recall tasks (收回好人卡和证书) and their closing,
and what the person's own pages say of a revocation."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, Response, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from core.auth.access import role_required
from core.auth.models import Role
from core.clock import utcnow
from core.errors import NotFound
from core.pages import carry_out
from core.rows import Window
from core.spreadsheets import csv_bytes, xlsx_bytes
from honours.models import Person
from honours.revocation_exports import EXPORT_ROWS, revocations_table
from honours.revocation_forms import CloseTaskForm, RevokeForm
from honours.revocation_models import RecallStatus, Revocation
from honours.services import revocation, scope_of

bp = Blueprint("revocations", __name__)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PAGE_SIZE = 50
# Clerks are accounts holding an assignment to a region (core.auth.assignments); the service
# keeps revoking to the city and the lists and tasks to the district of the person.
CLERKS = (Role.volunteer, Role.office)


def _page_number() -> int:
    return max(1, min(request.args.get("page", 1, type=int), 10_000))


@dataclass(frozen=True)
class PersonRevocations:
    """What the register's person page shows of revocations: those decided (in its history)
    and, for the city, the form to revoke the honours still held."""

    revocations: list[Revocation]
    form: RevokeForm | None


@bp.app_template_global()
def person_revocations(person: Person) -> PersonRevocations:
    """For the register's person page, which has read the person for this reader."""
    scope = scope_of(current_user, utcnow())
    revocable = revocation.revocable_honours(scope, person)
    form = RevokeForm(formdata=None, honours=revocable) if revocable else None
    return PersonRevocations(revocation.revocations_of_person(scope, person), form)


@bp.app_template_global()
def my_revocations() -> list[Revocation]:
    """The revocations of the signed-in person's own record, for their card and profile."""
    if not current_user.is_authenticated:
        return []
    return revocation.my_revocations(current_user)


@bp.post("/honours/register/persons/<int:person_id>/revocations")
@role_required(*CLERKS, owner="self")
def revoke(person_id: int):
    form = RevokeForm()
    here = url_for("honours.person", person_id=person_id)
    return carry_out(
        lambda: revocation.revoke_honours(
            current_user,
            person_id,
            form.honour_ids.data or [],
            reason=form.reason.data,
            decision_number=form.decision_number.data,
            now=utcnow(),
        ),
        form=form,
        done=_("The honours are revoked, the card stops working and a recall task is open."),
        then=here,
    )


@bp.get("/honours/revocations")
@role_required(*CLERKS, owner="self")
def list_page():
    number = _page_number()
    found = revocation.list_revocations(
        current_user, now=utcnow(), window=Window((number - 1) * PAGE_SIZE, PAGE_SIZE)
    )
    return render_template(
        "honours/revocations/list.html",
        found=found,
        number=number,
        pages=max(1, -(-found.total // PAGE_SIZE)),
    )


@bp.get("/honours/revocations/export.<fmt>")
@role_required(*CLERKS, owner="self")
def export(fmt: str):
    if fmt not in ("csv", "xlsx"):
        raise NotFound()
    found = revocation.list_revocations(current_user, now=utcnow(), window=Window(0, EXPORT_ROWS))
    table = revocations_table(found.items)
    if fmt == "xlsx":
        response = Response(xlsx_bytes([table]), mimetype=XLSX)
    else:
        response = Response(csv_bytes(table), mimetype="text/csv; charset=utf-8")
    response.headers["Content-Disposition"] = f'attachment; filename="revocations.{fmt}"'
    return response


@bp.get("/honours/recall-tasks")
@role_required(*CLERKS, owner="self")
def tasks():
    wanted = request.args.get("status", RecallStatus.open.value)
    status = RecallStatus(wanted) if wanted in RecallStatus._value2member_map_ else None
    number = _page_number()
    found = revocation.list_recall_tasks(
        current_user,
        now=utcnow(),
        window=Window((number - 1) * PAGE_SIZE, PAGE_SIZE),
        status=status,
    )
    return render_template(
        "honours/revocations/tasks.html",
        found=found,
        status=status,
        statuses=RecallStatus,
        number=number,
        pages=max(1, -(-found.total // PAGE_SIZE)),
        form=CloseTaskForm(formdata=None),
    )


@bp.post("/honours/recall-tasks/<int:task_id>/close")
@role_required(*CLERKS, owner="self")
def close_task(task_id: int):
    form = CloseTaskForm()
    return carry_out(
        lambda: revocation.close_recall_task(
            current_user, task_id, recovered=form.recovered, note=form.note.data, now=utcnow()
        ),
        form=form,
        done=_("The recall task is closed."),
        then=url_for(".tasks"),
    )
