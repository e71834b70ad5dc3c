"""Flowers on Lei Feng day (学雷锋日送鲜花, 3–5 March): one delivery task per person on a
flowers campaign's list, assigned to a courier company (a card partner of kind `courier`,
whose staff see only their company's tasks) or to a volunteer shift of a team (the volunteers
earn points for it the usual way); delivered with the time and a photo, or failed with a
reason and planned again. Every attempt is appended and never changed.

In February the public may recommend a "Lei Feng near you" (身边的雷锋) to receive flowers; a
clerk screens each recommendation, and one accepted puts the person on the campaign's list.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from care.models import CareCampaign, CareTarget
from core.auth.models import User
from core.db import UTCDateTime, enum_column
from core.extensions import db
from core.regions import Region
from core.uploads.models import Upload
from events.models import Shift
from honours.card_models import Partner


class DeliveryStatus(enum.Enum):
    """planned (to a courier or a shift, on a day) → delivered | failed → planned again."""

    planned = "planned"  # 待配送
    delivered = "delivered"  # 已送达
    failed = "failed"  # 未送达

    @property
    def label(self) -> str:
        return str(DELIVERY_STATUS_LABELS[self])


DELIVERY_STATUS_LABELS = {
    DeliveryStatus.planned: _l("To deliver"),
    DeliveryStatus.delivered: _l("Delivered"),
    DeliveryStatus.failed: _l("Not delivered"),
}


class FailReason(enum.Enum):
    nobody_home = "nobody_home"  # 无人在家
    declined = "declined"  # 本人谢绝
    wrong_address = "wrong_address"  # 地址有误
    other = "other"  # 其他

    @property
    def label(self) -> str:
        return str(FAIL_REASON_LABELS[self])


FAIL_REASON_LABELS = {
    FailReason.nobody_home: _l("Nobody home"),
    FailReason.declined: _l("Declined"),
    FailReason.wrong_address: _l("Wrong address"),
    FailReason.other: _l("Other"),
}


class FlowerDelivery(db.Model):
    """The task of taking flowers to one person on the list (送花任务): to whom, by whom
    (a courier company or a team's shift, never both), on which day, and where it stands."""

    __tablename__ = "care_flower_delivery"
    __table_args__ = (
        CheckConstraint("courier_id IS NULL OR shift_id IS NULL", name="one_deliverer"),
        CheckConstraint(
            "(status = 'delivered') = (delivered_at IS NOT NULL AND photo_upload_id IS NOT NULL)",
            name="delivered_whole",
        ),
        CheckConstraint("(status = 'failed') = (fail_reason IS NOT NULL)", name="failed_why"),
        CheckConstraint("attempt >= 1", name="attempt"),
        Index("ix_care_flower_delivery_campaign_status", "care_campaign_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    care_campaign_id: Mapped[int] = mapped_column(ForeignKey("care_campaign.id"))
    target_id: Mapped[int] = mapped_column(ForeignKey("care_target.id"), unique=True)
    status: Mapped[DeliveryStatus] = mapped_column(enum_column(DeliveryStatus))
    courier_id: Mapped[int | None] = mapped_column(ForeignKey("card_partner.id"), index=True)
    shift_id: Mapped[int | None] = mapped_column(ForeignKey("shift.id"), index=True)
    deliver_on: Mapped[date | None] = mapped_column(Date)
    attempt: Mapped[int] = mapped_column(default=1)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    photo_upload_id: Mapped[int | None] = mapped_column(ForeignKey("upload.id"))
    fail_reason: Mapped[FailReason | None] = mapped_column(enum_column(FailReason))
    fail_note: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)

    care_campaign: Mapped[CareCampaign] = relationship()
    target: Mapped[CareTarget] = relationship()
    courier: Mapped[Partner | None] = relationship()
    shift: Mapped[Shift | None] = relationship()
    photo: Mapped[Upload | None] = relationship()
    attempts: Mapped[list[FlowerAttempt]] = relationship(order_by="FlowerAttempt.id")


class AttemptOutcome(enum.Enum):
    planned = "planned"  # assigned (again)
    delivered = "delivered"
    failed = "failed"


class FlowerAttempt(db.Model):
    """One step of a delivery, appended: planned to whom for which day, delivered (with the
    photo) or failed (with the reason), by whom and when."""

    __tablename__ = "care_flower_attempt"

    id: Mapped[int] = mapped_column(primary_key=True)
    delivery_id: Mapped[int] = mapped_column(ForeignKey("care_flower_delivery.id"), index=True)
    attempt: Mapped[int]
    outcome: Mapped[AttemptOutcome] = mapped_column(enum_column(AttemptOutcome))
    courier_id: Mapped[int | None] = mapped_column(ForeignKey("card_partner.id"))
    shift_id: Mapped[int | None] = mapped_column(ForeignKey("shift.id"))
    deliver_on: Mapped[date | None] = mapped_column(Date)
    photo_upload_id: Mapped[int | None] = mapped_column(ForeignKey("upload.id"))
    fail_reason: Mapped[FailReason | None] = mapped_column(enum_column(FailReason))
    note: Mapped[str | None] = mapped_column(String(500))
    by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime)

    by: Mapped[User] = relationship()


class RecommendationStatus(enum.Enum):
    pending = "pending"  # 待审核
    accepted = "accepted"  # 已采纳
    declined = "declined"  # 未采纳

    @property
    def label(self) -> str:
        return str(RECOMMENDATION_STATUS_LABELS[self])


RECOMMENDATION_STATUS_LABELS = {
    RecommendationStatus.pending: _l("Waiting to be screened"),
    RecommendationStatus.accepted: _l("Accepted"),
    RecommendationStatus.declined: _l("Not accepted"),
}


class FlowerRecommendation(db.Model):
    """A "Lei Feng near you" recommended by the public to receive flowers (推荐身边的雷锋):
    by a signed-in account with a verified phone, in February; screened by a clerk of the
    community, and when accepted, linked to the person's place on the campaign's list."""

    __tablename__ = "care_flower_recommendation"
    __table_args__ = (
        UniqueConstraint("care_campaign_id", "recommended_by_id", "name", "region_id"),
        CheckConstraint("(status = 'accepted') = (target_id IS NOT NULL)", name="accepted_on_list"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    care_campaign_id: Mapped[int] = mapped_column(ForeignKey("care_campaign.id"), index=True)
    name: Mapped[str] = mapped_column(String(64))
    region_id: Mapped[int] = mapped_column(ForeignKey("region.id"), index=True)
    # What the person does for others, in the recommender's words.
    deeds: Mapped[str] = mapped_column(Text)
    recommended_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    recommended_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[RecommendationStatus] = mapped_column(
        enum_column(RecommendationStatus), default=RecommendationStatus.pending
    )
    target_id: Mapped[int | None] = mapped_column(ForeignKey("care_target.id"))
    screened_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    screened_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    screen_note: Mapped[str | None] = mapped_column(Text)

    care_campaign: Mapped[CareCampaign] = relationship()
    region: Mapped[Region] = relationship()
    recommended_by: Mapped[User] = relationship(foreign_keys=[recommended_by_id])
    target: Mapped[CareTarget | None] = relationship()
