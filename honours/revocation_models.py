"""Revocation of honours under the exit clauses (撤销荣誉称号) and the task it opens to take back
the courtesy card and the certificates (收回好人卡和证书).

A revocation is a decision of the city: written once, never changed or deleted. Each honour
is revoked by one revocation at most (a unique key on the link), whatever two deciders do at
the same moment. The recall task is the district's work that follows it.
"""

from __future__ import annotations

import enum
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.auth.models import User
from core.db import UTCDateTime, enum_column
from core.extensions import db
from honours.card_models import CourtesyCard
from honours.models import Honour, Person


class Revocation(db.Model):
    """The city's decision to revoke honours of a person (撤销决定): which, why, under which
    document number, by whom and when."""

    __tablename__ = "revocation"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    reason: Mapped[str] = mapped_column(Text)
    # The decision's document number, such as 秦文明〔2026〕12号, when there is one.
    decision_number: Mapped[str | None] = mapped_column(String(60))
    decided_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)

    person: Mapped[Person] = relationship()
    decided_by: Mapped[User] = relationship()
    honours: Mapped[list[Honour]] = relationship(
        secondary="revocation_honour", order_by="Honour.awarded_on"
    )
    recall_task: Mapped[RecallTask | None] = relationship(back_populates="revocation")
    reinstatement: Mapped[Reinstatement | None] = relationship(back_populates="revocation")


class Reinstatement(db.Model):
    """The city's decision that gives back the honours a revocation took (恢复荣誉称号), when a
    review overturned it: written once, at most one per revocation (a unique key), by whom,
    when and why. The revocation itself stays as it was written."""

    __tablename__ = "reinstatement"

    id: Mapped[int] = mapped_column(primary_key=True)
    revocation_id: Mapped[int] = mapped_column(ForeignKey("revocation.id"), unique=True)
    reason: Mapped[str] = mapped_column(Text)
    decided_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime)

    revocation: Mapped[Revocation] = relationship(back_populates="reinstatement")
    decided_by: Mapped[User] = relationship()


class RevocationHonour(db.Model):
    """An honour a revocation revoked. An honour is revoked once: its id is unique here."""

    __tablename__ = "revocation_honour"

    revocation_id: Mapped[int] = mapped_column(ForeignKey("revocation.id"), primary_key=True)
    honour_id: Mapped[int] = mapped_column(ForeignKey("honour.id"), primary_key=True, unique=True)


class RecallStatus(enum.Enum):
    """Where taking back the card and certificates stands."""

    open = "open"  # 待收回
    done = "done"  # 已收回
    not_recoverable = "not_recoverable"  # 无法收回 (with a note saying why)

    @property
    def label(self) -> str:
        return str(RECALL_STATUS_LABELS[self])


RECALL_STATUS_LABELS = {
    RecallStatus.open: _l("To take back"),
    RecallStatus.done: _l("Taken back"),
    RecallStatus.not_recoverable: _l("Not recoverable"),
}


class RecallTask(db.Model):
    """The task to take back the card (the one the person held when the revocation came, if
    any) and the certificates of the revoked honours, for the clerks of the person's district.
    Closed once: taken back, or not recoverable with a note."""

    __tablename__ = "recall_task"
    __table_args__ = (
        CheckConstraint(
            "(status = 'open' AND closed_at IS NULL AND closed_by_id IS NULL)"
            " OR (status <> 'open' AND closed_at IS NOT NULL AND closed_by_id IS NOT NULL)",
            name="closed_whole",
        ),
        CheckConstraint("status <> 'not_recoverable' OR note IS NOT NULL", name="note_why"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    revocation_id: Mapped[int] = mapped_column(ForeignKey("revocation.id"), unique=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    card_id: Mapped[int | None] = mapped_column(ForeignKey("courtesy_card.id"))
    status: Mapped[RecallStatus] = mapped_column(
        enum_column(RecallStatus), default=RecallStatus.open, index=True
    )
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    note: Mapped[str | None] = mapped_column(String(500))

    revocation: Mapped[Revocation] = relationship(back_populates="recall_task")
    person: Mapped[Person] = relationship()
    card: Mapped[CourtesyCard | None] = relationship()
    closed_by: Mapped[User | None] = relationship()

    @property
    def is_open(self) -> bool:
        return self.status is RecallStatus.open
