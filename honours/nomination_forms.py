"""Forms of the nomination pages: the clerk's filters, a nomination by each channel (a
community's or sector's draft, a media case, a clerk's lead, the public form), a draft's
changes, the match to the register, a file, and the reason a merge or withdrawal may give.
The services check the rules; these check the shapes."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, MultipleFileField
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional

from core.forms import optional_int
from core.inputs import Form
from honours.models import CATEGORY_LABELS, GENDER_LABELS
from honours.nomination_models import (
    CHANNEL_LABELS,
    DISCOVERY_LABELS,
    LEAD_SOURCE_LABELS,
    STAGE_LABELS,
    LeadSource,
)
from honours.services.nomination_files import ATTACHMENT_LABELS, Attachment, Incoming

NONE = ("", "—")
PHONE = {"inputmode": "tel", "autocomplete": "off"}


def _choices(labels: dict, blank=NONE) -> list:
    return [blank, *((member.value, label) for member, label in labels.items())]


def _text(value):
    return value.strip() if isinstance(value, str) and value.strip() else None


class NominationFilterForm(Form):
    """The clerk's list's filters, read from the query string."""

    class Meta:
        csrf = False

    round_id = SelectField(_l("Round"), coerce=optional_int, validators=[Optional()])
    stage = SelectField(_l("Stage"), validators=[Optional()])
    channel = SelectField(_l("Channel"), validators=[Optional()])
    is_flagged = BooleanField(_l("Only the flagged"))

    def __init__(self, *args, rounds=(), **kwargs):
        super().__init__(*args, **kwargs)
        everything = ("", _l("All"))
        self.round_id.choices = [everything, *((r.id, r.name) for r in rounds)]
        self.stage.choices = _choices(STAGE_LABELS, everything)
        self.channel.choices = _choices(CHANNEL_LABELS, everything)


class NomineeForm(Form):
    """The nominee and the deeds, as every channel gives them."""

    nominee_name = StringField(
        _l("Nominee's name"),
        validators=[DataRequired(_l("Enter the nominee's name.")), Length(max=64)],
    )
    nominee_gender = SelectField(_l("Gender"), validators=[Optional()])
    nominee_birth_date = DateField(_l("Birth date"), validators=[Optional()])
    nominee_id_number = StringField(
        _l("ID number"),
        validators=[Optional(), Length(max=20)],
        description=_l("18 characters; the birth date and gender are read from it."),
        render_kw={"autocomplete": "off", "autocapitalize": "characters"},
    )
    nominee_phone = StringField(
        _l("Nominee's phone"), validators=[Optional(), Length(max=20)], render_kw=PHONE
    )
    nominee_is_deceased = BooleanField(_l("Posthumous: the nominee has died"))
    region_id = SelectField(
        _l("Nominee's community or place"),
        coerce=optional_int,
        validators=[DataRequired(_l("Choose the nominee's community or village."))],
    )
    category = SelectField(
        _l("Category"), validators=[DataRequired(_l("Choose the category of the deeds."))]
    )
    summary = TextAreaField(
        _l("Summary"),
        validators=[DataRequired(_l("Sum the deeds up in one sentence.")), Length(max=300)],
        description=_l("One sentence, at most 140 characters."),
        render_kw={"rows": 2, "maxlength": 140},
    )
    deeds = TextAreaField(
        _l("Deeds"),
        validators=[DataRequired(_l("Tell the deeds.")), Length(max=3000)],
        description=_l("What they did, where and when, in 800 to 1,500 characters."),
        render_kw={"rows": 12, "maxlength": 1500},
    )
    unit_name = StringField(
        _l("Recommending unit"),
        validators=[Optional(), Length(max=120)],
        description=_l("Whose sealed form goes with it, if any."),
    )

    FIELDS = (
        "nominee_name",
        "nominee_gender",
        "nominee_birth_date",
        "nominee_id_number",
        "nominee_phone",
        "nominee_is_deceased",
        "region_id",
        "category",
        "summary",
        "deeds",
        "unit_name",
    )

    def __init__(self, *args, regions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.nominee_gender.choices = _choices(GENDER_LABELS)
        self.category.choices = _choices(CATEGORY_LABELS)
        self.region_id.choices = [NONE, *regions]

    def values(self) -> dict:
        """The fields as the services take them (blank ones as None)."""
        found = {}
        for name in self.FIELDS:
            if name in self._fields:
                data = self[name].data
                found[name] = _text(data) if isinstance(data, str) else data
        return found


class RoundChoice(Form):
    round_id = SelectField(
        _l("Round"),
        coerce=optional_int,
        validators=[DataRequired(_l("Choose a round that is open for nominations."))],
    )

    def __init__(self, *args, rounds=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.round_id.choices = [(r.id, r.name) for r in rounds] or [NONE]


class TerritorialForm(NomineeForm, RoundChoice):
    """A community's or a sector's draft."""

    sector_id = SelectField(
        _l("Sector"),
        coerce=optional_int,
        validators=[Optional()],
        description=_l("For a sector's nomination, which goes to the city."),
    )
    FIELDS = (*NomineeForm.FIELDS, "round_id", "sector_id")

    def __init__(self, *args, sectors=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.sector_id.choices = [NONE, *sectors]


class DraftForm(NomineeForm):
    """A draft's fields, changed."""


def incoming_files(*pairs) -> list[Incoming]:
    """The files a form sent, as the services take them: (attachment, FileStorage or a list of
    them) pairs, the empty inputs left out."""
    found = []
    for attachment, sent in pairs:
        for each in sent if isinstance(sent, list) else [sent]:
            if each is not None and getattr(each, "filename", ""):
                found.append(Incoming(attachment, each.stream, each.filename))
    return found


class FilesMixin(Form):
    id_photo = FileField(
        _l("ID photo"), description=_l("A recent portrait; its location data is removed.")
    )
    life_photo = MultipleFileField(_l("Life photos"), description=_l("Up to 5 images."))
    evidence = MultipleFileField(
        _l("Evidence"), description=_l("Images or PDF files: certificates, reports, letters.")
    )

    def files(self) -> list[Incoming]:
        return incoming_files(
            (Attachment.id_photo, self.id_photo.data),
            (Attachment.life_photo, self.life_photo.data),
            (Attachment.evidence, self.evidence.data),
        )


class MediaForm(NomineeForm, RoundChoice, FilesMixin):
    """A media case, with what the register needs to enter its nominee."""

    media_url = StringField(
        _l("Link to the report"),
        validators=[DataRequired(_l("Give the link to the report.")), Length(max=300)],
        render_kw={"inputmode": "url", "placeholder": "https://"},
    )
    media_discovery = SelectField(
        _l("How the case was found"),
        validators=[DataRequired(_l("Say how the case was found."))],
    )
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
        _l("Guardian's phone"), validators=[Optional(), Length(max=20)], render_kw=PHONE
    )
    FIELDS = (
        *NomineeForm.FIELDS,
        "round_id",
        "media_url",
        "media_discovery",
        "died_on",
        "guardian_name",
        "guardian_relation",
        "guardian_phone",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.media_discovery.choices = _choices(DISCOVERY_LABELS)
        self.unit_name.label.text = _l("Media outlet")
        self.unit_name.description = _l("The newspaper, station or site that ran the report.")


class LeadForm(NomineeForm, RoundChoice):
    """A lead the office received by email or on its hotline."""

    lead_source = SelectField(
        _l("Received by"),
        validators=[DataRequired(_l("Say whether it came by email or on the hotline."))],
    )
    caller_name = StringField(
        _l("Name of who sent it"),
        validators=[DataRequired(_l("Enter the name of who sent it.")), Length(max=120)],
    )
    caller_phone = StringField(
        _l("Their phone"), validators=[Optional(), Length(max=20)], render_kw=PHONE
    )
    is_self = BooleanField(_l("They nominate themselves"))
    FIELDS = (
        *NomineeForm.FIELDS,
        "round_id",
        "lead_source",
        "caller_name",
        "caller_phone",
        "is_self",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.lead_source.choices = [
            NONE,
            *(
                (source.value, LEAD_SOURCE_LABELS[source])
                for source in (LeadSource.email, LeadSource.hotline)
            ),
        ]


class PublicForm(NomineeForm, RoundChoice, FilesMixin):
    """The public form: who, where, what they did, and photos."""

    is_self = RadioField(_l("I nominate"), default="other")
    nominee_id_number = None
    nominee_is_deceased = None
    unit_name = None
    FIELDS = (
        "nominee_name",
        "nominee_gender",
        "nominee_birth_date",
        "nominee_phone",
        "region_id",
        "category",
        "summary",
        "deeds",
        "round_id",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.is_self.choices = [("self", _l("Myself")), ("other", _l("Someone else"))]
        self.nominee_phone.description = _l("If you know it: the community calls to check.")

    def values(self) -> dict:
        return {**super().values(), "is_self": self.is_self.data == "self"}


class MatchForm(Form):
    """The nominee matched to a record of the register (`person_id`), or entered anew with
    what the register needs beside the nominee's fields."""

    person_id = IntegerField(validators=[Optional()])
    address = StringField(
        _l("Address"),
        validators=[Optional(), Length(max=200)],
        description=_l("Building and house number; shown whole only to the district and the city."),
    )
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
        _l("Guardian's phone"), validators=[Optional(), Length(max=20)], render_kw=PHONE
    )
    is_distinct_confirmed = BooleanField(
        _l("I checked: a record of the same name, birth date and region is someone else")
    )

    def person_values(self) -> dict:
        """What the new record needs beside the nominee's fields."""
        return {
            name: _text(self[name].data) if isinstance(self[name].data, str) else self[name].data
            for name in (
                "address",
                "died_on",
                "guardian_name",
                "guardian_relation",
                "guardian_phone",
            )
        }


class FileForm(Form):
    """One file added to a nomination."""

    kind = SelectField(_l("What it is"), validators=[DataRequired()])
    file = FileField(_l("File"), validators=[DataRequired(_l("Choose a file."))])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = [(a.value, label) for a, label in ATTACHMENT_LABELS.items()]

    def incoming(self) -> Incoming:
        return Incoming(Attachment(self.kind.data), self.file.data.stream, self.file.data.filename)


class ReasonForm(Form):
    """Why, in a few words (a merge or a withdrawal; optional)."""

    reason = TextAreaField(_l("Reason"), validators=[Optional(), Length(max=500)])
