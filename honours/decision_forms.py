"""The form of the committee's decision on a round."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import DateField, StringField
from wtforms.validators import DataRequired, Length

from core.inputs import Form
from honours.services.decision import DOCUMENT_NUMBER_MAX


class DecisionForm(Form):
    """The decision as the city office enters it from the committee's document."""

    document_number = StringField(
        _l("Document number"),
        validators=[
            DataRequired(_l("Give the decision's document number.")),
            Length(max=DOCUMENT_NUMBER_MAX),
        ],
        description=_l("For example: 秦文明委〔2026〕12号"),
    )
    decided_on = DateField(
        _l("Decided on"), validators=[DataRequired(_l("Give the date of the decision."))]
    )

    def values(self) -> dict:
        return {"document_number": self.document_number.data, "decided_on": self.decided_on.data}
