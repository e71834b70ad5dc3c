"""The four seasons of care (善行四季·关爱): care campaigns made each year from the seasonal
campaigns, their budgets per fund source, the list of whom they care for, and the visits with
condolence funds and goods (走访慰问).

Money is paid out here, so the records are kept like the points ledger: a budget's spent total
moves only by conditional updates that can never pass the budget (a CHECK says so too), a
visit's edits before verification are kept as versions, and after locking a correction is a
reversing record with a reason, never an edit. `flask care verify` checks that every budget's
spent total is the sum of its visits' cash less their reversals.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.auth.models import User
from core.clock import utcnow
from core.db import UTCDateTime, enum_column
from core.extensions import db
from core.uploads.models import Upload
from events.models import Campaign
from honours.models import HonourLevel, Person


class CareKind(enum.Enum):
    """What a care campaign does: flowers delivered (学雷锋日送鲜花) or visits paid (走访慰问)."""

    flowers = "flowers"
    visits = "visits"

    @property
    def label(self) -> str:
        return str(CARE_KIND_LABELS[self])


CARE_KIND_LABELS = {
    CareKind.flowers: _l("Flowers on Lei Feng day"),
    CareKind.visits: _l("Visits"),
}


class FundSource(enum.Enum):
    """Where condolence money comes from (资金来源)."""

    city_budget = "city_budget"  # 市财政
    moral_fund = "moral_fund"  # 道德基金
    donations = "donations"  # 社会捐赠
    enterprises = "enterprises"  # 企业资助

    @property
    def label(self) -> str:
        return str(FUND_SOURCE_LABELS[self])


FUND_SOURCE_LABELS = {
    FundSource.city_budget: _l("City budget"),
    FundSource.moral_fund: _l("Moral fund"),
    FundSource.donations: _l("Donations"),
    FundSource.enterprises: _l("Enterprises"),
}


class ListRule(enum.Enum):
    """How a campaign's list of people is made: one of three rules, not a rule engine."""

    honour_level = "honour_level"  # every active honour of a level and above
    hardship = "hardship"  # every person with a hardship profile (困难情况)
    upload = "upload"  # a list the office uploads as Excel

    @property
    def label(self) -> str:
        return str(LIST_RULE_LABELS[self])


LIST_RULE_LABELS = {
    ListRule.honour_level: _l("Every active honour of a level and above"),
    ListRule.hardship: _l("Everyone with a hardship profile"),
    ListRule.upload: _l("A list uploaded as Excel"),
}


class CareCampaign(db.Model):
    """A care campaign of a year (关爱活动), made from one of the year's seasonal campaigns:
    what it does, its plan and how its list is made."""

    __tablename__ = "care_campaign"
    __table_args__ = (
        CheckConstraint("rule <> 'honour_level' OR min_level IS NOT NULL", name="min_level"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id"), index=True)
    kind: Mapped[CareKind] = mapped_column(enum_column(CareKind))
    name: Mapped[str] = mapped_column(String(120))
    plan: Mapped[str] = mapped_column(Text, default="")
    rule: Mapped[ListRule] = mapped_column(enum_column(ListRule))
    # For the honour_level rule: the lowest level whose honours put a person on the list.
    min_level: Mapped[HonourLevel | None] = mapped_column(enum_column(HonourLevel))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    campaign: Mapped[Campaign] = relationship()
    created_by: Mapped[User] = relationship()
    budgets: Mapped[list[CareBudget]] = relationship(
        back_populates="care_campaign", order_by="CareBudget.fund_source"
    )

    @property
    def year(self) -> int:
        return self.campaign.year


class CareBudget(db.Model):
    """A campaign's budget from one fund source, in fen, and what its visits have spent of it.
    `spent_fen` moves only by a conditional update (services.budgets), and the CHECK keeps it
    within the budget whatever two clerks do at once."""

    __tablename__ = "care_budget"
    __table_args__ = (
        UniqueConstraint("care_campaign_id", "fund_source"),
        CheckConstraint("budget_fen >= 0", name="budget"),
        CheckConstraint("spent_fen >= 0 AND spent_fen <= budget_fen", name="spent"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    care_campaign_id: Mapped[int] = mapped_column(ForeignKey("care_campaign.id"))
    fund_source: Mapped[FundSource] = mapped_column(enum_column(FundSource))
    budget_fen: Mapped[int] = mapped_column(default=0)
    spent_fen: Mapped[int] = mapped_column(default=0)

    care_campaign: Mapped[CareCampaign] = relationship(back_populates="budgets")
    changes: Mapped[list[BudgetChange]] = relationship(order_by="BudgetChange.id")

    @property
    def left_fen(self) -> int:
        return self.budget_fen - self.spent_fen


class BudgetChange(db.Model):
    """A budget set or changed by the office: from what to what, why, by whom, when. Written
    once, never changed."""

    __tablename__ = "care_budget_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    budget_id: Mapped[int] = mapped_column(ForeignKey("care_budget.id"), index=True)
    old_fen: Mapped[int]
    new_fen: Mapped[int]
    reason: Mapped[str] = mapped_column(Text, default="")
    changed_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime)

    changed_by: Mapped[User] = relationship()


class CareTarget(db.Model):
    """A person on a campaign's list (慰问对象), once per campaign whatever rule added them and
    however often the list is made; `skip_reason` says why they were not reached."""

    __tablename__ = "care_target"
    __table_args__ = (UniqueConstraint("care_campaign_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    care_campaign_id: Mapped[int] = mapped_column(ForeignKey("care_campaign.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    added_by_rule: Mapped[ListRule] = mapped_column(enum_column(ListRule))
    added_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime)
    skip_reason: Mapped[str | None] = mapped_column(Text)
    skipped_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    skipped_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    care_campaign: Mapped[CareCampaign] = relationship()
    person: Mapped[Person] = relationship()


class VisitStatus(enum.Enum):
    """planned → done → verified (the district) → locked (the city)."""

    planned = "planned"  # 计划
    done = "done"  # 已走访
    verified = "verified"  # 区级已核实
    locked = "locked"  # 已锁定

    @property
    def label(self) -> str:
        return str(VISIT_STATUS_LABELS[self])

    @property
    def is_editable(self) -> bool:
        return self in (VisitStatus.planned, VisitStatus.done)


VISIT_STATUS_LABELS = {
    VisitStatus.planned: _l("Planned"),
    VisitStatus.done: _l("Visited"),
    VisitStatus.verified: _l("Verified by the district"),
    VisitStatus.locked: _l("Locked"),
}


class VisitPlace(enum.Enum):
    home = "home"  # 家中
    workplace = "workplace"  # 单位
    hospital = "hospital"  # 医院
    event = "event"  # 活动现场

    @property
    def label(self) -> str:
        return str(VISIT_PLACE_LABELS[self])


VISIT_PLACE_LABELS = {
    VisitPlace.home: _l("At home"),
    VisitPlace.workplace: _l("At work"),
    VisitPlace.hospital: _l("In hospital"),
    VisitPlace.event: _l("At an event"),
}


class Recipient(enum.Enum):
    """Whom the visit reached: the person, or a surviving relative (遗属) on their behalf."""

    person = "person"
    relative = "relative"

    @property
    def label(self) -> str:
        return str(RECIPIENT_LABELS[self])


RECIPIENT_LABELS = {
    Recipient.person: _l("The person"),
    Recipient.relative: _l("A relative"),
}


class ReceiptKind(enum.Enum):
    signature = "signature"  # 手写签名
    scan = "scan"  # 签收单扫描件

    @property
    def label(self) -> str:
        return str(RECEIPT_KIND_LABELS[self])


RECEIPT_KIND_LABELS = {
    ReceiptKind.signature: _l("Signature drawn on the phone"),
    ReceiptKind.scan: _l("Scanned receipt list"),
}


class Visit(db.Model):
    """A visit paid (走访慰问记录): who visited whom and where, the cash and its fund source,
    the goods, the needs found and their follow-up, the receipt and the photos. A visit to a
    person not on the campaign's list carries the reason it was made."""

    __tablename__ = "care_visit"
    __table_args__ = (
        CheckConstraint("target_id IS NOT NULL OR off_list_reason IS NOT NULL", name="on_list"),
        CheckConstraint("cash_fen >= 0", name="cash"),
        CheckConstraint("cash_fen = 0 OR fund_source IS NOT NULL", name="fund_source"),
        CheckConstraint("recipient = 'person' OR relative_name IS NOT NULL", name="relative"),
        CheckConstraint("(receipt_upload_id IS NULL) = (receipt_kind IS NULL)", name="receipt"),
        CheckConstraint("version >= 1", name="version"),
        Index("ix_care_visit_campaign_status", "care_campaign_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    care_campaign_id: Mapped[int] = mapped_column(ForeignKey("care_campaign.id"))
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    target_id: Mapped[int | None] = mapped_column(ForeignKey("care_target.id"), index=True)
    off_list_reason: Mapped[str | None] = mapped_column(Text)
    status: Mapped[VisitStatus] = mapped_column(enum_column(VisitStatus))
    recipient: Mapped[Recipient] = mapped_column(enum_column(Recipient))
    relative_name: Mapped[str | None] = mapped_column(String(64))
    relative_relation: Mapped[str | None] = mapped_column(String(32))
    visit_on: Mapped[date] = mapped_column(Date)
    visited_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    place: Mapped[VisitPlace] = mapped_column(enum_column(VisitPlace))
    # Who visited: names and posts, as the visiting party signs them (市文明办 王主任).
    visitors: Mapped[str] = mapped_column(String(200))
    cash_fen: Mapped[int] = mapped_column(default=0)
    fund_source: Mapped[FundSource | None] = mapped_column(enum_column(FundSource))
    needs: Mapped[str] = mapped_column(Text, default="")
    follow_up: Mapped[str] = mapped_column(Text, default="")
    follow_up_done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    receipt_upload_id: Mapped[int | None] = mapped_column(ForeignKey("upload.id"))
    receipt_kind: Mapped[ReceiptKind | None] = mapped_column(enum_column(ReceiptKind))
    version: Mapped[int] = mapped_column(default=1)
    # A visit recorded anew after its reversal points at the one it corrects.
    corrects_id: Mapped[int | None] = mapped_column(ForeignKey("care_visit.id"))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    verified_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    locked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    locked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    care_campaign: Mapped[CareCampaign] = relationship()
    person: Mapped[Person] = relationship()
    target: Mapped[CareTarget | None] = relationship()
    receipt: Mapped[Upload | None] = relationship()
    created_by: Mapped[User] = relationship(foreign_keys=[created_by_id])
    verified_by: Mapped[User | None] = relationship(foreign_keys=[verified_by_id])
    locked_by: Mapped[User | None] = relationship(foreign_keys=[locked_by_id])
    goods: Mapped[list[VisitGood]] = relationship(
        order_by="VisitGood.position", cascade="all, delete-orphan"
    )
    photos: Mapped[list[VisitPhoto]] = relationship(
        order_by="VisitPhoto.position", cascade="all, delete-orphan"
    )
    versions: Mapped[list[VisitVersion]] = relationship(order_by="VisitVersion.version")
    reversal: Mapped[VisitReversal | None] = relationship(back_populates="visit")

    @property
    def goods_value_fen(self) -> int:
        return sum(good.value_fen for good in self.goods)


class VisitGood(db.Model):
    """Goods given on a visit (慰问品): the item, how many, and their value in fen."""

    __tablename__ = "care_visit_good"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity"),
        CheckConstraint("value_fen >= 0", name="value"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("care_visit.id"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    item: Mapped[str] = mapped_column(String(60))
    quantity: Mapped[int]
    value_fen: Mapped[int]


class VisitPhoto(db.Model):
    """A photo of a visit, stored without its location data (core.uploads re-encodes it)."""

    __tablename__ = "care_visit_photo"

    id: Mapped[int] = mapped_column(primary_key=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("care_visit.id"), index=True)
    upload_id: Mapped[int] = mapped_column(ForeignKey("upload.id"))
    position: Mapped[int] = mapped_column(default=0)

    upload: Mapped[Upload] = relationship()


class VisitVersion(db.Model):
    """What one edit before verification changed (修改记录): each field's value before and
    after, who and when. The visit row holds the latest; the versions hold the way there."""

    __tablename__ = "care_visit_version"
    __table_args__ = (UniqueConstraint("visit_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("care_visit.id"))
    # The version the edit made (2 for the first edit).
    version: Mapped[int]
    changes: Mapped[dict[str, Any]] = mapped_column(JSON)
    changed_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime)

    changed_by: Mapped[User] = relationship()


class VisitReversal(db.Model):
    """The reversal of a locked visit (冲销): its cash goes back to the budget and its goods
    out of the totals, with the reason, who and when. Once per visit; the visit stays as it
    was, and a corrected visit may be recorded anew pointing at it."""

    __tablename__ = "care_visit_reversal"
    __table_args__ = (CheckConstraint("cash_fen >= 0", name="cash"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("care_visit.id"), unique=True)
    cash_fen: Mapped[int]
    reason: Mapped[str] = mapped_column(Text)
    reversed_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    reversed_at: Mapped[datetime] = mapped_column(UTCDateTime)

    visit: Mapped[Visit] = relationship(back_populates="reversal")
    reversed_by: Mapped[User] = relationship()


class PastCareTotal(db.Model):
    """Condolence funds paid in a year before these records began (历年慰问金台账), entered
    from the office's books so that the running total starts where the city's does."""

    __tablename__ = "care_past_total"
    __table_args__ = (
        UniqueConstraint("year", "fund_source"),
        CheckConstraint("cash_fen >= 0", name="cash"),
        CheckConstraint("persons >= 0", name="persons"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int]
    fund_source: Mapped[FundSource] = mapped_column(enum_column(FundSource))
    cash_fen: Mapped[int]
    persons: Mapped[int] = mapped_column(default=0)
    note: Mapped[str] = mapped_column(Text, default="")
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)
