"""Forms of the public notice's pages: opening a round's notice, an objection, its answer, and
the filter of the clerks' list of objections."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    HiddenField,
    RadioField,
    SelectField,
    SelectMultipleField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from core.inputs import Form
from honours.nomination_models import OUTCOME_LABELS
from honours.services.notice import TEXT_MAX


class OpenNoticeForm(Form):
    """The nominations the city puts on the round's notice (its choices are the round's
    tallied nominations, set by the view)."""

    nomination_ids = SelectMultipleField(
        _l("Put on the notice"),
        coerce=int,
        option_widget=CheckboxInput(),
        widget=ListWidget(prefix_label=False),
    )


class LikeForm(Form):
    """The like button; `next` is the page to go back to."""

    next = HiddenField()


class ObjectionForm(Form):
    text = TextAreaField(
        _l("Your objection"),
        validators=[DataRequired(_l("Say what you object to, and why.")), Length(max=TEXT_MAX)],
        description=_l(
            "What is not as the notice says, and how you know it. The district investigates "
            "and answers you within 10 working days."
        ),
    )
    # Its label names the account's holder: set by the view.
    is_name_confirmed = BooleanField()


class AnswerForm(Form):
    outcome = RadioField(_l("Outcome"), validators=[InputRequired(_l("Choose an outcome."))])
    answer = TextAreaField(
        _l("Answer"),
        validators=[
            DataRequired(_l("Write the answer the objector will read.")),
            Length(max=TEXT_MAX),
        ],
        description=_l("The objector reads it. Upheld takes the entry off the notice."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.outcome.choices = [(o.value, label) for o, label in OUTCOME_LABELS.items()]


class ObjectionFilterForm(Form):
    """The clerks' list: all objections, or the unanswered, or the answered ones."""

    class Meta:
        csrf = False

    state = SelectField(_l("Show"), validators=[Optional()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.state.choices = [
            ("", _l("All")),
            ("open", _l("Unanswered")),
            ("answered", _l("Answered")),
        ]

    @property
    def is_answered(self) -> bool | None:
        return {"open": False, "answered": True}.get(self.state.data or "")
