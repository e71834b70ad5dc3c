"""What the public may see of the register: who is on the honour roll (光荣榜), and so which
persons' photos are public. The roll's pages and every service that changes what decides it
read this one rule."""

from __future__ import annotations

from sqlalchemy import and_, exists, select, update
from sqlalchemy.orm import aliased

from core.extensions import db
from core.uploads.models import Upload
from honours.models import Honour, Person

PHOTO_KIND = "person_photo"


def on_roll():
    """The SQL condition a `Person` row meets when the person is shown on the roll."""
    # An alias of its own, so that the condition may sit in a query of honours too.
    own = aliased(Honour)
    held = exists().where(own.person_id == Person.id, own.revoked_at.is_(None))
    revoked = exists().where(own.person_id == Person.id, own.revoked_at.is_not(None))
    return and_(
        Person.has_publication_consent.is_(True),
        Person.merged_into_id.is_(None),
        held,
        ~revoked,
    )


def sync_roll_photos() -> int:
    """Make the photos of persons on the roll public, and every other person's photo private
    (a person hidden since, a photo replaced by a newer one); return how many changed. The
    services that change what decides the roll call it (consent, a photo, an honour awarded or
    corrected, a merge), and so does the demo. Two UPDATEs, whatever the number of persons."""
    db.session.flush()
    shown = select(Person.photo_upload_id).where(Person.photo_upload_id.is_not(None), on_roll())
    changed = 0
    for public, where in ((True, Upload.id.in_(shown)), (False, Upload.id.not_in(shown))):
        changed += db.session.execute(
            update(Upload)
            .where(Upload.kind == PHOTO_KIND, Upload.is_public != public, where)
            .values(is_public=public)
            .execution_options(synchronize_session="fetch")
        ).rowcount
    db.session.flush()
    return changed
