"""Sign-in, sign-out and password pages."""

from __future__ import annotations

from flask import Blueprint, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
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
from core.clock import utcnow
from core.errors import ValidationFailed
from core.inputs import Form
from core.pages import carry_out, submit

bp = Blueprint("auth", __name__)


def _login_page(form: LoginForm, status: int = 200):
    return render_template("auth/login.html", form=form), status


def _too_many_attempts(limit):
    # Flask-Limiter keeps what this returns only if it is a Response.
    form = LoginForm()
    form.form_errors.append(
        _("Too many failed sign-ins. Please wait %(minutes)d minutes and try again.", minutes=15)
    )
    return make_response(*_login_page(form, 429))


@bp.route("/login", methods=["GET", "POST"])
@public(why="the sign-in form")
@login_attempt_limits(on_breach=_too_many_attempts)
def login():
    if current_user.is_authenticated:
        return redirect(url_for("core.index"))
    form = LoginForm()
    target = request.args.get("next")
    signed_in = submit(
        form,
        lambda: _sign_in_with(form),
        done=lambda user: _("Welcome, %(name)s.", name=user.display_name),
        then=target if is_safe_next(target) else url_for("core.index"),
    )
    return signed_in or _login_page(form)


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
