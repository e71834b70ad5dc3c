"""Forms of revocation: the city's decision on the person's page (the honours, the reason, the
document number and a confirmation) and the closing of a recall task."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, RadioField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from core.inputs import Form
from honours.services.revocation import NOTE_MAX, NUMBER_MAX, REASON_MAX


class RevokeForm(Form):
    """The honours to revoke (those of the person not revoked yet), why, the decision's
    number, and a tick that the decider knows what follows."""

    honour_ids = SelectMultipleField(
        _l("Honours to revoke"),
        coerce=int,
        validators=[DataRequired(_l("Choose the honours to revoke."))],
        validate_choice=False,
        option_widget=CheckboxInput(),
        widget=ListWidget(prefix_label=False),
    )
    reason = TextAreaField(
        _l("Reason"),
        validators=[DataRequired(), Length(max=REASON_MAX)],
        description=_l("The clause broken and what was found, as in the decision."),
    )
    decision_number = StringField(
        _l("Decision document number"),
        validators=[Optional(), Length(max=NUMBER_MAX)],
        description=_l("Such as 秦文明〔2026〕12号, if there is one."),
    )
    is_confirmed = BooleanField(
        _l("I confirm: the card stops working at once, the person leaves the roll."),
        validators=[DataRequired(_l("Tick to confirm the revocation."))],
    )

    def __init__(self, *args, honours=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.honour_ids.choices = [
            (h.id, f"{h.honour_type.label} · {h.awarded_on.isoformat()}") for h in honours
        ]


class CloseTaskForm(Form):
    """How a recall task ends: taken back, or not recoverable with a note."""

    outcome = RadioField(_l("Outcome"), validators=[InputRequired(_l("Choose how the task ends."))])
    note = StringField(
        _l("Note"),
        validators=[Optional(), Length(max=NOTE_MAX)],
        description=_l("Why it cannot be taken back (required then)."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.outcome.choices = [
            ("done", str(_l("Card and certificates taken back"))),
            ("not_recoverable", str(_l("Cannot be taken back"))),
        ]

    @property
    def recovered(self) -> bool:
        return self.outcome.data == "done"
