"""Forms of the register's pages: the filters (GET forms), a person, an honour, consent,
merging, and the reason every correction gives."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from core.forms import optional_int
from core.inputs import Form
from honours.models import (
    CATEGORY_LABELS,
    GENDER_LABELS,
    LEVEL_LABELS,
    ROUND_KIND_LABELS,
    STATUS_LABELS,
    HonourSource,
    RoundKind,
)

ALL = ("", _l("All"))
NONE = ("", "—")


def _enum_choices(labels: dict, blank=NONE) -> list:
    return [blank, *((member.value, label) for member, label in labels.items())]


class RegisterFilterForm(Form):
    """The register's filters, read from the query string."""

    class Meta:
        csrf = False

    level = SelectField(_l("Level"), validators=[Optional()])
    honour_type_id = SelectField(_l("Honour"), coerce=optional_int, validators=[Optional()])
    category = SelectField(_l("Category"), validators=[Optional()])
    district_id = SelectField(_l("District"), coerce=optional_int, validators=[Optional()])
    year = IntegerField(_l("Year"), validators=[Optional(), NumberRange(min=1949, max=2100)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Set here: WTForms warns of choices given as tuples where the field is declared.
        self.level.choices = _enum_choices(LEVEL_LABELS, ALL)
        self.category.choices = _enum_choices(CATEGORY_LABELS, ALL)


class PersonSearchForm(Form):
    """Finding persons by name, read from the query string."""

    class Meta:
        csrf = False

    q = StringField(_l("Name"), validators=[Optional(), Length(max=64)])
    district_id = SelectField(_l("District"), coerce=optional_int, validators=[Optional()])


REASON = TextAreaField(
    _l("Reason for the correction"),
    validators=[DataRequired(_l("Say why it is corrected.")), Length(max=500)],
    description=_l("Kept in the history with the values before and after."),
)


class PersonForm(Form):
    """A person as a clerk enters them."""

    name = StringField(
        _l("Name"), validators=[DataRequired(_l("Enter the person's name.")), Length(max=64)]
    )
    id_number = StringField(
        _l("ID number"),
        validators=[Optional(), Length(max=20)],
        description=_l("18 characters; the birth date and gender are read from it."),
        render_kw={"autocomplete": "off", "autocapitalize": "characters"},
    )
    gender = SelectField(_l("Gender"), validators=[Optional()])
    birth_date = DateField(_l("Birth date"), validators=[Optional()])
    phone = StringField(
        _l("Phone"), validators=[Optional(), Length(max=20)], render_kw={"inputmode": "tel"}
    )
    region_id = SelectField(
        _l("Region"),
        coerce=optional_int,
        validators=[DataRequired(_l("Choose the district, street or community."))],
    )
    address = StringField(
        _l("Address"),
        validators=[Optional(), Length(max=200)],
        description=_l("Building and house number; shown whole only to the district and the city."),
    )
    life_status = SelectField(_l("Status"), validators=[Optional()])
    died_on = DateField(_l("Date of death"), validators=[Optional()])
    guardian_name = StringField(
        _l("Guardian's name"),
        validators=[Optional(), Length(max=64)],
        description=_l("Required for a minor."),
    )
    guardian_relation = StringField(
        _l("Guardian's relation"), validators=[Optional(), Length(max=32)]
    )
    guardian_phone = StringField(
        _l("Guardian's phone"),
        validators=[Optional(), Length(max=20)],
        render_kw={"inputmode": "tel"},
    )
    hardship_notes = TextAreaField(
        _l("Hardship notes"),
        validators=[Optional(), Length(max=5000)],
        description=_l("Seen by the district and the city only."),
    )
    story = TextAreaField(_l("Story"), validators=[Optional(), Length(max=10000)])
    volunteer_phone = StringField(
        _l("Volunteer account's number"),
        validators=[Optional(), Length(max=11)],
        description=_l("If the person is a volunteer here: links their account."),
        render_kw={"inputmode": "tel"},
    )
    photo = FileField(_l("Photo"), description=_l("An image; its location data is removed."))
    is_distinct_confirmed = BooleanField(
        _l("I checked: a record of the same name, birth date and region is someone else")
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.gender.choices = _enum_choices(GENDER_LABELS)
        self.life_status.choices = _enum_choices(STATUS_LABELS)[1:]

    def values(self) -> dict:
        """The person's fields as the services take them."""
        values = {
            name: self[name].data or None
            for name in (
                "name",
                "id_number",
                "birth_date",
                "phone",
                "region_id",
                "address",
                "died_on",
                "guardian_name",
                "guardian_relation",
                "guardian_phone",
                "hardship_notes",
                "story",
                "volunteer_phone",
            )
            # A clerk who sees the sensitive fields masked has them taken off the form.
            if name in self._fields
        }
        values["gender"] = _member(GENDER_LABELS, self.gender.data)
        values["status"] = _member(STATUS_LABELS, self.life_status.data)
        return values


def _member(labels: dict, value):
    return next((member for member in labels if member.value == value), None)


class PersonCorrectionForm(PersonForm):
    """A person corrected: every field shown as it is, and a reason."""

    reason = REASON


class MergeForm(Form):
    """Folding a duplicate record into this one."""

    duplicate_id = IntegerField(
        _l("Number of the duplicate record"),
        validators=[
            DataRequired(_l("Give the number of the duplicate record.")),
            NumberRange(min=1),
        ],
        description=_l("Its honours move to this record; it then points here."),
    )
    reason = TextAreaField(
        _l("Reason"),
        validators=[DataRequired(_l("Say why they are the same person.")), Length(max=500)],
    )


class ConsentForm(Form):
    """Recording consent to publication, or its withdrawal (a button each)."""

    is_given = BooleanField()


class HonourForm(Form):
    """An honour as a clerk records it."""

    team_id = SelectField(_l("Team"), coerce=optional_int, validators=[Optional()])
    honour_type_id = SelectField(
        _l("Honour"),
        coerce=optional_int,
        validators=[DataRequired(_l("Choose an honour type from the list."))],
    )
    category = SelectField(_l("Category"), validators=[Optional()])
    awarded_on = DateField(
        _l("Awarded on"), validators=[DataRequired(_l("Give the date it was awarded."))]
    )
    certificate_number = StringField(
        _l("Certificate number"), validators=[Optional(), Length(max=40)]
    )
    decision_number = StringField(
        _l("Decision document number"), validators=[Optional(), Length(max=60)]
    )
    source = SelectField(_l("Source"), default=HonourSource.archive.value)
    source_name = StringField(
        _l("Listing or document"),
        validators=[Optional(), Length(max=120)],
        description=_l("For example: 中国好人榜 2024年第三季度"),
    )
    source_url = StringField(
        _l("Link"),
        validators=[Optional(), Length(max=300)],
        description=_l("Required for an external listing."),
        render_kw={"inputmode": "url"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.category.choices = _enum_choices(CATEGORY_LABELS)
        if "source" in self._fields:
            # A round's honours are made by its decision (next issue), not entered here.
            self.source.choices = [
                (source.value, source.label)
                for source in (HonourSource.archive, HonourSource.external)
            ]

    def values(self) -> dict:
        """The honour's fields as the services take them."""
        values = {
            name: self[name].data or None
            for name in (
                "honour_type_id",
                "awarded_on",
                "certificate_number",
                "decision_number",
                "source_name",
                "source_url",
            )
        }
        values["category"] = _member(CATEGORY_LABELS, self.category.data)
        if "source" in self._fields:
            values["source"] = HonourSource(self.source.data)
        return values


class HonourCorrectionForm(HonourForm):
    """An honour corrected: its holder and source stay."""

    team_id = None
    source = None
    reason = REASON


class RoundForm(Form):
    """A round as the city office prepares it."""

    name = StringField(
        _l("Name of the round"),
        validators=[DataRequired(_l("Give the round a name.")), Length(max=120)],
        description=_l("For example: 2026年12月“秦皇岛好人”月评"),
    )
    kind = SelectField(_l("Kind"), default=RoundKind.monthly.value)
    honour_type_id = SelectField(
        _l("Honour"),
        coerce=optional_int,
        validators=[DataRequired(_l("Choose an honour type from the list."))],
    )
    opens_on = DateField(
        _l("Nominations open on"), validators=[DataRequired(_l("Give the date nominations open."))]
    )
    closes_on = DateField(
        _l("Nominations close on"),
        validators=[DataRequired(_l("Give the date nominations close."))],
    )
    level_days = IntegerField(
        _l("Working days per review level"),
        default=5,
        validators=[DataRequired(), NumberRange(min=1, max=30)],
    )
    notice_days = IntegerField(
        _l("Days of public notice"),
        default=7,
        validators=[DataRequired(), NumberRange(min=1, max=30)],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = [(kind.value, label) for kind, label in ROUND_KIND_LABELS.items()]

    def values(self) -> dict:
        """The round's fields as the services take them."""
        return {
            name: self[name].data
            for name in (
                "name",
                "kind",
                "honour_type_id",
                "opens_on",
                "closes_on",
                "level_days",
                "notice_days",
            )
        }


def quotas_form(districts, round_) -> Form:
    """One number per district (`quota-<district id>`), filled with the round's quotas; a
    district left empty has no quota."""
    held = {quota.district_id: quota.quota for quota in round_.quotas}

    class QuotasForm(Form):
        def values(self) -> dict[int, int]:
            """The quotas as the services take them: district id → quota, empty left out."""
            return {
                district.id: self[f"quota-{district.id}"].data
                for district in districts
                if self[f"quota-{district.id}"].data is not None
            }

    for district in districts:
        setattr(
            QuotasForm,
            f"quota-{district.id}",
            IntegerField(
                district.label,
                default=held.get(district.id),
                validators=[Optional(), NumberRange(min=0, max=1000)],
                render_kw={"inputmode": "numeric", "min": 0},
            ),
        )
    return QuotasForm()
