"""Points pages: the volunteer's balance, history and redeem code, where to spend, the merchant
counter (look up a code, redeem, reverse) and statement, and the office's merchants,
adjustments and expiry policy."""

from __future__ import annotations

from datetime import date, timedelta

from flask import (
    Blueprint,
    Response,
    make_response,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from core.auth.access import public, role_required
from core.auth.models import Role
from core.clock import local_moment, local_zone, to_local, utcnow
from core.districts import list_districts
from core.errors import DomainError, NotFound, ValidationFailed
from core.extensions import db
from core.forms import apply_errors, refusal_messages
from core.pages import submit
from core.qr import qr_svg
from core.rows import Window
from core.settings import current_settings
from points import services
from points.forms import (
    KIND_LABELS,
    MOVEMENT_LABELS,
    RULE_LABELS,
    ActionForm,
    AdjustForm,
    CodeForm,
    ExpiryPolicyForm,
    ItemEditForm,
    ItemForm,
    MerchantForm,
    PeriodForm,
    RedeemForm,
    ReversalForm,
    StaffForm,
    basket_lines,
    new_key,
)
from points.limits import code_guess_limits, mark_code_refused
from points.services import expiry
from volunteer import services as volunteers

bp = Blueprint("points", __name__)


@bp.context_processor
def _labels():
    return {"kind_labels": KIND_LABELS, "movement_labels": MOVEMENT_LABELS}


# The volunteer's points -------------------------------------------------------------------


# The points page lists this many entries, newest first, and says so when there are more.
HISTORY_SHOWN = 200


@bp.get("/points")
@role_required(Role.volunteer, owner="self")
def my_points():
    return render_template(
        "points/my_points.html",
        balance=services.balance_of(current_user),
        expiring=expiry.expiring_soon(current_user, now=utcnow()),
        history=services.history(current_user, window=Window(size=HISTORY_SHOWN)),
    )


@bp.get("/points/code")
@role_required(Role.volunteer, owner="self")
def my_code():
    return render_template("points/code.html", form=ActionForm(formdata=None), code=None)


@bp.post("/points/code")
@role_required(Role.volunteer, owner="self")
def issue_code():
    now = utcnow()
    code = services.issue_redeem_code(
        current_user, now=now, lifetime_minutes=current_settings().redeem_code_minutes
    )
    db.session.commit()
    return render_template(
        "points/code.html",
        form=ActionForm(formdata=None),
        code=code,
        qr=qr_svg(code.code),
        seconds_left=max(0, int((code.expires_at - now).total_seconds())),
        balance=services.balance_of(current_user),
    )


@bp.get("/merchants")
@public(why="where points can be spent is public")
def where_to_spend():
    district_id = request.args.get("district_id", type=int)
    return render_template(
        "points/where_to_spend.html",
        merchants=services.list_merchants(district_id=district_id),
        districts=list_districts(),
        district_id=district_id,
    )


# The merchant's counter -------------------------------------------------------------------


def _too_many_codes(limit):
    # Flask-Limiter keeps what this returns only if it is a Response.
    form = CodeForm(formdata=None)
    form.form_errors.append(
        _("Too many wrong codes. Please wait a few minutes and ask for a new code.")
    )
    return make_response(render_template("points/counter.html", form=form), 429)


def _counter_page(form: CodeForm, error: DomainError | None = None):
    """The code form again; a refused code answers 422, which the attempt limits count."""
    if error is not None:
        db.session.rollback()
        mark_code_refused()
        form.code.errors = [*form.code.errors, *refusal_messages(error)]
    status = form.status
    return render_template("points/counter.html", form=form), status


def _basket_page(form: RedeemForm, errors=(), status: int = 200):
    """What the counter confirms: whose code, their balance and the active goods."""
    try:
        found = services.look_up_code(current_user, form.code.data or "", now=utcnow())
    except services.CodeInvalid as error:
        return _counter_page(CodeForm(formdata=None), error)
    items = [i for i in services.staff_merchant(current_user).items if i.is_active]
    page = render_template(
        "points/basket.html",
        form=form,
        found=found,
        items=items,
        quantities=request.form,
        errors=errors,
    )
    return page, status


@bp.get("/counter")
@role_required(Role.merchant_staff, owner="merchant")
def counter():
    services.staff_merchant(current_user)
    return render_template("points/counter.html", form=CodeForm(formdata=None))


@bp.post("/counter/look-up")
@role_required(Role.merchant_staff, owner="merchant")
@code_guess_limits(on_breach=_too_many_codes)
def look_up():
    services.staff_merchant(current_user)
    form = CodeForm()
    if not form.validate():
        mark_code_refused()
        return _counter_page(form)
    code = "".join(form.code.data.split())
    return _basket_page(RedeemForm(formdata=None, data={"code": code, "key": new_key()}))


@bp.post("/counter/redeem")
@role_required(Role.merchant_staff, owner="merchant")
@code_guess_limits(on_breach=_too_many_codes)
def redeem():
    merchant = services.staff_merchant(current_user)
    form = RedeemForm()
    try:
        lines = basket_lines(request.form, [i.id for i in merchant.items if i.is_active])
        redemption, made = services.redeem(
            current_user,
            code=form.code.data or "",
            lines=lines,
            key=form.key.data or "",
            now=utcnow(),
        )
    except services.CodeInvalid as error:
        return _counter_page(CodeForm(formdata=None), error)
    except DomainError as error:
        db.session.rollback()
        return _basket_page(form, errors=refusal_messages(error), status=error.status)
    db.session.commit()
    return render_template(
        "points/redeemed.html",
        redemption=redemption,
        made=made,
        balance=services.balance_of(redemption.user),
    )


@bp.route("/redemptions/<int:redemption_id>/reverse", methods=["GET", "POST"])
@role_required(Role.merchant_staff, owner="merchant")
def reverse(redemption_id: int):
    # One tap on the statement used to undo a sale at once, sometimes the wrong one: the button
    # opens this page, which names the sale and asks why before anything is undone.
    redemption = services.get_redemption(current_user, redemption_id)
    window_days = current_settings().redemption_reversal_days
    form = ReversalForm()
    reversed_ = submit(
        form,
        lambda: services.reverse_redemption(
            current_user,
            redemption_id,
            reason=form.reason.data,
            now=utcnow(),
            window_days=window_days,
        ),
        done=lambda done: _(
            "Redemption no. %(id)d is reversed: %(points)d points went back.",
            id=done.id,
            points=done.total,
        ),
        then=url_for(".statement"),
        refused_to=url_for(".statement"),
    )
    if reversed_ is not None:
        return reversed_
    page = render_template(
        "points/reverse.html",
        form=form,
        redemption=redemption,
        can_reverse=services.can_reverse(redemption, now=utcnow(), window_days=window_days),
        window_days=window_days,
    )
    return page, form.status


# Statements -------------------------------------------------------------------------------


def _period(form: PeriodForm) -> tuple[date, date]:
    """The first and last day asked for; this month (in local time) where not given."""
    today = to_local(utcnow()).date()
    first = today.replace(day=1)
    last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    return form.start.data or first, form.end.data or last


def _statement(merchant_id: int):
    """The statement of the period in the query string, or None and the form with errors."""
    form = PeriodForm(request.args)
    if not form.validate():
        return form, None
    start, end = _period(form)
    form.start.data, form.end.data = start, end
    try:
        statement = services.merchant_statement(
            current_user,
            merchant_id,
            start=local_moment(start),
            end=local_moment(end + timedelta(days=1)),
        )
    except ValidationFailed as error:
        apply_errors(form, error)
        return form, None
    return form, statement


def _reversible(statement) -> set[int]:
    now, days = utcnow(), current_settings().redemption_reversal_days
    return {
        r.id for r in statement.redemptions if services.can_reverse(r, now=now, window_days=days)
    }


def _statement_page(merchant_id: int, *, endpoint: str, can_reverse: bool, url_args=None):
    form, statement = _statement(merchant_id)
    merchant = services.managed_merchant(current_user, merchant_id)
    page = render_template(
        "points/statement.html",
        form=form,
        merchant=merchant,
        statement=statement,
        reversible=_reversible(statement) if statement and can_reverse else set(),
        endpoint=endpoint,
        url_args=url_args or {},
    )
    return page, 200 if statement is not None else 422


def _statement_csv(merchant_id: int, *, endpoint: str, url_args=None):
    form, statement = _statement(merchant_id)
    if statement is None:
        return _statement_page(merchant_id, endpoint=endpoint, can_reverse=False, url_args=url_args)
    name = f"statement-{merchant_id}-{form.start.data:%Y%m%d}-{form.end.data:%Y%m%d}.csv"
    return Response(
        services.statement_csv(statement, zone=local_zone()).encode("utf-8-sig"),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@bp.get("/statement")
@role_required(Role.merchant_staff, owner="merchant")
def statement():
    merchant = services.staff_merchant(current_user)
    return _statement_page(merchant.id, endpoint=".statement", can_reverse=True)


@bp.get("/statement.csv")
@role_required(Role.merchant_staff, owner="merchant")
def statement_csv():
    merchant = services.staff_merchant(current_user)
    return _statement_csv(merchant.id, endpoint=".statement")


@bp.get("/office/merchants/<int:merchant_id>/statement")
@role_required(Role.office)
def merchant_statement(merchant_id: int):
    return _statement_page(
        merchant_id,
        endpoint=".merchant_statement",
        can_reverse=False,
        url_args={"merchant_id": merchant_id},
    )


@bp.get("/office/merchants/<int:merchant_id>/statement.csv")
@role_required(Role.office)
def merchant_statement_csv(merchant_id: int):
    return _statement_csv(
        merchant_id, endpoint=".merchant_statement", url_args={"merchant_id": merchant_id}
    )


# The office: merchants, catalogues, staff -------------------------------------------------


@bp.get("/office/merchants")
@role_required(Role.office)
def merchants():
    return render_template("points/merchants.html", merchants=services.list_merchants())


@bp.route("/office/merchants/new", methods=["GET", "POST"])
@role_required(Role.office)
def new_merchant():
    form = MerchantForm()
    registered = submit(
        form,
        lambda: services.register_merchant(
            current_user,
            name=form.name.data,
            kind=form.kind_value,
            district_id=form.district_id.data,
            address=form.address.data,
            contact=form.contact.data or "",
        ),
        done=lambda merchant: _("%(name)s is registered.", name=merchant.name),
        then=lambda merchant: url_for(".merchant", merchant_id=merchant.id),
    )
    return registered or (render_template("points/merchant_form.html", form=form), form.status)


def _merchant_page(merchant_id: int, *, item_form=None, staff_form=None, edited=None, status=200):
    """The merchant's staff and catalogue; `edited` is an item form that was refused."""
    merchant = services.managed_merchant(current_user, merchant_id)
    edit_forms = {
        item.id: ItemEditForm(formdata=None, obj=item, prefix=f"item{item.id}")
        for item in merchant.items
    }
    if edited is not None:
        edit_forms[edited[0]] = edited[1]
    page = render_template(
        "points/merchant.html",
        merchant=merchant,
        staff=services.list_staff(current_user, merchant.id),
        item_form=item_form or ItemForm(formdata=None, prefix="new"),
        staff_form=staff_form or StaffForm(formdata=None),
        edit_forms=edit_forms,
    )
    return page, status


@bp.get("/office/merchants/<int:merchant_id>")
@role_required(Role.office)
def merchant(merchant_id: int):
    return _merchant_page(merchant_id)


@bp.post("/office/merchants/<int:merchant_id>/items")
@role_required(Role.office)
def add_item(merchant_id: int):
    form = ItemForm(prefix="new")
    added = submit(
        form,
        lambda: services.add_item(
            current_user,
            merchant_id,
            name=form.name.data,
            price=form.price.data,
            stock=form.stock.data,
        ),
        done=lambda item: _("%(name)s is in the catalogue.", name=item.name),
        then=url_for(".merchant", merchant_id=merchant_id),
    )
    return added or _merchant_page(merchant_id, item_form=form, status=422)


@bp.post("/office/merchants/<int:merchant_id>/items/<int:item_id>")
@role_required(Role.office)
def update_item(merchant_id: int, item_id: int):
    merchant = services.managed_merchant(current_user, merchant_id)
    if item_id not in {i.id for i in merchant.items}:
        raise NotFound(_("No such item."))
    form = ItemEditForm(prefix=f"item{item_id}")
    saved = submit(
        form,
        lambda: services.update_item(
            current_user,
            item_id,
            name=form.name.data,
            price=form.price.data,
            stock=form.stock.data,
            is_active=form.is_active.data,
        ),
        done=lambda item: _("%(name)s is saved.", name=item.name),
        then=url_for(".merchant", merchant_id=merchant_id, _anchor=f"item-{item_id}"),
    )
    return saved or _merchant_page(merchant_id, edited=(item_id, form), status=422)


@bp.post("/office/merchants/<int:merchant_id>/staff")
@role_required(Role.office)
def add_staff(merchant_id: int):
    form = StaffForm()
    added = submit(
        form,
        lambda: services.add_staff(
            current_user,
            merchant_id,
            phone=form.phone.data,
            display_name=form.display_name.data,
            password=form.password.data,
        ),
        done=lambda user: _("%(name)s can now sign in at the counter.", name=user.display_name),
        then=url_for(".merchant", merchant_id=merchant_id),
    )
    return added or _merchant_page(merchant_id, staff_form=form, status=422)


# The office: adjustments ------------------------------------------------------------------


@bp.route("/office/adjustments", methods=["GET", "POST"])
@role_required(Role.office)
def adjust():
    form = AdjustForm()
    if request.method == "GET" or not form.key.data:
        form.key.data = new_key()

    def adjust_by_phone():
        volunteer = volunteers.get_volunteer_by_phone(form.phone.data)
        services.adjust(
            current_user,
            volunteer.id,
            amount=form.amount.data,
            reason=form.reason.data,
            key=form.key.data,
            now=utcnow(),
        )
        return volunteer

    adjusted = submit(
        form,
        adjust_by_phone,
        done=lambda volunteer: _(
            "%(points)+d points for %(name)s; the balance is now %(balance)d.",
            points=form.amount.data,
            name=volunteer.display_name,
            balance=services.balance_of(volunteer),
        ),
        then=url_for(".adjust"),
    )
    return adjusted or (render_template("points/adjust.html", form=form), form.status)


# The office: the expiry policy ------------------------------------------------------------


@bp.route("/points/expiry", methods=["GET", "POST"])
@role_required(Role.office)
def expiry_policy():
    form = ExpiryPolicyForm()
    if request.method == "GET":
        current = expiry.current_policy()
        form.rule.data = current.rule.value if current else "never"
        form.months.data = current.months if current else None
    saved = submit(
        form,
        lambda: expiry.set_policy(
            current_user, rule=form.rule_value, months=form.months_value, now=utcnow()
        ),
        done=_("The expiry policy is saved."),
        then=url_for(".expiry_policy"),
    )
    if saved is not None:
        return saved
    page = render_template(
        "points/expiry.html",
        form=form,
        history=expiry.policy_history(current_user),
        figures=expiry.expiry_figures(current_user, now=utcnow()),
        rule_labels=RULE_LABELS,
    )
    return page, form.status
