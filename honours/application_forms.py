"""Forms of the benefits by application: applying (a benefit with its department, and what is
asked; a clerk also names the person), an opinion of the district or the city, the
department's acknowledgement and closing, and the clerks' filters (a GET form)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import IntegerField, SelectField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from core.districts import list_districts
from core.forms import optional_int
from core.inputs import Form
from honours.application_models import (
    APPLICATION_RESULT_LABELS,
    APPLICATION_STATUS_LABELS,
    ApplicationResult,
    ApplicationStatus,
)
from honours.services.applications import (
    ASKED_MAX,
    OPINION_MAX,
    OUTCOME_MAX,
    ApplicationDetails,
    ApplicationFilter,
    Offer,
)


class ApplyForm(Form):
    """A benefit given by application with the department to handle it (offered together),
    and what is asked."""

    offer = SelectField(_l("Benefit and department"), validators=[DataRequired()])
    asked = TextAreaField(
        _l("What is asked"),
        validators=[DataRequired(), Length(max=ASKED_MAX)],
        description=_l("For schooling, the child's school stage; no ID numbers."),
    )

    def offering(self, offers: list[Offer]) -> ApplyForm:
        self.offer.choices = [
            (offer.key, f"{offer.benefit.name} · {offer.department.name}") for offer in offers
        ]
        return self

    def details(self) -> ApplicationDetails:
        benefit_id, department_id = (int(part) for part in self.offer.data.split(":"))
        return ApplicationDetails(benefit_id, department_id, self.asked.data or "")


class ApplyForForm(ApplyForm):
    """A clerk applies on a person's behalf: the person's number in the register."""

    person_id = IntegerField(
        _l("Person No."), validators=[DataRequired(), NumberRange(min=1, max=2**31 - 1)]
    )


class OpinionForm(Form):
    opinion = TextAreaField(_l("Opinion"), validators=[DataRequired(), Length(max=OPINION_MAX)])


class AcknowledgeForm(Form):
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=OPINION_MAX)])


class CloseForm(Form):
    result = SelectField(_l("Result"), validators=[DataRequired()])
    outcome = TextAreaField(
        _l("What was done"), validators=[DataRequired(), Length(max=OUTCOME_MAX)]
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.result.choices = [(r.value, label) for r, label in APPLICATION_RESULT_LABELS.items()]

    def chosen_result(self) -> ApplicationResult:
        return ApplicationResult(self.result.data)


class ApplicationFilterForm(Form):
    """The clerks' filters, read from the query string; a value not among the choices stays
    as an error beside its field and the list is shown unfiltered."""

    class Meta:
        csrf = False

    status = SelectField(_l("Status"), validators=[Optional()])
    benefit_id = SelectField(_l("Benefit"), coerce=optional_int, validators=[Optional()])
    district_id = SelectField(_l("District"), coerce=optional_int, validators=[Optional()])

    def __init__(self, *args, benefits=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.status.choices = [
            ("", str(_l("Every status"))),
            *((status.value, label) for status, label in APPLICATION_STATUS_LABELS.items()),
        ]
        self.benefit_id.choices = [
            ("", str(_l("Every benefit"))),
            *((benefit.id, benefit.name) for benefit in benefits),
        ]
        self.district_id.choices = [
            ("", str(_l("All districts"))),
            *((d.id, d.label) for d in list_districts()),
        ]

    def filters(self) -> ApplicationFilter:
        if not self.validate():
            return ApplicationFilter()
        return ApplicationFilter(
            status=ApplicationStatus(self.status.data) if self.status.data else None,
            benefit_id=self.benefit_id.data,
            district_id=self.district_id.data,
        )

    def chosen(self) -> dict[str, str]:
        return {
            name: str(field.data)
            for name, field in self._fields.items()
            if field.data not in (None, "")
        }
