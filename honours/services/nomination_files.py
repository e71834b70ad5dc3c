"""A nomination's files: the ID photo, up to 5 life photos, evidence (images or PDF) and the
recommending unit's sealed form as a scan. Stored through core.uploads as two kinds (photos,
and documents that may be a PDF) that those who may read the nomination may see; a file of a
duplicate merged into another is read from the first's page too.

Who may add or remove a file, and when, is the nominations' rule (honours.services.nominations);
this module keeps the files and lists them."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime
from typing import BinaryIO

from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from core.auth.models import User
from core.errors import NotFound, ValidationFailed
from core.extensions import db
from core.settings import UploadSettings
from core.uploads.content import FileType
from core.uploads.models import Upload
from core.uploads.services import find_upload, register_kind, store_upload
from honours.nomination_models import FileKind, Nomination, NominationFile
from honours.services import pipeline

PHOTO_KIND = "nomination_photo"
DOCUMENT_KIND = "nomination_document"
LIFE_PHOTOS_MAX = 5
EVIDENCE_MAX = 20


class Attachment(enum.Enum):
    """What a file is to the nomination."""

    id_photo = "id_photo"
    life_photo = "life_photo"
    evidence = "evidence"
    sealed_form = "sealed_form"

    @property
    def label(self) -> str:
        return str(ATTACHMENT_LABELS[self])

    @property
    def upload_kind(self) -> str:
        return PHOTO_KIND if self in (Attachment.id_photo, Attachment.life_photo) else DOCUMENT_KIND


ATTACHMENT_LABELS = {
    Attachment.id_photo: _l("ID photo"),
    Attachment.life_photo: _l("Life photo"),
    Attachment.evidence: _l("Evidence"),
    Attachment.sealed_form: _l("Sealed recommendation form"),
}
# The attachments kept as a row of their own (many of a kind); the others are one each.
AS_FILE = {Attachment.life_photo: FileKind.life_photo, Attachment.evidence: FileKind.evidence}
LIMITS = {Attachment.life_photo: LIFE_PHOTOS_MAX, Attachment.evidence: EVIDENCE_MAX}
NO_SUCH_FILE = _l("This nomination has no such file.")


def holder_of(upload: Upload) -> Nomination | None:
    """The nomination the upload belongs to, or None (a file removed from its nomination)."""
    return db.session.scalar(
        select(Nomination)
        .outerjoin(NominationFile, NominationFile.nomination_id == Nomination.id)
        .where(
            or_(
                Nomination.id_photo_upload_id == upload.id,
                Nomination.sealed_form_upload_id == upload.id,
                NominationFile.upload_id == upload.id,
            )
        )
        .limit(1)
    )


def _may_read_file(user: User | None, upload: Upload, now: datetime) -> bool:
    if user is None:
        return False
    nomination = holder_of(upload)
    if nomination is None:
        return False
    if pipeline.may_read(user, nomination, now):
        return True
    # A merged duplicate's files are read from the page of the nomination it was merged into.
    first = nomination.merged_into_id and db.session.get(Nomination, nomination.merged_into_id)
    return bool(first) and pipeline.may_read(user, first, now)


register_kind(PHOTO_KIND, may_read=_may_read_file)
register_kind(DOCUMENT_KIND, may_read=_may_read_file, accepts=frozenset(FileType))


@dataclass(frozen=True)
class Incoming:
    """A file sent with a form or a request, before it is stored."""

    attachment: Attachment
    stream: BinaryIO
    filename: str | None


@dataclass(frozen=True)
class FileEntry:
    """One file as a nomination's page lists it: what it is to the nomination, the upload,
    and the nomination it came with (another one's for a merged duplicate)."""

    attachment: Attachment
    upload: Upload
    nomination_id: int


def _count(nomination: Nomination, kind: FileKind) -> int:
    return sum(1 for item in nomination.files if item.kind is kind)


def attach(
    actor: User,
    nomination: Nomination,
    incoming: Incoming,
    *,
    now: datetime,
    settings: UploadSettings,
    field: str = "file",
) -> Upload:
    """Store the file and attach it: an ID photo or sealed form replaces the one there (the
    old upload stays, unlinked, read by no one), a life photo or evidence is added within its
    limit. The caller has checked that the actor may. Raises ValidationFailed under `field`
    (the 6th life photo, a file of the wrong type, too large)."""
    attachment = incoming.attachment
    kind = AS_FILE.get(attachment)
    if kind is not None and _count(nomination, kind) >= LIMITS[attachment]:
        message = _l(
            "At most %(n)d files of the kind “%(kind)s”: remove one first.",
            n=LIMITS[attachment],
            kind=attachment.label,
        )
        raise ValidationFailed(message, errors={field: [str(message)]})
    upload = store_upload(
        actor,
        kind=attachment.upload_kind,
        stream=incoming.stream,
        filename=incoming.filename,
        now=now,
        settings=settings,
        field=field,
    )
    if kind is not None:
        nomination.files.append(
            NominationFile(upload_id=upload.id, kind=kind, added_by_id=actor.id, added_at=now)
        )
    elif attachment is Attachment.id_photo:
        nomination.id_photo_upload_id = upload.id
    else:
        nomination.sealed_form_upload_id = upload.id
    nomination.updated_at = now
    db.session.flush()
    return upload


def detach(nomination: Nomination, upload_key: str, *, now: datetime) -> Upload:
    """Take the file off the nomination (the upload stays, unlinked, read by no one). The
    caller has checked that the actor may. Raises NotFound for a key naming no file of it."""
    upload = find_upload(upload_key)
    if upload is None:
        raise NotFound(NO_SUCH_FILE)
    if nomination.id_photo_upload_id == upload.id:
        nomination.id_photo_upload_id = None
    elif nomination.sealed_form_upload_id == upload.id:
        nomination.sealed_form_upload_id = None
    else:
        row = next((item for item in nomination.files if item.upload_id == upload.id), None)
        if row is None:
            raise NotFound(NO_SUCH_FILE)
        nomination.files.remove(row)
        db.session.delete(row)
    nomination.updated_at = now
    db.session.flush()
    return upload


def files_of(nomination: Nomination) -> list[FileEntry]:
    """The nomination's files, then those of the duplicates merged into it, each in the
    order: ID photo, life photos, evidence, sealed form."""
    merged = list(
        db.session.scalars(
            select(Nomination)
            .where(Nomination.merged_into_id == nomination.id)
            .options(
                selectinload(Nomination.files).selectinload(NominationFile.upload),
                selectinload(Nomination.id_photo),
                selectinload(Nomination.sealed_form),
            )
            .order_by(Nomination.id)
        )
    )
    entries: list[FileEntry] = []
    for each in (nomination, *merged):
        if each.id_photo is not None:
            entries.append(FileEntry(Attachment.id_photo, each.id_photo, each.id))
        for kind in (FileKind.life_photo, FileKind.evidence):
            attachment = next(a for a, k in AS_FILE.items() if k is kind)
            entries += [
                FileEntry(attachment, item.upload, each.id)
                for item in each.files
                if item.kind is kind
            ]
        if each.sealed_form is not None:
            entries.append(FileEntry(Attachment.sealed_form, each.sealed_form, each.id))
    return entries
