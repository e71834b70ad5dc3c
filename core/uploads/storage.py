"""Where uploads' bytes live: rows of `upload_blob`, or files in the upload directory that
every app server shares, each named by its upload's public key and written atomically."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from core.extensions import db
from core.uploads.models import StorageBackend, Upload, UploadBlob

# The files written by a session's open transaction: removed again if it rolls back, so that
# a refused or failed request leaves no file without its row.
_WRITTEN = "core.uploads.written"


class StorageMissing(RuntimeError):
    """An upload's bytes are not where its row says (a directory not shared by every server,
    a restore without the files, another UPLOAD_STORAGE): an operator's problem, not a user's."""


def location_for(public_key: str) -> str:
    # A level of sub-directories by the key's first two characters keeps any one directory
    # to a few thousand files.
    return f"{public_key[:2]}/{public_key}"


def path_of(directory: Path, location: str) -> Path:
    """The file of `location` under `directory`; never outside it."""
    root = directory.resolve()
    path = (root / location).resolve()
    if not path.is_relative_to(root) or path == root:
        raise StorageMissing(f"upload location {location!r} is outside {root}")
    return path


def _write_file(path: Path, data: bytes) -> None:
    """Write `data` to `path` so that a reader sees the whole file or none: into a temporary
    file beside it, to disk, then renamed over."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".part-")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def placement(public_key: str, directory: Path | None) -> tuple[StorageBackend, str | None]:
    """Where a new upload's bytes go: the database when `directory` is None, else a file
    under it named by the key (the location is relative, so the directory may move)."""
    if directory is None:
        return StorageBackend.database, None
    return StorageBackend.directory, location_for(public_key)


def keep(upload: Upload, data: bytes, directory: Path | None) -> None:
    """Store `data` as the bytes of `upload` (flushed, its id known) where its placement
    says; a file written goes again if the transaction rolls back."""
    if upload.storage is StorageBackend.database:
        db.session.add(UploadBlob(upload_id=upload.id, data=data))
        return
    if directory is None:
        raise StorageMissing("a directory upload needs UPLOAD_STORAGE to name a directory")
    path = path_of(directory, upload.location or "")
    _write_file(path, data)
    db.session.info.setdefault(_WRITTEN, []).append(path)


def file_of(upload: Upload, directory: Path | None) -> Path:
    """The file holding a directory upload's bytes. Raises StorageMissing if it is not there."""
    if directory is None:
        raise StorageMissing(f"upload {upload.id} is in a directory, but UPLOAD_STORAGE=database")
    path = path_of(directory, upload.location or "")
    if not path.is_file():
        raise StorageMissing(f"upload {upload.id}: {path} is missing")
    return path


def bytes_of(upload: Upload, directory: Path | None) -> bytes:
    """An upload's bytes, wherever they are. Raises StorageMissing if they are not there."""
    if upload.storage is StorageBackend.directory:
        return file_of(upload, directory).read_bytes()
    data = db.session.scalar(select(UploadBlob.data).where(UploadBlob.upload_id == upload.id))
    if data is None:
        raise StorageMissing(f"upload {upload.id} has no row in upload_blob")
    return data


@event.listens_for(Session, "after_commit")
def _forget_written(session: Session) -> None:
    session.info.pop(_WRITTEN, None)


@event.listens_for(Session, "after_rollback")
def _remove_written(session: Session) -> None:
    for path in session.info.pop(_WRITTEN, []):
        path.unlink(missing_ok=True)
