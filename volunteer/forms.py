"""Registration and profile forms."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import AnyOf, DataRequired, EqualTo, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from core.auth.sms_forms import code_field
from core.districts import list_districts
from core.forms import optional_int
from core.inputs import Form
from volunteer.models import ServiceCategory, Skill


def _district_choices(blank_label) -> list[tuple[str, str]]:
    return [("", str(blank_label))] + [(str(d.id), d.label) for d in list_districts()]


class RegistrationForm(Form):
    phone = StringField(
        _l("Mobile number"),
        validators=[DataRequired(), Length(max=20)],
        render_kw={"inputmode": "tel", "autocomplete": "tel"},
    )
    code = code_field()
    display_name = StringField(
        _l("Name"), validators=[DataRequired(), Length(max=64)], render_kw={"autocomplete": "name"}
    )
    district_id = SelectField(_l("District"), coerce=optional_int, validators=[Optional()])
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
    # Never ticked in advance; the registration service refuses without it.
    consent = BooleanField(_l("I have read the privacy notice and agree to it"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.district_id.choices = _district_choices(_l("Choose later"))


class ProfileForm(Form):
    display_name = StringField(_l("Name"), validators=[DataRequired(), Length(max=64)])
    district_id = SelectField(_l("District"), coerce=optional_int, validators=[Optional()])
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


# Teams (志愿服务队) ----------------------------------------------------------------------


def _category_choices() -> list[tuple[str, str]]:
    return [(category.value, category.label) for category in ServiceCategory]


class TeamSearchForm(Form):
    """The filters of the team list, read from the query string (a GET form, so no CSRF)."""

    class Meta:
        csrf = False

    district = SelectField(_l("District"), coerce=optional_int, validators=[Optional()])
    category = SelectField(_l("Category"), validators=[Optional()])
    q = StringField(_l("Team name"), validators=[Optional(), Length(max=80)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.district.choices = _district_choices(_l("All districts"))
        self.category.choices = [("", str(_l("All categories"))), *_category_choices()]

    def filters(self) -> dict:
        """The valid filters; a malformed or unknown value is dropped rather than refused."""
        self.validate()
        chosen = {}
        for name, field in (("district_id", self.district), ("category", self.category)):
            if field.errors:
                field.data = None
            chosen[name] = field.data or None
        chosen["text"] = (self.q.data or "").strip()[:80] or None
        return chosen


class TeamForm(Form):
    name = StringField(_l("Team name"), validators=[DataRequired(), Length(max=80)])
    district_id = SelectField(_l("District"), coerce=optional_int, validators=[DataRequired()])
    categories = SelectMultipleField(
        _l("Services offered"),
        option_widget=CheckboxInput(),
        widget=ListWidget(prefix_label=False),
        validators=[Optional()],
    )
    description = TextAreaField(
        _l("About the team"),
        validators=[Optional(), Length(max=2000)],
        render_kw={"rows": 4},
        description=_l("Who you are, where you serve and when you meet."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.district_id.choices = _district_choices(_l("Choose a district"))
        self.categories.choices = _category_choices()


class DecisionForm(Form):
    """Approve or refuse (the pressed button sends `decision`), with a reason."""

    decision = StringField(validators=[AnyOf(["approve", "refuse"])])
    reason = TextAreaField(
        _l("Reason"), validators=[Optional(), Length(max=500)], render_kw={"rows": 2}
    )

    @property
    def approve(self) -> bool:
        return self.decision.data == "approve"


class RemoveMemberForm(Form):
    # Required by the service (its message shows); the form only bounds the length.
    reason = TextAreaField(
        _l("Reason for removal"), validators=[Optional(), Length(max=500)], render_kw={"rows": 2}
    )
