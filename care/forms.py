"""Forms of the care pages: a care campaign, a budget, an uploaded list, a person not reached,
a visit (on the phone: its goods, receipt and photos), the buttons that carry a visit's
version, and a reversal. Amounts are typed in yuan and read as fen; whether the values hold is
the services' to say."""

from __future__ import annotations

import base64
import binascii
import io
import re
from datetime import date

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, MultipleFileField
from wtforms import (
    DateField,
    Field,
    HiddenField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from care.models import (
    CARE_KIND_LABELS,
    FUND_SOURCE_LABELS,
    LIST_RULE_LABELS,
    RECEIPT_KIND_LABELS,
    RECIPIENT_LABELS,
    VISIT_PLACE_LABELS,
    CareKind,
    FundSource,
    ListRule,
    ReceiptKind,
    Recipient,
    Visit,
    VisitPlace,
)
from care.services import budgets, campaigns, visits
from care.services.visit_files import Receipt, VisitFile
from core.errors import ValidationFailed
from core.inputs import Form
from events.models import Campaign
from honours.models import LEVEL_LABELS, HonourLevel
from honours.services.benefits import parse_yuan, yuan_text

GOOD_ROWS = 3
# A signature drawn on the canvas, as signature_pad gives it.
PNG_DATA_URL = re.compile(r"data:image/png;base64,([A-Za-z0-9+/]+={0,2})")
# Enough for a drawn signature several times over; Werkzeug's form memory limit comes first.
SIGNATURE_MAX = 2_000_000


def _choices(labels: dict) -> list[tuple[str, str]]:
    return [(member.value, str(label)) for member, label in labels.items()]


class TextList(Field):
    """Several values sent under one name (a column of a table of rows), at most
    MAX_GOODS of them; the page renders the inputs itself."""

    def __init__(self, label=None, validators=None, **kwargs):
        super().__init__(label, validators, default=list, **kwargs)

    def process_formdata(self, valuelist):
        self.data = [str(value) for value in valuelist[: visits.MAX_GOODS]]

    def process_data(self, value):
        self.data = list(value or [])


class CareCampaignForm(Form):
    """A care campaign made from one of the seasonal campaigns."""

    campaign_id = SelectField(
        _l("Seasonal campaign"), coerce=int, validators=[InputRequired()], validate_choice=False
    )
    kind = SelectField(_l("Kind"), validators=[DataRequired()])
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=campaigns.MAX_NAME)])
    plan = TextAreaField(
        _l("Plan"),
        validators=[Optional(), Length(max=campaigns.MAX_PLAN)],
        description=_l("Whom, when, what each person receives."),
    )
    rule = SelectField(_l("How the list is made"), validators=[DataRequired()])
    min_level = SelectField(
        _l("Lowest honour level on the list"),
        validators=[Optional()],
        description=_l("For the honour-level rule only."),
    )

    def __init__(self, *args, seasons: list[Campaign] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.campaign_id.choices = [(c.id, f"{c.year} · {c.name}") for c in seasons]
        self.kind.choices = _choices(CARE_KIND_LABELS)
        self.rule.choices = _choices(LIST_RULE_LABELS)
        self.min_level.choices = [("", "—"), *_choices(LEVEL_LABELS)]

    def details(self) -> campaigns.CampaignDetails:
        return campaigns.CampaignDetails(
            campaign_id=self.campaign_id.data,
            kind=CareKind(self.kind.data),
            name=self.name.data or "",
            plan=self.plan.data or "",
            rule=ListRule(self.rule.data),
            min_level=HonourLevel(self.min_level.data) if self.min_level.data else None,
        )


class BudgetForm(Form):
    """A campaign's budget from one fund source, in yuan, and why it is set so."""

    fund_source = SelectField(_l("Fund source"), validators=[DataRequired()])
    budget_yuan = StringField(_l("Budget (yuan)"), validators=[InputRequired(), Length(max=20)])
    reason = StringField(_l("Reason"), validators=[Optional(), Length(max=budgets.MAX_REASON)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fund_source.choices = _choices(FUND_SOURCE_LABELS)

    @property
    def source(self) -> FundSource:
        return FundSource(self.fund_source.data)

    def budget_fen(self) -> int:
        """The budget typed, in fen; ValidationFailed (budget_yuan) for what is not an amount."""
        return parse_yuan(self.budget_yuan.data, "budget_yuan", max_fen=budgets.BUDGET_MAX_FEN)


class UploadListForm(Form):
    """An Excel list of the people to visit, by their ID numbers."""

    file = FileField(
        _l("Excel list (.xlsx)"),
        validators=[DataRequired(_l("Choose the Excel file."))],
        description=_l("The first row names a column 身份证号; one person a row."),
    )


class SkipForm(Form):
    """Why a person on the list was not reached."""

    reason = StringField(
        _l("Why not reached"),
        validators=[DataRequired(), Length(max=campaigns.MAX_REASON)],
        description=_l("Declined, moved away, in hospital far away, no relative left."),
    )
    next = HiddenField()


class VersionForm(Form):
    """A button on a visit, carrying the version its reader saw."""

    version = HiddenField(validators=[InputRequired()])

    @property
    def expected_version(self) -> int:
        """The version sent; 0 (which no visit has) for anything else, so the service answers
        that the visit changed meanwhile."""
        text = str(self.version.data or "")
        return int(text) if text.isdigit() and len(text) < 10 else 0


class ReverseForm(Form):
    """Why a locked visit is reversed."""

    reason = TextAreaField(
        _l("Reason for the reversal"), validators=[DataRequired(), Length(max=visits.MAX_TEXT)]
    )


class ReceiptFields(Form):
    """A visit's receipt (a signature drawn on the phone, or a scanned list) and its photos."""

    receipt_kind = RadioField(_l("Receipt"), validators=[Optional()])
    # The drawing as a PNG data URL, put here by static/js/care-visit.js.
    signature = HiddenField(validators=[Optional(), Length(max=SIGNATURE_MAX)])
    receipt_file = FileField(
        _l("Scanned receipt list"), description=_l("A photo or a PDF of the signed list.")
    )
    photos = MultipleFileField(
        _l("Photos"),
        description=_l("Taken with the phone's camera; their location data is removed."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.receipt_kind.choices = _choices(RECEIPT_KIND_LABELS)

    def receipt(self) -> Receipt | None:
        """The receipt sent, if any: the drawn signature decoded, or the scan. Raises
        ValidationFailed (signature) for a drawing that is not a PNG data URL."""
        if self.receipt_kind.data == ReceiptKind.signature.value:
            value = (self.signature.data or "").strip()
            if not value:
                return None
            match = PNG_DATA_URL.fullmatch(value)
            try:
                data = base64.b64decode(match.group(1), validate=True) if match else b""
            except binascii.Error:
                data = b""
            if not data:
                raise ValidationFailed(errors={"signature": [str(_l("Draw the signature again."))]})
            return Receipt(
                ReceiptKind.signature, VisitFile(io.BytesIO(data), "签名.png"), "signature"
            )
        scan = self.receipt_file.data
        if self.receipt_kind.data == ReceiptKind.scan.value and scan and scan.filename:
            return Receipt(ReceiptKind.scan, VisitFile(scan.stream, scan.filename), "receipt_file")
        return None

    def photo_files(self) -> list[VisitFile]:
        return [VisitFile(f.stream, f.filename) for f in self.photos.data or () if f and f.filename]


class VisitForm(Form):
    """What a visit records: to whom, when and where, who visits, the cash and its fund, the
    goods (a few rows; blank rows are left out), the needs found and their follow-up."""

    recipient = RadioField(_l("Received by"), validators=[InputRequired()])
    relative_name = StringField(_l("Relative's name"), validators=[Optional(), Length(max=64)])
    relative_relation = StringField(
        _l("Relation"),
        validators=[Optional(), Length(max=32)],
        description=_l("Such as 配偶 or 女儿."),
    )
    visit_on = DateField(_l("Date"), validators=[InputRequired()])
    place = SelectField(_l("Place"), validators=[DataRequired()])
    visitors = StringField(
        _l("Visitors"),
        validators=[DataRequired(), Length(max=visits.MAX_SHORT)],
        description=_l("Names and posts, such as 市文明办 王主任."),
    )
    cash_yuan = StringField(_l("Cash (yuan)"), validators=[Optional(), Length(max=20)], default="0")
    fund_source = SelectField(_l("Fund source"), validators=[Optional()])
    # The goods' table: one value of each per row, blank rows left out.
    good_item = TextList(_l("Item"))
    good_quantity = TextList(_l("Quantity"))
    good_value_yuan = TextList(_l("Value (yuan)"))
    needs = TextAreaField(_l("Needs found"), validators=[Optional(), Length(max=visits.MAX_TEXT)])
    follow_up = TextAreaField(_l("Follow-up"), validators=[Optional(), Length(max=visits.MAX_TEXT)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.recipient.choices = _choices(RECIPIENT_LABELS)
        self.place.choices = _choices(VISIT_PLACE_LABELS)
        self.fund_source.choices = [("", "—"), *_choices(FUND_SOURCE_LABELS)]

    def goods_rows(self) -> list[tuple[str, str, str]]:
        """The goods' rows to show: those typed, and blank ones to fill."""
        columns = (self.good_item.data, self.good_quantity.data, self.good_value_yuan.data)
        count = max(map(len, columns))
        rows = [
            tuple(column[n] if n < len(column) else "" for column in columns) for n in range(count)
        ]
        filled = [row for row in rows if any(value.strip() for value in row)]
        return filled + [("", "", "")] * max(GOOD_ROWS - len(filled), 1)

    def _goods(self) -> tuple[visits.GoodLine, ...]:
        lines = []
        for item, quantity, value in self.goods_rows():
            if not item.strip() and not quantity.strip():
                continue
            if not quantity.strip().isdigit() or len(quantity.strip()) > 6:
                raise ValidationFailed(
                    errors={
                        "goods": [str(_l("Each line of goods has a quantity and a value in yuan."))]
                    }
                )
            value_fen = parse_yuan(value or "0", "goods", max_fen=visits.GOOD_VALUE_MAX_FEN)
            lines.append(visits.GoodLine(item, int(quantity), value_fen))
        return tuple(lines)

    def details(self) -> visits.VisitDetails:
        """The visit as typed; ValidationFailed (cash_yuan, goods) for amounts that are not."""
        cash = (self.cash_yuan.data or "").strip() or "0"
        return visits.VisitDetails(
            visit_on=self.visit_on.data,
            place=VisitPlace(self.place.data),
            visitors=self.visitors.data or "",
            recipient=Recipient(self.recipient.data),
            relative_name=self.relative_name.data,
            relative_relation=self.relative_relation.data,
            cash_fen=parse_yuan(cash, "cash_yuan", max_fen=visits.VISIT_CASH_MAX_FEN),
            fund_source=FundSource(self.fund_source.data) if self.fund_source.data else None,
            needs=self.needs.data or "",
            follow_up=self.follow_up.data or "",
            goods=self._goods(),
        )


class NewVisitForm(VisitForm, ReceiptFields):
    """A visit recorded on the phone: planned, or visited now with its receipt and photos; a
    person not on the list needs the reason they are visited."""

    off_list_reason = TextAreaField(
        _l("Why this person is visited though not on the list"),
        validators=[Optional(), Length(max=visits.MAX_TEXT)],
    )
    done = RadioField(_l("This visit is"), validators=[InputRequired()], default="done")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.done.choices = [
            ("done", str(_l("Visited now"))),
            ("planned", str(_l("Planned"))),
        ]

    @classmethod
    def blank(cls, today: date) -> NewVisitForm:
        """The form as first shown: the person receives it today, at home, visited now."""
        form = cls()
        if not form.is_submitted():
            form.recipient.data = Recipient.person.value
            form.visit_on.data = today
            form.place.data = VisitPlace.home.value
            form.receipt_kind.data = ReceiptKind.signature.value
        return form

    @property
    def is_done(self) -> bool:
        return self.done.data == "done"


class EditVisitForm(VisitForm, VersionForm):
    """A planned or done visit changed, carrying the version its editor saw."""

    @classmethod
    def of(cls, visit: Visit) -> EditVisitForm:
        """The form filled with the visit as it stands."""
        goods = list(visit.goods)
        return cls(
            formdata=None,
            data={
                "recipient": visit.recipient.value,
                "relative_name": visit.relative_name,
                "relative_relation": visit.relative_relation,
                "visit_on": visit.visit_on,
                "place": visit.place.value,
                "visitors": visit.visitors,
                "cash_yuan": yuan_text(visit.cash_fen),
                "fund_source": visit.fund_source.value if visit.fund_source else "",
                "good_item": [g.item for g in goods],
                "good_quantity": [str(g.quantity) for g in goods],
                "good_value_yuan": [yuan_text(g.value_fen) for g in goods],
                "needs": visit.needs,
                "follow_up": visit.follow_up,
                "version": str(visit.version),
            },
        )


class VisitFilesForm(ReceiptFields, VersionForm):
    """A receipt and photos added to a visit not yet verified."""
