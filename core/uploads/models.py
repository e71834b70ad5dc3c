"""Uploads: what is known of a stored file (`Upload`), and its bytes when the database keeps
them (`UploadBlob`, a table of its own so that listing uploads never loads a file)."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.auth.models import User
from core.db import UTCDateTime, enum_column
from core.extensions import db


class StorageBackend(enum.Enum):
    """Where an upload's bytes are: a row of `upload_blob`, or a file in the upload directory
    (UPLOAD_STORAGE) named by `Upload.location`."""

    database = "database"
    directory = "directory"


class Upload(db.Model):
    """One stored file. Its bytes never change once stored (an image is stored re-encoded,
    already stripped of its metadata); a new photo is a new upload. The owning package keeps
    the link from its own rows (a person's photo) and decides, through the kind's reader, who
    may see it."""

    __tablename__ = "upload"
    __table_args__ = (
        CheckConstraint("size > 0", name="size"),
        CheckConstraint(
            "(width IS NULL AND height IS NULL) OR (width > 0 AND height > 0)", name="dimensions"
        ),
        # The directory backend names the file; the database backend keys the blob by the id.
        CheckConstraint(
            "(storage = 'directory') = (location IS NOT NULL)", name="location_of_storage"
        ),
        Index("ix_upload_kind_created_at", "kind", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # What the URL carries: random and long enough that no one finds another's file by
    # guessing (a serial id would be counted through).
    public_key: Mapped[str] = mapped_column(String(43), unique=True)
    # What the file is for (person_photo, evidence, ...), registered by the owning package
    # (core.uploads.services.register_kind); its reader decides who may see it.
    kind: Mapped[str] = mapped_column(String(40))
    # The client's file name, reduced to a safe base name: shown and offered when saving,
    # never used as a path.
    filename: Mapped[str] = mapped_column(String(120))
    # Found from the content, never taken from the client.
    content_type: Mapped[str] = mapped_column(String(64))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    width: Mapped[int | None]
    height: Mapped[int | None]
    storage: Mapped[StorageBackend] = mapped_column(enum_column(StorageBackend))
    # The file's path under the upload directory (directory backend), else None.
    location: Mapped[str | None] = mapped_column(String(80))
    # Anyone may read it (an approved photo on the public roll); set by the owning package.
    is_public: Mapped[bool] = mapped_column(default=False)
    uploaded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    uploaded_by: Mapped[User | None] = relationship()

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")

    def __repr__(self) -> str:
        return f"<Upload {self.id} {self.kind} {self.content_type} {self.size}>"


class UploadBlob(db.Model):
    """The bytes of an upload kept in the database (UPLOAD_STORAGE=database)."""

    __tablename__ = "upload_blob"

    upload_id: Mapped[int] = mapped_column(
        ForeignKey("upload.id", ondelete="CASCADE"), primary_key=True
    )
    data: Mapped[bytes] = mapped_column(LargeBinary)
