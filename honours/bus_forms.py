"""The form of a bus partner's service token on the office's partner page: a name and how many
days it lasts. Whether they hold is the service's to say."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import IntegerField, StringField
from wtforms.validators import DataRequired, InputRequired, Length

from core.inputs import Form
from honours.services.bus_accounts import DAYS_MAX

DAYS_DEFAULT = 365


class ServiceTokenForm(Form):
    name = StringField(
        _l("Name of the token"),
        validators=[DataRequired(), Length(max=64)],
        description=_l("Which system uses it, e.g. the fare system's nightly update."),
    )
    days = IntegerField(
        _l("Valid for (days)"),
        default=DAYS_DEFAULT,
        validators=[InputRequired()],
        render_kw={"min": 1, "max": DAYS_MAX, "inputmode": "numeric"},
    )
