"""The conduct clauses that govern honoured people (行为规范条款: 4 prohibitions, 6 exit clauses),
each kept as versions, and breach cases (违规线索/案件) with the clauses they cite, their
evidence and every step taken on them.

A clause is edited by adding a version; versions, case steps and cited clauses are written
once and never changed. A case row carries only where the case stands now and what each stage
recorded (findings, the talk, how the person was told, the statement, the decision).
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
from core.uploads.models import Upload
from honours.card_models import Partner
from honours.models import Honour, Person
from honours.revocation_models import Revocation


class ClauseKind(enum.Enum):
    """A prohibition (禁止性条款, 4 of them) or an exit clause (退出条款, 6 of them)."""

    prohibition = "prohibition"
    exit = "exit"

    @property
    def label(self) -> str:
        return str(CLAUSE_KIND_LABELS[self])

    @property
    def most(self) -> int:
        """How many clauses of the kind the city's rules hold."""
        return CLAUSES_OF_KIND[self]


CLAUSE_KIND_LABELS = {
    ClauseKind.prohibition: _l("Prohibition"),
    ClauseKind.exit: _l("Exit clause"),
}
CLAUSES_OF_KIND = {ClauseKind.prohibition: 4, ClauseKind.exit: 6}


class Clause(db.Model):
    """A clause of the city's rules: its kind and number within the kind (禁止第2条). What it
    says is in its versions; the one in force on a day is the latest to take effect by then."""

    __tablename__ = "conduct_clause"
    __table_args__ = (
        UniqueConstraint("kind", "position"),
        CheckConstraint("position BETWEEN 1 AND 6", name="position"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[ClauseKind] = mapped_column(enum_column(ClauseKind))
    position: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))

    versions: Mapped[list[ClauseVersion]] = relationship(
        back_populates="clause", order_by="ClauseVersion.number"
    )

    @property
    def code(self) -> str:
        """The clause's short name: 禁止第2条 / Prohibition 2."""
        return str(_l("%(kind)s %(n)d", kind=self.kind.label, n=self.position))


class ClauseVersion(db.Model):
    """One wording of a clause (条款版本), in force from `effective_from` until a later version
    takes effect. Never changed: an edit is a new version."""

    __tablename__ = "conduct_clause_version"
    __table_args__ = (UniqueConstraint("clause_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    clause_id: Mapped[int] = mapped_column(ForeignKey("conduct_clause.id"), index=True)
    number: Mapped[int]
    title: Mapped[str] = mapped_column(String(120))
    text: Mapped[str] = mapped_column(Text)
    effective_from: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))

    clause: Mapped[Clause] = relationship(back_populates="versions")
    created_by: Mapped[User] = relationship()


class SourceKind(enum.Enum):
    """Where a breach report came from."""

    public = "public"  # 群众举报 (real name)
    media = "media"  # 媒体
    agency = "agency"  # 有关部门
    partner = "partner"  # 礼遇合作单位
    clerk = "clerk"  # 文明办干部

    @property
    def label(self) -> str:
        return str(SOURCE_KIND_LABELS[self])


SOURCE_KIND_LABELS = {
    SourceKind.public: _l("The public (real name)"),
    SourceKind.media: _l("Media"),
    SourceKind.agency: _l("An agency"),
    SourceKind.partner: _l("A card partner"),
    SourceKind.clerk: _l("A clerk"),
}


class CaseStage(enum.Enum):
    """Where a breach case stands, in the order it moves."""

    received = "received"  # 受理
    assigned = "assigned"  # 交办县区 (the person's district is answerable)
    investigating = "investigating"  # 调查核实
    city_review = "city_review"  # 市级审核
    warning_talk = "warning_talk"  # 约谈 to be recorded
    notifying = "notifying"  # 撤销拟议: the person to be told
    statement = "statement"  # 陈述申辩期 (10 working days)
    review = "review"  # 复核
    closed = "closed"  # 办结

    @property
    def label(self) -> str:
        return str(CASE_STAGE_LABELS[self])


CASE_STAGE_LABELS = {
    CaseStage.received: _l("Received"),
    CaseStage.assigned: _l("Assigned to the district"),
    CaseStage.investigating: _l("Investigating"),
    CaseStage.city_review: _l("City review"),
    CaseStage.warning_talk: _l("Warning talk to hold"),
    CaseStage.notifying: _l("Revocation proposed: the person to be told"),
    CaseStage.statement: _l("Statement period"),
    CaseStage.review: _l("Review requested"),
    CaseStage.closed: _l("Closed"),
}
OPEN_STAGES = tuple(stage for stage in CaseStage if stage is not CaseStage.closed)


class CaseOutcome(enum.Enum):
    """How a case ended (before any review)."""

    no_breach = "no_breach"  # 不构成违规
    warning = "warning"  # 约谈提醒
    revoked = "revoked"  # 撤销荣誉
    kept = "kept"  # 拟撤销后决定保留

    @property
    def label(self) -> str:
        return str(CASE_OUTCOME_LABELS[self])


CASE_OUTCOME_LABELS = {
    CaseOutcome.no_breach: _l("No breach"),
    CaseOutcome.warning: _l("Warning talk"),
    CaseOutcome.revoked: _l("Honours revoked"),
    CaseOutcome.kept: _l("Honours kept"),
}


class ReviewOutcome(enum.Enum):
    """The city's answer to the person's request for review (复核)."""

    upheld = "upheld"  # 维持
    overturned = "overturned"  # 撤销原决定

    @property
    def label(self) -> str:
        return str(REVIEW_OUTCOME_LABELS[self])


REVIEW_OUTCOME_LABELS = {
    ReviewOutcome.upheld: _l("Upheld"),
    ReviewOutcome.overturned: _l("Overturned"),
}


class StepAction(enum.Enum):
    """What a step of a case did."""

    reported = "reported"
    assigned = "assigned"
    investigation_started = "investigation_started"
    findings = "findings"
    no_breach = "no_breach"
    warning = "warning"
    talk_held = "talk_held"
    revocation_proposed = "revocation_proposed"
    person_told = "person_told"
    statement = "statement"
    no_statement = "no_statement"
    revoked = "revoked"
    kept = "kept"
    review_requested = "review_requested"
    review_upheld = "review_upheld"
    review_overturned = "review_overturned"

    @property
    def label(self) -> str:
        return str(STEP_ACTION_LABELS[self])


STEP_ACTION_LABELS = {
    StepAction.reported: _l("Reported"),
    StepAction.assigned: _l("Assigned to the person's district"),
    StepAction.investigation_started: _l("Investigation started"),
    StepAction.findings: _l("Findings recorded, sent to the city"),
    StepAction.no_breach: _l("Decided: no breach"),
    StepAction.warning: _l("Decided: a warning talk"),
    StepAction.talk_held: _l("Warning talk recorded"),
    StepAction.revocation_proposed: _l("Revocation proposed"),
    StepAction.person_told: _l("The person was told"),
    StepAction.statement: _l("Statement received"),
    StepAction.no_statement: _l("No statement within the period"),
    StepAction.revoked: _l("Decided: honours revoked"),
    StepAction.kept: _l("Decided: honours kept"),
    StepAction.review_requested: _l("Review requested"),
    StepAction.review_upheld: _l("Review: decision upheld"),
    StepAction.review_overturned: _l("Review: decision overturned"),
}


class BreachCase(db.Model):
    """A report that an honoured person broke a conduct clause, and its handling. Assigned to
    the person's district when received ("whoever recommended is answerable"). The reporter's
    name and phone are read by the district and the city only."""

    __tablename__ = "breach_case"
    __table_args__ = (
        Index("ix_breach_case_stage_due", "stage", "stage_due_at"),
        CheckConstraint(
            "(stage = 'closed' AND closed_at IS NOT NULL)"
            " OR (stage <> 'closed' AND closed_at IS NULL)",
            name="closed",
        ),
        CheckConstraint("outcome <> 'revoked' OR revocation_id IS NOT NULL", name="revocation"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    district_id: Mapped[int] = mapped_column(ForeignKey("district.id"), index=True)
    stage: Mapped[CaseStage] = mapped_column(enum_column(CaseStage))
    stage_entered_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # When the current stage's time limit runs out (None: no limit, e.g. closed).
    stage_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    source_kind: Mapped[SourceKind] = mapped_column(enum_column(SourceKind))
    source_name: Mapped[str] = mapped_column(String(120), default="")
    reporter_name: Mapped[str] = mapped_column(String(64), default="")
    reporter_phone: Mapped[str] = mapped_column(String(20), default="")
    partner_id: Mapped[int | None] = mapped_column(ForeignKey("card_partner.id"), index=True)
    description: Mapped[str] = mapped_column(Text)
    reported_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    findings: Mapped[str | None] = mapped_column(Text)
    # The warning talk (约谈): when, who held it, what was said.
    talk_on: Mapped[date | None] = mapped_column(Date)
    talk_by: Mapped[str | None] = mapped_column(String(120))
    talk_summary: Mapped[str | None] = mapped_column(Text)
    # How and when the person was told of the proposed revocation; the statement period's end.
    told_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    told_how: Mapped[str | None] = mapped_column(String(200))
    statement_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    statement_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    statement: Mapped[str | None] = mapped_column(Text)
    outcome: Mapped[CaseOutcome | None] = mapped_column(enum_column(CaseOutcome))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revocation_id: Mapped[int | None] = mapped_column(ForeignKey("revocation.id"), unique=True)
    # Until when the person may ask for review (复核), once.
    review_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    review_requested_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    review_reason: Mapped[str | None] = mapped_column(Text)
    review_outcome: Mapped[ReviewOutcome | None] = mapped_column(enum_column(ReviewOutcome))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    person: Mapped[Person] = relationship()
    district: Mapped[District] = relationship()
    partner: Mapped[Partner | None] = relationship()
    reported_by: Mapped[User] = relationship()
    revocation: Mapped[Revocation | None] = relationship()
    clause_versions: Mapped[list[ClauseVersion]] = relationship(
        secondary="breach_case_clause", order_by="ClauseVersion.clause_id"
    )
    honours: Mapped[list[Honour]] = relationship(
        secondary="breach_case_honour", order_by="Honour.awarded_on"
    )
    files: Mapped[list[BreachCaseFile]] = relationship(order_by="BreachCaseFile.id")
    steps: Mapped[list[BreachCaseStep]] = relationship(order_by="BreachCaseStep.id")


class BreachCaseClause(db.Model):
    """A clause the case cites, as the version in force when it was reported."""

    __tablename__ = "breach_case_clause"

    case_id: Mapped[int] = mapped_column(ForeignKey("breach_case.id"), primary_key=True)
    clause_version_id: Mapped[int] = mapped_column(
        ForeignKey("conduct_clause_version.id"), primary_key=True, index=True
    )


class BreachCaseHonour(db.Model):
    """An honour the city proposed to revoke on the case."""

    __tablename__ = "breach_case_honour"

    case_id: Mapped[int] = mapped_column(ForeignKey("breach_case.id"), primary_key=True)
    honour_id: Mapped[int] = mapped_column(ForeignKey("honour.id"), primary_key=True, index=True)


class BreachCaseFile(db.Model):
    """An evidence file (证据材料) of the case: an image or a PDF."""

    __tablename__ = "breach_case_file"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("breach_case.id"), index=True)
    upload_id: Mapped[int] = mapped_column(ForeignKey("upload.id"), unique=True)
    added_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime)

    upload: Mapped[Upload] = relationship()


class BreachCaseStep(db.Model):
    """A step taken on a case: who (None: the platform itself), when, from which stage to
    which, and the opinion given. Appended, never changed."""

    __tablename__ = "breach_case_step"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("breach_case.id"), index=True)
    action: Mapped[StepAction] = mapped_column(enum_column(StepAction, "caseaction"))
    from_stage: Mapped[CaseStage | None] = mapped_column(enum_column(CaseStage, "from_stage"))
    to_stage: Mapped[CaseStage] = mapped_column(enum_column(CaseStage, "to_stage"))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    opinion: Mapped[str] = mapped_column(Text, default="")

    actor: Mapped[User | None] = relationship()
