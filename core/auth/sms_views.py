"""Pages for SMS codes (短信验证码): asking for one, signing in with one, resetting a forgotten
password with one. Registration asks for its code here too (its page is the volunteers')."""

from __future__ import annotations

from contextlib import suppress

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from core.auth import sms_services
from core.auth.access import (
    is_safe_next,
    login_attempt_limits,
    public,
    sign_in,
    sms_code_limits,
)
from core.auth.models import SmsPurpose
from core.auth.services import normalize_phone
from core.auth.sms import current_gateway, masked, shown_code
from core.auth.sms_forms import SmsCodeRequestForm, SmsPasswordResetForm, SmsSignInForm
from core.auth.views import TOO_MANY_SIGN_INS, refused_for_a_while, submit_sign_in
from core.clock import utcnow
from core.errors import ValidationFailed
from core.pages import carry_out, submit
from core.settings import current_settings

bp = Blueprint("sms", __name__)

# The page that asks for a code of each purpose, and takes it.
PAGES = {
    SmsPurpose.sign_in: "sms.sign_in_with_code",
    SmsPurpose.register: "volunteer.register",
    SmsPurpose.reset_password: "sms.reset_password",
}


def code_page_context(purpose: SmsPurpose) -> dict:
    """What a page taking a code shows: whether the code was sent (the second step), to which
    number, and in the demo the code itself. For the registration page as well."""
    phone = request.args.get("phone", "")[:20]
    sent = request.method == "POST" or bool(request.args.get("sent"))
    return {
        "purpose": purpose.value,
        "phone": phone,
        "code_sent": sent,
        "masked_phone": masked(phone) if phone.isdigit() else phone,
        "demo_code": shown_code(phone, purpose.value) if sent else None,
        "next": request.args.get("next") if is_safe_next(request.args.get("next")) else None,
    }


def _purpose(form: SmsCodeRequestForm) -> SmsPurpose:
    # A purpose the form refuses still needs a page to go back to: the sign-in's.
    known = {purpose.value for purpose in PAGES}
    return SmsPurpose(form.purpose.data) if form.purpose.data in known else SmsPurpose.sign_in


def _page(form: SmsCodeRequestForm, *, sent: bool) -> str:
    next_page = form.next.data if is_safe_next(form.next.data) else None
    phone = (form.phone.data or "").strip()[:20] or None
    with suppress(ValidationFailed):
        # As the code was stored: the page that takes it finds it (and the demo shows it).
        phone = normalize_phone(phone or "")
    return url_for(PAGES[_purpose(form)], phone=phone, sent=1 if sent else None, next=next_page)


def _too_many_code_requests(limit):
    form = SmsCodeRequestForm()
    flash(_("Too many codes were requested. Please wait a while and try again."), "danger")
    return redirect(_page(form, sent=False))


@bp.post("/sms-codes")
@public(why="asking for an SMS code to sign in, register or reset the password")
@sms_code_limits(on_breach=_too_many_code_requests)
def send_code():
    form = SmsCodeRequestForm()
    purpose = _purpose(form)
    return carry_out(
        lambda: sms_services.request_code(
            form.phone.data,
            purpose,
            now=utcnow(),
            settings=current_settings().sms,
            gateway=current_gateway(),
        ),
        form=form,
        done=(sms_services.sent_message(purpose, current_settings().sms), "info"),
        then=_page(form, sent=True),
        refused_to=_page(form, sent=False),
    )


def _sign_in_page(form: SmsSignInForm, status: int):
    context = code_page_context(SmsPurpose.sign_in)
    return render_template("auth/sms_sign_in.html", form=form, **context), status


@bp.route("/login/sms", methods=["GET", "POST"])
@public(why="signing in with a code sent by SMS")
@login_attempt_limits(
    on_breach=refused_for_a_while(SmsSignInForm, _sign_in_page, TOO_MANY_SIGN_INS)
)
def sign_in_with_code():
    if current_user.is_authenticated:
        return redirect(url_for("core.index"))
    form = SmsSignInForm(data={"phone": request.args.get("phone", "")[:20]})

    def act():
        user = sms_services.sign_in_with_code(
            form.phone.data, form.code.data, now=utcnow(), settings=current_settings().sms
        )
        sign_in(user, remember=form.remember.data)
        return user

    return submit_sign_in(form, act) or _sign_in_page(form, form.status)


def _reset_page(form: SmsPasswordResetForm, status: int):
    context = code_page_context(SmsPurpose.reset_password)
    return render_template("auth/sms_reset_password.html", form=form, **context), status


@bp.route("/password/sms-reset", methods=["GET", "POST"])
@public(why="a forgotten password, reset with a code sent by SMS")
@login_attempt_limits(
    on_breach=refused_for_a_while(
        SmsPasswordResetForm,
        _reset_page,
        _l("Too many failed tries. Please wait %(minutes)d minutes and try again."),
    )
)
def reset_password():
    form = SmsPasswordResetForm(data={"phone": request.args.get("phone", "")[:20]})
    reset = submit(
        form,
        lambda: sms_services.reset_password_with_code(
            form.phone.data,
            form.code.data,
            form.new_password.data,
            now=utcnow(),
            settings=current_settings().sms,
        ),
        done=_("Your password has been changed. Please sign in with the new one."),
        then=url_for("auth.login"),
    )
    return reset or _reset_page(form, form.status)
