"""Forms of the points pages: the volunteer's code, the counter, the statement period, and the
office's merchant, catalogue, staff, adjustment and expiry policy forms."""

from __future__ import annotations

import uuid

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    IntegerField,
    PasswordField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from core.districts import list_districts
from core.errors import ValidationFailed
from core.inputs import Form
from points.lot_models import ExpiryRule
from points.models import MerchantKind
from points.services import MAX_REVERSAL_REASON, Movement

KIND_LABELS = {
    MerchantKind.caring_merchant: _l("Caring merchant"),
    MerchantKind.points_supermarket: _l("Points supermarket"),
}

# What each line of a volunteer's points history was.
MOVEMENT_LABELS = {
    Movement.earned: _l("Points for service"),
    Movement.earning_corrected: _l("Service points corrected"),
    Movement.purchase: _l("Redemption"),
    Movement.purchase_reversed: _l("Redemption reversed"),
    Movement.adjusted: _l("Adjusted by the office"),
    Movement.gift_sent: _l("Given to a family member"),
    Movement.gift_received: _l("Received from a family member"),
    Movement.donated: _l("Donated to a charity pool"),
    Movement.pool_award: _l("Awarded from a charity pool"),
    Movement.expired: _l("Points expired"),
}

# The most goods of one kind a single redemption may hold (the service checks it too).
MAX_QUANTITY = 100


def new_key() -> str:
    """A request key for a form that may be posted twice (double tap, retry)."""
    return uuid.uuid4().hex


class ActionForm(Form):
    """A button with nothing but the CSRF token."""


class CodeForm(Form):
    code = StringField(
        _l("Redeem code"),
        validators=[DataRequired(_l("Enter the 8-digit code."))],
        render_kw={
            "inputmode": "numeric",
            "autocomplete": "off",
            "maxlength": 12,
            "placeholder": "1234 5678",
            "autofocus": True,
        },
    )


class RedeemForm(Form):
    """The basket: the code and the request key travel hidden; the quantities are inputs
    named `qty-<item id>`, read by `basket_lines`."""

    code = HiddenField()
    key = HiddenField()


class ReversalForm(Form):
    """Undoing a redemption at the counter: always with a reason, kept on the redemption."""

    reason = TextAreaField(
        _l("Reason"),
        validators=[
            DataRequired(_l("Give a reason.")),
            Length(
                max=MAX_REVERSAL_REASON,
                message=_l("Enter a reason of at most %(n)d characters.", n=MAX_REVERSAL_REASON),
            ),
        ],
        description=_l("For example: the wrong customer's code, or the goods came back."),
        render_kw={"rows": 2},
    )


def basket_lines(formdata, item_ids: list[int]) -> list[tuple[int, int]]:
    """The (item id, quantity) lines of a posted basket; blank and 0 are left out. Raises
    ValidationFailed naming `lines` for anything that is not a whole number 0 to 100."""
    lines = []
    for item_id in item_ids:
        raw = (formdata.get(f"qty-{item_id}") or "").strip()
        if raw in ("", "0"):
            continue
        try:
            quantity = int(raw)
        except ValueError:
            quantity = -1
        if not 0 <= quantity <= MAX_QUANTITY:
            message = _l("Quantities are whole numbers from 0 to %(n)d.", n=MAX_QUANTITY)
            raise ValidationFailed(errors={"lines": [str(message)]})
        if quantity:
            lines.append((item_id, quantity))
    return lines


class PeriodForm(Form):
    """The statement's period, read from the query string (first and last day, inclusive)."""

    class Meta:
        csrf = False

    start = DateField(_l("From"), validators=[Optional()])
    end = DateField(_l("To"), validators=[Optional()])


class MerchantForm(Form):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    kind = SelectField(_l("Kind"), validators=[DataRequired()])
    district_id = SelectField(
        _l("District"), coerce=int, validate_choice=False, validators=[InputRequired()]
    )
    address = StringField(_l("Address"), validators=[DataRequired(), Length(max=200)])
    contact = StringField(_l("Contact"), validators=[Optional(), Length(max=64)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = [(k.value, label) for k, label in KIND_LABELS.items()]
        self.district_id.choices = [(d.id, d.label) for d in list_districts()]

    @property
    def kind_value(self) -> MerchantKind:
        return MerchantKind(self.kind.data)


class ItemForm(Form):
    name = StringField(_l("Goods"), validators=[DataRequired(), Length(max=120)])
    price = IntegerField(
        _l("Price (points)"), validators=[InputRequired()], render_kw={"inputmode": "numeric"}
    )
    stock = IntegerField(
        _l("Stock"),
        validators=[Optional()],
        description=_l("Leave blank for unlimited."),
        render_kw={"inputmode": "numeric"},
    )


class ItemEditForm(ItemForm):
    is_active = BooleanField(_l("On offer"))


class StaffForm(Form):
    phone = StringField(
        _l("Mobile number"),
        validators=[DataRequired()],
        render_kw={"inputmode": "tel", "autocomplete": "off"},
    )
    display_name = StringField(_l("Name"), validators=[DataRequired(), Length(max=64)])
    password = PasswordField(
        _l("Password"), validators=[DataRequired()], render_kw={"autocomplete": "new-password"}
    )


class AdjustForm(Form):
    phone = StringField(
        _l("Volunteer's mobile number"),
        validators=[DataRequired()],
        render_kw={"inputmode": "tel", "autocomplete": "off"},
    )
    amount = IntegerField(
        _l("Points"),
        validators=[InputRequired()],
        description=_l("A positive number grants points, a negative one deducts them."),
    )
    # The service requires the reason, so its message is the one shown.
    reason = TextAreaField(_l("Reason"), validators=[Length(max=500)], render_kw={"rows": 2})
    key = HiddenField()


RULE_LABELS = {
    ExpiryRule.never: _l("Points never expire"),
    ExpiryRule.months: _l("Points expire a number of months after they were earned"),
    ExpiryRule.following_year_end: _l(
        "Points expire at the end of the calendar year after the one they were earned in"
    ),
}


class ExpiryPolicyForm(Form):
    rule = RadioField(
        _l("Points expiry"), validators=[DataRequired(_l("Choose one of the rules."))]
    )
    # The service checks the range, with the months rule only (it refuses months for the others).
    months = IntegerField(
        _l("Months"),
        validators=[Optional()],
        description=_l("For the rule of a number of months: 1 to 120, for example 12 or 24."),
        render_kw={"inputmode": "numeric"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.rule.choices = [(rule.value, label) for rule, label in RULE_LABELS.items()]

    @property
    def rule_value(self) -> ExpiryRule:
        return ExpiryRule(self.rule.data)

    @property
    def months_value(self) -> int | None:
        """The months typed, for the months rule only: a number left in the box when another
        rule is chosen is not what was meant."""
        return self.months.data if self.rule_value is ExpiryRule.months else None
