"""Forms of the SMS code pages: asking for a code, signing in and resetting the password with
one."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, HiddenField, PasswordField, StringField
from wtforms.validators import AnyOf, DataRequired, EqualTo, Length

from core.auth.models import SmsPurpose
from core.inputs import Form


def phone_field() -> StringField:
    return StringField(
        _l("Mobile number"),
        validators=[DataRequired(), Length(max=20)],
        render_kw={"inputmode": "tel", "autocomplete": "tel"},
    )


def code_field() -> StringField:
    return StringField(
        _l("Code"),
        validators=[DataRequired(), Length(max=10)],
        description=_l("The 6 digits of the text message."),
        # The phone offers the code from the message just received.
        render_kw={"inputmode": "numeric", "autocomplete": "one-time-code", "maxlength": 6},
    )


class SmsCodeRequestForm(Form):
    phone = phone_field()
    purpose = HiddenField(validators=[AnyOf([purpose.value for purpose in SmsPurpose])])
    # Where the page that asked for the code goes once signed in.
    next = HiddenField()


class SmsSignInForm(Form):
    phone = phone_field()
    code = code_field()
    remember = BooleanField(_l("Keep me signed in"))


class SmsPasswordResetForm(Form):
    phone = phone_field()
    code = code_field()
    new_password = PasswordField(
        _l("New password"),
        validators=[DataRequired(), Length(max=128)],
        render_kw={"autocomplete": "new-password"},
        description=_l("At least 8 characters, not digits only."),
    )
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[
            DataRequired(),
            EqualTo("new_password", message=_l("The two passwords differ.")),
        ],
        render_kw={"autocomplete": "new-password"},
    )
