"""A person's sensitive fields (ID number, phone, the address beyond the street, hardship
notes): one masking function per field, the one decision of who sees them whole, and the log
of every whole view (敏感信息查看记录)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, insert, select
from sqlalchemy.orm import joinedload

from core.extensions import db
from core.rows import Slice, Window
from honours.models import Person, SensitiveField, SensitiveView, ViewChannel
from honours.services.scope import Scope

HIDDEN = "****"


def mask_id_number(value: str | None) -> str | None:
    """身份证号 with the first 3 and last 4 characters shown (130***********123X): enough to
    compare with the card, not to use it."""
    if not value:
        return value
    if len(value) <= 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_phone(value: str | None) -> str | None:
    """A phone with its first 3 and last 4 digits shown (138****5678)."""
    if not value:
        return value
    if len(value) <= 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_address(value: str | None) -> str | None:
    """The address beyond the street: hidden whole (the person's region, down to the street
    or community, is shown beside it and is not sensitive)."""
    return HIDDEN if value else value


def mask_hardship(value: str | None) -> str | None:
    """Hardship notes: hidden whole; that there are some is all that shows."""
    return HIDDEN if value else value


MASKS = {
    SensitiveField.id_number: mask_id_number,
    SensitiveField.phone: mask_phone,
    SensitiveField.address: mask_address,
    SensitiveField.hardship: mask_hardship,
}


@dataclass(frozen=True)
class Sensitive:
    """A person's sensitive fields as one viewer may see them; `is_whole` says which."""

    id_number: str | None
    phone: str | None
    guardian_phone: str | None
    address: str | None
    hardship_notes: str | None
    is_whole: bool


def whole_fields(person: Person) -> list[SensitiveField]:
    """The sensitive fields the person has a value in, in the enum's order."""
    values = {
        SensitiveField.id_number: person.id_number,
        SensitiveField.phone: person.phone or person.guardian_phone,
        SensitiveField.address: person.address,
        SensitiveField.hardship: person.hardship_notes,
    }
    return [field for field in SensitiveField if values[field]]


def sensitive_of(person: Person, scope: Scope) -> Sensitive:
    """The person's sensitive fields, whole for the district and the city of their region,
    masked for everyone else. Logging a whole view is the caller's (`log_whole_views`), once
    it knows where the view happened."""
    if scope.sees_whole(person.region_id):
        return Sensitive(
            person.id_number,
            person.phone,
            person.guardian_phone,
            person.address,
            person.hardship_notes,
            True,
        )
    return Sensitive(
        mask_id_number(person.id_number),
        mask_phone(person.phone),
        mask_phone(person.guardian_phone),
        mask_address(person.address),
        mask_hardship(person.hardship_notes),
        False,
    )


# The person's columns that hold each sensitive field, as revisions name them.
COLUMNS = {
    "id_number": SensitiveField.id_number,
    "phone": SensitiveField.phone,
    "guardian_phone": SensitiveField.phone,
    "address": SensitiveField.address,
    "hardship_notes": SensitiveField.hardship,
}


def history_fields(revisions: Iterable) -> set[SensitiveField]:
    """The sensitive fields whose values a person's revisions hold."""
    return {
        COLUMNS[key]
        for revision in revisions
        for key, pair in revision.changes.items()
        if key in COLUMNS and any(value is not None for value in pair)
    }


def show_person(
    person: Person,
    scope: Scope,
    *,
    viewer_id: int,
    channel: ViewChannel,
    place: str,
    now: datetime,
    history: Iterable = (),
) -> Sensitive:
    """The person's sensitive fields for one page, API answer or export line: whole (and the
    view logged, with the fields the `history` shown beside them holds) for the district and
    the city, masked for everyone else."""
    shown = sensitive_of(person, scope)
    if shown.is_whole:
        fields = set(whole_fields(person)) | history_fields(history)
        log_view(viewer_id, person, fields, channel=channel, place=place, now=now)
    return shown


def show_history(
    person: Person,
    revisions: list,
    scope: Scope,
    *,
    viewer_id: int,
    channel: ViewChannel,
    place: str,
    now: datetime,
) -> list[dict]:
    """Each revision's changes as the viewer may see them: masked below the district, whole
    for the district and the city, which is then logged as a whole view of the fields the
    history holds."""
    if scope.sees_whole(person.region_id):
        fields = history_fields(revisions)
        log_view(viewer_id, person, fields, channel=channel, place=place, now=now)
    return [shown_changes(revision.changes, scope, person.region_id) for revision in revisions]


def log_view(
    viewer_id: int,
    person: Person,
    fields: set[SensitiveField],
    *,
    channel: ViewChannel,
    place: str,
    now: datetime,
) -> None:
    """Log one whole view of the person's `fields` (none: nothing is written) by the viewer,
    on `place` (a page, an endpoint or an export)."""
    if fields:
        db.session.add(
            SensitiveView(
                viewer_id=viewer_id,
                person_id=person.id,
                fields=",".join(f.value for f in SensitiveField if f in fields),
                channel=channel,
                place=place[:100],
                viewed_at=now,
            )
        )
        db.session.flush()


def shown_changes(changes: dict, scope: Scope, region_id: int) -> dict:
    """A revision's changes with the sensitive values masked for a viewer who may not see
    them whole."""
    return {
        key: [masked_value(key, value, scope, region_id) for value in pair]
        for key, pair in changes.items()
    }


def masked_value(field: str, value, scope: Scope, region_id: int):
    """A value kept in a revision, masked as its field is when the viewer may not see it
    whole (`field` is the person's column)."""
    if value is None or scope.sees_whole(region_id):
        return value
    sensitive = COLUMNS.get(field)
    return MASKS[sensitive](value) if sensitive else value


def log_whole_views(
    viewer_id: int,
    persons: list[Person],
    scope: Scope,
    *,
    channel: ViewChannel,
    place: str,
    now: datetime,
) -> int:
    """Write one `sensitive_view` row per person whose sensitive fields the viewer saw whole
    (skipping those with none, and those shown masked); return how many. One INSERT for all,
    so that an export of thousands logs in one statement."""
    rows = []
    for person in persons:
        fields = whole_fields(person)
        if fields and scope.sees_whole(person.region_id):
            rows.append(
                {
                    "viewer_id": viewer_id,
                    "person_id": person.id,
                    "fields": ",".join(f.value for f in fields),
                    "channel": channel,
                    "place": place[:100],
                    "viewed_at": now,
                }
            )
    if rows:
        db.session.execute(insert(SensitiveView), rows)
    return len(rows)


def list_sensitive_views(
    scope: Scope, window: Window, *, person_id: int | None = None
) -> Slice[SensitiveView]:
    """The log of whole views, newest first: all of it for the city, the views of their
    district's persons for a district clerk, nothing for anyone else."""
    query = select(SensitiveView).join(Person, Person.id == SensitiveView.person_id)
    if not scope.is_city:
        query = query.where(Person.region_id.in_(scope.whole_regions or [-1]))
    if person_id is not None:
        query = query.where(SensitiveView.person_id == person_id)
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    items = list(
        db.session.scalars(
            query.options(joinedload(SensitiveView.viewer), joinedload(SensitiveView.person))
            .order_by(SensitiveView.viewed_at.desc(), SensitiveView.id.desc())
            .offset(window.first)
            .limit(window.size)
        )
    )
    return Slice(items=items, total=total)
