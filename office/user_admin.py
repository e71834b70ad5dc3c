"""The office's user administration (用户管理) and audit log (操作日志) pages.

Our own pages, not a back-office library. Flask-Admin (2.x, the well-kept one) was weighed and
does not fit our rules:
- Security headers: its templates carry inline scripts (a delete button's confirmation, list
  actions, filters) that it marks with a CSP nonce; our policy (core/headers.py) allows
  'self' only and tests/core/test_headers.py keeps every template free of inline script and
  style. Taking it means a nonce in every response, or 'unsafe-inline'.
- Access: its views are reached through its own `is_accessible` hook, not our `role_required`
  declarations, so the authorization matrix would find its rules undeclared (or we keep a
  second list of them by hand).
- Rules: its model forms write rows directly, past our services, which hold the rules (not
  oneself, never the last office account, a staff link only for merchant staff) and write the
  audit log; each form would need overriding until little of the library is left.
- Layout: it brings Bootstrap 4 and jQuery beside our Bootstrap 5 and htmx, wide tables that
  do not fit a 360 px phone, and its own menu in place of our navigation.
What it would save (a search box, a paginated list, a few buttons) is a few small templates
here, in the house style, behind the same checks as every other page.

The services are core.auth.admin and core.auth.recovery; a user's teams and merchant link come
from the volunteer and points services, which is why these pages live in `office` (it reads
from every package; `core` imports none).
"""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, Response, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from core.auth import admin, assignments, recovery
from core.auth.access import role_required
from core.auth.assignments import KIND_LABELS, AssignmentKind
from core.auth.models import AuditAction, AuditEntry, Role, User
from core.auth.recovery import IssuedLink
from core.auth.recovery_views import link_url
from core.clock import to_local, utcnow
from core.errors import ValidationFailed
from core.extensions import db
from core.inputs import Form
from core.pages import carry_out
from core.spreadsheets import Table, csv_bytes, xlsx_bytes
from honours.services.partners import partner_names
from office.forms import (
    ACTION_LABELS,
    AssignmentForm,
    AuditFilterForm,
    StaffLinkForm,
    UserSearchForm,
)
from points.services import merchants
from volunteer import services as volunteers
from volunteer.models import MembershipRole, MembershipStatus

bp = Blueprint("user_admin", __name__)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SHOWN_LINK = "office_reset_link"

ROLE_LABELS = {
    Role.volunteer: _l("Volunteer"),
    Role.merchant_staff: _l("Merchant staff"),
    Role.office: _l("Civilization office"),
}
MEMBERSHIP_LABELS = {
    (MembershipRole.leader, MembershipStatus.active): _l("Leader"),
    (MembershipRole.member, MembershipStatus.active): _l("Member"),
}


@bp.app_template_filter("masked_phone")
def _masked_phone(phone: str) -> str:
    return admin.masked_phone(phone or "")


DETAIL_LABELS = {
    "expires_at": _l("Valid until"),
    "merchant": _l("Merchant"),
    "by": _l("By"),
    "user_id": _l("Account"),
    "actor_id": _l("Done by"),
    "action": _l("Action"),
    "kind": _l("Assignment"),
    "region": _l("Region"),
    "sector": _l("Sector"),
}
BY_LABELS = {
    "office": _l("a link from the office"),
    "email": _l("a link by email"),
    "command line": _l("command line"),
}


def _detail(key: str, value) -> str:
    if key == "expires_at":
        return f"{to_local(datetime.fromisoformat(value)):%Y-%m-%d %H:%M}"
    if key == "by":
        return str(BY_LABELS.get(value, value))
    if key == "action":
        return str(ACTION_LABELS.get(AuditAction(value), value))
    if key == "kind":
        return str(KIND_LABELS.get(AssignmentKind(value), value))
    return str(value)


def _details(entry: AuditEntry) -> str:
    """An entry's details as one line of text, in the reader's words (ids of merchants left
    out: the name is there)."""
    return "; ".join(
        f"{DETAIL_LABELS.get(key, key)}: {_detail(key, value)}"
        for key, value in sorted((entry.details or {}).items())
        if key not in ("merchant_id", "assignment_id")
    )


def _account(user: User | None) -> str:
    if user is None:
        return _("command line")
    return f"{user.display_name} ({admin.masked_phone(user.phone)})"


def _template_context() -> dict:
    return {
        "role_labels": ROLE_LABELS,
        "action_labels": ACTION_LABELS,
        "membership_labels": MEMBERSHIP_LABELS,
        "details": _details,
        "account": _account,
    }


# Users ------------------------------------------------------------------------------------------


@bp.get("/office/users")
@role_required(Role.office)
def users():
    form = UserSearchForm(request.args)
    query = form.q.data if form.validate() else ""
    page = None
    try:
        page = admin.search_users(
            current_user, query=query or "", page=request.args.get("page", 1, type=int)
        )
    except ValidationFailed as error:
        form.q.errors = [*form.q.errors, *error.errors.get("q", [])]
    return render_template(
        "office/users/list.html", form=form, page=page, query=query or "", **_template_context()
    )


def _user_page(user_id: int, *, whole_phone: str | None = None):
    user = admin.get_user(current_user, user_id)
    shown = session.get(SHOWN_LINK)
    if shown and shown.get("user_id") == user.id:
        # The secret is shown once: reloading the page does not show it again.
        session.pop(SHOWN_LINK)
        shown = {**shown, "expires_at": datetime.fromisoformat(shown["expires_at"])}
    else:
        shown = None
    merchant_list = merchants.list_merchants() if user.role is Role.merchant_staff else []
    staff_form = StaffLinkForm()
    staff_form.merchant_id.choices = [(m.id, m.name) for m in merchant_list]
    history = assignments.assignment_history(current_user, user.id)
    return render_template(
        "office/users/detail.html",
        user=user,
        whole_phone=whole_phone,
        memberships=volunteers.list_my_memberships(user),
        staff_link=merchants.staff_link(current_user, user.id),
        staff_form=staff_form,
        recent=admin.recent_on(current_user, user.id),
        assignments=history,
        assignment_form=AssignmentForm(),
        partner_names=partner_names(a.partner_id for a in history),
        kind_labels=KIND_LABELS,
        shown_link=shown,
        form=Form(),
        **_template_context(),
    )


@bp.get("/office/users/<int:user_id>")
@role_required(Role.office)
def user(user_id: int):
    return _user_page(user_id)


@bp.get("/office/users/<int:user_id>/phone")
@role_required(Role.office)
def user_phone(user_id: int):
    # The office sees the whole number on asking, and the audit log keeps that it did.
    phone = admin.show_phone(current_user, user_id, now=utcnow())
    page = _user_page(user_id, whole_phone=phone)
    db.session.commit()
    return page


def _back(user_id: int) -> str:
    return url_for(".user", user_id=user_id)


@bp.post("/office/users/<int:user_id>/disable")
@role_required(Role.office)
def disable(user_id: int):
    return carry_out(
        lambda: admin.set_account_enabled(current_user, user_id, enabled=False, now=utcnow()),
        done=lambda user: _(
            "%(name)s is disabled and signed out everywhere.", name=user.display_name
        ),
        then=_back(user_id),
    )


@bp.post("/office/users/<int:user_id>/enable")
@role_required(Role.office)
def enable(user_id: int):
    return carry_out(
        lambda: admin.set_account_enabled(current_user, user_id, enabled=True, now=utcnow()),
        done=lambda user: _("%(name)s is enabled again.", name=user.display_name),
        then=_back(user_id),
    )


def _show_link_once(issued: IssuedLink) -> None:
    session[SHOWN_LINK] = {
        "user_id": issued.user_id,
        "url": link_url(issued),
        "expires_at": issued.expires_at.isoformat(),
    }


@bp.post("/office/users/<int:user_id>/reset-link")
@role_required(Role.office)
def reset_link(user_id: int):
    return carry_out(
        lambda: recovery.create_reset_link(current_user, user_id, now=utcnow()),
        done=_("A reset link is ready below. It is shown this once."),
        then=_back(user_id),
        after=_show_link_once,
    )


@bp.post("/office/users/<int:user_id>/grant-office")
@role_required(Role.office)
def grant_office(user_id: int):
    return carry_out(
        lambda: admin.grant_office(current_user, user_id, now=utcnow()),
        done=lambda user: _("%(name)s now has the office role.", name=user.display_name),
        then=_back(user_id),
    )


@bp.post("/office/users/<int:user_id>/withdraw-office")
@role_required(Role.office)
def withdraw_office(user_id: int):
    return carry_out(
        lambda: admin.withdraw_office(current_user, user_id, now=utcnow()),
        done=lambda user: _("%(name)s no longer has the office role.", name=user.display_name),
        then=_back(user_id),
    )


@bp.post("/office/users/<int:user_id>/merchant")
@role_required(Role.office)
def link_merchant(user_id: int):
    form = StaffLinkForm()
    return carry_out(
        lambda: merchants.link_staff(current_user, user_id, form.merchant_id.data, now=utcnow()),
        done=_("The account now works for the merchant."),
        then=_back(user_id),
        form=form,
    )


@bp.post("/office/users/<int:user_id>/merchant/remove")
@role_required(Role.office)
def unlink_merchant(user_id: int):
    return carry_out(
        lambda: merchants.unlink_staff(current_user, user_id, now=utcnow()),
        done=lambda merchant: _("The link to %(name)s is removed.", name=merchant.name),
        then=_back(user_id),
    )


@bp.post("/office/users/<int:user_id>/assignments")
@role_required(Role.office)
def grant_assignment(user_id: int):
    form = AssignmentForm()
    return carry_out(
        lambda: assignments.grant_assignment(
            current_user,
            user_id,
            AssignmentKind(form.kind.data),
            now=utcnow(),
            region_id=form.region_id.data,
            sector_id=form.sector_id.data,
        ),
        done=lambda assignment: _(
            "%(name)s is now %(kind)s.",
            name=assignment.user.display_name,
            kind=_assignment_label(assignment),
        ),
        then=_back(user_id),
        form=form,
    )


@bp.post("/office/assignments/<int:assignment_id>/withdraw")
@role_required(Role.office)
def withdraw_assignment(assignment_id: int):
    return carry_out(
        lambda: assignments.withdraw_assignment(current_user, assignment_id, now=utcnow()),
        done=lambda assignment: _(
            "%(name)s is no longer %(kind)s.",
            name=assignment.user.display_name,
            kind=_assignment_label(assignment),
        ),
        then=lambda assignment: _back(assignment.user_id),
        refused_to=url_for(".users"),
    )


def _assignment_label(assignment) -> str:
    """“社区专干 · 文化里社区”: the kind and, where it has one, its region, sector or partner."""
    scope = assignment.region or assignment.sector
    kind = str(KIND_LABELS[assignment.kind])
    if assignment.partner_id is not None:
        return f"{kind} · {partner_names([assignment.partner_id]).get(assignment.partner_id, '')}"
    return f"{kind} · {scope.label}" if scope is not None else kind


# The audit log ---------------------------------------------------------------------------------


def _audit_filter():
    form = AuditFilterForm(request.args)
    form.validate()
    try:
        chosen = admin.audit_filter(
            current_user,
            user_phone=form.user.data or "",
            actor_phone=form.actor.data or "",
            user_id=request.args.get("user_id", type=int),
            actor_id=request.args.get("actor_id", type=int),
            action=form.action.data or "",
        )
    except ValidationFailed as error:
        for name, messages in error.errors.items():
            form[name].errors = [*form[name].errors, *messages]
        chosen = admin.AuditFilter(target_id=-1)
    query = {key: value for key in ("user", "actor", "action") if (value := request.args.get(key))}
    query.update((key, value) for key, value in chosen.as_query().items() if key != "action")
    return form, chosen, query


def _named(chosen: admin.AuditFilter) -> dict[str, User]:
    """The accounts the filter names, by role in it ("user", "actor")."""
    found = {
        key: db.session.get(User, value)
        for key, value in (("user", chosen.target_id), ("actor", chosen.actor_id))
        if value and value > 0
    }
    return {key: user for key, user in found.items() if user is not None}


@bp.get("/office/audit")
@role_required(Role.office)
def audit():
    form, chosen, query = _audit_filter()
    page = admin.list_audit(current_user, chosen, page=request.args.get("page", 1, type=int))
    return render_template(
        "office/users/audit.html",
        form=form,
        page=page,
        query=query,
        named=_named(chosen),
        **_template_context(),
    )


@bp.get("/office/audit/export.<fmt>")
@role_required(Role.office)
def audit_export(fmt: str):
    if fmt not in ("csv", "xlsx"):
        return render_template("core/error.html", status=404, message=_("Not found.")), 404
    _form, chosen, _query = _audit_filter()
    entries = admin.export_audit(current_user, chosen, now=utcnow())
    table = Table(
        title=_("Audit log"),
        headers=[_("Time"), _("Done by"), _("Action"), _("Account"), _("Details")],
        rows=[
            [
                f"{to_local(entry.created_at):%Y-%m-%d %H:%M:%S}",
                _account(entry.actor),
                str(ACTION_LABELS[entry.action]),
                _account(entry.target) if entry.target_id else "",
                _details(entry),
            ]
            for entry in entries
        ],
        filters=[
            *((_("Account"), _account(user)) for user in _named(chosen).values()),
            *([(_("Action"), str(ACTION_LABELS[chosen.action]))] if chosen.action else []),
            (_("Entries"), str(len(entries))),
        ],
    )
    db.session.commit()
    if fmt == "xlsx":
        response = Response(xlsx_bytes([table]), mimetype=XLSX)
    else:
        response = Response(csv_bytes(table), mimetype="text/csv; charset=utf-8")
    response.headers["Content-Disposition"] = f'attachment; filename="audit-log.{fmt}"'
    return response
