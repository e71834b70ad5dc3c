"""Consents (同意): who agreed to which version of what, when, and when they withdrew."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.auth.models import User
from core.db import UTCDateTime, enum_column
from core.extensions import db


class ConsentKind(enum.Enum):
    """What a consent is to: the privacy notice (隐私政策, at registration and at each new
    version), or the location check at a geofenced check-in (位置信息, asked separately, as
    the Personal Information Protection Law wants for a purpose of its own)."""

    privacy_notice = "privacy_notice"
    location = "location"


class Consent(db.Model):
    """One consent as it was given: rows are never deleted, so the record shows what a user
    agreed to and when. Agreeing to a new version adds a row; withdrawing sets `withdrawn_at`
    on the row it ends, and agreeing again adds a new one."""

    __tablename__ = "consent"
    __table_args__ = (
        Index("ix_consent_user_kind", "user_id", "kind", "given_at"),
        CheckConstraint("withdrawn_at IS NULL OR withdrawn_at >= given_at", name="order"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[ConsentKind] = mapped_column(enum_column(ConsentKind))
    # The version of the text the user read (see core.consent.services.CURRENT_VERSIONS).
    version: Mapped[str] = mapped_column(String(16))
    given_at: Mapped[datetime] = mapped_column(UTCDateTime)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()

    def __repr__(self) -> str:
        return f"<Consent {self.id} {self.kind.value} {self.version}>"
