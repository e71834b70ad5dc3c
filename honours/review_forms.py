"""Forms of the review on a nomination's page: a step, a declared conflict of interest, and a
background check. The services say what each step requires; the forms only read it."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from core.inputs import Form
from honours.nomination_models import AGENCY_LABELS, CHECK_RESULT_LABELS
from honours.services.background import NOTES_MAX
from honours.services.review import (
    ACTION_LABELS,
    CHECK_ITEM_LABELS,
    OPINION_MAX,
    REASON_MAX,
)


def _choices(labels: dict) -> list[tuple[str, str]]:
    return [(member.value, label) for member, label in labels.items()]


class ReviewForm(Form):
    """A step at the nomination's review level."""

    action = SelectField(
        _l("Decision"), validators=[DataRequired(_l("Choose forward, return or reject."))]
    )
    opinion = TextAreaField(_l("Opinion"), validators=[Optional(), Length(max=OPINION_MAX)])
    checklist = SelectMultipleField(
        _l("Checklist"),
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
        validators=[Optional()],
    )
    declared_no_conflict = BooleanField(_l("I have no conflict of interest with this nomination"))
    next = HiddenField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.action.choices = _choices(ACTION_LABELS)
        self.checklist.choices = _choices(CHECK_ITEM_LABELS)


class ConflictForm(Form):
    """A declared conflict of interest (回避)."""

    reason = StringField(
        _l("The conflict of interest"),
        validators=[DataRequired(_l("Say what the conflict is.")), Length(max=REASON_MAX)],
    )
    next = HiddenField()


class BackgroundCheckForm(Form):
    """A check with one agency: sent, and once answered, when and what it found."""

    agency = SelectField(
        _l("Agency"), validators=[DataRequired(_l("Choose an agency from the list."))]
    )
    sent_on = DateField(
        _l("Sent on"), validators=[DataRequired(_l("Give the day the request was sent."))]
    )
    answered_on = DateField(_l("Answered on"), validators=[Optional()])
    result = SelectField(_l("Result"), validators=[Optional()])
    notes = StringField(_l("Notes"), validators=[Optional(), Length(max=NOTES_MAX)])
    next = HiddenField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.agency.choices = _choices(AGENCY_LABELS)
        self.result.choices = [("", "—"), *_choices(CHECK_RESULT_LABELS)]

    def values(self) -> dict:
        """The check as the service takes it."""
        return {
            "sent_on": self.sent_on.data,
            "answered_on": self.answered_on.data,
            "result": self.result.data or None,
            "notes": self.notes.data,
        }
