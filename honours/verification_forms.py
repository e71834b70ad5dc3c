"""Forms of card verification on a partner's phone: the check (a typed number, or the code a
scan filled in), a use of a benefit, an ID card that did not match."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, IntegerField, StringField
from wtforms.validators import DataRequired, Length, Optional

from core.inputs import Form


class CheckForm(Form):
    number = StringField(
        _l("Card number"),
        validators=[Optional(), Length(max=40)],
        render_kw={
            "inputmode": "numeric",
            "autocomplete": "off",
            "maxlength": 14,
            "placeholder": "1234 5678 90",
            "autofocus": True,
        },
    )
    # Filled in by the scanner (static/js/scan.js) with what the QR code carries.
    code = HiddenField(validators=[Optional(), Length(max=200)])
    partner_id = HiddenField(validators=[Optional()])

    def validate(self, extra_validators=None) -> bool:
        if not super().validate(extra_validators):
            return False
        if not (self.number.data or "").strip() and not (self.code.data or "").strip():
            self.number.errors.append(_l("Scan the card's QR code or type its number."))
            return False
        return True


class UseForm(Form):
    check_id = IntegerField(validators=[DataRequired()])
    card_id = IntegerField(validators=[DataRequired()])
    benefit_id = IntegerField(validators=[DataRequired()])
    partner_id = IntegerField(validators=[Optional()])


class MismatchForm(Form):
    card_id = IntegerField(validators=[DataRequired()])
    partner_id = IntegerField(validators=[Optional()])
