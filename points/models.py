"""Accounts and immutable ledger entries (积分账本); merchants, their catalogues, redeem codes
and redemptions."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from core.auth.models import User
from core.clock import local_day, utcnow
from core.db import UTCDateTime, enum_column
from core.districts import District
from core.extensions import db


class AccountKind(enum.Enum):
    """volunteer: one per volunteer, never below zero; issuance: where earned points come
    from; adjustment: the office's hand corrections; expired: where expired points go (过期积分);
    charity_pool: a team's (team_id) or the city's (no team) pool of donated points (爱心积分池),
    never below zero. The other system accounts run negative: the sum of every balance is
    always zero."""

    volunteer = "volunteer"
    merchant = "merchant"
    issuance = "issuance"
    adjustment = "adjustment"
    expired = "expired"
    charity_pool = "charity_pool"


# Accounts the database and the ledger keep from going below zero.
NEVER_OVERDRAWN = (AccountKind.volunteer, AccountKind.charity_pool)


SYSTEM_ACCOUNT = "owner_id IS NULL AND merchant_id IS NULL AND team_id IS NULL"


class Account(db.Model):
    """A points account with a cached balance, changed only together with an entry."""

    __tablename__ = "points_account"
    __table_args__ = (
        UniqueConstraint("kind", "owner_id"),
        UniqueConstraint("kind", "merchant_id"),
        UniqueConstraint("kind", "team_id"),
        # NULLs are distinct in a unique constraint: system accounts need their own index.
        Index(
            "uq_points_account_system",
            "kind",
            unique=True,
            sqlite_where=text(SYSTEM_ACCOUNT),
            postgresql_where=text(SYSTEM_ACCOUNT),
        ),
        # The database itself refuses an overdraft of a volunteer's account or a pool.
        CheckConstraint(
            "kind NOT IN ('volunteer', 'charity_pool') OR balance >= 0", name="no_overdraft"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[AccountKind] = mapped_column(enum_column(AccountKind))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    merchant_id: Mapped[int | None] = mapped_column(ForeignKey("merchant.id"))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id"))
    balance: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    owner: Mapped[User | None] = relationship()


class EntryKind(enum.Enum):
    earn = "earn"
    redeem = "redeem"
    reverse = "reverse"
    adjust = "adjust"
    gift = "gift"  # 转赠: to a family member or a charity pool
    award = "award"  # from a charity pool, by the office
    expire = "expire"  # 积分过期


class CauseKind(enum.Enum):
    """What an entry was for, kept as data so that points never imports events."""

    attendance = "attendance"
    redemption = "redemption"
    adjustment = "adjustment"
    gift = "gift"  # to a linked family member (家人转赠)
    donation = "donation"  # to a team's or the city's charity pool (捐入爱心积分池)
    pool_award = "pool_award"  # from a charity pool, by the office, with its reason
    expiry = "expiry"  # the nightly job's entry of what expired (积分过期)


class LedgerEntry(db.Model):
    """One movement of points from one account to another. Never updated, never deleted; a
    mistake is undone by a reversing entry pointing at it."""

    __tablename__ = "ledger_entry"
    __table_args__ = (
        CheckConstraint("amount > 0", name="positive"),
        CheckConstraint("from_account_id != to_account_id", name="two_accounts"),
        Index("ix_ledger_entry_cause", "cause_kind", "cause_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    from_account_id: Mapped[int] = mapped_column(ForeignKey("points_account.id"), index=True)
    to_account_id: Mapped[int] = mapped_column(ForeignKey("points_account.id"), index=True)
    amount: Mapped[int]
    kind: Mapped[EntryKind] = mapped_column(enum_column(EntryKind))
    cause_kind: Mapped[CauseKind] = mapped_column(enum_column(CauseKind))
    cause_id: Mapped[int | None]
    memo: Mapped[str] = mapped_column(Text, default="")
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reverses_id: Mapped[int | None] = mapped_column(ForeignKey("ledger_entry.id"))
    idempotency_key: Mapped[str] = mapped_column(String(128), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    from_account: Mapped[Account] = relationship(foreign_keys=[from_account_id])
    to_account: Mapped[Account] = relationship(foreign_keys=[to_account_id])
    actor: Mapped[User | None] = relationship()


class MerchantKind(enum.Enum):
    caring_merchant = "caring_merchant"  # 爱心商家
    points_supermarket = "points_supermarket"  # 积分超市 (often at a practice station)


class Merchant(db.Model):
    """A caring merchant or points supermarket where volunteers spend points."""

    __tablename__ = "merchant"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    kind: Mapped[MerchantKind] = mapped_column(enum_column(MerchantKind))
    district_id: Mapped[int] = mapped_column(ForeignKey("district.id"), index=True)
    address: Mapped[str] = mapped_column(String(200))
    contact: Mapped[str] = mapped_column(String(64), default="")
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    district: Mapped[District] = relationship()
    items: Mapped[list[CatalogItem]] = relationship(
        back_populates="merchant", order_by="CatalogItem.price"
    )

    @property
    def offered_items(self) -> list[CatalogItem]:
        return [item for item in self.items if item.is_active]


class MerchantStaff(db.Model):
    """A merchant-staff account and the one merchant it works for."""

    __tablename__ = "merchant_staff"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    merchant_id: Mapped[int] = mapped_column(ForeignKey("merchant.id"), index=True)

    user: Mapped[User] = relationship()
    merchant: Mapped[Merchant] = relationship()


class CatalogItem(db.Model):
    """Goods of a merchant's catalogue; `stock` None means unlimited."""

    __tablename__ = "catalog_item"
    __table_args__ = (
        CheckConstraint("price > 0", name="price"),
        CheckConstraint("stock IS NULL OR stock >= 0", name="stock"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    merchant_id: Mapped[int] = mapped_column(ForeignKey("merchant.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    price: Mapped[int]
    stock: Mapped[int | None]
    is_active: Mapped[bool] = mapped_column(default=True)

    merchant: Mapped[Merchant] = relationship(back_populates="items")


class RedeemCode(db.Model):
    """A volunteer's one-time 8-digit code (and QR), valid a few minutes (兑换码)."""

    __tablename__ = "redeem_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    code: Mapped[str] = mapped_column(String(8), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()


class RedemptionStatus(enum.Enum):
    completed = "completed"
    reversed = "reversed"


class Redemption(db.Model):
    """A purchase with points at a merchant (积分兑换): its lines, its ledger entry and, if
    undone, its reversing entry. The idempotency key makes a retried request return it."""

    __tablename__ = "redemption"

    id: Mapped[int] = mapped_column(primary_key=True)
    merchant_id: Mapped[int] = mapped_column(ForeignKey("merchant.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    code_id: Mapped[int] = mapped_column(ForeignKey("redeem_code.id"), unique=True)
    total: Mapped[int]
    status: Mapped[RedemptionStatus] = mapped_column(
        enum_column(RedemptionStatus), default=RedemptionStatus.completed
    )
    idempotency_key: Mapped[str] = mapped_column(String(128), unique=True)
    request_hash: Mapped[str] = mapped_column(String(64))
    # Set in the same unit of work, right after the entry that points back at this row.
    entry_id: Mapped[int | None] = mapped_column(ForeignKey("ledger_entry.id"))
    reversal_entry_id: Mapped[int | None] = mapped_column(ForeignKey("ledger_entry.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    reversed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    reversed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # Why the counter undid it; None for reversals made before reasons were asked (and by API
    # clients that give none).
    reversal_reason: Mapped[str | None] = mapped_column(String(200))
    # The local day of the purchase, so that reports group and filter by an index.
    redeemed_on: Mapped[date] = mapped_column(Date, index=True)

    merchant: Mapped[Merchant] = relationship()
    user: Mapped[User] = relationship(foreign_keys=[user_id])
    lines: Mapped[list[RedemptionLine]] = relationship(
        back_populates="redemption", cascade="all, delete-orphan"
    )

    @validates("created_at")
    def _keep_redeemed_on(self, _key: str, created_at: datetime) -> datetime:
        self.redeemed_on = local_day(created_at)
        return created_at


class RedemptionLine(db.Model):
    """One item of a redemption, with the name and price it had then."""

    __tablename__ = "redemption_line"
    __table_args__ = (CheckConstraint("quantity > 0", name="quantity"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    redemption_id: Mapped[int] = mapped_column(ForeignKey("redemption.id"), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("catalog_item.id"))
    name: Mapped[str] = mapped_column(String(120))
    unit_price: Mapped[int]
    quantity: Mapped[int]

    redemption: Mapped[Redemption] = relationship(back_populates="lines")
