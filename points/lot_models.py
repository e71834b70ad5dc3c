"""Points lots (积分批次) and their draws, and the city's expiry policy (积分有效期).

Each time points come into a volunteer's account they form a lot with the day they count
from; spending draws from the lots that expire first, and a reversal gives back to the lots it
came from. The expiry date is not stored on a lot: it follows from the lot's day and the policy
in force, so that switching the policy rewrites nothing and races with nothing.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, text
from sqlalchemy.orm import Mapped, mapped_column

from core.clock import utcnow
from core.db import UTCDateTime, enum_column
from core.extensions import db


class PointsLot(db.Model):
    """Points that came into a volunteer's account together and expire together. `remaining`
    is what is left of `amount`; it moves only with a `LotDraw`, under the account's row lock."""

    __tablename__ = "points_lot"
    __table_args__ = (
        CheckConstraint("amount > 0", name="amount"),
        CheckConstraint("remaining >= 0 AND remaining <= amount", name="remaining"),
        # The open lots of an account in the order they are spent (and expire).
        Index(
            "ix_points_lot_open",
            "account_id",
            "earned_on",
            "id",
            sqlite_where=text("remaining > 0"),
            postgresql_where=text("remaining > 0"),
        ),
        # Every account's open lots by day: what the nightly job expires, and the warnings.
        Index(
            "ix_points_lot_open_by_day",
            "earned_on",
            sqlite_where=text("remaining > 0"),
            postgresql_where=text("remaining > 0"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("points_account.id"))
    # The entry that brought the points in (an earning, a gift received, a pool's award).
    entry_id: Mapped[int] = mapped_column(ForeignKey("ledger_entry.id"), index=True)
    amount: Mapped[int]
    remaining: Mapped[int]
    # The local day the points count from: the day earned, or for a gift the giver's lot's day.
    earned_on: Mapped[date] = mapped_column(Date)


class LotDraw(db.Model):
    """What one entry took from one lot (positive) or gave back to it (negative: a reversal
    returning points to the lots they came from). Never updated, never deleted."""

    __tablename__ = "points_lot_draw"
    __table_args__ = (CheckConstraint("amount != 0", name="amount"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    lot_id: Mapped[int] = mapped_column(ForeignKey("points_lot.id"), index=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("ledger_entry.id"), index=True)
    amount: Mapped[int]


class ExpiryRule(enum.Enum):
    """never: points never expire; months: N months after the day they count from;
    following_year_end: at the end of the calendar year after it (次年年底)."""

    never = "never"
    months = "months"
    following_year_end = "following_year_end"


class ExpiryPolicy(db.Model):
    """A version of the city's expiry policy. The newest row is in force; points earned before
    its `since` count from `since`, so switching a policy on expires nothing the first night."""

    __tablename__ = "points_expiry_policy"
    __table_args__ = (
        CheckConstraint(
            "(rule = 'months') = (months IS NOT NULL)", name="months_only_for_months_rule"
        ),
        CheckConstraint("months IS NULL OR (months >= 1 AND months <= 120)", name="months"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    rule: Mapped[ExpiryRule] = mapped_column(enum_column(ExpiryRule))
    months: Mapped[int | None]
    since: Mapped[date] = mapped_column(Date)
    set_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    set_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
