"""Pages of the courtesy card's partners and benefits: the office registers, approves and
suspends partners, adds and withdraws their staff and offers benefits (a district's clerk
registers partners of their district, for the office to approve); a partner's staff read
their partner's own page on their phone."""

from __future__ import annotations

from flask import Blueprint, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from core.auth.access import Who, role_required
from core.auth.models import Role
from core.clock import utcnow
from core.errors import Forbidden
from core.pages import carry_out, submit
from core.rows import Window
from honours.card_models import Benefit
from honours.partner_forms import BenefitForm, PartnerFilterForm, PartnerForm, StaffForm
from honours.services import benefits, partners
from honours.services.partner_staff import NOT_PARTNER_STAFF, partners_of

bp = Blueprint("card_partners", __name__)
PAGE_SIZE = 50
# The office everywhere; a district's clerk (an assignment, so a volunteer by role) registers
# and reads the partners of their district, which the services hold them to.
REGISTRARS = (Role.office, Who.district_clerk)
# Who reads the partners' list and a partner's page: the registrars, and a partner's staff
# (their own partner, its contact masked).
READERS = (*REGISTRARS, Who.partner_staff)


@bp.app_template_global()
def partners_worked_for():
    """The approved partners the signed-in user checks cards for, for the way to their page
    from the home page."""
    if not current_user.is_authenticated or current_user.role is Role.office:
        return []
    return partners_of(current_user, utcnow())


def _page_number() -> int:
    return max(1, min(request.args.get("page", 1, type=int), 10_000))


def _to_partner(partner) -> str:
    return url_for(".partner", partner_id=partner.id)


# Partners ------------------------------------------------------------------------------------


@bp.get("/office/card-partners")
@role_required(*READERS, owner="self")
def partner_list():
    now = utcnow()
    form = PartnerFilterForm(request.args)
    number = _page_number()
    found = partners.list_partners(
        current_user,
        now=now,
        status=form.chosen_status(),
        window=Window((number - 1) * PAGE_SIZE, PAGE_SIZE),
    )
    return render_template(
        "honours/partners/list.html",
        form=form,
        found=found,
        number=number,
        pages=max(1, -(-found.total // PAGE_SIZE)),
        query={"status": form.status.data} if form.status.data else {},
        may_register=partners.may_register(current_user, now),
        is_office=current_user.role is Role.office,
    )


@bp.route("/office/card-partners/new", methods=["GET", "POST"])
@role_required(*REGISTRARS, owner="self")
def new_partner():
    if not partners.may_register(current_user, utcnow()):
        raise Forbidden(_("Only the office or a district's clerk registers card partners."))
    form = PartnerForm()
    done = submit(
        form,
        lambda: partners.register_partner(current_user, form.details(), now=utcnow()),
        done=lambda partner: _(
            "%(name)s is registered and waits for the office's approval.", name=partner.name
        ),
        then=lambda partner: (
            _to_partner(partner) if current_user.role is Role.office else url_for(".partner_list")
        ),
    )
    return done or (
        render_template("honours/partners/form.html", form=form, partner=None),
        form.status,
    )


def _partner_page(partner_id: int, *, staff_form: StaffForm | None = None):
    now = utcnow()
    shown = partners.get_partner(current_user, partner_id, now=now)
    staff = (
        partners.list_partner_staff(current_user, partner_id, now=now) if shown.is_office else []
    )
    return render_template(
        "honours/partners/detail.html",
        shown=shown,
        partner=shown.partner,
        staff=staff,
        staff_form=staff_form or StaffForm(formdata=None),
        given=benefits.list_partner_benefits(partner_id),
    )


@bp.get("/office/card-partners/<int:partner_id>")
@role_required(*READERS, owner="self")
def partner(partner_id: int):
    return _partner_page(partner_id)


@bp.route("/office/card-partners/<int:partner_id>/edit", methods=["GET", "POST"])
@role_required(Role.office)
def edit_partner(partner_id: int):
    shown = partners.get_partner(current_user, partner_id, now=utcnow())
    form = PartnerForm(partner=shown.partner) if request.method == "POST" else None
    form = form or PartnerForm.of(shown.partner)
    done = submit(
        form,
        lambda: partners.update_partner(current_user, partner_id, form.details(), now=utcnow()),
        done=_("The partner's details are saved."),
        then=_to_partner,
    )
    return done or (
        render_template("honours/partners/form.html", form=form, partner=shown.partner),
        form.status,
    )


@bp.post("/office/card-partners/<int:partner_id>/approve")
@role_required(Role.office)
def approve_partner(partner_id: int):
    return carry_out(
        lambda: partners.approve_partner(current_user, partner_id, now=utcnow()),
        done=lambda partner: _("%(name)s is approved.", name=partner.name),
        then=url_for(".partner", partner_id=partner_id),
    )


@bp.post("/office/card-partners/<int:partner_id>/suspend")
@role_required(Role.office)
def suspend_partner(partner_id: int):
    return carry_out(
        lambda: partners.suspend_partner(current_user, partner_id, now=utcnow()),
        done=lambda partner: _("%(name)s is suspended.", name=partner.name),
        then=url_for(".partner", partner_id=partner_id),
    )


@bp.post("/office/card-partners/<int:partner_id>/staff")
@role_required(Role.office)
def add_staff(partner_id: int):
    form = StaffForm()
    here = url_for(".partner", partner_id=partner_id)
    done = submit(
        form,
        lambda: partners.add_partner_staff(
            current_user, partner_id, phone=form.phone.data, now=utcnow()
        ),
        done=lambda assignment: _(
            "%(name)s now checks cards for the partner.", name=assignment.user.display_name
        ),
        then=here,
        refused_to=here,
    )
    return done or (_partner_page(partner_id, staff_form=form), form.status)


@bp.post("/office/card-partners/<int:partner_id>/staff/<int:assignment_id>/withdraw")
@role_required(Role.office)
def withdraw_staff(partner_id: int, assignment_id: int):
    return carry_out(
        lambda: partners.withdraw_partner_staff(
            current_user, partner_id, assignment_id, now=utcnow()
        ),
        done=lambda assignment: _(
            "%(name)s no longer checks cards for the partner.", name=assignment.user.display_name
        ),
        then=url_for(".partner", partner_id=partner_id),
    )


# Benefits ------------------------------------------------------------------------------------


@bp.get("/office/card-benefits")
@role_required(Role.office)
def benefit_list():
    number = _page_number()
    found = benefits.list_benefits(
        current_user, now=utcnow(), window=Window((number - 1) * PAGE_SIZE, PAGE_SIZE)
    )
    return render_template(
        "honours/partners/benefits.html",
        found=found,
        number=number,
        pages=max(1, -(-found.total // PAGE_SIZE)),
        yuan=benefits.yuan_text,
    )


def _to_benefits(_benefit: Benefit) -> str:
    return url_for(".benefit_list")


@bp.route("/office/card-benefits/new", methods=["GET", "POST"])
@role_required(Role.office)
def new_benefit():
    form = BenefitForm()
    done = submit(
        form,
        lambda: benefits.create_benefit(current_user, form.details(), now=utcnow()),
        done=lambda benefit: _("The benefit %(name)s is offered.", name=benefit.name),
        then=_to_benefits,
    )
    return done or (
        render_template("honours/partners/benefit_form.html", form=form, benefit=None),
        form.status,
    )


@bp.route("/office/card-benefits/<int:benefit_id>", methods=["GET", "POST"])
@role_required(Role.office)
def benefit(benefit_id: int):
    found = benefits.get_benefit(current_user, benefit_id, now=utcnow())
    form = BenefitForm() if request.method == "POST" else BenefitForm.of(found)
    done = submit(
        form,
        lambda: benefits.update_benefit(current_user, benefit_id, form.details(), now=utcnow()),
        done=_("The benefit is saved; uses recorded before keep their value."),
        then=_to_benefits,
    )
    return done or (
        render_template("honours/partners/benefit_form.html", form=form, benefit=found),
        form.status,
    )


# A partner's own page ------------------------------------------------------------------------


@bp.get("/partner")
@role_required(Who.partner_staff, owner="self")
def own():
    now = utcnow()
    mine = partners_of(current_user, now)
    if not mine:
        raise Forbidden(NOT_PARTNER_STAFF)
    chosen = request.args.get("partner_id", type=int)
    if chosen is None and len(mine) == 1:
        chosen = mine[0].id
    current = next((p for p in mine if p.id == chosen), None)
    if chosen is not None and current is None:
        raise Forbidden(NOT_PARTNER_STAFF)
    return render_template(
        "honours/partners/own.html",
        mine=mine,
        partner=current,
        shown=partners.view_of(current_user, current) if current is not None else None,
        given=benefits.benefits_at(current.id) if current is not None else [],
        staff=partners.list_partner_staff(current_user, current.id, now=now) if current else [],
        yuan=benefits.yuan_text,
    )
