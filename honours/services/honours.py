"""Honours (荣誉) held by persons and teams: recording them, correcting them with a reason
(each correction a revision), and the register's list by level, type, category, district and
year."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import extract, or_, select
from sqlalchemy.orm import selectinload

from core.auth.models import User
from core.clock import local_day
from core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from core.extensions import db
from core.rows import Slice, Window, read_slice
from honours.models import (
    HolderKind,
    Honour,
    HonourCategory,
    HonourLevel,
    HonourRevision,
    HonourSource,
    HonourType,
    Person,
    RevisionAction,
)
from honours.services.publication import sync_roll_photos
from honours.services.records import get_person, require_reason, stored
from honours.services.scope import Scope, require_city, require_clerk
from honours.services.types import get_honour_type
from volunteer.models import Team, TeamStatus

LINK = re.compile(r"^https?://[^\s]{3,}$")
# What a clerk corrects on an honour, in the order the history lists them.
HONOUR_FIELDS = (
    "honour_type_id",
    "category",
    "awarded_on",
    "certificate_number",
    "decision_number",
    "source_name",
    "source_url",
)
NO_HONOUR = _l("No such honour in the register.")


def _text(value: Any) -> str | None:
    value = value.strip() if isinstance(value, str) else value
    return value or None


def _require_may_record(
    scope: Scope, honour_type: HonourType, source: HonourSource, region_id: int | None
) -> None:
    """The city records every honour; the district of the person's region records its own
    district-level honours from its files. Raises Forbidden with the reason."""
    if scope.is_city:
        return
    if source is HonourSource.external:
        raise Forbidden(_l("Honours from external listings are recorded by the city."))
    if honour_type.level is not HonourLevel.county or region_id is None:
        raise Forbidden(_l("Only the city records honours above the district level."))
    if not scope.sees_whole(region_id):
        raise Forbidden(_l("Only the person's district or the city records their honours."))


def _clean(values: dict[str, Any], today: date) -> dict[str, Any]:
    """Check an honour's own fields; raise ValidationFailed naming every field that is wrong."""
    errors: dict[str, list[str]] = {}
    clean = {key: values.get(key) for key in HONOUR_FIELDS}
    for key in ("certificate_number", "decision_number", "source_name", "source_url"):
        clean[key] = _text(values.get(key))
    if clean["awarded_on"] is None:
        errors["awarded_on"] = [str(_l("Give the date it was awarded."))]
    elif clean["awarded_on"] > today:
        errors["awarded_on"] = [str(_l("The award date cannot be in the future."))]
    source = values.get("source") or HonourSource.archive
    clean["source"] = source
    if source is HonourSource.external and not clean["source_url"]:
        errors["source_url"] = [str(_l("Give the link to the listing it was published in."))]
    if clean["source_url"] and not LINK.match(clean["source_url"]):
        errors["source_url"] = [str(_l("Enter a link beginning with http:// or https://."))]
    if source is HonourSource.round and not values.get("round_id"):
        errors["round_id"] = [str(_l("Name the round it was awarded in."))]
    if errors:
        raise ValidationFailed(errors=errors)
    return clean


def _require_not_twice(
    person_id: int | None, team_id: int | None, type_id: int, day: date, exclude_id=None
) -> None:
    query = select(Honour).where(Honour.honour_type_id == type_id, Honour.awarded_on == day)
    query = query.where(Honour.person_id == person_id if person_id else Honour.team_id == team_id)
    if exclude_id is not None:
        query = query.where(Honour.id != exclude_id)
    if db.session.scalar(query.limit(1)) is not None:
        message = _l("This honour is already recorded for them on that date.")
        raise Conflict(message, errors={"awarded_on": [str(message)]})


def award_honour(actor: User, scope: Scope, values: dict[str, Any], *, now: datetime) -> Honour:
    """Record an honour of a person (`person_id`) or a team (`team_id`): its type, category,
    award date, certificate and decision numbers, and source (a round here, an external
    listing such as 中国好人榜 with its link, or an earlier decision from the files).

    Raises ValidationFailed (a field; the type is not for that holder), NotFound, Forbidden
    (outside the actor's region; an external listing or a level above the district recorded
    by other than the city), Conflict (the same honour twice; a merged record). A
    deceased person may be honoured by a round: the posthumous honour (追授) of one who died
    doing good, published with a close relative's consent."""
    require_clerk(scope)
    person_id, team_id = values.get("person_id"), values.get("team_id")
    if bool(person_id) == bool(team_id):
        raise ValidationFailed(_l("Name either a person or a team."))
    honour_type = get_honour_type(values.get("honour_type_id"))
    clean = _clean(values, local_day(now))
    source = clean["source"]
    region_id = None
    if person_id:
        if honour_type.holder is not HolderKind.person:
            raise ValidationFailed(
                errors={"honour_type_id": [str(_l("This honour is for teams."))]}
            )
        person = get_person(scope, person_id, for_change=True)
        region_id = person.region_id
    else:
        if honour_type.holder is not HolderKind.team:
            raise ValidationFailed(
                errors={"honour_type_id": [str(_l("This honour is for persons."))]}
            )
        require_city(scope, _l("Teams' honours are recorded by the city."))
        if db.session.get(Team, team_id) is None:
            raise ValidationFailed(errors={"team_id": [str(_l("Choose a team from the list."))]})
    _require_may_record(scope, honour_type, source, region_id)
    _require_not_twice(person_id, team_id, honour_type.id, clean["awarded_on"])
    honour = Honour(
        person_id=person_id or None,
        team_id=team_id or None,
        round_id=values.get("round_id") if source is HonourSource.round else None,
        created_at=now,
        created_by_id=actor.id,
        **clean,
    )
    db.session.add(honour)
    db.session.flush()
    _revise(
        honour,
        actor,
        RevisionAction.created,
        {key: [None, stored(getattr(honour, key))] for key in HONOUR_FIELDS},
        None,
        now,
    )
    sync_roll_photos()
    return honour


def _revise(honour, actor, action, changes, reason, now) -> None:
    changes = {key: pair for key, pair in changes.items() if pair[0] != pair[1]}
    db.session.add(
        HonourRevision(
            honour_id=honour.id,
            action=action,
            changes=changes,
            reason=reason,
            actor_id=actor.id,
            created_at=now,
        )
    )
    db.session.flush()


def team_choices() -> list[tuple[int, str]]:
    """(id, name) of the approved teams, for the city choosing the team it honours."""
    rows = db.session.execute(
        select(Team.id, Team.name).where(Team.status == TeamStatus.approved).order_by(Team.name)
    )
    return [(team_id, name) for team_id, name in rows]


def get_honour(scope: Scope, honour_id: int) -> Honour:
    """The honour, if its holder is within the reader's region (a team's: the city). Raises
    NotFound, Forbidden."""
    require_clerk(scope)
    honour = db.session.get(Honour, honour_id)
    if honour is None:
        raise NotFound(NO_HONOUR)
    if honour.person_id is not None:
        get_person(scope, honour.person_id)
    else:
        require_city(scope, _l("Teams' honours are kept by the city."))
    return honour


def correct_honour(
    actor: User,
    scope: Scope,
    honour_id: int,
    values: dict[str, Any],
    *,
    reason: str | None,
    now: datetime,
) -> Honour:
    """Correct an honour's fields (only those given); the revision keeps each one's value
    before and after, who, when and why. Who may correct is who may record it.

    Raises NotFound, Forbidden, ValidationFailed (a field, no reason, nothing changed),
    Conflict (it would then be recorded twice)."""
    honour = get_honour(scope, honour_id)
    reason = require_reason(reason)
    current = {key: getattr(honour, key) for key in HONOUR_FIELDS}
    merged = {**current, **{k: v for k, v in values.items() if k in HONOUR_FIELDS}}
    merged["source"], merged["round_id"] = honour.source, honour.round_id
    honour_type = get_honour_type(merged["honour_type_id"])
    if honour_type.holder is not honour.honour_type.holder:
        raise ValidationFailed(
            errors={"honour_type_id": [str(_l("Choose a type for the same kind of holder."))]}
        )
    clean = _clean(merged, local_day(now))
    region_id = honour.person.region_id if honour.person else None
    _require_may_record(scope, honour.honour_type, honour.source, region_id)
    _require_may_record(scope, honour_type, honour.source, region_id)
    changes = {
        key: [stored(current[key]), stored(clean[key])]
        for key in HONOUR_FIELDS
        if stored(current[key]) != stored(clean[key])
    }
    if not changes:
        raise ValidationFailed(_l("Nothing was changed."))
    _require_not_twice(
        honour.person_id, honour.team_id, honour_type.id, clean["awarded_on"], honour.id
    )
    for key in HONOUR_FIELDS:
        setattr(honour, key, clean[key])
    _revise(honour, actor, RevisionAction.corrected, changes, reason, now)
    sync_roll_photos()
    return honour


def list_honour_history(scope: Scope, honour_id: int) -> list[HonourRevision]:
    """The honour's revisions, oldest first. Raises NotFound, Forbidden."""
    get_honour(scope, honour_id)
    return list(
        db.session.scalars(
            select(HonourRevision)
            .where(HonourRevision.honour_id == honour_id)
            .options(selectinload(HonourRevision.actor))
            .order_by(HonourRevision.created_at, HonourRevision.id)
        )
    )


@dataclass(frozen=True)
class RegisterFilter:
    """What the register is narrowed to; None means all."""

    level: HonourLevel | None = None
    honour_type_id: int | None = None
    category: HonourCategory | None = None
    district_id: int | None = None
    year: int | None = None


def register_query(scope: Scope, filters: RegisterFilter):
    """The honours within the reader's region matching the filters, newest award first
    (persons' only for a clerk below the city)."""
    query = (
        select(Honour)
        .join(HonourType, HonourType.id == Honour.honour_type_id)
        .outerjoin(Person, Person.id == Honour.person_id)
        .outerjoin(Team, Team.id == Honour.team_id)
    )
    if not scope.is_city:
        query = query.where(Person.region_id.in_(scope.regions))
    if filters.level:
        query = query.where(HonourType.level == filters.level)
    if filters.honour_type_id:
        query = query.where(Honour.honour_type_id == filters.honour_type_id)
    if filters.category:
        query = query.where(Honour.category == filters.category)
    if filters.district_id:
        query = query.where(
            or_(Person.district_id == filters.district_id, Team.district_id == filters.district_id)
        )
    if filters.year:
        query = query.where(extract("year", Honour.awarded_on) == filters.year)
    return query


def list_register(scope: Scope, filters: RegisterFilter, window: Window) -> Slice[Honour]:
    """A window of the register (好人库名录): honours with their holder and type, newest
    award first; nothing for one who is no clerk."""
    if not scope.is_clerk:
        return Slice([], 0)
    query = register_query(scope, filters)
    ordered = query.options(
        selectinload(Honour.honour_type),
        selectinload(Honour.person).selectinload(Person.district),
        selectinload(Honour.person).selectinload(Person.region),
        selectinload(Honour.team).selectinload(Team.district),
    ).order_by(Honour.awarded_on.desc(), Honour.id.desc())
    return read_slice(ordered, window, count=query)
