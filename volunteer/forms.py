"""Registration and profile forms."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, SelectField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from core.districts import list_districts
from volunteer.models import Skill


def _district_choices(blank_label) -> list[tuple[str, str]]:
    return [("", str(blank_label))] + [(str(d.id), d.label) for d in list_districts()]


def _optional_int(value):
    return int(value) if value not in (None, "", "None") else None


class RegistrationForm(FlaskForm):
    phone = StringField(
        _l("Mobile number"),
        validators=[DataRequired(), Length(max=20)],
        render_kw={"inputmode": "tel", "autocomplete": "tel"},
    )
    display_name = StringField(
        _l("Name"), validators=[DataRequired(), Length(max=64)], render_kw={"autocomplete": "name"}
    )
    district_id = SelectField(_l("District"), coerce=_optional_int, validators=[Optional()])
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(), Length(max=128)],
        render_kw={"autocomplete": "new-password"},
        description=_l("At least 8 characters, not digits only."),
    )
    confirm = PasswordField(
        _l("Repeat the password"),
        validators=[DataRequired(), EqualTo("password", message=_l("The two passwords differ."))],
        render_kw={"autocomplete": "new-password"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.district_id.choices = _district_choices(_l("Choose later"))


class ProfileForm(FlaskForm):
    display_name = StringField(_l("Name"), validators=[DataRequired(), Length(max=64)])
    district_id = SelectField(_l("District"), coerce=_optional_int, validators=[Optional()])
    skills = SelectMultipleField(
        _l("Skills"),
        option_widget=CheckboxInput(),
        widget=ListWidget(prefix_label=False),
        validators=[Optional()],
    )
    email = StringField(
        _l("Email (for reminders)"),
        validators=[Optional(), Length(max=254)],
        render_kw={"inputmode": "email", "autocomplete": "email"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.district_id.choices = _district_choices(_l("Not set"))
        self.skills.choices = [(skill.value, skill.label) for skill in Skill]
