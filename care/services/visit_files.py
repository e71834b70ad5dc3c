"""A visit's receipt and photos stored and attached with it: the page records a visit, its
receipt (a signature drawn on the phone or a scanned list) and its photos in one unit of
work, so that a refused photo leaves no visit behind, and a visit recorded without them gets
them later the same way."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import BinaryIO

from flask_babel import lazy_gettext as _l

from care.models import ReceiptKind, Visit
from care.services import visits
from core.auth.models import User
from core.errors import ValidationFailed
from core.settings import UploadSettings
from core.uploads.services import store_upload


@dataclass(frozen=True)
class VisitFile:
    """A file sent with a visit, before it is stored."""

    stream: BinaryIO
    filename: str | None


@dataclass(frozen=True)
class Receipt:
    """The receipt of a visit: how it was given, and its file; `field` names the form field
    a refusal of the file is shown beside."""

    kind: ReceiptKind
    file: VisitFile
    field: str


def _attach(
    actor: User,
    visit: Visit,
    receipt: Receipt | None,
    photos: Sequence[VisitFile],
    *,
    now: datetime,
    settings: UploadSettings,
    expected_version: int,
) -> Visit:
    if receipt is not None:
        upload = store_upload(
            actor,
            kind=visits.RECEIPT_KIND,
            stream=receipt.file.stream,
            filename=receipt.file.filename,
            now=now,
            settings=settings,
            field=receipt.field,
        )
        visits.attach_receipt(
            actor, visit.id, upload, receipt.kind, expected_version=expected_version, now=now
        )
    for photo in photos:
        upload = store_upload(
            actor,
            kind=visits.PHOTO_KIND,
            stream=photo.stream,
            filename=photo.filename,
            now=now,
            settings=settings,
            field="photos",
        )
        visits.add_photo(actor, visit.id, upload, now=now)
    return visit


def record_visit_with_files(
    actor: User,
    care_campaign_id: int,
    person_id: int,
    details: visits.VisitDetails,
    *,
    done: bool,
    off_list_reason: str | None,
    receipt: Receipt | None,
    photos: Sequence[VisitFile],
    now: datetime,
    settings: UploadSettings,
) -> Visit:
    """Record a visit (care.services.visits.record_visit) and attach its receipt and photos,
    each file stored re-encoded without its location data. Flushes. Raises what
    record_visit, attach_receipt and add_photo raise, and ValidationFailed for a file refused
    (under its field)."""
    visit = visits.record_visit(
        actor,
        care_campaign_id,
        person_id,
        details,
        now=now,
        done=done,
        off_list_reason=off_list_reason,
    )
    return _attach(
        actor, visit, receipt, photos, now=now, settings=settings, expected_version=visit.version
    )


def add_visit_files(
    actor: User,
    visit_id: int,
    *,
    receipt: Receipt | None,
    photos: Sequence[VisitFile],
    expected_version: int,
    now: datetime,
    settings: UploadSettings,
) -> Visit:
    """Attach a receipt and photos to a visit not yet verified (a clerk of the person's region
    or the city); the receipt replaces an earlier one and is kept as a version. Flushes.
    Raises NotFound, Conflict (verified or locked; changed meanwhile), ValidationFailed
    (nothing sent; a file refused; too many photos)."""
    visit = visits.get_visit(actor, visit_id, now=now)
    if receipt is None and not photos:
        raise ValidationFailed(errors={"photos": [str(_l("Choose a receipt or photos to add."))]})
    return _attach(
        actor,
        visit,
        receipt,
        photos,
        now=now,
        settings=settings,
        expected_version=expected_version,
    )
