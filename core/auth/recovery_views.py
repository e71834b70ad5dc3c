"""Pages to get back into an account without SMS: asking for a reset link by email, setting a
new password with a link (by email or from the office), and proving an email address.

A reset link's secret leaves the address bar at once: opening the link keeps the secret in the
(signed) session and redirects to a page without it, so that it is not sent on in a Referer or
written to an access log twice. Emails go out after the commit, with links on SITE_URL (never
on the Host header a request claims).
"""

from __future__ import annotations

import logging

from flask import (
    Blueprint,
    after_this_request,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_login import current_user
from flask_mailman import EmailMessage

from core.auth import recovery, services
from core.auth.access import login_required, public
from core.auth.forms import ForgotPasswordForm, NewPasswordForm
from core.auth.models import LinkPurpose
from core.auth.recovery import IssuedLink, LinkRefused
from core.clock import utcnow
from core.errors import ValidationFailed
from core.extensions import limiter
from core.inputs import Form
from core.pages import carry_out, submit
from core.settings import current_settings

log = logging.getLogger(__name__)

bp = Blueprint("recovery", __name__)

RESET_SECRET = "reset_link_secret"


def link_url(issued: IssuedLink) -> str:
    """The address of a link just made, on the site's public address."""
    endpoint = (
        "recovery.open_reset_link"
        if issued.purpose is LinkPurpose.reset_password
        else "recovery.verify_email"
    )
    site = current_app.config["SITE_URL"].rstrip("/")
    return site + url_for(endpoint, token=issued.secret)


def _send(issued: IssuedLink, subject: str, body: str) -> bool:
    """Send one account email now; False (and a log line) if the mail server refused it."""
    try:
        EmailMessage(subject=subject, body=body, to=[issued.email]).send()
    except Exception:
        log.exception("account email to user %s could not be sent", issued.user_id)
        return False
    return True


def _send_after_the_answer(issued: IssuedLink, subject: str, body: str) -> None:
    """Send one account email once the answer has gone out, so that how long the answer takes
    does not tell whether an email was sent (and so whether the number has an account)."""
    app = current_app._get_current_object()

    def send() -> None:
        with app.app_context():
            _send(issued, subject, body)

    @after_this_request
    def later(response):
        response.call_on_close(send)
        return response


def send_email_proof(issued: IssuedLink | None) -> None:
    """Send the link that proves an address (after the commit); say so on the next page."""
    if issued is None:
        return
    body = _(
        "Hello %(name)s,\n\nplease confirm that this is your email address by opening this link"
        " (it works once, until %(until)s):\n\n%(url)s\n\nIf you did not enter this address,"
        " ignore this email.\n",
        name=issued.display_name,
        until=format_datetime(issued.expires_at, "short"),
        url=link_url(issued),
    )
    if _send(issued, _("Confirm your email address"), body):
        flash(_("We sent a link to %(email)s: open it to confirm the address.", email=issued.email))
    else:
        flash(_("The confirmation email could not be sent. Please try again later."), "warning")


def _send_reset(issued: IssuedLink | None) -> None:
    if issued is None:
        return
    body = _(
        "Hello %(name)s,\n\nsomeone asked to set a new password for your account. To do so, open"
        " this link (it works once, until %(until)s):\n\n%(url)s\n\nIf it was not you, ignore"
        " this email: your password stays as it is.\n",
        name=issued.display_name,
        until=format_datetime(issued.expires_at, "short"),
        url=link_url(issued),
    )
    _send_after_the_answer(issued, _("Set a new password"), body)


def _phone_key() -> str:
    try:
        return "reset-phone:" + services.normalize_phone(request.form.get("phone", ""))
    except ValidationFailed:
        return "reset-phone:invalid"


@bp.route("/account/forgot-password", methods=["GET", "POST"])
@public(why="asking for a reset link, before one can sign in")
@limiter.limit("5 per hour", key_func=_phone_key, methods=["POST"])
@limiter.limit("20 per hour", methods=["POST"])
def forgot_password():
    form = ForgotPasswordForm()
    mail_enabled = current_settings().mail.enabled
    asked = submit(
        form,
        lambda: recovery.ask_for_reset_by_email(
            form.phone.data, now=utcnow(), mail_enabled=mail_enabled
        ),
        # The same answer whether or not the number has an account with a proved address.
        done=_(
            "If this account has a confirmed email address, a link to set a new password is on"
            " its way. It works for an hour."
        ),
        then=url_for("auth.login"),
        after=_send_reset,
    )
    if asked:
        return asked
    page = render_template("auth/forgot_password.html", form=form, mail_enabled=mail_enabled)
    return page, form.status


def _refused(error: LinkRefused):
    return render_template("auth/link_refused.html", message=error.message), error.status


@bp.get("/account/reset/<token>")
@public(why="a reset link is opened by someone who cannot sign in")
def open_reset_link(token: str):
    try:
        recovery.check_reset_link(token, now=utcnow())
    except LinkRefused as error:
        return _refused(error)
    session[RESET_SECRET] = token
    return redirect(url_for(".reset_password"))


@bp.route("/account/reset", methods=["GET", "POST"])
@public(why="setting a new password with a reset link, signed out")
def reset_password():
    token = session.get(RESET_SECRET, "")
    try:
        user = recovery.check_reset_link(token, now=utcnow())
    except LinkRefused as error:
        return _refused(error)
    form = NewPasswordForm()

    def forget_the_link(_user) -> None:
        session.pop(RESET_SECRET, None)

    reset = submit(
        form,
        lambda: recovery.reset_password_with_link(token, form.password.data, now=utcnow()),
        done=_("Your new password is set and every earlier sign-in has ended. Sign in with it."),
        then=url_for("auth.login"),
        refused_to=url_for(".reset_password"),
        after=forget_the_link,
    )
    if reset:
        return reset
    page = render_template("auth/reset_password.html", form=form, user=user)
    return page, form.status


@bp.get("/account/email/verify/<token>")
@public(why="the link sent to an address is opened wherever the email is read")
def verify_email(token: str):
    try:
        link = recovery.open_link(token, LinkPurpose.verify_email, now=utcnow())
    except LinkRefused as error:
        return _refused(error)
    return render_template("auth/verify_email.html", email=link.email, form=Form())


@bp.post("/account/email/verify/<token>")
@public(why="the link sent to an address is opened wherever the email is read")
def confirm_email(token: str):
    return carry_out(
        lambda: recovery.verify_email(token, now=utcnow()),
        done=_("Your email address is confirmed."),
        then=url_for("volunteer.profile")
        if current_user.is_authenticated
        else url_for("core.index"),
        refused_to=url_for(".verify_email", token=token),
    )


@bp.post("/account/email/verification")
@login_required(owner="self", why="every account may prove its own email address")
@limiter.limit("5 per hour", methods=["POST"])
def send_verification():
    return carry_out(
        lambda: recovery.ask_for_email_proof(
            current_user, now=utcnow(), mail_enabled=current_settings().mail.enabled
        ),
        then=url_for("volunteer.profile"),
        after=send_email_proof,
    )
