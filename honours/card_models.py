"""The courtesy card (好人卡) and what partners give on it: partners (礼遇合作单位) and their
benefits in the city's 8 areas, the counters that hold a benefit's limit per period, each use
a partner's staff recorded and each check they made, refused ones included.

Uses and checks are written and never changed: settlement with a partner and the office's
figures are read from them. A card row carries only where the card stands now.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.auth.models import User
from core.clock import utcnow
from core.db import UTCDateTime, enum_column
from core.districts import District
from core.extensions import db
from honours.models import HonourLevel, Person
from points.models import Merchant


class CardStatus(enum.Enum):
    """Where a card stands. Printed and handed over, it is active until it expires (its
    validity date passes), is reported lost (a replacement with a new number is issued) or
    is revoked under the conduct clauses."""

    to_print = "to_print"  # 待制卡
    issued = "issued"  # 已制卡, not yet handed over
    active = "active"  # 有效
    lost = "lost"  # 挂失
    expired = "expired"  # 过期
    revoked = "revoked"  # 撤销

    @property
    def label(self) -> str:
        return str(CARD_STATUS_LABELS[self])


CARD_STATUS_LABELS = {
    CardStatus.to_print: _l("To print"),
    CardStatus.issued: _l("Printed, not handed over"),
    CardStatus.active: _l("Active"),
    CardStatus.lost: _l("Lost"),
    CardStatus.expired: _l("Expired"),
    CardStatus.revoked: _l("Revoked"),
}


class CourtesyCard(db.Model):
    """A good person's courtesy card (好人卡): a printed number and a signed QR code. At most
    one card of a person is live (to print, issued or active) at a time, which a partial
    unique index holds; a replacement points at the card it replaces."""

    __tablename__ = "courtesy_card"
    __table_args__ = (
        Index(
            "ix_courtesy_card_live_person",
            "person_id",
            unique=True,
            sqlite_where=db.text("status IN ('to_print', 'issued', 'active')"),
            postgresql_where=db.text("status IN ('to_print', 'issued', 'active')"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Ten digits, the last a Luhn check digit: a mistyped number is refused before any lookup.
    number: Mapped[str] = mapped_column(String(10), unique=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    status: Mapped[CardStatus] = mapped_column(enum_column(CardStatus), default=CardStatus.to_print)
    valid_until: Mapped[date] = mapped_column(Date)
    replaces_id: Mapped[int | None] = mapped_column(ForeignKey("courtesy_card.id"), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    printed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    activated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # When and by whom it was reported lost, expired or revoked, and why.
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ended_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    end_note: Mapped[str | None] = mapped_column(String(500))

    person: Mapped[Person] = relationship()
    replaces: Mapped[CourtesyCard | None] = relationship(remote_side=[id])
    created_by: Mapped[User] = relationship(foreign_keys=[created_by_id])
    ended_by: Mapped[User | None] = relationship(foreign_keys=[ended_by_id])


class PartnerKind(enum.Enum):
    """What kind of place a partner is."""

    bus = "bus"  # 公交公司
    health = "health"  # 医院、体检中心
    scenic = "scenic"  # 景区
    supermarket = "supermarket"  # 超市
    merchant = "merchant"  # 爱心商家
    department = "department"  # 政府部门 (市人社局, 市教育局): handles benefits by application
    courier = "courier"  # 配送公司: delivers the flowers of Lei Feng day (care.flower_models)
    other = "other"

    @property
    def label(self) -> str:
        return str(PARTNER_KIND_LABELS[self])


PARTNER_KIND_LABELS = {
    PartnerKind.bus: _l("Bus company"),
    PartnerKind.health: _l("Hospital or check-up centre"),
    PartnerKind.scenic: _l("Scenic spot"),
    PartnerKind.supermarket: _l("Supermarket"),
    PartnerKind.merchant: _l("Caring merchant"),
    PartnerKind.department: _l("Government department"),
    PartnerKind.courier: _l("Courier company"),
    PartnerKind.other: _l("Other"),
}


class PartnerStatus(enum.Enum):
    pending = "pending"  # registered, waiting for the office
    approved = "approved"
    suspended = "suspended"

    @property
    def label(self) -> str:
        return str(PARTNER_STATUS_LABELS[self])


PARTNER_STATUS_LABELS = {
    PartnerStatus.pending: _l("Waiting for approval"),
    PartnerStatus.approved: _l("Approved"),
    PartnerStatus.suspended: _l("Suspended"),
}


class Partner(db.Model):
    """A partner that gives benefits on the card (礼遇合作单位); a caring merchant already on
    the platform is linked to its merchant record. Its staff are users holding a partner-staff
    assignment to it."""

    __tablename__ = "card_partner"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    kind: Mapped[PartnerKind] = mapped_column(enum_column(PartnerKind))
    district_id: Mapped[int | None] = mapped_column(ForeignKey("district.id"), index=True)
    address: Mapped[str] = mapped_column(String(200), default="")
    contact_name: Mapped[str] = mapped_column(String(64), default="")
    contact_phone: Mapped[str] = mapped_column(String(20), default="")
    merchant_id: Mapped[int | None] = mapped_column(ForeignKey("merchant.id"), unique=True)
    status: Mapped[PartnerStatus] = mapped_column(
        enum_column(PartnerStatus), default=PartnerStatus.pending
    )
    registered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    registered_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    district: Mapped[District | None] = relationship()
    merchant: Mapped[Merchant | None] = relationship()


class BenefitArea(enum.Enum):
    """The 8 areas of the city's rules on courtesy for good people."""

    celebration = "celebration"  # 节庆礼遇
    scenic = "scenic"  # 景区游览
    health = "health"  # 医疗保健
    transport = "transport"  # 公共交通
    employment = "employment"  # 就业帮扶
    shopping = "shopping"  # 购物优惠
    schooling = "schooling"  # 子女入学
    other = "other"  # 其他

    @property
    def label(self) -> str:
        return str(BENEFIT_AREA_LABELS[self])


BENEFIT_AREA_LABELS = {
    BenefitArea.celebration: _l("Celebrations"),
    BenefitArea.scenic: _l("Scenic spots"),
    BenefitArea.health: _l("Health care"),
    BenefitArea.transport: _l("Public transport"),
    BenefitArea.employment: _l("Employment"),
    BenefitArea.shopping: _l("Shopping"),
    BenefitArea.schooling: _l("Children's schooling"),
    BenefitArea.other: _l("Other"),
}


class BenefitKind(enum.Enum):
    free = "free"  # 免费
    discount = "discount"  # 折扣
    priority = "priority"  # 优先
    application = "application"  # 申请办理 (jobs, schooling)

    @property
    def label(self) -> str:
        return str(BENEFIT_KIND_LABELS[self])


BENEFIT_KIND_LABELS = {
    BenefitKind.free: _l("Free"),
    BenefitKind.discount: _l("Discount"),
    BenefitKind.priority: _l("Priority"),
    BenefitKind.application: _l("By application"),
}


class LimitPeriod(enum.Enum):
    """The period a benefit's limit counts in: the calendar year or month of the use."""

    year = "year"
    month = "month"

    @property
    def label(self) -> str:
        return str(LIMIT_PERIOD_LABELS[self])


LIMIT_PERIOD_LABELS = {LimitPeriod.year: _l("a year"), LimitPeriod.month: _l("a month")}


class Benefit(db.Model):
    """A benefit on the card (礼遇项目), given by one partner or shared city-wide by several
    (one free check-up a year at any listed centre: one counter, whichever centre). It is for
    holders whose highest active honour is at `lowest_level` or higher."""

    __tablename__ = "card_benefit"
    __table_args__ = (
        CheckConstraint(
            "(limit_count IS NULL AND limit_period IS NULL)"
            " OR (limit_count > 0 AND limit_period IS NOT NULL)",
            name="limit_whole",
        ),
        CheckConstraint(
            "(kind = 'discount' AND discount_percent BETWEEN 1 AND 99)"
            " OR (kind <> 'discount' AND discount_percent IS NULL)",
            name="discount_by_kind",
        ),
        CheckConstraint("value_fen >= 0", name="value_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    area: Mapped[BenefitArea] = mapped_column(enum_column(BenefitArea))
    kind: Mapped[BenefitKind] = mapped_column(enum_column(BenefitKind))
    # The share of the price the holder pays, in per cent (80: 20% off).
    discount_percent: Mapped[int | None]
    # What one use is worth for settlement with the partner, in fen (分).
    value_fen: Mapped[int] = mapped_column(default=0)
    limit_count: Mapped[int | None]
    limit_period: Mapped[LimitPeriod | None] = mapped_column(enum_column(LimitPeriod))
    lowest_level: Mapped[HonourLevel] = mapped_column(
        enum_column(HonourLevel), default=HonourLevel.county
    )
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))

    partners: Mapped[list[Partner]] = relationship(
        secondary="card_benefit_partner", order_by="Partner.name"
    )

    @property
    def is_shared(self) -> bool:
        return len(self.partners) > 1


class BenefitPartner(db.Model):
    """A partner that gives a benefit."""

    __tablename__ = "card_benefit_partner"

    benefit_id: Mapped[int] = mapped_column(ForeignKey("card_benefit.id"), primary_key=True)
    partner_id: Mapped[int] = mapped_column(
        ForeignKey("card_partner.id"), primary_key=True, index=True
    )


class BenefitCounter(db.Model):
    """How often a holder has used a limited benefit in one period. Counted per person, not
    per card, so that a replacement card does not start the count again. Taken by a
    conditional update (used < limit), so two partners at one instant cannot both take the
    last use."""

    __tablename__ = "card_benefit_counter"
    __table_args__ = (
        UniqueConstraint("person_id", "benefit_id", "period_start"),
        CheckConstraint("used >= 0", name="used_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    benefit_id: Mapped[int] = mapped_column(ForeignKey("card_benefit.id"), index=True)
    period_start: Mapped[date] = mapped_column(Date)
    used: Mapped[int] = mapped_column(default=0)


class CardUse(db.Model):
    """One use of a benefit, recorded by a partner's staff (who, where, when, which benefit,
    what it is worth for settlement)."""

    __tablename__ = "card_use"

    id: Mapped[int] = mapped_column(primary_key=True)
    card_id: Mapped[int] = mapped_column(ForeignKey("courtesy_card.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    benefit_id: Mapped[int] = mapped_column(ForeignKey("card_benefit.id"), index=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("card_partner.id"), index=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    used_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    value_fen: Mapped[int]
    period_start: Mapped[date | None] = mapped_column(Date)

    card: Mapped[CourtesyCard] = relationship()
    benefit: Mapped[Benefit] = relationship()
    partner: Mapped[Partner] = relationship()
    staff: Mapped[User] = relationship()


class CheckOutcome(enum.Enum):
    """What a partner's check of a card answered. Only valid or invalid reaches the staff;
    the reason is kept here for the office."""

    valid = "valid"
    unknown = "unknown"  # no such number, or a QR code whose signature does not hold
    not_active = "not_active"  # printed but not handed over
    lost = "lost"
    expired = "expired"
    revoked = "revoked"
    replaced = "replaced"  # a lost card's number, after its replacement was issued
    limit_reached = "limit_reached"
    not_for_level = "not_for_level"
    identity_mismatch = "identity_mismatch"  # the staff found the ID card did not match

    @property
    def label(self) -> str:
        return str(CHECK_OUTCOME_LABELS[self])

    @property
    def alerts(self) -> bool:
        """A lost or revoked card presented somewhere is told to the person's district."""
        return self in (CheckOutcome.lost, CheckOutcome.revoked, CheckOutcome.replaced)


CHECK_OUTCOME_LABELS = {
    CheckOutcome.valid: _l("Valid"),
    CheckOutcome.unknown: _l("Unknown number or forged code"),
    CheckOutcome.not_active: _l("Not handed over yet"),
    CheckOutcome.lost: _l("Reported lost"),
    CheckOutcome.expired: _l("Expired"),
    CheckOutcome.revoked: _l("Revoked"),
    CheckOutcome.replaced: _l("Replaced by a new card"),
    CheckOutcome.limit_reached: _l("Limit reached"),
    CheckOutcome.not_for_level: _l("Not for this honour level"),
    CheckOutcome.identity_mismatch: _l("Identity did not match"),
}


class CardCheck(db.Model):
    """A check of a card by a partner's staff: scanned or typed, what it answered, and for a
    refused use the benefit asked for. `alerted_at` is stamped when the district was told."""

    __tablename__ = "card_check"

    id: Mapped[int] = mapped_column(primary_key=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("card_partner.id"), index=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    card_id: Mapped[int | None] = mapped_column(ForeignKey("courtesy_card.id"), index=True)
    benefit_id: Mapped[int | None] = mapped_column(ForeignKey("card_benefit.id"))
    scanned: Mapped[bool] = mapped_column(default=False)
    outcome: Mapped[CheckOutcome] = mapped_column(enum_column(CheckOutcome))
    checked_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    alerted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    partner: Mapped[Partner] = relationship()
    card: Mapped[CourtesyCard | None] = relationship()
    benefit: Mapped[Benefit | None] = relationship()
