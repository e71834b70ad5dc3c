"""Forms of the card pages: the list's filters (a GET form), the validity date of an issue
(one person or everyone due), the renewal of a year's cards, a lost card's note, and the
print run's choice of cards."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import DateField, IntegerField, SelectField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from core.districts import list_districts
from core.forms import optional_int
from core.inputs import Form
from honours.card_models import CARD_STATUS_LABELS, CardStatus
from honours.services.cards import NOTE_MAX, CardFilter


class CardFilterForm(Form):
    """The list's filters, read from the query string; a value not among the choices stays as
    an error beside its field and the list is shown unfiltered."""

    class Meta:
        csrf = False

    status = SelectField(_l("Status"), validators=[Optional()])
    district_id = SelectField(_l("District"), coerce=optional_int, validators=[Optional()])
    q = StringField(_l("Name or card number"), validators=[Optional(), Length(max=64)])
    valid_year = IntegerField(
        _l("Valid until (year)"), validators=[Optional(), NumberRange(min=2000, max=2100)]
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.status.choices = [
            ("", str(_l("Every status"))),
            *((status.value, label) for status, label in CARD_STATUS_LABELS.items()),
        ]
        self.district_id.choices = [
            ("", str(_l("All districts"))),
            *((d.id, d.label) for d in list_districts()),
        ]

    def filters(self) -> CardFilter:
        if not self.validate():
            return CardFilter()
        return CardFilter(
            status=CardStatus(self.status.data) if self.status.data else None,
            district_id=self.district_id.data,
            q=(self.q.data or "").strip() or None,
            valid_year=self.valid_year.data,
        )

    def chosen(self) -> dict[str, str]:
        return {
            name: str(field.data)
            for name, field in self._fields.items()
            if field.data not in (None, "")
        }


class IssueForm(Form):
    """The validity date of the cards issued (the end of next year when left empty)."""

    valid_until = DateField(_l("Valid until"), validators=[Optional()])


class RenewForm(Form):
    """The city renews the cards valid until a day of one year."""

    year = IntegerField(
        _l("Cards valid until the year"),
        validators=[DataRequired(), NumberRange(min=2000, max=2100)],
    )
    valid_until = DateField(_l("New validity date"), validators=[DataRequired()])


class LostForm(Form):
    note = StringField(
        _l("Where and when it was lost"), validators=[Optional(), Length(max=NOTE_MAX)]
    )


class PrintForm(Form):
    """The cards to print: those ticked, or every card to print when none is."""

    card_ids = SelectMultipleField(_l("Cards"), coerce=int, validate_choice=False)
