"""A partner's staff on a phone: check a courtesy card (scan its QR code or type its number),
see valid or invalid only, and for a valid card record a use or that the ID card did not match;
the partner's own uses by month with their value for settlement."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, make_response, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from core.auth.access import Who, role_required
from core.clock import local_day, utcnow
from core.errors import Forbidden
from core.extensions import db
from core.pages import carry_out
from core.rows import Window
from core.settings import current_settings
from core.uploads.views import file_response
from honours.services import verification
from honours.services.partner_staff import NOT_PARTNER_STAFF, partners_of
from honours.verification_forms import CheckForm, MismatchForm, UseForm
from honours.verification_limits import card_guess_limits, mark_check_refused

bp = Blueprint("verification", __name__)

USES_PER_PAGE = 30


def yuan(fen: int) -> str:
    """Fen as yuan with two decimals, without floats: 12345 → "123.45"."""
    sign = "-" if fen < 0 else ""
    fen = abs(fen)
    return f"{sign}{fen // 100}.{fen % 100:02d}"


def _partner_choice():
    """The partners the staff member works for, and the one this request names (or their only
    one); None when they must choose. Raises Forbidden (works for none, or not the one named)."""
    mine = partners_of(current_user, utcnow())
    if not mine:
        raise Forbidden(NOT_PARTNER_STAFF)
    chosen = request.values.get("partner_id", type=int)
    if chosen is None and len(mine) == 1:
        return mine, mine[0]
    current = next((p for p in mine if p.id == chosen), None)
    if chosen is not None and current is None:
        raise Forbidden(NOT_PARTNER_STAFF)
    return mine, current


def _check_page(form: CheckForm, mine, partner, status: int = 200):
    page = render_template("honours/verification/check.html", form=form, mine=mine, partner=partner)
    return page, status


def _too_many_checks(limit):
    # Flask-Limiter keeps what this returns only if it is a Response.
    form = CheckForm(formdata=None)
    form.form_errors.append(_("Too many invalid cards. Please wait a while before checking again."))
    page = render_template("honours/verification/check.html", form=form, mine=[], partner=None)
    return make_response(page, 429)


@bp.get("/partner/check")
@role_required(Who.partner_staff)
def check_form():
    mine, partner = _partner_choice()
    form = CheckForm(formdata=None, data={"partner_id": partner.id if partner else ""})
    return _check_page(form, mine, partner)


@bp.post("/partner/check")
@role_required(Who.partner_staff)
@card_guess_limits(on_breach=_too_many_checks)
def check():
    mine, partner = _partner_choice()
    form = CheckForm()
    if partner is None or not form.validate():
        return _check_page(form, mine, partner, 422)
    found = verification.check_card(
        current_user,
        code=form.code.data or None,
        number=None if form.code.data else form.number.data,
        partner_id=partner.id,
        now=utcnow(),
        settings=current_settings(),
    )
    db.session.commit()
    if not found.is_valid:
        mark_check_refused()
    return _answer_page(found)


def _answer_page(found: verification.CheckAnswer):
    return render_template(
        "honours/verification/answer.html",
        found=found,
        use_form=UseForm(formdata=None),
        mismatch_form=MismatchForm(formdata=None),
        yuan=yuan,
    )


@bp.get("/partner/checks/<int:check_id>")
@role_required(Who.partner_staff)
def answer(check_id: int):
    found = verification.get_check_answer(current_user, check_id, now=utcnow())
    return _answer_page(found)


@bp.get("/partner/checks/<int:check_id>/photo")
@role_required(Who.partner_staff)
def photo(check_id: int):
    return file_response(verification.get_check_photo(current_user, check_id, now=utcnow()))


@bp.post("/partner/uses")
@role_required(Who.partner_staff)
def record_use():
    form = UseForm()
    back = url_for("verification.check_form", partner_id=form.partner_id.data)
    if form.check_id.data:
        back = url_for("verification.answer", check_id=form.check_id.data)
    return carry_out(
        lambda: verification.record_use(
            current_user,
            card_id=form.card_id.data,
            benefit_id=form.benefit_id.data,
            partner_id=form.partner_id.data,
            now=utcnow(),
            settings=current_settings(),
        ),
        form=form,
        then=back,
        done=lambda use: _("Recorded: %(benefit)s.", benefit=use.benefit.name),
        # A check that is over leads to a new one.
        refused_to=lambda error: (
            url_for("verification.check_form", partner_id=form.partner_id.data)
            if error is not None and error.code in ("check_first", "card_invalid")
            else back
        ),
    )


@bp.post("/partner/mismatch")
@role_required(Who.partner_staff)
def mismatch():
    form = MismatchForm()
    return carry_out(
        lambda: verification.report_mismatch(
            current_user,
            card_id=form.card_id.data,
            partner_id=form.partner_id.data,
            now=utcnow(),
        ),
        form=form,
        then=url_for("verification.check_form", partner_id=form.partner_id.data),
        done=(_("Recorded: the ID card did not match. No benefit was given."), "warning"),
    )


@bp.get("/partner/uses")
@role_required(Who.partner_staff)
def uses():
    now = utcnow()
    mine, partner = _partner_choice()
    if partner is None:
        return render_template("honours/verification/choose.html", mine=mine)
    month = verification.month_of(request.args.get("month"), now)
    page = max(1, min(request.args.get("page", 1, type=int), 10_000))
    found = verification.list_uses(
        current_user,
        month=month,
        window=Window(first=(page - 1) * USES_PER_PAGE, size=USES_PER_PAGE),
        now=now,
        partner_id=partner.id,
    )
    earlier = date(month.year - (month.month == 1), (month.month - 2) % 12 + 1, 1)
    later = date(month.year + (month.month == 12), month.month % 12 + 1, 1)
    return render_template(
        "honours/verification/uses.html",
        found=found,
        partner=partner,
        several=len(mine) > 1,
        page=page,
        pages=max(1, -(-found.uses.total // USES_PER_PAGE)),
        earlier=earlier,
        later=later if later <= local_day(now).replace(day=1) else None,
        yuan=yuan,
    )
