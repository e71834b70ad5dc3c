"""Forms of the event pages: browsing filters, sign-up, check-in, the leader's planning and
attendance forms, and the office's campaign form."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    FloatField,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import (
    AnyOf,
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)
from wtforms.widgets import CheckboxInput, HiddenInput, ListWidget

from core.districts import list_districts
from core.inputs import Form
from events.models import Season
from events.services import (
    MAX_CAPACITY,
    BonusDaySpec,
    Place,
    SeriesSpec,
    ShiftFilter,
    local_moment,
)
from volunteer.models import ServiceCategory

TIME_FORMATS = ["%H:%M", "%H:%M:%S"]
LOCAL_DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"]


def _optional_int(value):
    try:
        return int(value) if value not in (None, "", "None") else None
    except (TypeError, ValueError):
        return None


def _category_choices() -> list[tuple[str, str]]:
    return [(c.value, c.label) for c in ServiceCategory]


def _season_choices() -> list[tuple[str, str]]:
    return [(s.value, s.label) for s in Season]


def _capacity_field(label=None):
    return IntegerField(
        label or _l("Places"),
        validators=[InputRequired(), NumberRange(min=1, max=MAX_CAPACITY)],
        default=10,
    )


def _time_field(label, default=None):
    return TimeField(label, format=TIME_FORMATS, validators=[InputRequired()], default=default)


def _local_datetime_field(label):
    return DateTimeLocalField(label, format=LOCAL_DATETIME_FORMATS, validators=[InputRequired()])


def as_utc(local: datetime) -> datetime:
    """A wall-clock datetime typed in a datetime-local input, as aware UTC."""
    return local_moment(local.date(), local.time())


def window_of(day: date, start, end) -> tuple[datetime, datetime]:
    """A shift's start and end from a local day and times; an end before the start is on the
    next day (equal times are left equal, so the service refuses them)."""
    end_day = day if end >= start else day + timedelta(days=1)
    return local_moment(day, start), local_moment(end_day, end)


class ActionForm(Form):
    """A button with nothing but the CSRF token (and where to go back to)."""

    next = HiddenField()


# Browsing ---------------------------------------------------------------------------------


class ShiftFilterForm(Form):
    """The filters of the shift list, read from the query string (a GET form, so no CSRF)."""

    class Meta:
        csrf = False

    season = SelectField(_l("Season"), validators=[Optional()])
    district_id = SelectField(_l("District"), coerce=_optional_int, validators=[Optional()])
    category = SelectField(_l("Category"), validators=[Optional()])
    day = DateField(_l("Day"), validators=[Optional()])
    campaign_id = IntegerField(widget=HiddenInput(), validators=[Optional()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.season.choices = [("", str(_l("All seasons"))), *_season_choices()]
        self.district_id.choices = [("", str(_l("All districts")))] + [
            (d.id, d.label) for d in list_districts()
        ]
        self.category.choices = [("", str(_l("All categories"))), *_category_choices()]

    def filters(self) -> ShiftFilter:
        """The valid filters: an unknown choice is dropped, a malformed day stays as an error
        beside its field and does not filter."""
        self.validate()
        for field in (self.season, self.district_id, self.category, self.campaign_id):
            if field.errors:
                field.data = None
                field.errors = []
        day = None if self.day.errors else self.day.data
        return ShiftFilter(
            season=Season(self.season.data) if self.season.data else None,
            campaign_id=self.campaign_id.data or None,
            district_id=self.district_id.data or None,
            day=day,
            category=ServiceCategory(self.category.data) if self.category.data else None,
        )


# Volunteers -------------------------------------------------------------------------------


class SignUpForm(ActionForm):
    join_waiting_list = BooleanField(_l("Join the waiting list if the shift is full"))


class CheckInForm(Form):
    # Filled by static/js/checkin.js from the phone's position when the place has a geofence.
    latitude = FloatField(widget=HiddenInput(), validators=[Optional(), NumberRange(-90, 90)])
    longitude = FloatField(widget=HiddenInput(), validators=[Optional(), NumberRange(-180, 180)])


class CorrectionRequestForm(Form):
    checked_in_at = _local_datetime_field(_l("I arrived at"))
    checked_out_at = _local_datetime_field(_l("I left at"))
    message = TextAreaField(
        _l("What happened"),
        validators=[DataRequired(), Length(max=1000)],
        render_kw={"rows": 3},
        description=_l("For example: my phone battery was empty, so I could not scan the code."),
    )


# Leaders: activities and shifts -----------------------------------------------------------


class ActivityForm(Form):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=120)])
    category = SelectField(_l("Category"), validators=[DataRequired()])
    address = StringField(_l("Address"), validators=[DataRequired(), Length(max=200)])
    latitude = FloatField(
        _l("Latitude"),
        validators=[Optional(), NumberRange(-90, 90)],
        render_kw={"inputmode": "decimal"},
        description=_l("Optional: with longitude and a radius, check-in works only on site."),
    )
    longitude = FloatField(
        _l("Longitude"),
        validators=[Optional(), NumberRange(-180, 180)],
        render_kw={"inputmode": "decimal"},
    )
    checkin_radius_m = IntegerField(
        _l("Check-in radius (metres)"), validators=[Optional(), NumberRange(min=1)]
    )
    description = TextAreaField(
        _l("Description"), validators=[Optional(), Length(max=5000)], render_kw={"rows": 4}
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.category.choices = _category_choices()

    @classmethod
    def of(cls, activity) -> ActivityForm:
        return cls(
            data={
                "title": activity.title,
                "category": activity.category.value,
                "address": activity.address,
                "latitude": activity.latitude,
                "longitude": activity.longitude,
                "checkin_radius_m": activity.checkin_radius_m,
                "description": activity.description,
            }
        )

    def values(self) -> dict:
        """The keyword arguments of services.create_activity / update_activity."""
        return {
            "title": self.title.data,
            "category": ServiceCategory(self.category.data),
            "place": Place(
                self.address.data,
                self.latitude.data,
                self.longitude.data,
                self.checkin_radius_m.data,
            ),
            "description": self.description.data or "",
        }


class NewActivityForm(ActivityForm):
    campaign_id = SelectField(_l("Campaign"), coerce=_optional_int, validators=[DataRequired()])

    def __init__(self, campaigns, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.campaign_id.choices = [(c.id, c.name) for c in campaigns]


class ShiftForm(Form):
    day = DateField(_l("Day"), validators=[InputRequired()])
    start_time = _time_field(_l("Starts"), time(9, 0))
    end_time = _time_field(_l("Ends"), time(12, 0))
    capacity = _capacity_field()
    allows_walk_ins = BooleanField(_l("Walk-ins welcome (scan without signing up)"))

    def window(self) -> tuple[datetime, datetime]:
        return window_of(self.day.data, self.start_time.data, self.end_time.data)


WEEKDAYS = [
    (0, _l("Mon")),
    (1, _l("Tue")),
    (2, _l("Wed")),
    (3, _l("Thu")),
    (4, _l("Fri")),
    (5, _l("Sat")),
    (6, _l("Sun")),
]


class SeriesForm(Form):
    first_day = DateField(_l("First day"), validators=[InputRequired()])
    last_day = DateField(_l("Last day"), validators=[InputRequired()])
    weekdays = SelectMultipleField(
        _l("On"),
        coerce=int,
        option_widget=CheckboxInput(),
        widget=ListWidget(prefix_label=False),
        validators=[DataRequired(message=_l("Choose at least one weekday."))],
    )
    start_time = _time_field(_l("Starts"), time(9, 0))
    end_time = _time_field(_l("Ends"), time(12, 0))
    capacity = _capacity_field()
    allows_walk_ins = BooleanField(_l("Walk-ins welcome (scan without signing up)"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.weekdays.choices = [(value, str(label)) for value, label in WEEKDAYS]

    def spec(self) -> SeriesSpec:
        return SeriesSpec(
            first_day=self.first_day.data,
            last_day=self.last_day.data,
            weekdays=frozenset(self.weekdays.data),
            start_time=self.start_time.data,
            end_time=self.end_time.data,
            capacity=self.capacity.data,
            allows_walk_ins=self.allows_walk_ins.data,
        )


class ShiftEditForm(ActionForm):
    start_time = _time_field(_l("Starts"))
    end_time = _time_field(_l("Ends"))
    capacity = _capacity_field()
    allows_walk_ins = BooleanField(_l("Walk-ins welcome"))
    rest_of_series = BooleanField(_l("Also the later shifts of this series"))


class CancelShiftForm(ActionForm):
    # Required by the service (its message shows); the form only bounds the length.
    reason = TextAreaField(
        _l("Reason"), validators=[Optional(), Length(max=500)], render_kw={"rows": 2}
    )
    rest_of_series = BooleanField(_l("Also the later shifts of this series"))


class CancelActivityForm(ActionForm):
    reason = TextAreaField(
        _l("Reason for cancelling"),
        validators=[Optional(), Length(max=500)],
        render_kw={"rows": 2},
        description=_l("Everyone signed up is told."),
    )


# Leaders: on site and attendance ----------------------------------------------------------


class PhoneCheckInForm(Form):
    phone = StringField(
        _l("Volunteer's mobile number"),
        validators=[DataRequired(), Length(max=20)],
        render_kw={"inputmode": "tel", "autocomplete": "off"},
    )


class ConfirmForm(ActionForm):
    check_in_id = IntegerField(widget=HiddenInput(), validators=[Optional()])


class CorrectTimesForm(ActionForm):
    checked_in_at = _local_datetime_field(_l("Checked in"))
    checked_out_at = _local_datetime_field(_l("Checked out"))
    reason = StringField(_l("Reason"), validators=[Optional(), Length(max=500)])


class DecideCorrectionForm(ActionForm):
    """Accept or refuse (the pressed button sends `decision`), with a reply."""

    decision = StringField(validators=[AnyOf(["accept", "refuse"])])
    reply = StringField(_l("Reply"), validators=[Optional(), Length(max=500)])

    @property
    def accept(self) -> bool:
        return self.decision.data == "accept"


# Office: campaigns ------------------------------------------------------------------------

# A date, then optionally a multiplier (×2, x2 or *2), then the label.
BONUS_LINE = re.compile(
    r"^(?P<day>\d{4}-\d{2}-\d{2})\s*"
    r"(?:(?P<times>[×*]|[xX](?=\s*\d))\s*(?P<factor>\d*))?\s*(?P<label>.*)$"
)


def parse_bonus_days(text: str) -> tuple[list[BonusDaySpec], list[str]]:
    """Read "YYYY-MM-DD ×N label" lines (×N defaults to ×2, the label may be empty); return the
    days and one message per bad line."""
    days, problems = [], []
    for number, raw in enumerate((text or "").splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        match = BONUS_LINE.match(line)
        try:
            day = date.fromisoformat(match["day"]) if match else None
        except ValueError:
            day = None
        if day is None:
            problems.append(
                str(
                    _l(
                        "Line %(n)d: “%(text)s” does not start with a valid date (YYYY-MM-DD).",
                        n=number,
                        text=line[:40],
                    )
                )
            )
        elif match["times"] and not match["factor"]:
            problems.append(str(_l("Line %(n)d: write the multiplier as ×2, ×3 …", n=number)))
        elif len(match["label"].strip()) > 80:
            problems.append(
                str(_l("Line %(n)d: the label is longer than 80 characters.", n=number))
            )
        else:
            factor = int(match["factor"]) if match["factor"] else 2
            days.append(BonusDaySpec(day, factor, match["label"].strip()))
    return days, problems


def format_bonus_days(bonus_days) -> str:
    return "\n".join(f"{b.day.isoformat()} ×{b.multiplier} {b.label}".rstrip() for b in bonus_days)


class CampaignForm(Form):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    starts_on = DateField(_l("First day"), validators=[InputRequired()])
    ends_on = DateField(_l("Last day"), validators=[InputRequired()])
    description = TextAreaField(
        _l("Description"), validators=[Optional(), Length(max=5000)], render_kw={"rows": 3}
    )
    points_per_hour = IntegerField(
        _l("Points per full hour"), validators=[InputRequired(), NumberRange(0, 1000)], default=10
    )
    max_points_per_shift = IntegerField(
        _l("Most points per shift"),
        validators=[InputRequired(), NumberRange(0, 10000)],
        default=80,
    )
    bonus_days = TextAreaField(
        _l("Bonus days"),
        render_kw={"rows": 3, "placeholder": "2026-03-05 ×2 学雷锋纪念日"},
        description=_l("One a line: YYYY-MM-DD ×N label, such as 2026-03-05 ×2 Lei Feng day."),
    )

    def validate_bonus_days(self, field):
        self.bonus_day_specs, problems = parse_bonus_days(field.data)
        if problems:
            field.errors = [*field.errors, *problems[:-1]]
            raise ValidationError(problems[-1])

    @classmethod
    def of(cls, campaign) -> CampaignForm:
        return cls(
            data={
                "name": campaign.name,
                "starts_on": campaign.starts_on,
                "ends_on": campaign.ends_on,
                "description": campaign.description,
                "points_per_hour": campaign.points_per_hour,
                "max_points_per_shift": campaign.max_points_per_shift,
                "bonus_days": format_bonus_days(campaign.bonus_days),
            }
        )

    def values(self) -> dict:
        """The keyword arguments shared by services.create_campaign and update_campaign."""
        return {
            "name": self.name.data,
            "starts_on": self.starts_on.data,
            "ends_on": self.ends_on.data,
            "description": self.description.data or "",
            "points_per_hour": self.points_per_hour.data,
            "max_points_per_shift": self.max_points_per_shift.data,
            "bonus_days": self.bonus_day_specs,
        }


class NewCampaignForm(CampaignForm):
    season = SelectField(_l("Season"), validators=[DataRequired()])
    year = IntegerField(_l("Year"), validators=[InputRequired(), NumberRange(2000, 2100)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.season.choices = _season_choices()

    def values(self) -> dict:
        return {**super().values(), "season": Season(self.season.data), "year": self.year.data}


class CreateYearForm(Form):
    year = IntegerField(_l("Year"), validators=[InputRequired(), NumberRange(2000, 2100)])
