"""Campaigns (善行四季), activities (活动), shifts (班次), sign-ups (报名) and check-ins (签到)."""

from __future__ import annotations

import enum
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from core.auth.models import User
from core.clock import local_day, utcnow
from core.db import UTCDateTime, enum_column
from core.districts import District
from core.extensions import db
from volunteer.models import ServiceCategory, Team


class Season(enum.Enum):
    """The four campaigns of a year (善行四季)."""

    spring = "spring"
    tourist_season = "tourist_season"
    autumn_harvest = "autumn_harvest"
    winter = "winter"

    @property
    def label(self) -> str:
        return str(SEASON_LABELS[self])


SEASON_LABELS = {
    Season.spring: _l("Spring: Lei Feng day"),
    Season.tourist_season: _l("Summer: tourist season"),
    Season.autumn_harvest: _l("Autumn: harvest help"),
    Season.winter: _l("Winter: visits"),
}


class Campaign(db.Model):
    """A seasonal campaign run by the office, with its points rule."""

    __tablename__ = "campaign"
    __table_args__ = (
        CheckConstraint("starts_on <= ends_on", name="window"),
        CheckConstraint("points_per_hour >= 0", name="points_per_hour"),
        CheckConstraint("max_points_per_shift >= 0", name="max_points"),
        Index("ix_campaign_year_season", "year", "season"),
        Index("ix_campaign_starts_on", "starts_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    season: Mapped[Season] = mapped_column(enum_column(Season))
    year: Mapped[int]
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    description: Mapped[str] = mapped_column(Text, default="")
    points_per_hour: Mapped[int] = mapped_column(default=10)
    max_points_per_shift: Mapped[int] = mapped_column(default=80)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    bonus_days: Mapped[list[BonusDay]] = relationship(
        back_populates="campaign", cascade="all, delete-orphan", order_by="BonusDay.day"
    )

    def is_open_on(self, day: date) -> bool:
        return self.starts_on <= day <= self.ends_on

    def multiplier_on(self, day: date) -> int:
        return max((b.multiplier for b in self.bonus_days if b.day == day), default=1)


class BonusDay(db.Model):
    """A day of a campaign on which points are multiplied (such as March 5, 学雷锋日)."""

    __tablename__ = "bonus_day"
    __table_args__ = (
        UniqueConstraint("campaign_id", "day"),
        CheckConstraint("multiplier >= 1", name="multiplier"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"))
    day: Mapped[date] = mapped_column(Date)
    multiplier: Mapped[int] = mapped_column(default=2)
    label: Mapped[str] = mapped_column(String(80), default="")

    campaign: Mapped[Campaign] = relationship(back_populates="bonus_days")


class ActivityStatus(enum.Enum):
    draft = "draft"
    published = "published"
    completed = "completed"
    cancelled = "cancelled"


class Activity(db.Model):
    """A team's service activity inside a campaign; volunteers sign up for its shifts."""

    __tablename__ = "activity"
    __table_args__ = (
        Index("ix_activity_campaign_status", "campaign_id", "status"),
        CheckConstraint("checkin_radius_m IS NULL OR checkin_radius_m > 0", name="radius"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id"), index=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id"))
    district_id: Mapped[int] = mapped_column(ForeignKey("district.id"), index=True)
    title: Mapped[str] = mapped_column(String(120))
    category: Mapped[ServiceCategory] = mapped_column(enum_column(ServiceCategory))
    address: Mapped[str] = mapped_column(String(200))
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    checkin_radius_m: Mapped[int | None]
    description: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[ActivityStatus] = mapped_column(
        enum_column(ActivityStatus), default=ActivityStatus.draft
    )
    cancel_reason: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    team: Mapped[Team] = relationship()
    campaign: Mapped[Campaign] = relationship()
    district: Mapped[District] = relationship()
    shifts: Mapped[list[Shift]] = relationship(
        back_populates="activity", order_by="Shift.starts_at"
    )

    @property
    def has_geofence(self) -> bool:
        return (
            self.latitude is not None
            and self.longitude is not None
            and self.checkin_radius_m is not None
        )


class NoticeKind(enum.Enum):
    cancelled = "cancelled"
    changed = "changed"


class ActivityNotice(db.Model):
    """Something a signed-up volunteer must be told (an activity or shift cancelled or
    changed), one row per volunteer. The reminders package delivers these; events only
    records them."""

    __tablename__ = "activity_notice"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    activity_id: Mapped[int] = mapped_column(ForeignKey("activity.id"), index=True)
    shift_id: Mapped[int | None] = mapped_column(ForeignKey("shift.id"))
    kind: Mapped[NoticeKind] = mapped_column(enum_column(NoticeKind))
    message: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


class ShiftSeries(db.Model):
    """Shifts made in one step (such as every weekend morning of the tourist season); its key
    makes the same series submitted twice create its shifts once."""

    __tablename__ = "shift_series"
    __table_args__ = (UniqueConstraint("activity_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(ForeignKey("activity.id"))
    key: Mapped[str] = mapped_column(String(64))
    description: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ShiftStatus(enum.Enum):
    scheduled = "scheduled"
    cancelled = "cancelled"


class Shift(db.Model):
    """A time slot of an activity with a capacity (班次).

    `seats_taken` counts confirmed sign-ups and walk-ins; it is only changed by a conditional
    UPDATE, so concurrent sign-ups can never push it past `capacity`.
    """

    __tablename__ = "shift"
    __table_args__ = (
        UniqueConstraint("activity_id", "starts_at", "ends_at"),
        CheckConstraint("starts_at < ends_at", name="window"),
        CheckConstraint("capacity > 0", name="capacity"),
        CheckConstraint("seats_taken >= 0 AND seats_taken <= capacity", name="seats"),
        Index("ix_shift_starts_at", "starts_at"),
        Index("ix_shift_ends_at", "ends_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(ForeignKey("activity.id"))
    series_id: Mapped[int | None] = mapped_column(ForeignKey("shift_series.id"), index=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    capacity: Mapped[int]
    seats_taken: Mapped[int] = mapped_column(default=0)
    allows_walk_ins: Mapped[bool] = mapped_column(default=False)
    status: Mapped[ShiftStatus] = mapped_column(
        enum_column(ShiftStatus), default=ShiftStatus.scheduled
    )
    attendance_closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The local day the shift counts for in reports (服务日期): the day it starts, also when
    # it runs past midnight. Kept with starts_at so reports group and filter by an index.
    service_day: Mapped[date] = mapped_column(Date, index=True)

    activity: Mapped[Activity] = relationship(back_populates="shifts")

    @validates("starts_at")
    def _keep_service_day(self, _key: str, starts_at: datetime) -> datetime:
        self.service_day = local_day(starts_at)
        return starts_at

    @property
    def seats_left(self) -> int:
        return max(self.capacity - self.seats_taken, 0)


class SignUpStatus(enum.Enum):
    """confirmed (has a seat) / waiting (候补) / cancelled / no_show (marked by the leader)."""

    confirmed = "confirmed"
    waiting = "waiting"
    cancelled = "cancelled"
    no_show = "no_show"


class SignUp(db.Model):
    """A volunteer's sign-up (报名) for a shift."""

    __tablename__ = "sign_up"
    __table_args__ = (
        UniqueConstraint("shift_id", "user_id"),
        Index("ix_sign_up_shift_status", "shift_id", "status", "created_at"),
        Index("ix_sign_up_promoted_at", "promoted_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    shift_id: Mapped[int] = mapped_column(ForeignKey("shift.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    status: Mapped[SignUpStatus] = mapped_column(enum_column(SignUpStatus))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    promoted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    shift: Mapped[Shift] = relationship()
    user: Mapped[User] = relationship()


class CheckInMethod(enum.Enum):
    qr = "qr"
    leader = "leader"


class AttendanceStatus(enum.Enum):
    """pending (on site or awaiting the leader) → confirmed (minutes and points fixed)."""

    pending = "pending"
    confirmed = "confirmed"


class CheckIn(db.Model):
    """A volunteer's presence at a shift (签到/签退); one per volunteer and shift.

    A confirmed check-in is one person-time (人次); its minutes are hours served for ever.
    """

    __tablename__ = "check_in"
    __table_args__ = (
        UniqueConstraint("shift_id", "user_id"),
        Index("ix_check_in_user_status", "user_id", "status"),
        Index("ix_check_in_shift_status", "shift_id", "status"),
        CheckConstraint("checked_out_at IS NULL OR checked_out_at >= checked_in_at", name="order"),
        CheckConstraint(
            "(inside_fence IS NULL AND distance_m IS NULL)"
            " OR (inside_fence IS NOT NULL AND distance_m >= 0)",
            name="fence_check",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    shift_id: Mapped[int] = mapped_column(ForeignKey("shift.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    is_walk_in: Mapped[bool] = mapped_column(default=False)
    method: Mapped[CheckInMethod] = mapped_column(enum_column(CheckInMethod))
    checked_in_at: Mapped[datetime] = mapped_column(UTCDateTime)
    checked_out_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    is_auto_checked_out: Mapped[bool] = mapped_column(default=False)
    # What the location check at a geofenced activity found: whether the phone was inside the
    # circle and how far it was from the centre, in whole metres. Both are None where no check
    # was made (no fence, a leader's check-in). The position itself is never stored.
    inside_fence: Mapped[bool | None]
    distance_m: Mapped[int | None]
    status: Mapped[AttendanceStatus] = mapped_column(
        enum_column(AttendanceStatus), default=AttendanceStatus.pending
    )
    served_minutes: Mapped[int | None]
    points_due: Mapped[int | None]
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    shift: Mapped[Shift] = relationship()
    user: Mapped[User] = relationship(foreign_keys=[user_id])


class CheckInChange(db.Model):
    """The audit trail of a check-in: who changed which time, from what to what, and why."""

    __tablename__ = "check_in_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    check_in_id: Mapped[int] = mapped_column(ForeignKey("check_in.id"), index=True)
    actor_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    field: Mapped[str] = mapped_column(String(32))
    old_value: Mapped[str | None] = mapped_column(String(64))
    new_value: Mapped[str | None] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    actor: Mapped[User] = relationship()


class CorrectionStatus(enum.Enum):
    pending = "pending"
    accepted = "accepted"
    refused = "refused"


class CorrectionRequest(db.Model):
    """A volunteer's request to the leader to fix their record of a shift (a forgotten
    check-in, wrong times)."""

    __tablename__ = "correction_request"

    id: Mapped[int] = mapped_column(primary_key=True)
    shift_id: Mapped[int] = mapped_column(ForeignKey("shift.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    checked_in_at: Mapped[datetime] = mapped_column(UTCDateTime)
    checked_out_at: Mapped[datetime] = mapped_column(UTCDateTime)
    message: Mapped[str] = mapped_column(Text)
    status: Mapped[CorrectionStatus] = mapped_column(
        enum_column(CorrectionStatus), default=CorrectionStatus.pending
    )
    reply: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    shift: Mapped[Shift] = relationship()
    user: Mapped[User] = relationship(foreign_keys=[user_id])
