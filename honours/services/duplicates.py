"""Duplicates in the register (重复录入): found when a person is entered (the same ID number,
the same account, or the same name, birth date and region), and merged by a clerk keeping the
history: the honours move to the surviving record, the merged one points at it."""

from __future__ import annotations

from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from core.auth.models import User
from core.errors import Conflict, ValidationFailed
from core.extensions import db
from honours.models import (
    HonourRevision,
    Person,
    PersonRevision,
    RevisionAction,
)
from honours.services.publication import sync_roll_photos
from honours.services.records import FIELDS, get_person, require_reason, stored
from honours.services.scope import Scope


def _named(person: Person) -> str:
    return str(
        _l(
            "%(name)s (No. %(id)d, %(district)s)",
            name=person.name,
            id=person.id,
            district=person.district.label,
        )
    )


def find_duplicates(
    name: str,
    birth_date: date | None,
    region_id: int,
    id_number: str | None,
    *,
    user_id: int | None = None,
    exclude_id: int | None = None,
) -> tuple[list[Person], list[Person]]:
    """Live records that are surely the same person (same ID number or account) and those
    that may be (same name, birth date and region, with no different ID numbers)."""
    live = select(Person).where(Person.merged_into_id.is_(None))
    if exclude_id is not None:
        live = live.where(Person.id != exclude_id)
    sure: list[Person] = []
    if id_number:
        sure += db.session.scalars(live.where(Person.id_number == id_number))
    if user_id:
        sure += [
            p for p in db.session.scalars(live.where(Person.user_id == user_id)) if p not in sure
        ]
    likely: list[Person] = []
    if birth_date is not None:
        likely = [
            person
            for person in db.session.scalars(
                live.where(
                    Person.name == name,
                    Person.birth_date == birth_date,
                    Person.region_id == region_id,
                )
            )
            if person not in sure
            and not (id_number and person.id_number and person.id_number != id_number)
        ]
    return sure, likely


def require_no_duplicate(
    name: str,
    birth_date: date | None,
    region_id: int,
    id_number: str | None,
    *,
    user_id: int | None = None,
    exclude_id: int | None = None,
    is_distinct_confirmed: bool = False,
) -> None:
    """Raise Conflict naming the record already in the register: always for the same ID
    number or account; for the same name, birth date and region unless the clerk confirmed
    that this is someone else."""
    sure, likely = find_duplicates(
        name, birth_date, region_id, id_number, user_id=user_id, exclude_id=exclude_id
    )
    if sure:
        existing = sure[0]
        field = "id_number" if id_number and existing.id_number == id_number else "volunteer_phone"
        message = _l(
            "Already in the register: %(person)s. Correct that record instead.",
            person=_named(existing),
        )
        raise Conflict(message, errors={field: [str(message)]})
    if likely and not is_distinct_confirmed:
        message = _l(
            "The register already has %(person)s with the same name, birth date and region. "
            "If this is someone else, confirm it and enter again.",
            person=_named(likely[0]),
        )
        raise Conflict(message, errors={"name": [str(message)]}, code="possible_duplicate")


def merge_persons(
    actor: User,
    scope: Scope,
    survivor_id: int,
    duplicate_id: int,
    *,
    reason: str | None,
    now: datetime,
) -> Person:
    """Fold the duplicate record into the survivor (合并): its honours move to the survivor
    (each move a revision of the honour), what the survivor lacks is taken from it (a
    revision of the survivor), and it stays, marked merged into the survivor, with its own
    history. Both must be within the actor's region.

    Raises NotFound, Forbidden, ValidationFailed (the same record, one already merged, no
    reason)."""
    if survivor_id == duplicate_id:
        raise ValidationFailed(
            errors={"duplicate_id": [str(_l("Choose another record to merge into this one."))]}
        )
    reason = require_reason(reason)
    # Both rows locked, the lower id first, so that two merges of one record take turns (the
    # second then finds it merged) and two crossed merges cannot deadlock.
    locked = {
        person_id: get_person(scope, person_id, for_change=True, lock=True)
        for person_id in sorted((survivor_id, duplicate_id))
    }
    survivor, duplicate = locked[survivor_id], locked[duplicate_id]
    for honour in list(duplicate.honours):
        honour.person = survivor
        db.session.add(
            HonourRevision(
                honour_id=honour.id,
                action=RevisionAction.moved,
                changes={"person_id": [duplicate.id, survivor.id]},
                reason=reason,
                actor_id=actor.id,
                created_at=now,
            )
        )
    # The duplicate leaves the live records first, so that its ID number and account can pass
    # to the survivor under the unique indexes on live records.
    duplicate.merged_into_id = survivor.id
    duplicate.merged_at = now
    duplicate.updated_at = now
    db.session.add(
        PersonRevision(
            person_id=duplicate.id,
            action=RevisionAction.merged,
            changes={"merged_into_id": [None, survivor.id]},
            reason=reason,
            actor_id=actor.id,
            created_at=now,
        )
    )
    db.session.flush()
    taken = {}
    # Status and date of death stay the survivor's: they go together and were checked there.
    for key in (key for key in FIELDS if key not in ("status", "died_on")):
        mine, theirs = getattr(survivor, key), getattr(duplicate, key)
        if mine is None and theirs is not None:
            setattr(survivor, key, theirs)
            taken[key] = [None, stored(theirs)]
    if not survivor.has_publication_consent and duplicate.has_publication_consent:
        survivor.has_publication_consent = True
        survivor.consent_recorded_at = duplicate.consent_recorded_at
        survivor.consent_recorded_by_id = duplicate.consent_recorded_by_id
        taken["has_publication_consent"] = [False, True]
    survivor.updated_at = now
    db.session.add(
        PersonRevision(
            person_id=survivor.id,
            action=RevisionAction.absorbed,
            changes={"merged_from": [None, duplicate.id], **taken},
            reason=reason,
            actor_id=actor.id,
            created_at=now,
        )
    )
    sync_roll_photos()
    return survivor
