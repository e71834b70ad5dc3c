"""Forms of the card partners' and benefits' pages: a partner's details, a staff account by its
mobile number, a benefit. Whether the values hold (a name taken, a merchant linked already, a
discount out of range) is the services' to say; the forms only read them."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from core.districts import list_districts
from core.forms import optional_int
from core.inputs import Form
from honours.card_models import (
    BENEFIT_AREA_LABELS,
    BENEFIT_KIND_LABELS,
    LIMIT_PERIOD_LABELS,
    PARTNER_KIND_LABELS,
    PARTNER_STATUS_LABELS,
    BenefitArea,
    BenefitKind,
    LimitPeriod,
    Partner,
    PartnerKind,
    PartnerStatus,
)
from honours.models import LEVEL_LABELS, HonourLevel
from honours.services.benefits import BenefitDetails, parse_yuan, yuan_text
from honours.services.partners import PartnerDetails, linkable_merchants, partner_choices


class PartnerForm(Form):
    """A partner's details; a caring merchant is chosen from the merchants not linked yet."""

    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    kind = SelectField(_l("Kind"), validators=[DataRequired()])
    merchant_id = SelectField(
        _l("Caring merchant"),
        coerce=optional_int,
        validators=[Optional()],
        description=_l(
            "For a caring merchant: its record on the platform (its staff check cards too)."
        ),
    )
    district_id = SelectField(_l("District"), coerce=optional_int, validators=[Optional()])
    address = StringField(_l("Address"), validators=[Optional(), Length(max=200)])
    contact_name = StringField(_l("Contact person"), validators=[Optional(), Length(max=64)])
    contact_phone = StringField(_l("Contact phone"), validators=[Optional(), Length(max=20)])

    def __init__(self, *args, partner: Partner | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = [(k.value, str(label)) for k, label in PARTNER_KIND_LABELS.items()]
        self.merchant_id.choices = [("", str(_l("None")))] + [
            (m.id, m.name) for m in linkable_merchants(partner)
        ]
        self.district_id.choices = [("", str(_l("City-wide")))] + [
            (d.id, d.label) for d in list_districts()
        ]

    def details(self) -> PartnerDetails:
        return PartnerDetails(
            name=self.name.data or "",
            kind=PartnerKind(self.kind.data),
            district_id=self.district_id.data,
            address=self.address.data or "",
            contact_name=self.contact_name.data or "",
            contact_phone=self.contact_phone.data or "",
            merchant_id=self.merchant_id.data,
        )

    @classmethod
    def of(cls, partner: Partner) -> PartnerForm:
        """The form filled with the partner's details, for its change."""
        return cls(
            formdata=None,
            partner=partner,
            data={
                "name": partner.name,
                "kind": partner.kind.value,
                "merchant_id": partner.merchant_id,
                "district_id": partner.district_id,
                "address": partner.address,
                "contact_name": partner.contact_name,
                "contact_phone": partner.contact_phone,
            },
        )


class PartnerFilterForm(Form):
    """The partners' list filters (a GET form)."""

    class Meta:
        csrf = False

    status = SelectField(_l("Status"), validators=[Optional()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.status.choices = [("", str(_l("All")))] + [
            (status.value, str(label)) for status, label in PARTNER_STATUS_LABELS.items()
        ]

    def chosen_status(self) -> PartnerStatus | None:
        if not self.validate() or not self.status.data:
            return None
        return PartnerStatus(self.status.data)


class StaffForm(Form):
    """An existing account, by its mobile number, for a partner's staff."""

    phone = StringField(_l("Mobile number"), validators=[DataRequired(), Length(max=20)])


class BenefitForm(Form):
    """A benefit: the value is typed in yuan (up to 2 decimals) and stored in fen."""

    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=2000)])
    area = SelectField(_l("Area"), validators=[DataRequired()])
    kind = SelectField(_l("Kind"), validators=[DataRequired()])
    discount_percent = IntegerField(
        _l("Share of the price paid (per cent)"),
        validators=[Optional()],
        description=_l("For a discount only: 80 means the holder pays 80 per cent."),
    )
    value_yuan = StringField(
        _l("Value of one use (yuan)"),
        validators=[InputRequired(), Length(max=20)],
        description=_l(
            "What one use is worth for settlement with the partner, such as 35 or 12.50."
        ),
    )
    limit_count = IntegerField(
        _l("Uses allowed"), validators=[Optional()], description=_l("Empty for no limit.")
    )
    limit_period = SelectField(_l("Per"), validators=[Optional()])
    lowest_level = SelectField(_l("For honours from the level"), validators=[DataRequired()])
    partner_ids = SelectMultipleField(
        _l("Given by"),
        coerce=int,
        validators=[Optional()],
        validate_choice=False,
        option_widget=CheckboxInput(),
        widget=ListWidget(prefix_label=False),
    )
    is_active = BooleanField(_l("Active"), default=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.area.choices = [(a.value, str(label)) for a, label in BENEFIT_AREA_LABELS.items()]
        self.kind.choices = [(k.value, str(label)) for k, label in BENEFIT_KIND_LABELS.items()]
        self.limit_period.choices = [("", str(_l("No limit")))] + [
            (p.value, str(label)) for p, label in LIMIT_PERIOD_LABELS.items()
        ]
        # Highest first, as the levels are listed: a county-level benefit is for everyone.
        self.lowest_level.choices = [(lv.value, str(label)) for lv, label in LEVEL_LABELS.items()]
        self.partner_ids.choices = partner_choices()

    def details(self) -> BenefitDetails:
        """The benefit as typed; ValidationFailed (value_yuan) for an amount that is not one."""
        return BenefitDetails(
            name=self.name.data or "",
            description=self.description.data or "",
            area=BenefitArea(self.area.data),
            kind=BenefitKind(self.kind.data),
            discount_percent=self.discount_percent.data,
            value_fen=parse_yuan(self.value_yuan.data),
            limit_count=self.limit_count.data,
            limit_period=LimitPeriod(self.limit_period.data) if self.limit_period.data else None,
            lowest_level=HonourLevel(self.lowest_level.data),
            partner_ids=tuple(self.partner_ids.data or ()),
            is_active=bool(self.is_active.data),
        )

    @classmethod
    def of(cls, benefit) -> BenefitForm:
        return cls(
            formdata=None,
            data={
                "name": benefit.name,
                "description": benefit.description,
                "area": benefit.area.value,
                "kind": benefit.kind.value,
                "discount_percent": benefit.discount_percent,
                "value_yuan": yuan_text(benefit.value_fen),
                "limit_count": benefit.limit_count,
                "limit_period": benefit.limit_period.value if benefit.limit_period else "",
                "lowest_level": benefit.lowest_level.value,
                "partner_ids": [p.id for p in benefit.partners],
                "is_active": benefit.is_active,
            },
        )
