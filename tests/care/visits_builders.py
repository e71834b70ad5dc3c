"""Builders for the guarantees of visits: receipts and photos stored as their kinds, and a
visit taken through its states. They add and flush, and never commit."""

from __future__ import annotations

import io
from datetime import datetime

from PIL import Image

from care.models import CareCampaign, ReceiptKind, Visit
from care.services import visits
from core.auth.models import User
from core.extensions import db
from core.settings import current_settings
from core.uploads.models import Upload
from core.uploads.services import store_upload
from honours.models import Person
from tests.care.builders import make_visit
from tests.honours.builders import NOW


def image(fmt: str = "PNG", *, exif: bytes | None = None) -> io.BytesIO:
    """A small drawing (never anyone's photo), with the EXIF given."""
    data = io.BytesIO()
    extra = {"exif": exif} if exif is not None else {}
    Image.new("RGB", (60, 40), (31, 95, 139)).save(data, format=fmt, **extra)
    data.seek(0)
    return data


def stored(
    actor: User, kind: str, stream: io.BytesIO, *, now: datetime = NOW, filename: str = "file"
) -> Upload:
    """A file stored as an upload of `kind` by `actor`."""
    return store_upload(
        actor,
        kind=kind,
        stream=stream,
        filename=filename,
        now=now,
        settings=current_settings().uploads,
    )


def with_receipt(
    actor: User, visit: Visit, *, now: datetime = NOW, filename: str = "签名.png"
) -> Visit:
    """The visit with a signature drawn on the phone attached by `actor`."""
    upload = stored(actor, visits.RECEIPT_KIND, image(), now=now, filename=filename)
    return visits.attach_receipt(
        actor, visit.id, upload, ReceiptKind.signature, expected_version=visit.version, now=now
    )


def verified_visit(
    clerk: User, verifier: User, care: CareCampaign, person: Person, *, now: datetime = NOW
) -> Visit:
    """A visit paid by `clerk`, its receipt attached, verified by `verifier`."""
    visit = with_receipt(clerk, make_visit(clerk, care, person, now=now), now=now)
    return visits.verify_visit(verifier, visit.id, now=now)


def locked_visit(
    office: User, care: CareCampaign, person: Person, *, now: datetime = NOW, **values
) -> Visit:
    """A visit the office paid, verified and locked (with every other verified visit)."""
    visit = with_receipt(office, make_visit(office, care, person, now=now, **values), now=now)
    visits.verify_visit(office, visit.id, now=now)
    visits.lock_visits(office, care.id, now=now)
    # Locking updates the rows in the database only: read the visit again.
    db.session.refresh(visit)
    return visit
