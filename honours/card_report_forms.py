"""The period and settlement choices of the card reports, read from the query string (GET
forms, so no CSRF): a year or a range of local days, a month and a partner to settle with."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import DateField, IntegerField, StringField
from wtforms.validators import Length, NumberRange, Optional

from core.errors import ValidationFailed
from core.inputs import Form

MONTH_PATTERN = r"\d{4}-\d{2}"


class ReportForm(Form):
    """A year, or a range whose ends are named `from` and `to` as in the API; the settlement's
    month (YYYY-MM) and partner."""

    class Meta:
        csrf = False

    year = IntegerField(_l("Year"), validators=[Optional(), NumberRange(min=2000, max=2100)])
    start = DateField(_l("From"), name="from", validators=[Optional()])
    end = DateField(_l("To"), name="to", validators=[Optional()])
    month = StringField(
        _l("Month"),
        validators=[Optional(), Length(max=7)],
        render_kw={"placeholder": "2026-05", "pattern": MONTH_PATTERN, "inputmode": "numeric"},
    )
    # Any id: whether the reader may settle with that partner is the service's to say.
    partner_id = IntegerField(_l("Partner"), validators=[Optional()])

    def fields_by_query_name(self) -> dict:
        return {
            "year": self.year,
            "from": self.start,
            "to": self.end,
            "month": self.month,
            "partner_id": self.partner_id,
        }

    def show(self, error: ValidationFailed) -> None:
        """Put a service's refusal beside the fields it names (on top otherwise)."""
        fields = self.fields_by_query_name()
        for name, messages in error.errors.items():
            if name in fields:
                fields[name].errors = [*fields[name].errors, *messages]
            else:
                self.form_errors.extend(messages)
        if not error.errors:
            self.form_errors.append(str(error.message))

    def query(self) -> dict[str, str]:
        """The choices made, by their query names, for links and downloads."""
        return {
            name: str(field.raw_data[0])
            for name, field in self.fields_by_query_name().items()
            if field.raw_data and field.raw_data[0] not in (None, "")
        }
