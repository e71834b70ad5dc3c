"""Forms of the flowers pages: planning tasks (several at once, or one again) to a courier
company or a shift for a day, a delivery recorded with the camera's photo or as not made with
the reason, a recommendation of a "Lei Feng near you", and its screening (accepted as a
person of the register, or not with a note). Whether the values hold is the services' to say."""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import (
    DateField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from care.flower_models import FAIL_REASON_LABELS, FailReason
from care.services import flowers, recommendations
from core.forms import optional_int
from core.inputs import Form
from events.models import Shift
from honours.card_models import Partner

NONE = ("", "—")


class PlanForm(Form):
    """To whom and for which day: a courier company from the list, or a shift (chosen from the
    upcoming ones or typed by its number); on the list page, which tasks too."""

    delivery_ids = SelectMultipleField(coerce=int, validate_choice=False)
    deliver_on = DateField(_l("Day"), validators=[InputRequired(_l("Choose the day."))])
    courier_id = SelectField(_l("Courier company"), coerce=optional_int, validate_choice=False)
    shift_id = SelectField(_l("Shift"), coerce=optional_int, validate_choice=False)
    shift_number = IntegerField(
        _l("Or the shift's number"),
        validators=[Optional()],
        description=_l("As the shift's page shows it, for a shift not listed."),
    )

    def __init__(
        self,
        *args,
        couriers: list[Partner] = (),
        shifts: list[Shift] = (),
        day: date | None = None,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        if day is not None and not self.deliver_on.raw_data:
            self.deliver_on.data = day
        self.courier_id.choices = [NONE, *((c.id, c.name) for c in couriers)]
        self.shift_id.choices = [
            NONE,
            *(
                (
                    s.id,
                    f"{s.starts_at:%m-%d %H:%M} · {s.activity.team.name} · {s.activity.title}",
                )
                for s in shifts
            ),
        ]

    @property
    def chosen_shift_id(self) -> int | None:
        return self.shift_number.data or self.shift_id.data


class DeliveredForm(Form):
    """The photo of the flowers handed over, taken with the phone's camera."""

    photo = FileField(
        _l("Photo of the flowers handed over"),
        description=_l("Taken now; its location is not kept."),
    )

    def photo_file(self):
        data = self.photo.data
        return (data.stream, data.filename) if data and data.filename else (None, None)


class FailedForm(Form):
    """Why the flowers could not be handed over."""

    reason = RadioField(_l("Why"), validators=[InputRequired(_l("Choose why."))])
    note = StringField(
        _l("Note"),
        validators=[Optional(), Length(max=flowers.MAX_NOTE)],
        description=_l("What happened (required for other)."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.reason.choices = [
            (reason.value, str(label)) for reason, label in FAIL_REASON_LABELS.items()
        ]

    @property
    def fail_reason(self) -> FailReason:
        return FailReason(self.reason.data)


class RecommendForm(Form):
    """Who, in which community or village, and what they do for others."""

    name = StringField(_l("Their name"), validators=[DataRequired(), Length(max=64)])
    region_id = SelectField(
        _l("Their community or village"),
        coerce=optional_int,
        validators=[DataRequired(_l("Choose the community or village they live in."))],
    )
    deeds = TextAreaField(
        _l("What they do for others"),
        validators=[
            DataRequired(),
            Length(min=recommendations.MIN_DEEDS, max=recommendations.MAX_DEEDS),
        ],
        description=_l("What you have seen them do, in your own words."),
    )

    def __init__(self, *args, regions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.region_id.choices = [NONE, *regions]


class AcceptForm(Form):
    """The person of the register the recommendation means (found by name, or by number)."""

    person_id = IntegerField(
        _l("Person's number in the register"),
        validators=[InputRequired(_l("Choose the person in the register."))],
    )
    note = StringField(_l("Note"), validators=[Optional(), Length(max=500)])


class DeclineForm(Form):
    """Why a recommendation is not accepted."""

    note = StringField(_l("Why not"), validators=[DataRequired(), Length(max=500)])
