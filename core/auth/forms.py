"""Sign-in and password forms, and the fields the SMS code forms share with them."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

from core.inputs import Form


def phone_field(autocomplete: str = "username") -> StringField:
    """A mainland mobile number (the services check its form)."""
    return StringField(
        _l("Mobile number"),
        validators=[DataRequired(), Length(max=20)],
        render_kw={"inputmode": "tel", "autocomplete": autocomplete},
    )


def new_password_field() -> PasswordField:
    return PasswordField(
        _l("New password"),
        validators=[DataRequired(), Length(max=128)],
        render_kw={"autocomplete": "new-password"},
        description=_l("At least 8 characters, not digits only."),
    )


def repeated_password_field(of: str) -> PasswordField:
    """The new password again, to catch a typing slip the person cannot see."""
    return PasswordField(
        _l("Repeat the new password"),
        validators=[DataRequired(), EqualTo(of, message=_l("The two passwords differ."))],
        render_kw={"autocomplete": "new-password"},
    )


class LoginForm(Form):
    phone = phone_field()
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(), Length(max=128)],
        render_kw={"autocomplete": "current-password"},
    )
    remember = BooleanField(_l("Keep me signed in"))


class ChangePasswordForm(Form):
    current_password = PasswordField(
        _l("Current password"),
        validators=[DataRequired(), Length(max=128)],
        render_kw={"autocomplete": "current-password"},
    )
    new_password = new_password_field()
    confirm = repeated_password_field("new_password")


class ForgotPasswordForm(Form):
    phone = phone_field()


class NewPasswordForm(Form):
    """A new password set with a one-time link."""

    password = new_password_field()
    confirm = repeated_password_field("password")
