"""The register of good people (好人库): persons, honour types, honours held by persons or teams,
corrections kept as history, and the log of every whole view of a person's sensitive fields.

A person may have no account (a 90-year-old nominee is not a volunteer); `user_id` links the
record to a volunteer's account when there is one. Nothing here is edited without a revision
row saying what changed, who changed it, when and why; a merged duplicate stays, pointing at
the record it was folded into.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

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
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.auth.models import User
from core.clock import utcnow
from core.db import UTCDateTime, enum_column
from core.districts import District, district_label
from core.extensions import db
from core.regions import Region
from core.uploads.models import Upload

if TYPE_CHECKING:
    from volunteer.models import Team


class Gender(enum.Enum):
    male = "male"
    female = "female"

    @property
    def label(self) -> str:
        return str(GENDER_LABELS[self])


GENDER_LABELS = {Gender.male: _l("Male"), Gender.female: _l("Female")}


class PersonStatus(enum.Enum):
    """Whether the person is with us: active, deceased (with the date) or moved away."""

    active = "active"
    deceased = "deceased"
    moved_away = "moved_away"

    @property
    def label(self) -> str:
        return str(STATUS_LABELS[self])


STATUS_LABELS = {
    PersonStatus.active: _l("Active"),
    PersonStatus.deceased: _l("Deceased"),
    PersonStatus.moved_away: _l("Moved away"),
}


class HonourLevel(enum.Enum):
    """Who awards the honour, highest first."""

    national = "national"
    provincial = "provincial"
    city = "city"
    county = "county"

    @property
    def label(self) -> str:
        return str(LEVEL_LABELS[self])

    @property
    def rank(self) -> int:
        """0 for national, 3 for county: lower is higher."""
        return list(HonourLevel).index(self)


LEVEL_LABELS = {
    HonourLevel.national: _l("National"),
    HonourLevel.provincial: _l("Provincial"),
    HonourLevel.city: _l("City"),
    HonourLevel.county: _l("District or county"),
}


class HolderKind(enum.Enum):
    """Whether an honour type is given to persons or to volunteer teams."""

    person = "person"
    team = "team"

    @property
    def label(self) -> str:
        return str(HOLDER_LABELS[self])


HOLDER_LABELS = {HolderKind.person: _l("Persons"), HolderKind.team: _l("Teams")}


class HonourCategory(enum.Enum):
    """The five categories of the 中国好人榜."""

    helping_others = "helping_others"  # 助人为乐
    bravery = "bravery"  # 见义勇为
    honesty = "honesty"  # 诚实守信
    dedication = "dedication"  # 敬业奉献
    filial_piety = "filial_piety"  # 孝老爱亲

    @property
    def label(self) -> str:
        return str(CATEGORY_LABELS[self])


CATEGORY_LABELS = {
    HonourCategory.helping_others: _l("Helping others"),
    HonourCategory.bravery: _l("Bravery"),
    HonourCategory.honesty: _l("Honesty and trustworthiness"),
    HonourCategory.dedication: _l("Dedication to work"),
    HonourCategory.filial_piety: _l("Filial piety and family love"),
}


class HonourSource(enum.Enum):
    """Where an honour comes from: a round run on this platform (nominations, next issue), an
    external listing (中国好人榜, 河北好人榜) recorded by the city with its link, or the city's
    own earlier decisions entered from its files."""

    round = "round"
    external = "external"
    archive = "archive"

    @property
    def label(self) -> str:
        return str(SOURCE_LABELS[self])


SOURCE_LABELS = {
    HonourSource.round: _l("A round on this platform"),
    HonourSource.external: _l("An external listing"),
    HonourSource.archive: _l("An earlier decision from the files"),
}


class HonourType(db.Model):
    """A kind of honour: its level, name, whether persons or teams hold it, and whether it
    gives a courtesy card (好人卡, a later issue)."""

    __tablename__ = "honour_type"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(64))
    name_en: Mapped[str] = mapped_column(String(64))
    level: Mapped[HonourLevel] = mapped_column(enum_column(HonourLevel))
    holder: Mapped[HolderKind] = mapped_column(enum_column(HolderKind))
    has_courtesy_card: Mapped[bool] = mapped_column(default=False)
    position: Mapped[int] = mapped_column(default=0)

    @property
    def label(self) -> str:
        """The name in the language of the current request."""
        return district_label(self.name, self.name_en)

    def __repr__(self) -> str:
        return f"<HonourType {self.code}>"


class Person(db.Model):
    """A person of the register (好人库). ID number, phone, the address beyond the street and
    the hardship notes are sensitive: services show them whole only to the district and city
    (see honours.services.privacy) and log each whole view."""

    __tablename__ = "person"
    __table_args__ = (
        # One live record per ID number and per account; merged records keep theirs.
        Index(
            "uq_person_id_number",
            "id_number",
            unique=True,
            sqlite_where=text("merged_into_id IS NULL AND id_number IS NOT NULL"),
            postgresql_where=text("merged_into_id IS NULL AND id_number IS NOT NULL"),
        ),
        Index(
            "uq_person_user_id",
            "user_id",
            unique=True,
            sqlite_where=text("merged_into_id IS NULL AND user_id IS NOT NULL"),
            postgresql_where=text("merged_into_id IS NULL AND user_id IS NOT NULL"),
        ),
        Index("ix_person_name_birth", "name", "birth_date"),
        CheckConstraint(
            "(status = 'deceased' AND died_on IS NOT NULL)"
            " OR (status <> 'deceased' AND died_on IS NULL)",
            name="died_on",
        ),
        CheckConstraint(
            "(merged_into_id IS NULL AND merged_at IS NULL)"
            " OR (merged_into_id IS NOT NULL AND merged_at IS NOT NULL)",
            name="merged",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    name: Mapped[str] = mapped_column(String(64))
    gender: Mapped[Gender | None] = mapped_column(enum_column(Gender))
    birth_date: Mapped[date | None] = mapped_column(Date)
    phone: Mapped[str | None] = mapped_column(String(20))
    # 身份证号: 18 characters, the last a check digit (0-9 or X).
    id_number: Mapped[str | None] = mapped_column(String(18))
    region_id: Mapped[int] = mapped_column(ForeignKey("region.id"), index=True)
    # The district of `region_id`, kept beside it so that lists, filters and scopes by
    # district need no walk up the region tree.
    district_id: Mapped[int] = mapped_column(ForeignKey("district.id"), index=True)
    # The address beyond the region (building, house number): sensitive.
    address: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[PersonStatus] = mapped_column(
        enum_column(PersonStatus), default=PersonStatus.active
    )
    died_on: Mapped[date | None] = mapped_column(Date)
    guardian_name: Mapped[str | None] = mapped_column(String(64))
    guardian_relation: Mapped[str | None] = mapped_column(String(32))
    guardian_phone: Mapped[str | None] = mapped_column(String(20))
    # 困难情况: seen by the district and the city only.
    hardship_notes: Mapped[str | None] = mapped_column(Text)
    # Consent to publication on the public roll; who recorded it and when (given or withdrawn).
    has_publication_consent: Mapped[bool] = mapped_column(default=False)
    consent_recorded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    consent_recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    story: Mapped[str | None] = mapped_column(Text)
    photo_upload_id: Mapped[int | None] = mapped_column(ForeignKey("upload.id"))
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), index=True)
    merged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User | None] = relationship(foreign_keys=[user_id])
    region: Mapped[Region] = relationship()
    district: Mapped[District] = relationship()
    photo: Mapped[Upload | None] = relationship()
    merged_into: Mapped[Person | None] = relationship(remote_side=[id])
    honours: Mapped[list[Honour]] = relationship(
        back_populates="person", order_by="Honour.awarded_on.desc(), Honour.id.desc()"
    )

    @property
    def is_merged(self) -> bool:
        return self.merged_into_id is not None

    def __repr__(self) -> str:
        return f"<Person {self.id}>"


class Honour(db.Model):
    """An honour held by a person or by a volunteer team (优秀志愿服务团队)."""

    __tablename__ = "honour"
    __table_args__ = (
        CheckConstraint(
            "(person_id IS NULL) <> (team_id IS NULL)",
            name="holder",
        ),
        # An external listing is recorded with the link to it; a round names its round.
        CheckConstraint(
            "source <> 'external' OR source_url IS NOT NULL",
            name="external_link",
        ),
        CheckConstraint("source <> 'round' OR round_id IS NOT NULL", name="round"),
        Index("ix_honour_awarded_on", "awarded_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), index=True)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id"), index=True)
    honour_type_id: Mapped[int] = mapped_column(ForeignKey("honour_type.id"), index=True)
    category: Mapped[HonourCategory | None] = mapped_column(enum_column(HonourCategory))
    awarded_on: Mapped[date] = mapped_column(Date)
    certificate_number: Mapped[str | None] = mapped_column(String(40))
    decision_number: Mapped[str | None] = mapped_column(String(60))
    source: Mapped[HonourSource] = mapped_column(enum_column(HonourSource))
    # The nomination round (评选批次) it came from.
    round_id: Mapped[int | None] = mapped_column(ForeignKey("honour_round.id"), index=True)
    source_name: Mapped[str | None] = mapped_column(String(120))
    source_url: Mapped[str | None] = mapped_column(String(300))
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))

    person: Mapped[Person | None] = relationship(back_populates="honours")
    team: Mapped[Team | None] = relationship("Team")
    honour_type: Mapped[HonourType] = relationship()

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    @property
    def district(self) -> District | None:
        """The holder's district."""
        holder = self.person or self.team
        return holder.district if holder is not None else None

    def __repr__(self) -> str:
        return f"<Honour {self.id}>"


class RevisionAction(enum.Enum):
    """What a revision recorded."""

    created = "created"
    corrected = "corrected"
    consent = "consent"
    merged = "merged"  # this record was folded into another
    absorbed = "absorbed"  # another record was folded into this one
    moved = "moved"  # an honour moved to the surviving person of a merge

    @property
    def label(self) -> str:
        return str(ACTION_LABELS[self])


ACTION_LABELS = {
    RevisionAction.created: _l("Entered"),
    RevisionAction.corrected: _l("Corrected"),
    RevisionAction.consent: _l("Consent recorded"),
    RevisionAction.merged: _l("Merged into another record"),
    RevisionAction.absorbed: _l("Another record merged into this one"),
    RevisionAction.moved: _l("Moved by a merge"),
}


class PersonRevision(db.Model):
    """One change to a person: `changes` maps each field to [before, after] as stored."""

    __tablename__ = "person_revision"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    action: Mapped[RevisionAction] = mapped_column(enum_column(RevisionAction))
    changes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    reason: Mapped[str | None] = mapped_column(String(500))
    actor_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    actor: Mapped[User] = relationship()


class HonourRevision(db.Model):
    """One change to an honour: `changes` maps each field to [before, after] as stored."""

    __tablename__ = "honour_revision"

    id: Mapped[int] = mapped_column(primary_key=True)
    honour_id: Mapped[int] = mapped_column(ForeignKey("honour.id"), index=True)
    action: Mapped[RevisionAction] = mapped_column(enum_column(RevisionAction))
    changes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    reason: Mapped[str | None] = mapped_column(String(500))
    actor_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    actor: Mapped[User] = relationship()


class SensitiveField(enum.Enum):
    """The fields of a person shown whole only to the district and the city."""

    id_number = "id_number"
    phone = "phone"
    address = "address"
    hardship = "hardship"

    @property
    def label(self) -> str:
        return str(FIELD_LABELS[self])


FIELD_LABELS = {
    SensitiveField.id_number: _l("ID number"),
    SensitiveField.phone: _l("Phone"),
    SensitiveField.address: _l("Address"),
    SensitiveField.hardship: _l("Hardship notes"),
}


class ViewChannel(enum.Enum):
    """Where a whole view happened."""

    page = "page"
    api = "api"
    export = "export"

    @property
    def label(self) -> str:
        return str(CHANNEL_LABELS[self])


CHANNEL_LABELS = {
    ViewChannel.page: _l("Page"),
    ViewChannel.api: _l("API"),
    ViewChannel.export: _l("Export"),
}


class SensitiveView(db.Model):
    """One whole view of a person's sensitive fields: who, which person, which fields, when,
    and from which page, API endpoint or export. Written, never changed."""

    __tablename__ = "sensitive_view"
    __table_args__ = (Index("ix_sensitive_view_viewed_at", "viewed_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    viewer_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    # The SensitiveField values seen, comma-separated in the enum's order.
    fields: Mapped[str] = mapped_column(String(100))
    channel: Mapped[ViewChannel] = mapped_column(enum_column(ViewChannel))
    # The page or endpoint, e.g. "honours.person" or "api.honours.person".
    place: Mapped[str] = mapped_column(String(100))
    viewed_at: Mapped[datetime] = mapped_column(UTCDateTime)

    viewer: Mapped[User] = relationship()
    person: Mapped[Person] = relationship()

    @property
    def field_names(self) -> list[str]:
        return self.fields.split(",")

    @property
    def field_labels(self) -> list[str]:
        return [SensitiveField(name).label for name in self.field_names]


# Rounds (评选批次) ------------------------------------------------------------------------------


class RoundKind(enum.Enum):
    """How often a round is held: the monthly 月评好人, a quarterly or an annual round."""

    monthly = "monthly"
    quarterly = "quarterly"
    annual = "annual"

    @property
    def label(self) -> str:
        return str(ROUND_KIND_LABELS[self])


ROUND_KIND_LABELS = {
    RoundKind.monthly: _l("Monthly (月评)"),
    RoundKind.quarterly: _l("Quarterly (季评)"),
    RoundKind.annual: _l("Annual (年评)"),
}


class RoundStatus(enum.Enum):
    """A round is prepared as a draft, opened for nominations, then closed; never back."""

    draft = "draft"
    open = "open"
    closed = "closed"

    @property
    def label(self) -> str:
        return str(ROUND_STATUS_LABELS[self])


ROUND_STATUS_LABELS = {
    RoundStatus.draft: _l("Draft"),
    RoundStatus.open: _l("Open"),
    RoundStatus.closed: _l("Closed"),
}


class Round(db.Model):
    """A round of nominations (评选批次) run by the city office: the honour it awards, when
    nominations open and close, the working days each review level has, the days of public
    notice, and a quota per district (RoundQuota). Who opened and closed it, and when, stays."""

    __tablename__ = "honour_round"
    __table_args__ = (
        CheckConstraint("closes_on >= opens_on", name="dates"),
        CheckConstraint("level_days BETWEEN 1 AND 30", name="level_days"),
        CheckConstraint("notice_days BETWEEN 1 AND 30", name="notice_days"),
        CheckConstraint(
            "(status = 'draft' AND opened_at IS NULL)"
            " OR (status <> 'draft' AND opened_at IS NOT NULL)",
            name="opened",
        ),
        CheckConstraint(
            "(status = 'closed' AND closed_at IS NOT NULL)"
            " OR (status <> 'closed' AND closed_at IS NULL)",
            name="closed",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    kind: Mapped[RoundKind] = mapped_column(enum_column(RoundKind))
    honour_type_id: Mapped[int] = mapped_column(ForeignKey("honour_type.id"), index=True)
    opens_on: Mapped[date] = mapped_column(Date)
    closes_on: Mapped[date] = mapped_column(Date)
    # The time limit of each review level, in working days (core.workdays).
    level_days: Mapped[int] = mapped_column(default=5)
    notice_days: Mapped[int] = mapped_column(default=7)
    status: Mapped[RoundStatus] = mapped_column(enum_column(RoundStatus), default=RoundStatus.draft)
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    opened_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    honour_type: Mapped[HonourType] = relationship()
    created_by: Mapped[User] = relationship(foreign_keys=[created_by_id])
    quotas: Mapped[list[RoundQuota]] = relationship(
        back_populates="round", order_by="RoundQuota.district_id", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<Round {self.id}>"


class RoundQuota(db.Model):
    """How many honours of a round one district may put forward (名额)."""

    __tablename__ = "honour_round_quota"
    __table_args__ = (
        UniqueConstraint("round_id", "district_id"),
        CheckConstraint("quota >= 0", name="quota"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("honour_round.id"), index=True)
    district_id: Mapped[int] = mapped_column(ForeignKey("district.id"), index=True)
    quota: Mapped[int]

    round: Mapped[Round] = relationship(back_populates="quotas")
    district: Mapped[District] = relationship()
