"""Benefits given by application (申请类礼遇: 就业帮扶, 子女入学): the honoured person, or a
clerk of their community, street or district on their behalf, applies for a benefit of kind
`application`; the district proposes it or declines it, the city approves it or declines it,
the department named (a partner of the benefit, such as 市人社局 or 市教育局) acknowledges it and
closes it with an outcome.

An application row carries where it stands now; every step is a row of its own, written and
never changed (who, when, from, to, with what opinion), which is also what the person is told
of.
"""

from __future__ import annotations

import enum
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.auth.models import User
from core.clock import utcnow
from core.db import UTCDateTime, enum_column
from core.extensions import db
from honours.card_models import Benefit, CourtesyCard, Partner
from honours.models import Person


class ApplicationStatus(enum.Enum):
    """applied → proposed (the district) | declined → approved (the city) | declined → in hand
    (the department acknowledged it) → closed (with an outcome)."""

    applied = "applied"  # 已申请
    proposed = "proposed"  # 区级已推荐
    approved = "approved"  # 市级已批准
    in_hand = "in_hand"  # 部门办理中
    closed = "closed"  # 已办结
    declined = "declined"  # 未通过

    @property
    def label(self) -> str:
        return str(APPLICATION_STATUS_LABELS[self])

    @property
    def is_open(self) -> bool:
        return self in OPEN_STATUSES


APPLICATION_STATUS_LABELS = {
    ApplicationStatus.applied: _l("Applied"),
    ApplicationStatus.proposed: _l("Proposed by the district"),
    ApplicationStatus.approved: _l("Approved by the city"),
    ApplicationStatus.in_hand: _l("In hand at the department"),
    ApplicationStatus.closed: _l("Closed"),
    ApplicationStatus.declined: _l("Declined"),
}
OPEN_STATUSES = (
    ApplicationStatus.applied,
    ApplicationStatus.proposed,
    ApplicationStatus.approved,
    ApplicationStatus.in_hand,
)
# The partial unique index's condition: one open application per person and benefit.
OPEN_CONDITION = "status IN ('applied', 'proposed', 'approved', 'in_hand')"


class ApplicationResult(enum.Enum):
    """What the department did in the end."""

    granted = "granted"  # 已落实
    not_granted = "not_granted"  # 未能落实

    @property
    def label(self) -> str:
        return str(APPLICATION_RESULT_LABELS[self])


APPLICATION_RESULT_LABELS = {
    ApplicationResult.granted: _l("Granted"),
    ApplicationResult.not_granted: _l("Not granted"),
}


class BenefitApplication(db.Model):
    """An application for a benefit given by application (礼遇申请). `asked` says what is asked
    (for schooling, the child's school stage), and nothing more personal than that."""

    __tablename__ = "benefit_application"
    __table_args__ = (
        Index(
            "ix_benefit_application_open",
            "person_id",
            "benefit_id",
            unique=True,
            sqlite_where=db.text(OPEN_CONDITION),
            postgresql_where=db.text(OPEN_CONDITION),
        ),
        CheckConstraint(
            "(status = 'closed' AND result IS NOT NULL AND closed_at IS NOT NULL)"
            " OR (status <> 'closed' AND result IS NULL)",
            name="result_when_closed",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    card_id: Mapped[int] = mapped_column(ForeignKey("courtesy_card.id"))
    benefit_id: Mapped[int] = mapped_column(ForeignKey("card_benefit.id"), index=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("card_partner.id"), index=True)
    asked: Mapped[str] = mapped_column(Text)
    status: Mapped[ApplicationStatus] = mapped_column(
        enum_column(ApplicationStatus), default=ApplicationStatus.applied, index=True
    )
    applied_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    applied_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    # The last step's time, for the lists' order and the office's figures.
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    result: Mapped[ApplicationResult | None] = mapped_column(enum_column(ApplicationResult))
    outcome: Mapped[str | None] = mapped_column(Text)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    person: Mapped[Person] = relationship()
    card: Mapped[CourtesyCard] = relationship()
    benefit: Mapped[Benefit] = relationship()
    department: Mapped[Partner] = relationship()
    applied_by: Mapped[User] = relationship()
    steps: Mapped[list[ApplicationStep]] = relationship(
        order_by="ApplicationStep.id", back_populates="application"
    )


class ApplicationStep(db.Model):
    """One step of an application: who took it, when, from which status to which, and the
    opinion given (a clerk's, the city's, the department's note)."""

    __tablename__ = "benefit_application_step"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("benefit_application.id"), index=True)
    actor_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    from_status: Mapped[ApplicationStatus | None] = mapped_column(
        enum_column(ApplicationStatus, "from_status")
    )
    to_status: Mapped[ApplicationStatus] = mapped_column(
        enum_column(ApplicationStatus, "to_status")
    )
    opinion: Mapped[str] = mapped_column(String(1000), default="")

    application: Mapped[BenefitApplication] = relationship(back_populates="steps")
    actor: Mapped[User] = relationship()
