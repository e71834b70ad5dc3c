"""Volunteer profiles, teams and memberships."""

from __future__ import annotations

import enum
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.auth.models import User
from core.clock import utcnow
from core.db import UTCDateTime, enum_column
from core.districts import District
from core.extensions import db


class Skill(enum.Enum):
    """What a volunteer can offer (服务技能); matches the service categories of activities."""

    cleaning = "cleaning"
    haircut = "haircut"
    appliance_repair = "appliance_repair"
    tourist_guidance = "tourist_guidance"
    traffic_duty = "traffic_duty"
    farm_help = "farm_help"
    elderly_care = "elderly_care"
    first_aid = "first_aid"
    foreign_language = "foreign_language"
    photography = "photography"
    driving = "driving"

    @property
    def label(self) -> str:
        return str(SKILL_LABELS[self])


SKILL_LABELS = {
    Skill.cleaning: _l("Cleaning"),
    Skill.haircut: _l("Free haircuts"),
    Skill.appliance_repair: _l("Appliance repair"),
    Skill.tourist_guidance: _l("Tourist guidance"),
    Skill.traffic_duty: _l("Traffic duty"),
    Skill.farm_help: _l("Farm help"),
    Skill.elderly_care: _l("Care for the elderly"),
    Skill.first_aid: _l("First aid"),
    Skill.foreign_language: _l("Foreign languages"),
    Skill.photography: _l("Photography"),
    Skill.driving: _l("Driving"),
}


class VolunteerProfile(db.Model):
    """A user's volunteer details: home district and skills."""

    __tablename__ = "volunteer_profile"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    district_id: Mapped[int | None] = mapped_column(ForeignKey("district.id"), index=True)
    skills: Mapped[list[str]] = mapped_column(JSON, default=list)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    user: Mapped[User] = relationship()
    district: Mapped[District | None] = relationship()

    @property
    def skill_labels(self) -> list[str]:
        known = {skill.value: skill for skill in Skill}
        return [known[value].label for value in self.skills if value in known]


class ServiceCategory(enum.Enum):
    """What kind of service a team offers or an activity is (服务类别)."""

    cleaning = "cleaning"
    free_haircut = "free_haircut"
    appliance_repair = "appliance_repair"
    tourist_guidance = "tourist_guidance"
    traffic_duty = "traffic_duty"
    farm_help = "farm_help"
    elderly_care = "elderly_care"
    flower_delivery = "flower_delivery"
    visits = "visits"
    other = "other"

    @property
    def label(self) -> str:
        return str(CATEGORY_LABELS[self])


CATEGORY_LABELS = {
    ServiceCategory.cleaning: _l("Cleaning"),
    ServiceCategory.free_haircut: _l("Free haircuts"),
    ServiceCategory.appliance_repair: _l("Appliance repair"),
    ServiceCategory.tourist_guidance: _l("Tourist guidance"),
    ServiceCategory.traffic_duty: _l("Traffic duty"),
    ServiceCategory.farm_help: _l("Farm help"),
    ServiceCategory.elderly_care: _l("Care for the elderly"),
    ServiceCategory.flower_delivery: _l("Flower delivery"),
    ServiceCategory.visits: _l("Visits"),
    ServiceCategory.other: _l("Other"),
}


class TeamStatus(enum.Enum):
    pending = "pending"
    approved = "approved"
    rejected = "rejected"


class Team(db.Model):
    """A volunteer team (志愿服务队), founded by a volunteer and approved by the office."""

    __tablename__ = "team"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    district_id: Mapped[int] = mapped_column(ForeignKey("district.id"), index=True)
    categories: Mapped[list[str]] = mapped_column(JSON, default=list)
    description: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[TeamStatus] = mapped_column(
        enum_column(TeamStatus), default=TeamStatus.pending, index=True
    )
    decision_reason: Mapped[str | None] = mapped_column(Text)
    founder_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    district: Mapped[District] = relationship()
    founder: Mapped[User] = relationship(foreign_keys=[founder_id])
    memberships: Mapped[list[Membership]] = relationship(back_populates="team")

    @property
    def category_labels(self) -> list[str]:
        known = {c.value: c for c in ServiceCategory}
        return [known[v].label for v in self.categories if v in known]


class MembershipRole(enum.Enum):
    leader = "leader"
    member = "member"


class MembershipStatus(enum.Enum):
    """requested → active → left/removed; requested → refused. A refused, departed or removed
    volunteer may ask again, which reuses the row (its history stays in MembershipEvent)."""

    requested = "requested"
    active = "active"
    refused = "refused"
    left = "left"
    removed = "removed"


class Membership(db.Model):
    """A volunteer's place in a team: member or leader (队长)."""

    __tablename__ = "membership"
    __table_args__ = (
        UniqueConstraint("team_id", "user_id"),
        Index("ix_membership_status_requested_at", "status", "requested_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[MembershipRole] = mapped_column(
        enum_column(MembershipRole), default=MembershipRole.member
    )
    status: Mapped[MembershipStatus] = mapped_column(enum_column(MembershipStatus))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    joined_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    team: Mapped[Team] = relationship(back_populates="memberships")
    user: Mapped[User] = relationship()

    @property
    def is_leader(self) -> bool:
        return self.status is MembershipStatus.active and self.role is MembershipRole.leader


class MembershipAction(enum.Enum):
    founded = "founded"
    requested = "requested"
    approved = "approved"
    refused = "refused"
    left = "left"
    removed = "removed"
    made_leader = "made_leader"


class MembershipEvent(db.Model):
    """One step in a membership's history: who did what, when and why."""

    __tablename__ = "membership_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    membership_id: Mapped[int] = mapped_column(
        ForeignKey("membership.id", ondelete="CASCADE"), index=True
    )
    action: Mapped[MembershipAction] = mapped_column(enum_column(MembershipAction))
    actor_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    membership: Mapped[Membership] = relationship()
    actor: Mapped[User] = relationship()
