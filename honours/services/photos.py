"""A person's photo: stored as an upload of the kind `person_photo`, which the clerks acting
in the person's region may see (the public roll makes an approved one public)."""

from __future__ import annotations

from datetime import datetime
from typing import BinaryIO

from sqlalchemy import select

from core.auth.models import User
from core.extensions import db
from core.settings import UploadSettings
from core.uploads.models import Upload
from core.uploads.services import register_kind, store_upload
from honours.models import Person, PersonRevision, RevisionAction
from honours.services.publication import PHOTO_KIND, sync_roll_photos
from honours.services.records import get_person
from honours.services.scope import Scope, scope_of


def _may_read_photo(user: User | None, upload: Upload, now: datetime) -> bool:
    if user is None:
        return False
    region_id = db.session.scalar(
        select(Person.region_id).where(Person.photo_upload_id == upload.id)
    )
    return region_id is not None and scope_of(user, now).acts_in(region_id)


register_kind(PHOTO_KIND, may_read=_may_read_photo)


def set_person_photo(
    actor: User,
    scope: Scope,
    person_id: int,
    *,
    stream: BinaryIO,
    filename: str | None,
    now: datetime,
    settings: UploadSettings,
) -> Person:
    """Store a new photo of the person (re-encoded, its location data dropped) and keep the
    old one's id in the history. Raises NotFound, Forbidden, ValidationFailed (under `photo`:
    not an image, too large)."""
    person = get_person(scope, person_id, for_change=True)
    upload = store_upload(
        actor,
        kind=PHOTO_KIND,
        stream=stream,
        filename=filename,
        now=now,
        settings=settings,
        field="photo",
    )
    db.session.add(
        PersonRevision(
            person_id=person.id,
            action=RevisionAction.corrected,
            changes={"photo_upload_id": [person.photo_upload_id, upload.id]},
            actor_id=actor.id,
            created_at=now,
        )
    )
    person.photo_upload_id = upload.id
    person.updated_at = now
    db.session.flush()
    sync_roll_photos()
    return person
