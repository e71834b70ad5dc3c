"""The report filters, read from the query string (a GET form, so no CSRF); the office's
user search, audit filters and staff link."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import DateField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional

from core.auth.assignments import CLERK_LEVELS, KIND_LABELS, AssignmentKind
from core.auth.models import AuditAction
from core.forms import optional_int
from core.inputs import Form
from core.regions import list_sectors, region_choices
from core.workdays import DAY_KIND_LABELS, NAME_MAX
from events.models import Season
from office.services import ReportFilter


class ReportFilterForm(Form):
    """Year, season, campaign, district, team and a date range. A value that is malformed or
    not on offer is shown as an error and left out; the report still answers."""

    class Meta:
        csrf = False

    year = SelectField(_l("Year"), coerce=optional_int, validators=[Optional()])
    season = SelectField(_l("Season"), validators=[Optional()])
    campaign = SelectField(_l("Campaign"), coerce=optional_int, validators=[Optional()])
    district = SelectField(_l("District"), coerce=optional_int, validators=[Optional()])
    team = SelectField(_l("Team"), coerce=optional_int, validators=[Optional()])
    start = DateField(_l("From"), validators=[Optional()])
    end = DateField(_l("To"), validators=[Optional()])

    def offer(self, years: list[int], choices: dict, default_year: int) -> None:
        """Fill the lists with what the viewer may choose; `default_year` is taken when no
        (valid) year is chosen."""
        self.default_year = default_year
        self.year.choices = [(y, str(y)) for y in sorted({default_year, *years}, reverse=True)]
        self.season.choices = [("", str(_l("All seasons")))] + [(s.value, s.label) for s in Season]
        self.campaign.choices = [("", str(_l("All campaigns")))] + [
            (c.id, c.name) for c in choices["campaigns"]
        ]
        self.district.choices = [("", str(_l("All districts")))] + [
            (d.id, d.label) for d in choices["districts"]
        ]
        self.team.choices = [("", str(_l("All teams")))] + [
            (t.id, t.name) for t in choices["teams"]
        ]

    def report_filter(self) -> ReportFilter:
        """The valid filters; a field in error counts as not chosen."""
        self.validate()

        def value(field):
            return None if field.errors else field.data

        if (
            self.start.data
            and self.end.data
            and self.start.data > self.end.data
            and not (self.start.errors or self.end.errors)
        ):
            self.end.errors = [*self.end.errors, _l("The end is before the start.")]
        if self.year.data is None and not self.year.errors:
            self.year.data = self.default_year  # so that the list shows the year reported
        year = value(self.year) or self.default_year
        season = value(self.season)
        return ReportFilter(
            year=year,
            season=Season(season) if season else None,
            campaign_id=value(self.campaign),
            district_id=value(self.district),
            team_id=value(self.team),
            start=value(self.start),
            end=value(self.end),
        )


class NoShowFilterForm(Form):
    """The no-show report's year and season (a GET form, so no CSRF). A value not on offer is
    shown as an error and left out; the report still answers."""

    class Meta:
        csrf = False

    year = SelectField(_l("Year"), coerce=optional_int, validators=[Optional()])
    season = SelectField(_l("Season"), validators=[Optional()])

    def offer(self, years: list[int], default_year: int) -> None:
        """Offer the years that have campaigns; `default_year` is taken when none is chosen."""
        self.default_year = default_year
        self.year.choices = [(y, str(y)) for y in sorted({default_year, *years}, reverse=True)]
        self.season.choices = [("", str(_l("All seasons")))] + [(s.value, s.label) for s in Season]

    def chosen(self) -> tuple[int, Season | None]:
        """The valid year and season; a field in error counts as not chosen."""
        self.validate()
        if self.year.errors or self.year.data is None:
            self.year.data = self.default_year  # so that the list shows the year reported
        season = None if self.season.errors else self.season.data
        return self.year.data, Season(season) if season else None


class UserSearchForm(Form):
    """The office's search for accounts (a GET form, so no CSRF)."""

    class Meta:
        csrf = False

    q = StringField(
        _l("Mobile number or name"),
        validators=[Optional(), Length(max=20)],
        render_kw={"autocomplete": "off", "enterkeyhint": "search"},
    )


# What each audit log entry records, as the pages say it.
ACTION_LABELS = {
    AuditAction.viewed_phone: _l("Viewed the mobile number"),
    AuditAction.disabled: _l("Disabled the account"),
    AuditAction.enabled: _l("Enabled the account"),
    AuditAction.reset_link_created: _l("Made a password reset link"),
    AuditAction.password_reset: _l("Set a new password with a link"),
    AuditAction.password_set: _l("Set the password at the command line"),
    AuditAction.office_granted: _l("Gave the office role"),
    AuditAction.office_withdrawn: _l("Withdrew the office role"),
    AuditAction.staff_linked: _l("Linked to a merchant"),
    AuditAction.staff_unlinked: _l("Removed the merchant link"),
    AuditAction.audit_exported: _l("Exported the audit log"),
    AuditAction.data_exported: _l("Downloaded a copy of their own data"),
    AuditAction.account_closed: _l("Closed their own account"),
    AuditAction.assignment_granted: _l("Gave an assignment"),
    AuditAction.assignment_withdrawn: _l("Withdrew an assignment"),
}


class AuditFilterForm(Form):
    """The audit log's filters (a GET form, so no CSRF)."""

    class Meta:
        csrf = False

    user = StringField(
        _l("Account (mobile number)"),
        validators=[Optional(), Length(max=20)],
        render_kw={"inputmode": "tel"},
    )
    actor = StringField(
        _l("Done by (mobile number)"),
        validators=[Optional(), Length(max=20)],
        render_kw={"inputmode": "tel"},
    )
    action = SelectField(_l("Action"), validators=[Optional()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.action.choices = [("", str(_l("Any action")))] + [
            (action.value, str(label)) for action, label in ACTION_LABELS.items()
        ]


class StaffLinkForm(Form):
    """Which merchant a staff account is to work for."""

    # Whether the merchant exists is the service's to say.
    merchant_id = SelectField(
        _l("Merchant"), coerce=optional_int, validators=[DataRequired()], validate_choice=False
    )


CLERK_REGION_LEVELS = tuple(CLERK_LEVELS.values())


class AssignmentForm(Form):
    """A scoped role for an account: its kind, and the region or sector it takes (which one a
    kind needs, and that the region is of the kind's level, is the service's to say)."""

    kind = SelectField(_l("Assignment"), validators=[DataRequired()])
    region_id = SelectField(
        _l("Region"), coerce=optional_int, validators=[Optional()], validate_choice=False
    )
    sector_id = SelectField(
        _l("Sector"), coerce=optional_int, validators=[Optional()], validate_choice=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A card partner's staff are added on the partner's page, which names the partner.
        self.kind.choices = [
            (kind.value, str(label))
            for kind, label in KIND_LABELS.items()
            if kind is not AssignmentKind.partner_staff
        ]
        self.region_id.choices = [
            ("", str(_l("No region"))),
            *region_choices(CLERK_REGION_LEVELS),
        ]
        self.sector_id.choices = [("", str(_l("No sector")))] + [
            (sector.id, sector.label) for sector in list_sectors()
        ]


class HolidayForm(Form):
    """A date for the working-day calendar."""

    day = DateField(_l("Date"), validators=[DataRequired()])
    kind = SelectField(_l("Kind"), validators=[DataRequired()])
    name = StringField(_l("Holiday"), validators=[DataRequired(), Length(max=NAME_MAX)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = [(kind.value, str(label)) for kind, label in DAY_KIND_LABELS.items()]
