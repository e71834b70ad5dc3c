"""Sign-in, sign-out and password pages."""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, Response, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, logout_user

from core.auth import services
from core.auth.access import (
    is_safe_next,
    login_attempt_limits,
    login_required,
    public,
    sign_in,
    sign_out,
)
from core.auth.forms import ChangePasswordForm, LoginForm
from core.auth.models import User
from core.clock import utcnow
from core.errors import ValidationFailed
from core.inputs import Form
from core.pages import carry_out, submit

bp = Blueprint("auth", __name__)


TOO_MANY_SIGN_INS = _l("Too many failed sign-ins. Please wait %(minutes)d minutes and try again.")


def refused_for_a_while(form_class: type[Form], page, message) -> Callable:
    """The `on_breach` of a form page's rate limit: the page again with an empty form, the
    message above it and status 429. `page(form, status)` renders it."""

    def on_breach(limit):
        form = form_class()
        form.form_errors.append(message % {"minutes": 15})
        # Flask-Limiter keeps what this returns only if it is a Response.
        return make_response(*page(form, 429))

    return on_breach


def submit_sign_in(form: Form, act: Callable[[], User]) -> Response | None:
    """Sign in with `act` when the form is right, greet and go on to the page that asked
    (when it is ours) or home; None to show the form again."""
    target = request.args.get("next")
    return submit(
        form,
        act,
        done=lambda user: _("Welcome, %(name)s.", name=user.display_name),
        then=target if is_safe_next(target) else url_for("core.index"),
    )


def _login_page(form: LoginForm, status: int = 200):
    return render_template("auth/login.html", form=form), status


@bp.route("/login", methods=["GET", "POST"])
@public(why="the sign-in form")
@login_attempt_limits(on_breach=refused_for_a_while(LoginForm, _login_page, TOO_MANY_SIGN_INS))
def login():
    if current_user.is_authenticated:
        return redirect(url_for("core.index"))
    form = LoginForm()
    return submit_sign_in(form, lambda: _sign_in_with(form)) or _login_page(form)


def _sign_in_with(form: LoginForm):
    user = services.authenticate(form.phone.data, form.password.data)
    if user is None:
        raise ValidationFailed(_("Wrong mobile number or password."))
    sign_in(user, remember=form.remember.data)
    return user


@bp.post("/logout")
@login_required(owner="self", why="every account signs out")
def logout():
    return carry_out(sign_out, done=(_("You have signed out."), "info"), then=url_for("core.index"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required(owner="self", why="every account has a password")
def change_password():
    form = ChangePasswordForm()
    changed = submit(
        form,
        lambda: services.change_password(
            current_user,
            current_password=form.current_password.data,
            new_password=form.new_password.data,
            now=utcnow(),
            keep_session_key=current_user.session_key,
        ),
        done=_("Your password has been changed."),
        then=url_for("volunteer.profile"),
    )
    return changed or render_template("auth/change_password.html", form=form, sign_out_form=Form())


@bp.post("/account/sign-out-everywhere")
@login_required(owner="self", why="every account may end all its sign-ins")
def sign_out_everywhere():
    def end_all():
        services.sign_out_everywhere(current_user, now=utcnow())
        logout_user()

    return carry_out(
        end_all,
        done=(_("You have signed out on every device."), "info"),
        then=url_for("auth.login"),
    )
