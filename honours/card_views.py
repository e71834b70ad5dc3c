"""Pages of the courtesy card (好人卡): the clerks' list by status, the persons due a card,
issuing, printing a sheet, handing over, a lost card, the city's renewal; and the holder's own
card with its QR code and uses (phone first)."""

from __future__ import annotations

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from core.auth.access import login_required, role_required
from core.auth.models import Role
from core.clock import local_day, utcnow
from core.errors import DomainError, end_unit_of_work
from core.extensions import db
from core.forms import flash_form_errors, refusal_messages
from core.inputs import Form
from core.pages import carry_out
from core.qr import qr_svg
from core.rows import Window
from core.settings import current_settings
from honours.card_forms import CardFilterForm, IssueForm, LostForm, PrintForm, RenewForm
from honours.card_models import CardStatus
from honours.services import cards, scope_of

bp = Blueprint("cards", __name__)
PAGE_SIZE = 50
USES_PAGE_SIZE = 20
# Clerks are accounts holding an assignment to a region (core.auth.assignments); the service
# keeps each to their region, and the issuing to the district and the city.
CLERKS = (Role.volunteer, Role.office)
HOLDER = "the holder's own card: anyone signed in whose account is linked to an honoured person"


def _scope():
    return scope_of(current_user, utcnow())


def _page_number() -> int:
    return max(1, min(request.args.get("page", 1, type=int), 10_000))


@bp.app_template_global()
def holds_a_card() -> bool:
    """Whether the signed-in user has a courtesy card, for the way to it on their pages."""
    return current_user.is_authenticated and cards.find_my_card(current_user) is not None


# The clerks' pages ---------------------------------------------------------------------------


@bp.get("/honours/cards")
@role_required(*CLERKS, owner="self")
def list_page():
    scope = _scope()
    form = CardFilterForm(request.args)
    number = _page_number()
    found = cards.list_cards(
        scope, form.filters(), Window((number - 1) * PAGE_SIZE, PAGE_SIZE), now=utcnow()
    )
    return render_template(
        "honours/cards/list.html",
        form=form,
        found=found,
        number=number,
        pages=max(1, -(-found.total // PAGE_SIZE)),
        query=form.chosen(),
        counts=cards.status_counts(scope),
        keeps=cards.keeps_any(scope),
        is_city=scope.is_city,
        print_form=PrintForm(formdata=None),
        renew_form=RenewForm(formdata=None),
        statuses=CardStatus,
    )


@bp.get("/honours/cards/eligible")
@role_required(*CLERKS, owner="self")
def eligible():
    number = _page_number()
    found = cards.list_eligible(_scope(), Window((number - 1) * PAGE_SIZE, PAGE_SIZE))
    return render_template(
        "honours/cards/eligible.html",
        found=found,
        number=number,
        pages=max(1, -(-found.total // PAGE_SIZE)),
        form=IssueForm(formdata=None),
        default_until=cards.default_valid_until(local_day(utcnow())),
    )


@bp.post("/honours/cards/issue")
@role_required(*CLERKS, owner="self")
def issue_all():
    form = IssueForm()
    return carry_out(
        lambda: cards.issue_all(
            current_user, _scope(), valid_until=form.valid_until.data, now=utcnow()
        ),
        form=form,
        done=lambda run: _(
            "%(issued)d cards issued to print, valid until %(day)s.",
            issued=run.issued,
            day=run.valid_until.isoformat(),
        ),
        then=url_for(".list_page", status=CardStatus.to_print.value),
        refused_to=url_for(".eligible"),
    )


@bp.post("/honours/cards/persons/<int:person_id>")
@role_required(*CLERKS, owner="self")
def issue_one(person_id: int):
    form = IssueForm()
    return carry_out(
        lambda: cards.issue_card(
            current_user, _scope(), person_id, valid_until=form.valid_until.data, now=utcnow()
        ),
        form=form,
        done=lambda card: _("Card %(number)s is issued to print.", number=card.number),
        then=lambda card: url_for(".card_page", card_id=card.id),
        refused_to=url_for(".eligible"),
    )


@bp.post("/honours/cards/print")
@role_required(*CLERKS, owner="self")
def print_sheet():
    form = PrintForm()
    if not form.validate():
        flash_form_errors(form)
        return redirect(url_for(".list_page"))
    settings = current_settings()
    try:
        run = cards.print_cards(
            current_user,
            _scope(),
            card_ids=form.card_ids.data or None,
            now=utcnow(),
            secret=settings.check_in_secret,
            uploads=settings.uploads,
        )
    except DomainError as error:
        end_unit_of_work(error)
        for message in refusal_messages(error):
            flash(message, "danger")
        return redirect(url_for(".list_page"))
    name = f"cards-{utcnow():%Y%m%d-%H%M}.pdf"
    db.session.commit()
    response = Response(run.pdf, mimetype="application/pdf")
    # An attachment: the pages' Content-Security-Policy would stop a built-in viewer inline.
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@bp.post("/honours/cards/renewal")
@role_required(*CLERKS, owner="self")
def renew():
    form = RenewForm()
    return carry_out(
        lambda: cards.renew_cards(
            current_user,
            _scope(),
            year=form.year.data,
            valid_until=form.valid_until.data,
            now=utcnow(),
        ),
        form=form,
        done=lambda count: _("%(count)d cards renewed.", count=count),
        then=url_for(".list_page"),
    )


@bp.get("/honours/cards/<int:card_id>")
@role_required(*CLERKS, owner="self")
def card_page(card_id: int):
    row = cards.get_card(_scope(), card_id, now=utcnow())
    return render_template(
        "honours/cards/card.html",
        row=row,
        lost_form=LostForm(formdata=None),
        print_form=PrintForm(formdata=None),
    )


@bp.post("/honours/cards/<int:card_id>/hand-over")
@role_required(*CLERKS, owner="self")
def hand_over(card_id: int):
    return carry_out(
        lambda: cards.hand_over(current_user, _scope(), card_id, now=utcnow()),
        form=Form(),
        done=_("The card is handed over and active."),
        then=url_for(".card_page", card_id=card_id),
    )


@bp.post("/honours/cards/<int:card_id>/lost")
@role_required(*CLERKS, owner="self")
def report_lost(card_id: int):
    form = LostForm()
    return carry_out(
        lambda: cards.report_lost(
            current_user, _scope(), card_id, note=form.note.data, now=utcnow()
        ),
        form=form,
        done=lambda done: _(
            "The card is cancelled; the replacement %(number)s waits to be printed.",
            number=done.replacement.number,
        ),
        then=lambda done: url_for(".card_page", card_id=done.replacement.id),
        refused_to=url_for(".card_page", card_id=card_id),
    )


# The holder's page ---------------------------------------------------------------------------


@bp.get("/me/card")
@login_required(owner="self", why=HOLDER)
def mine():
    card = cards.find_my_card(current_user)
    if card is None:
        return render_template("honours/cards/mine.html", mine=None)
    number = _page_number()
    mine = cards.my_card(
        current_user,
        Window((number - 1) * USES_PAGE_SIZE, USES_PAGE_SIZE),
        now=utcnow(),
        secret=current_settings().check_in_secret,
    )
    return render_template(
        "honours/cards/mine.html",
        mine=mine,
        qr=qr_svg(mine.code) if mine.code else None,
        number=number,
        pages=max(1, -(-mine.uses.total // USES_PAGE_SIZE)),
        lost_form=LostForm(formdata=None),
    )


@bp.post("/me/card/lost")
@login_required(owner="self", why=HOLDER)
def report_mine_lost():
    form = LostForm()
    return carry_out(
        lambda: cards.report_my_card_lost(current_user, note=form.note.data, now=utcnow()),
        form=form,
        done=_(
            "Your card is cancelled: no one can use it. Your district prints a new one for you."
        ),
        then=url_for(".mine"),
    )
