"""The form of the care reports: a past year's condolence funds from one fund source, as the
office enters it from its books. Amounts are typed in yuan and read as fen; whether the values
hold is the service's to say."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import IntegerField, SelectField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from care.models import FUND_SOURCE_LABELS, FundSource
from care.services import past_totals
from core.inputs import Form
from honours.services.benefits import parse_yuan


class PastTotalForm(Form):
    """A past year's total from one fund source: cash in yuan, how many persons, a note."""

    year = IntegerField(_l("Year"), validators=[InputRequired()])
    fund_source = SelectField(_l("Fund source"), validators=[DataRequired()])
    cash_yuan = StringField(_l("Cash (yuan)"), validators=[InputRequired(), Length(max=20)])
    persons = IntegerField(
        _l("Number of persons"),
        validators=[InputRequired(), NumberRange(min=0, max=past_totals.PERSONS_MAX)],
    )
    note = StringField(_l("Note"), validators=[Optional(), Length(max=past_totals.MAX_NOTE)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fund_source.choices = [
            (source.value, str(label)) for source, label in FUND_SOURCE_LABELS.items()
        ]

    @property
    def source(self) -> FundSource:
        return FundSource(self.fund_source.data)

    def cash_fen(self) -> int:
        """The cash typed, in fen; ValidationFailed (cash_yuan) for what is not an amount."""
        return parse_yuan(self.cash_yuan.data, "cash_yuan", max_fen=past_totals.PAST_TOTAL_MAX_FEN)
