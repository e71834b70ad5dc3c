"""Forms of the SMS code pages: asking for a code, signing in and resetting the password with
one."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, HiddenField, StringField
from wtforms.validators import AnyOf, DataRequired, Length

from core.auth.forms import new_password_field, phone_field, repeated_password_field
from core.auth.models import PUBLIC_SMS_PURPOSES
from core.inputs import Form


def code_field() -> StringField:
    return StringField(
        _l("Code"),
        validators=[DataRequired(), Length(max=10)],
        description=_l("The 6 digits of the text message."),
        # The phone offers the code from the message just received.
        render_kw={"inputmode": "numeric", "autocomplete": "one-time-code", "maxlength": 6},
    )


class SmsCodeRequestForm(Form):
    phone = phone_field("tel")
    purpose = HiddenField(validators=[AnyOf([purpose.value for purpose in PUBLIC_SMS_PURPOSES])])
    # Where the page that asked for the code goes once signed in.
    next = HiddenField()


class SmsSignInForm(Form):
    phone = phone_field("tel")
    code = code_field()
    remember = BooleanField(_l("Keep me signed in"))


class SmsPasswordResetForm(Form):
    phone = phone_field("tel")
    code = code_field()
    new_password = new_password_field()
    confirm = repeated_password_field("new_password")
