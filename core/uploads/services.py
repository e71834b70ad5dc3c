"""Uploads (上传文件): the kinds the owning packages register with who may read them, storing a
file after its checks, and finding one for a reader.

Core knows no kind: a package registers each of its own (`register_kind("person_photo",
may_read=...)`, at import) and keeps the link from its rows to the upload. An upload of a
kind nobody registered is read by no one.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import BinaryIO

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from core.auth.models import User
from core.errors import NotFound, ValidationFailed
from core.extensions import db
from core.settings import UploadSettings
from core.uploads import storage
from core.uploads.content import ContentRefused, FileType, inspect
from core.uploads.models import StorageBackend, Upload

EMPTY = _l("This file is empty.")

# What a public key looks like (secrets.token_urlsafe(32)); anything else names no upload
# and is not sent to the database.
PUBLIC_KEY = re.compile(r"[A-Za-z0-9_-]{43}")
FILENAME_LENGTH = 120
# Kept in a file name: letters and digits of any script (Chinese names), and a few marks.
UNSAFE_IN_FILENAME = re.compile(r"[^\w.()\- ]+")

Reader = Callable[[User | None, Upload, datetime], bool]


@dataclass(frozen=True)
class UploadKind:
    """A kind of upload (person_photo, evidence, ...), registered by the package that owns
    it. `may_read(user, upload, now)` says whether a user (None: a visitor) may see an upload
    of this kind; `accepts` is what its files may be; a `sensitive` kind (an ID card's scan)
    is never kept in the browser's cache."""

    name: str
    may_read: Reader
    accepts: frozenset[FileType]
    sensitive: bool = False


_KINDS: dict[str, UploadKind] = {}


def register_kind(
    name: str,
    *,
    may_read: Reader,
    accepts: frozenset[FileType] = frozenset({FileType.image}),
    sensitive: bool = False,
) -> UploadKind:
    """Register a kind of upload and who may read it (once per name: two packages claiming
    one kind is a mistake, raised as ValueError)."""
    if name in _KINDS:
        raise ValueError(f"the upload kind {name!r} is registered already")
    if not accepts:
        raise ValueError(f"the upload kind {name!r} accepts nothing")
    kind = UploadKind(name=name, may_read=may_read, accepts=accepts, sensitive=sensitive)
    _KINDS[name] = kind
    return kind


def find_kind(name: str) -> UploadKind | None:
    """The registered kind of that name, or None."""
    return _KINDS.get(name)


def safe_filename(name: str | None, extension: str) -> str:
    """The client's file name as it may be shown and offered when saving: its last path part
    only (no directory, no `..`), without control characters or marks a file system or a
    header would read, ending in the extension of what was stored (`photo.jpg`)."""
    base = unicodedata.normalize("NFC", name or "").replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(c for c in base if unicodedata.category(c)[0] != "C")
    stem = base.rsplit(".", 1)[0] if "." in base else base
    stem = UNSAFE_IN_FILENAME.sub("_", stem).strip(" ._")
    stem = stem[: FILENAME_LENGTH - len(extension) - 1].rstrip(" ._") or "upload"
    return f"{stem}.{extension}"


def store_upload(
    user: User | None,
    *,
    kind: str,
    stream: BinaryIO,
    filename: str | None,
    now: datetime,
    settings: UploadSettings,
    field: str = "file",
) -> Upload:
    """Check a file and store it as an upload of `kind` by `user`: no larger than the limit,
    of a type the kind accepts as found from its bytes (the client's name and type are not
    believed), an image no larger in pixels than the limit and re-encoded without its
    metadata. Flushes; the bytes go where the settings say.

    Raises ValidationFailed (the message under `field`) for a file refused; ValueError for a
    kind nobody registered (a mistake in the calling code).
    """
    registered = find_kind(kind)
    if registered is None:
        raise ValueError(f"no upload kind {kind!r} is registered")
    data = stream.read(settings.max_bytes + 1)
    if len(data) > settings.max_bytes:
        limit = f"{settings.max_bytes / (1024 * 1024):g}"
        _refuse(_l("This file is larger than %(limit)s MB.", limit=limit), field)
    if not data:
        _refuse(EMPTY, field)
    try:
        content = inspect(data, registered.accepts, max_pixels=settings.max_pixels)
    except ContentRefused as refused:
        _refuse(refused.message, field)
    public_key = secrets.token_urlsafe(32)
    backend, location = storage.placement(public_key, settings.directory)
    upload = Upload(
        public_key=public_key,
        kind=kind,
        filename=safe_filename(filename, content.extension),
        content_type=content.content_type,
        size=len(content.data),
        sha256=hashlib.sha256(content.data).hexdigest(),
        width=content.width,
        height=content.height,
        storage=backend,
        location=location,
        is_public=False,
        uploaded_by=user,
        created_at=now,
    )
    # The row first: the database backend keys the bytes by its id.
    db.session.add(upload)
    db.session.flush()
    storage.keep(upload, content.data, settings.directory)
    db.session.flush()
    return upload


def _refuse(message, field: str) -> None:
    raise ValidationFailed(message, errors={field: [str(message)]})


def set_public(upload: Upload, is_public: bool) -> None:
    """Let anyone read the upload (an approved photo on the public roll), or no longer: the
    owning package's decision. Flushes."""
    upload.is_public = is_public
    db.session.flush()


def find_upload(public_key: str) -> Upload | None:
    """The upload with that public key, or None (a malformed key is never looked up)."""
    if not PUBLIC_KEY.fullmatch(public_key):
        return None
    return db.session.scalar(select(Upload).where(Upload.public_key == public_key))


def may_read(user: User | None, upload: Upload, *, now: datetime) -> bool:
    """Whether `user` (None: a visitor) may see the upload: anyone if it is public, else
    whom its kind's reader admits; no one for a kind nobody registered."""
    if upload.is_public:
        return True
    kind = find_kind(upload.kind)
    return kind is not None and bool(kind.may_read(user, upload, now))


def get_readable_upload(user: User | None, public_key: str, *, now: datetime) -> Upload:
    """The upload with that public key if `user` may see it. Raises NotFound otherwise, the
    same as for a key that names nothing, so that no one learns another's file exists."""
    upload = find_upload(public_key)
    if upload is None or not may_read(user, upload, now=now):
        raise NotFound()
    return upload


def is_sensitive(upload: Upload) -> bool:
    """Whether the upload's kind asks that browsers never keep it."""
    kind = find_kind(upload.kind)
    return kind is None or kind.sensitive


def read_upload(upload: Upload, settings: UploadSettings) -> bytes:
    """The upload's bytes. Raises storage.StorageMissing if they are not where its row says."""
    return storage.bytes_of(upload, settings.directory)


def file_of_upload(upload: Upload, settings: UploadSettings) -> Path | None:
    """The file to stream a directory upload from, or None for one kept in the database.
    Raises storage.StorageMissing if the file is not there."""
    if upload.storage is StorageBackend.database:
        return None
    return storage.file_of(upload, settings.directory)


@dataclass(frozen=True)
class UploadCheck:
    """What reading the uploads back found: how many were read, and what is wrong."""

    read: int
    problems: list[str]


def verify_uploads(settings: UploadSettings, *, latest: int | None = None) -> UploadCheck:
    """Read back every stored upload (or the `latest` ones, newest first) and note each that
    cannot be read whole: missing, or not the size and SHA-256 stored with it. After a
    restore, no problem means the files came back with the database."""
    query = select(Upload).order_by(Upload.id.desc())
    if latest is not None:
        query = query.limit(latest)
    read, problems = 0, []
    for upload in db.session.scalars(query):
        read += 1
        try:
            data = read_upload(upload, settings)
        except storage.StorageMissing as missing:
            problems.append(str(missing))
            continue
        if len(data) != upload.size or hashlib.sha256(data).hexdigest() != upload.sha256:
            problems.append(f"upload {upload.id}: its bytes are not those stored")
    return UploadCheck(read=read, problems=problems)
