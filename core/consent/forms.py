"""The consent form: a box the user ticks themselves (never ticked in advance)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, HiddenField
from wtforms.validators import DataRequired

from core.inputs import Form


class ConsentForm(Form):
    agree = BooleanField(
        _l("I have read the privacy notice and agree to it"),
        validators=[DataRequired(_l("Tick the box to agree, or close your account instead."))],
    )
    next = HiddenField()
