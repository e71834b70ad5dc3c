"""The form that closes an account."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, PasswordField
from wtforms.validators import DataRequired, Length

from core.inputs import Form


class CloseAccountForm(Form):
    password = PasswordField(
        _l("Your password"),
        validators=[DataRequired(), Length(max=128)],
        render_kw={"autocomplete": "current-password"},
    )
    # Never ticked in advance: closing cannot be undone.
    understood = BooleanField(
        _l("I understand that my account is closed for good and cannot be restored"),
        validators=[DataRequired(message=_l("Tick this box to confirm."))],
    )
