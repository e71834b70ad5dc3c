"""The register of issued documents (certificates): what was issued to whom, under which number
and check code, by whom and when, what it said, and whether it was revoked.

One register serves every kind of document: the service certificate (志愿服务证明) first, the
honour certificates later. A document is written once; only its revocation is added to it
afterwards, and a revoked document stays in the register.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.auth.models import User
from core.db import UTCDateTime, enum_column
from core.extensions import db


class DocumentKind(enum.Enum):
    """What a document certifies. Each kind has a number series of its own per year."""

    service_certificate = "service_certificate"
    # 荣誉证书: an honour made by a round's decision (honours.services.decision).
    honour_certificate = "honour_certificate"

    @property
    def label(self) -> str:
        return str(KIND_LABELS[self])

    @property
    def holder_label(self) -> str:
        """What the one it is about is called on the verification page."""
        return str(HOLDER_LABELS[self])


KIND_LABELS = {
    DocumentKind.service_certificate: _l("Volunteer service certificate"),
    DocumentKind.honour_certificate: _l("Honour certificate"),
}
HOLDER_LABELS = {
    DocumentKind.service_certificate: _l("Volunteer"),
    DocumentKind.honour_certificate: _l("Honoured person"),
}


class SubjectKind(enum.Enum):
    """Whom a document is about, as data: the register stays below the packages whose people
    it certifies (a volunteer's account; a person of the honours register, who may have no
    account)."""

    user = "user"
    person = "person"


class DocumentSequence(db.Model):
    """The last serial number given per kind and year. Taking a number increments this row in
    the issuing transaction, so concurrent issuers take turns on it and a transaction that
    rolls back gives its number back: the numbers of a year have no gaps."""

    __tablename__ = "document_sequence"
    __table_args__ = (CheckConstraint("last_serial >= 0", name="last_serial"),)

    kind: Mapped[DocumentKind] = mapped_column(enum_column(DocumentKind), primary_key=True)
    year: Mapped[int] = mapped_column(primary_key=True)
    last_serial: Mapped[int] = mapped_column(default=0)


class IssuedDocument(db.Model):
    """One issued document. `snapshot` holds what was printed on it (names, hours, issuer,
    date, the verification address), so that it can be printed again the same and verified
    without reading the records it was made from, which may change later."""

    __tablename__ = "issued_document"
    __table_args__ = (
        UniqueConstraint("kind", "year", "serial", name="uq_issued_document_serial"),
        Index("ix_issued_document_subject", "subject_kind", "subject_id"),
        Index("ix_issued_document_issued_at", "issued_at"),
        CheckConstraint("serial > 0", name="serial"),
        # Revoked means all three: when, by whom and why.
        CheckConstraint(
            "(revoked_at IS NULL AND revoked_by_id IS NULL AND revocation_reason IS NULL)"
            " OR (revoked_at IS NOT NULL AND revoked_by_id IS NOT NULL"
            " AND revocation_reason IS NOT NULL)",
            name="revocation",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[DocumentKind] = mapped_column(enum_column(DocumentKind))
    year: Mapped[int]
    serial: Mapped[int]
    number: Mapped[str] = mapped_column(String(40), unique=True)
    # Printed beside the number; together they verify the document. Kept as printed (not a
    # hash): it is no secret once on paper, and the document can then be printed again.
    check_code: Mapped[str] = mapped_column(String(16))
    subject_kind: Mapped[SubjectKind] = mapped_column(enum_column(SubjectKind))
    subject_id: Mapped[int]
    issued_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime)
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSON)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    revocation_reason: Mapped[str | None] = mapped_column(String(200))

    issued_by: Mapped[User] = relationship(foreign_keys=[issued_by_id])
    revoked_by: Mapped[User | None] = relationship(foreign_keys=[revoked_by_id])

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    def __repr__(self) -> str:
        return f"<IssuedDocument {self.number}>"
