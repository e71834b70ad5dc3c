"""Accounts and immutable ledger entries (积分账本)."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.auth.models import User
from core.clock import utcnow
from core.db import UTCDateTime, enum_column
from core.extensions import db


class AccountKind(enum.Enum):
    """volunteer: one per volunteer, never below zero; issuance: where earned points come
    from; adjustment: the office's hand corrections. System accounts run negative: the sum of
    every balance is always zero."""

    volunteer = "volunteer"
    issuance = "issuance"
    adjustment = "adjustment"


class Account(db.Model):
    """A points account with a cached balance, changed only together with an entry."""

    __tablename__ = "points_account"
    __table_args__ = (
        UniqueConstraint("kind", "owner_id"),
        # NULLs are distinct in a unique constraint: system accounts need their own index.
        Index(
            "uq_points_account_system",
            "kind",
            unique=True,
            sqlite_where=text("owner_id IS NULL"),
            postgresql_where=text("owner_id IS NULL"),
        ),
        # The database itself refuses an overdraft of a volunteer's account.
        CheckConstraint("kind != 'volunteer' OR balance >= 0", name="no_overdraft"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[AccountKind] = mapped_column(enum_column(AccountKind))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    balance: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    owner: Mapped[User | None] = relationship()


class EntryKind(enum.Enum):
    earn = "earn"
    redeem = "redeem"
    reverse = "reverse"
    adjust = "adjust"


class CauseKind(enum.Enum):
    """What an entry was for, kept as data so that points never imports events."""

    attendance = "attendance"
    redemption = "redemption"
    adjustment = "adjustment"


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
