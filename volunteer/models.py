"""Volunteer profiles."""

from __future__ import annotations

import enum
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, ForeignKey
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.auth.models import User
from core.clock import utcnow
from core.db import UTCDateTime
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
