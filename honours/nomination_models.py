"""Nominations (推荐) of good people within a round, and everything kept about them: who
nominated, the files, each review step, conflict-of-interest declarations, background checks,
consent, the panel's votes and tally, the public notice with its objections and likes, and
the committee's decision.

Steps, declarations, votes, likes and consents are written and never changed: a nomination's
history is read from them. The nomination row itself carries only where it stands now.
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
from core.districts import District
from core.extensions import db
from core.regions import Region, Sector
from core.uploads.models import Upload
from honours.models import Gender, HonourCategory, Person, Round


class Channel(enum.Enum):
    """The three ways a good person is put forward (推荐机制); a sector's nomination is the
    territorial channel entering at the city."""

    territorial = "territorial"  # 属地推荐
    media = "media"  # 媒体推荐
    public = "public"  # 自我推荐 / 群众推荐

    @property
    def label(self) -> str:
        return str(CHANNEL_LABELS[self])


CHANNEL_LABELS = {
    Channel.territorial: _l("Territorial (属地推荐)"),
    Channel.media: _l("Media (媒体推荐)"),
    Channel.public: _l("Self and public (自我推荐)"),
}


class Stage(enum.Enum):
    """Where a nomination stands. The review levels come in order, community to city; a
    nomination ends approved, rejected, withdrawn, declined (the nominee said no) or merged
    (a duplicate folded into the first)."""

    draft = "draft"
    community = "community"
    street = "street"
    district = "district"
    city = "city"
    consent = "consent"
    panel = "panel"
    notice = "notice"
    approved = "approved"
    rejected = "rejected"
    withdrawn = "withdrawn"
    declined = "declined"
    merged = "merged"

    @property
    def label(self) -> str:
        return str(STAGE_LABELS[self])

    @property
    def is_live(self) -> bool:
        """Still on its way: neither decided nor set aside."""
        return self not in ENDED_STAGES

    @property
    def is_review(self) -> bool:
        """A level that forwards, returns or rejects."""
        return self in REVIEW_STAGES


STAGE_LABELS = {
    Stage.draft: _l("Draft"),
    Stage.community: _l("Community review"),
    Stage.street: _l("Street or town review"),
    Stage.district: _l("District review"),
    Stage.city: _l("City review"),
    Stage.consent: _l("Awaiting consent"),
    Stage.panel: _l("Panel review"),
    Stage.notice: _l("Public notice"),
    Stage.approved: _l("Approved"),
    Stage.rejected: _l("Rejected"),
    Stage.withdrawn: _l("Withdrawn"),
    Stage.declined: _l("Declined by the nominee"),
    Stage.merged: _l("Merged into another nomination"),
}
REVIEW_STAGES = (Stage.community, Stage.street, Stage.district, Stage.city)
ENDED_STAGES = frozenset(
    {Stage.approved, Stage.rejected, Stage.withdrawn, Stage.declined, Stage.merged}
)


class MediaDiscovery(enum.Enum):
    """How a media editor found the case: the article's three "first time" moments."""

    leader_attention = "leader_attention"  # 领导关注时
    interview = "interview"  # 采访时
    editing = "editing"  # 编辑时

    @property
    def label(self) -> str:
        return str(DISCOVERY_LABELS[self])


DISCOVERY_LABELS = {
    MediaDiscovery.leader_attention: _l("When a leader's attention fell on it"),
    MediaDiscovery.interview: _l("During an interview"),
    MediaDiscovery.editing: _l("While editing"),
}


class LeadSource(enum.Enum):
    """How a public nomination arrived: the public form, or the office's email or hotline
    with a clerk entering it."""

    form = "form"
    email = "email"
    hotline = "hotline"

    @property
    def label(self) -> str:
        return str(LEAD_SOURCE_LABELS[self])


LEAD_SOURCE_LABELS = {
    LeadSource.form: _l("Public form"),
    LeadSource.email: _l("The office's email"),
    LeadSource.hotline: _l("The office's hotline"),
}


class Nomination(db.Model):
    """One nominee put forward in one round (推荐对象). The nominee is described as the
    nominator gave them until the community clerk matches them to the register (`person_id`,
    required before the nomination leaves the community). `duplicate_of_id` flags a second
    live nomination of the same nominee in the round; `held_honour_id` flags a nominee who
    already holds this honour or a higher one."""

    __tablename__ = "nomination"
    __table_args__ = (
        CheckConstraint(
            "channel <> 'media' OR (media_url IS NOT NULL AND media_discovery IS NOT NULL)",
            name="media_report",
        ),
        CheckConstraint("(stage = 'merged') = (merged_into_id IS NOT NULL)", name="merged_into"),
        CheckConstraint(
            "stage IN ('draft', 'community', 'rejected', 'withdrawn', 'merged')"
            " OR person_id IS NOT NULL",
            name="matched",
        ),
        Index("ix_nomination_round_stage", "round_id", "stage"),
        Index("ix_nomination_round_key", "round_id", "nominee_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("honour_round.id"))
    channel: Mapped[Channel] = mapped_column(enum_column(Channel))
    stage: Mapped[Stage] = mapped_column(enum_column(Stage), default=Stage.draft)
    # When the nomination reached its stage: each level's time limit runs from here.
    stage_entered_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # The nominee as given; `nominee_key` is what two nominations of one nominee share (the
    # ID number when given, else the name, birth date and district).
    nominee_name: Mapped[str] = mapped_column(String(64))
    nominee_gender: Mapped[Gender | None] = mapped_column(enum_column(Gender))
    nominee_birth_date: Mapped[date | None] = mapped_column(Date)
    nominee_phone: Mapped[str | None] = mapped_column(String(20))
    nominee_id_number: Mapped[str | None] = mapped_column(String(18))
    nominee_key: Mapped[str] = mapped_column(String(120))
    nominee_is_deceased: Mapped[bool] = mapped_column(default=False)
    region_id: Mapped[int] = mapped_column(ForeignKey("region.id"), index=True)
    district_id: Mapped[int] = mapped_column(ForeignKey("district.id"), index=True)
    # A sector's nomination (系统/行业) enters at the city.
    sector_id: Mapped[int | None] = mapped_column(ForeignKey("sector.id"))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), index=True)
    category: Mapped[HonourCategory] = mapped_column(enum_column(HonourCategory))
    summary: Mapped[str] = mapped_column(String(140))
    deeds: Mapped[str] = mapped_column(Text)
    # The recommending unit (推荐单位) whose sealed form is scanned, when there is one.
    unit_name: Mapped[str | None] = mapped_column(String(120))
    media_url: Mapped[str | None] = mapped_column(String(300))
    media_discovery: Mapped[MediaDiscovery | None] = mapped_column(enum_column(MediaDiscovery))
    lead_source: Mapped[LeadSource | None] = mapped_column(enum_column(LeadSource))
    id_photo_upload_id: Mapped[int | None] = mapped_column(ForeignKey("upload.id"))
    sealed_form_upload_id: Mapped[int | None] = mapped_column(ForeignKey("upload.id"))
    duplicate_of_id: Mapped[int | None] = mapped_column(ForeignKey("nomination.id"), index=True)
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("nomination.id"), index=True)
    held_honour_id: Mapped[int | None] = mapped_column(ForeignKey("honour.id"))
    # The honour the decision made from it.
    honour_id: Mapped[int | None] = mapped_column(ForeignKey("honour.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Who entered it: the nominator on the public form, the clerk or the editor otherwise.
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    round: Mapped[Round] = relationship()
    region: Mapped[Region] = relationship()
    district: Mapped[District] = relationship()
    sector: Mapped[Sector | None] = relationship()
    person: Mapped[Person | None] = relationship()
    id_photo: Mapped[Upload | None] = relationship(foreign_keys=[id_photo_upload_id])
    sealed_form: Mapped[Upload | None] = relationship(foreign_keys=[sealed_form_upload_id])
    created_by: Mapped[User] = relationship(foreign_keys=[created_by_id])
    nominators: Mapped[list[Nominator]] = relationship(
        back_populates="nomination", order_by="Nominator.id", foreign_keys="Nominator.nomination_id"
    )
    files: Mapped[list[NominationFile]] = relationship(
        back_populates="nomination", order_by="NominationFile.id"
    )
    steps: Mapped[list[ReviewStep]] = relationship(
        back_populates="nomination", order_by="ReviewStep.id"
    )

    def __repr__(self) -> str:
        return f"<Nomination {self.id}>"


class NominatorKind(enum.Enum):
    """Who put the nominee forward."""

    self = "self"  # the nominee themself
    public = "public"  # a member of the public
    unit = "unit"  # a community, street, district or sector unit
    media = "media"  # a media editor

    @property
    def label(self) -> str:
        return str(NOMINATOR_LABELS[self])


NOMINATOR_LABELS = {
    NominatorKind.self: _l("The nominee themself"),
    NominatorKind.public: _l("A member of the public"),
    NominatorKind.unit: _l("A unit"),
    NominatorKind.media: _l("A media editor"),
}


class Nominator(db.Model):
    """One who put the nominee forward. A merge moves the duplicate's nominators here too, so
    every nominator is kept (`from_nomination_id` says which nomination they came with). A
    lead from the hotline or email has no account: the clerk writes the name and contact."""

    __tablename__ = "nominator"

    id: Mapped[int] = mapped_column(primary_key=True)
    nomination_id: Mapped[int] = mapped_column(ForeignKey("nomination.id"), index=True)
    from_nomination_id: Mapped[int] = mapped_column(ForeignKey("nomination.id"))
    kind: Mapped[NominatorKind] = mapped_column(enum_column(NominatorKind))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    # Sensitive: the nominee's district and the city see it whole.
    contact_phone: Mapped[str | None] = mapped_column(String(20))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime)

    nomination: Mapped[Nomination] = relationship(
        back_populates="nominators", foreign_keys=[nomination_id]
    )
    user: Mapped[User | None] = relationship()


class FileKind(enum.Enum):
    """The files of a nomination beside its ID photo and sealed form."""

    life_photo = "life_photo"  # up to 5
    evidence = "evidence"

    @property
    def label(self) -> str:
        return str(FILE_KIND_LABELS[self])


FILE_KIND_LABELS = {FileKind.life_photo: _l("Life photo"), FileKind.evidence: _l("Evidence")}


class NominationFile(db.Model):
    """A life photo or an evidence file of a nomination."""

    __tablename__ = "nomination_file"
    __table_args__ = (UniqueConstraint("nomination_id", "upload_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    nomination_id: Mapped[int] = mapped_column(ForeignKey("nomination.id"), index=True)
    upload_id: Mapped[int] = mapped_column(ForeignKey("upload.id"))
    kind: Mapped[FileKind] = mapped_column(enum_column(FileKind))
    added_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime)

    nomination: Mapped[Nomination] = relationship(back_populates="files")
    upload: Mapped[Upload] = relationship()


class StepAction(enum.Enum):
    """What a step did to a nomination."""

    submitted = "submitted"  # a draft entered review, or a lead arrived
    forwarded = "forwarded"
    returned = "returned"  # to the level below, with a reason
    sent_down = "sent_down"  # the city sends a media case to the community for a local check
    rejected = "rejected"
    withdrawn = "withdrawn"
    merged = "merged"
    consent_given = "consent_given"
    consent_declined = "consent_declined"
    panel_closed = "panel_closed"
    notice_opened = "notice_opened"
    objection_upheld = "objection_upheld"
    approved = "approved"

    @property
    def label(self) -> str:
        return str(STEP_LABELS[self])


STEP_LABELS = {
    StepAction.submitted: _l("Submitted"),
    StepAction.forwarded: _l("Forwarded"),
    StepAction.returned: _l("Returned"),
    StepAction.sent_down: _l("Sent down for a local check"),
    StepAction.rejected: _l("Rejected"),
    StepAction.withdrawn: _l("Withdrawn"),
    StepAction.merged: _l("Merged"),
    StepAction.consent_given: _l("Consent given"),
    StepAction.consent_declined: _l("Consent declined"),
    StepAction.panel_closed: _l("Panel review closed"),
    StepAction.notice_opened: _l("Public notice opened"),
    StepAction.objection_upheld: _l("Objection upheld"),
    StepAction.approved: _l("Approved"),
}


class ReviewStep(db.Model):
    """One step of a nomination, kept for ever and never edited: the stage it left and the
    one it reached, who acted, their written opinion, the checklist they ticked (identity
    confirmed, deeds verified on site, not already honoured at this level, background checks
    done) and their declaration that they have no conflict of interest."""

    __tablename__ = "nomination_step"
    __table_args__ = (Index("ix_nomination_step_acted_at", "acted_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    nomination_id: Mapped[int] = mapped_column(ForeignKey("nomination.id"), index=True)
    action: Mapped[StepAction] = mapped_column(enum_column(StepAction))
    from_stage: Mapped[Stage] = mapped_column(enum_column(Stage, "from_stage"))
    to_stage: Mapped[Stage] = mapped_column(enum_column(Stage, "to_stage"))
    actor_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    opinion: Mapped[str | None] = mapped_column(Text)
    checklist: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    declared_no_conflict: Mapped[bool] = mapped_column(default=False)
    acted_at: Mapped[datetime] = mapped_column(UTCDateTime)

    nomination: Mapped[Nomination] = relationship(back_populates="steps")
    actor: Mapped[User] = relationship()


class ConflictDeclaration(db.Model):
    """A reviewer's declared conflict of interest (回避) with a nomination: from then on they
    neither review it nor sit on its panel."""

    __tablename__ = "nomination_conflict"
    __table_args__ = (UniqueConstraint("nomination_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    nomination_id: Mapped[int] = mapped_column(ForeignKey("nomination.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    reason: Mapped[str] = mapped_column(String(500))
    declared_at: Mapped[datetime] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()


class Agency(enum.Enum):
    """The agencies a district asks about a nominee (背景审查)."""

    police = "police"  # 公安
    discipline = "discipline"  # 纪检监察
    market = "market"  # 市场监管
    tax = "tax"  # 税务

    @property
    def label(self) -> str:
        return str(AGENCY_LABELS[self])


AGENCY_LABELS = {
    Agency.police: _l("Public security"),
    Agency.discipline: _l("Discipline inspection"),
    Agency.market: _l("Market regulation"),
    Agency.tax: _l("Taxation"),
}


class CheckResult(enum.Enum):
    clear = "clear"
    concern = "concern"

    @property
    def label(self) -> str:
        return str(CHECK_RESULT_LABELS[self])


CHECK_RESULT_LABELS = {CheckResult.clear: _l("Nothing found"), CheckResult.concern: _l("Concern")}


class BackgroundCheck(db.Model):
    """A check of the nominee with one agency, recorded by the district: sent, answered, the
    result. Never public; read by the district and the city only."""

    __tablename__ = "background_check"
    __table_args__ = (
        UniqueConstraint("nomination_id", "agency"),
        CheckConstraint(
            "(answered_on IS NULL AND result IS NULL)"
            " OR (answered_on IS NOT NULL AND result IS NOT NULL)",
            name="answered",
        ),
        CheckConstraint("answered_on IS NULL OR answered_on >= sent_on", name="dates"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    nomination_id: Mapped[int] = mapped_column(ForeignKey("nomination.id"), index=True)
    agency: Mapped[Agency] = mapped_column(enum_column(Agency))
    sent_on: Mapped[date] = mapped_column(Date)
    answered_on: Mapped[date | None] = mapped_column(Date)
    result: Mapped[CheckResult | None] = mapped_column(enum_column(CheckResult))
    notes: Mapped[str | None] = mapped_column(String(500))
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ConsentGiver(enum.Enum):
    """Who answers for the nominee: themself, a guardian for a child under 14, a close
    relative for a posthumous case."""

    nominee = "nominee"
    guardian = "guardian"
    relative = "relative"

    @property
    def label(self) -> str:
        return str(GIVER_LABELS[self])


GIVER_LABELS = {
    ConsentGiver.nominee: _l("The nominee"),
    ConsentGiver.guardian: _l("A guardian"),
    ConsentGiver.relative: _l("A close relative"),
}


class ConsentMethod(enum.Enum):
    signed_form = "signed_form"
    verified_phone = "verified_phone"

    @property
    def label(self) -> str:
        return str(METHOD_LABELS[self])


METHOD_LABELS = {
    ConsentMethod.signed_form: _l("A signed form (scanned)"),
    ConsentMethod.verified_phone: _l("A phone verified by SMS code"),
}


class NominationConsent(db.Model):
    """One answer about publishing a nomination (the notice, the roll and media use): agreed,
    declined, or a withdrawal of an earlier agreement. Written, never changed; the latest
    answer is the one that holds."""

    __tablename__ = "nomination_consent"
    __table_args__ = (
        CheckConstraint(
            "giver = 'nominee' OR (giver_name IS NOT NULL AND relation IS NOT NULL)",
            name="giver_named",
        ),
        CheckConstraint(
            "method <> 'signed_form' OR form_upload_id IS NOT NULL", name="form_scanned"
        ),
        CheckConstraint("method <> 'verified_phone' OR phone IS NOT NULL", name="phone_given"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    nomination_id: Mapped[int] = mapped_column(ForeignKey("nomination.id"), index=True)
    agreed: Mapped[bool]
    giver: Mapped[ConsentGiver] = mapped_column(enum_column(ConsentGiver))
    giver_name: Mapped[str | None] = mapped_column(String(64))
    relation: Mapped[str | None] = mapped_column(String(32))
    method: Mapped[ConsentMethod] = mapped_column(enum_column(ConsentMethod))
    form_upload_id: Mapped[int | None] = mapped_column(ForeignKey("upload.id"))
    phone: Mapped[str | None] = mapped_column(String(20))
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)

    form: Mapped[Upload | None] = relationship()
    recorded_by: Mapped[User] = relationship()


class PanelMember(db.Model):
    """A panel reviewer (评议会) assigned to a round by the city office."""

    __tablename__ = "round_panel_member"
    __table_args__ = (UniqueConstraint("round_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("honour_round.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    assigned_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    assigned_at: Mapped[datetime] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship(foreign_keys=[user_id])


class Vote(enum.Enum):
    approve = "approve"
    reject = "reject"
    abstain = "abstain"

    @property
    def label(self) -> str:
        return str(VOTE_LABELS[self])


VOTE_LABELS = {Vote.approve: _l("For"), Vote.reject: _l("Against"), Vote.abstain: _l("Abstain")}


class PanelVote(db.Model):
    """One panel reviewer's vote and score (0-100) on one nomination; one each, never changed."""

    __tablename__ = "panel_vote"
    __table_args__ = (
        UniqueConstraint("nomination_id", "reviewer_id"),
        CheckConstraint("score IS NULL OR score BETWEEN 0 AND 100", name="score"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    nomination_id: Mapped[int] = mapped_column(ForeignKey("nomination.id"), index=True)
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    vote: Mapped[Vote] = mapped_column(enum_column(Vote))
    score: Mapped[int | None]
    comment: Mapped[str | None] = mapped_column(String(500))
    voted_at: Mapped[datetime] = mapped_column(UTCDateTime)

    reviewer: Mapped[User] = relationship()


class PanelTally(db.Model):
    """The panel's result for one nomination when the city closed its review: the counts, the
    mean score, and who was excluded for a declared conflict (their user ids)."""

    __tablename__ = "panel_tally"

    id: Mapped[int] = mapped_column(primary_key=True)
    nomination_id: Mapped[int] = mapped_column(ForeignKey("nomination.id"), unique=True)
    votes_for: Mapped[int]
    votes_against: Mapped[int]
    abstentions: Mapped[int]
    mean_score: Mapped[float | None]
    excluded_user_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    closed_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    closed_at: Mapped[datetime] = mapped_column(UTCDateTime)


class RoundNotice(db.Model):
    """A round's public notice (公示): from `opens_at` to `closes_at` the nominations at the
    notice stage are on the public page, with how to object."""

    __tablename__ = "round_notice"
    __table_args__ = (CheckConstraint("closes_at > opens_at", name="period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("honour_round.id"), unique=True)
    opens_at: Mapped[datetime] = mapped_column(UTCDateTime)
    closes_at: Mapped[datetime] = mapped_column(UTCDateTime)
    opened_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))

    round: Mapped[Round] = relationship()


class ObjectionOutcome(enum.Enum):
    upheld = "upheld"
    dismissed = "dismissed"

    @property
    def label(self) -> str:
        return str(OUTCOME_LABELS[self])


OUTCOME_LABELS = {
    ObjectionOutcome.upheld: _l("Upheld: the entry is taken off"),
    ObjectionOutcome.dismissed: _l("Dismissed"),
}


class Objection(db.Model):
    """A real-name objection (异议) to an entry of a notice, filed by an account with a
    verified phone, assigned to the nominee's district and answered within 10 working days."""

    __tablename__ = "objection"
    __table_args__ = (
        CheckConstraint(
            "(answered_at IS NULL AND outcome IS NULL AND answered_by_id IS NULL)"
            " OR (answered_at IS NOT NULL AND outcome IS NOT NULL"
            " AND answered_by_id IS NOT NULL)",
            name="answered",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    nomination_id: Mapped[int] = mapped_column(ForeignKey("nomination.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    # The objector's real name and verified phone at the time of filing.
    name: Mapped[str] = mapped_column(String(64))
    phone: Mapped[str] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(Text)
    district_id: Mapped[int] = mapped_column(ForeignKey("district.id"), index=True)
    filed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    due_on: Mapped[date] = mapped_column(Date)
    outcome: Mapped[ObjectionOutcome | None] = mapped_column(enum_column(ObjectionOutcome))
    answer: Mapped[str | None] = mapped_column(Text)
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    nomination: Mapped[Nomination] = relationship()
    user: Mapped[User] = relationship(foreign_keys=[user_id])


class NominationLike(db.Model):
    """One like (文明我集赞 / 网友点赞评议) of an entry during its notice: one per account per
    entry per day (the city's day), which the unique constraint holds when likes race."""

    __tablename__ = "nomination_like"
    __table_args__ = (
        UniqueConstraint("nomination_id", "user_id", "day"),
        Index("ix_nomination_like_created_at", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    nomination_id: Mapped[int] = mapped_column(ForeignKey("nomination.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    day: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class RoundDecision(db.Model):
    """The decision of the civilization committee (文明委) on a round, entered by the city
    office with its document number; the honours of the round are made from it."""

    __tablename__ = "round_decision"
    __table_args__ = (UniqueConstraint("document_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("honour_round.id"), unique=True)
    document_number: Mapped[str] = mapped_column(String(60))
    decided_on: Mapped[date] = mapped_column(Date)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)

    round: Mapped[Round] = relationship()
