"""Gifting points (积分转赠): family links between volunteers (家人关联), the gifts a volunteer
makes to a linked family member or a charity pool (爱心积分池), and the office's awards from a
pool."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from core.auth.models import User
from core.clock import local_day, utcnow
from core.db import UTCDateTime, enum_column
from core.extensions import db

if TYPE_CHECKING:
    from volunteer.models import Team

# The longest note a giver may add, and the longest reason of an award.
MAX_GIFT_NOTE = 100
MAX_AWARD_REASON = 200


class Relation(enum.Enum):
    """What the relative is to the one who asked for the link."""

    spouse = "spouse"
    parent = "parent"
    child = "child"
    sibling = "sibling"
    grandparent = "grandparent"
    grandchild = "grandchild"
    other = "other"


# The same link seen from the relative's side.
_INVERSE = {
    Relation.parent: Relation.child,
    Relation.child: Relation.parent,
    Relation.grandparent: Relation.grandchild,
    Relation.grandchild: Relation.grandparent,
}


class LinkStatus(enum.Enum):
    """requested → confirmed (by the relative) → ended (by either); requested → declined (by
    the relative) or ended (withdrawn by the one who asked)."""

    requested = "requested"
    confirmed = "confirmed"
    declined = "declined"
    ended = "ended"


LIVE_LINK = "status IN ('requested', 'confirmed')"


class FamilyLink(db.Model):
    """A link between two volunteers, asked for by one and confirmed by the other; gifts go
    only along a confirmed link. `user_low_id`/`user_high_id` are the pair in id order, so
    that the database holds at most one live link per pair whoever asked."""

    __tablename__ = "family_link"
    __table_args__ = (
        CheckConstraint("requester_id != relative_id", name="two_people"),
        CheckConstraint(
            "user_low_id < user_high_id AND user_low_id IN (requester_id, relative_id)"
            " AND user_high_id IN (requester_id, relative_id)",
            name="pair_in_order",
        ),
        Index(
            "uq_family_link_live_pair",
            "user_low_id",
            "user_high_id",
            unique=True,
            sqlite_where=text(LIVE_LINK),
            postgresql_where=text(LIVE_LINK),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    requester_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    relative_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    user_low_id: Mapped[int]
    user_high_id: Mapped[int]
    relation: Mapped[Relation] = mapped_column(enum_column(Relation))
    status: Mapped[LinkStatus] = mapped_column(
        enum_column(LinkStatus), default=LinkStatus.requested
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    requester: Mapped[User] = relationship(foreign_keys=[requester_id])
    relative: Mapped[User] = relationship(foreign_keys=[relative_id])

    def other(self, user: User) -> User:
        """The other one of the pair."""
        return self.relative if user.id == self.requester_id else self.requester

    def relation_seen_by(self, user: User) -> Relation:
        """What the other one is to `user`: the relative's parent sees the relative as child."""
        if user.id == self.requester_id:
            return self.relation
        return _INVERSE.get(self.relation, self.relation)


class GiftKind(enum.Enum):
    family = "family"  # to a linked family member (家人转赠)
    team_pool = "team_pool"  # to a team's charity pool
    city_pool = "city_pool"  # to the city's charity pool


class PointsGift(db.Model):
    """Points a volunteer gave: to a family member (`recipient_id`) or a pool (`team_id` for a
    team's, neither for the city's). The idempotency key (the giver's, prefixed with their id)
    makes a retried request return it; `given_on` is the local day, for the monthly cap."""

    __tablename__ = "points_gift"
    __table_args__ = (
        CheckConstraint("amount > 0", name="amount"),
        CheckConstraint("(kind = 'family') = (recipient_id IS NOT NULL)", name="recipient"),
        CheckConstraint("(kind = 'team_pool') = (team_id IS NOT NULL)", name="team"),
        Index("ix_points_gift_giver_given_on", "giver_id", "given_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    giver_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[GiftKind] = mapped_column(enum_column(GiftKind))
    recipient_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id"), index=True)
    amount: Mapped[int]
    note: Mapped[str] = mapped_column(String(MAX_GIFT_NOTE), default="")
    idempotency_key: Mapped[str] = mapped_column(String(128), unique=True)
    request_hash: Mapped[str] = mapped_column(String(64))
    # Set in the same unit of work, right after the entry that points back at this row.
    entry_id: Mapped[int | None] = mapped_column(ForeignKey("ledger_entry.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    given_on: Mapped[date] = mapped_column(Date)

    giver: Mapped[User] = relationship(foreign_keys=[giver_id])
    recipient: Mapped[User | None] = relationship(foreign_keys=[recipient_id])
    team: Mapped[Team | None] = relationship()

    @validates("created_at")
    def _keep_given_on(self, _key: str, created_at: datetime) -> datetime:
        self.given_on = local_day(created_at)
        return created_at


class PoolAward(db.Model):
    """Points the office awarded from a charity pool (a team's, or the city's when `team_id` is
    None) to a volunteer, with the reason the volunteer sees."""

    __tablename__ = "points_pool_award"
    __table_args__ = (CheckConstraint("amount > 0", name="amount"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id"), index=True)
    recipient_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    amount: Mapped[int]
    reason: Mapped[str] = mapped_column(String(MAX_AWARD_REASON))
    actor_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    idempotency_key: Mapped[str] = mapped_column(String(128), unique=True)
    request_hash: Mapped[str] = mapped_column(String(64))
    entry_id: Mapped[int | None] = mapped_column(ForeignKey("ledger_entry.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    recipient: Mapped[User] = relationship(foreign_keys=[recipient_id])
    team: Mapped[Team | None] = relationship()
