"""Persons of the register (好人库人员): entering them, correcting them with a reason (each
correction a revision), their consent to publication, and reading them within one's region."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from core.auth.models import Role, User
from core.clock import local_day
from core.errors import Conflict, ValidationFailed
from core.extensions import db
from core.regions import Region, RegionLevel, district_of, get_region
from core.rows import Slice, Window, read_slice
from honours.models import (
    Gender,
    Person,
    PersonRevision,
    PersonStatus,
    RevisionAction,
)
from honours.services.duplicates import require_no_duplicate
from honours.services.publication import sync_roll_photos
from honours.services.records import FIELDS, get_person, require_reason, stored
from honours.services.scope import Scope, require_acts_in, require_clerk

ADULT_AGE = 18
PHONE = re.compile(r"^[0-9][0-9\- ]{4,19}$")
ID_NUMBER = re.compile(r"^[0-9]{17}[0-9X]$")
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"
# The text fields, trimmed and stored as None when blank.
TEXTS = (
    "name",
    "phone",
    "address",
    "guardian_name",
    "guardian_relation",
    "guardian_phone",
    "hardship_notes",
    "story",
)


def normalize_id_number(value: str | None) -> str | None:
    """An ID number as stored: no spaces, the check letter upper case; None for none."""
    value = (value or "").replace(" ", "").upper()
    return value or None


def id_number_problem(value: str) -> str | None:
    """What is wrong with a 身份证号 (18 characters, a real birth date in characters 7–14,
    and the check character of GB 11643), or None."""
    if not ID_NUMBER.match(value):
        return str(_l("An ID number has 17 digits and a last digit or X."))
    total = sum(int(digit) * weight for digit, weight in zip(value[:17], ID_WEIGHTS, strict=True))
    if ID_CHECK[total % 11] != value[17]:
        return str(_l("This ID number's check digit is wrong: please compare it with the card."))
    if birth_date_of(value) is None:
        return str(_l("This ID number holds no real birth date."))
    return None


def birth_date_of(id_number: str) -> date | None:
    """The birth date written in an ID number, or None if it is no date."""
    try:
        return date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))
    except ValueError:
        return None


def gender_of(id_number: str) -> Gender:
    """The gender written in an ID number: its 17th digit is odd for men."""
    return Gender.male if int(id_number[16]) % 2 else Gender.female


def age_on(birth_date: date, day: date) -> int:
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


def _text(value: Any) -> str | None:
    value = (value or "").strip() if isinstance(value, str) else value
    return value or None


def _volunteer_by_phone(phone: str | None) -> int | None:
    """The id of the volunteer account with this number (the person's own account)."""
    if not phone:
        return None
    user_id = db.session.scalar(
        select(User.id).where(User.phone == phone, User.role == Role.volunteer)
    )
    if user_id is None:
        raise ValidationFailed(
            errors={"volunteer_phone": [str(_l("No volunteer account has this number."))]}
        )
    return user_id


def _clean(values: dict[str, Any], today: date) -> dict[str, Any]:
    """Check and normalise a person's fields (all of them, as they will be stored); raise
    ValidationFailed naming every field that is wrong."""
    errors: dict[str, list[str]] = {}
    clean = dict(values)
    for key in TEXTS:
        clean[key] = _text(values.get(key))
    if not clean["name"]:
        errors["name"] = [str(_l("Enter the person's name."))]
    clean["id_number"] = normalize_id_number(values.get("id_number"))
    if clean["id_number"]:
        problem = id_number_problem(clean["id_number"])
        if problem:
            errors["id_number"] = [problem]
        else:
            written = birth_date_of(clean["id_number"])
            if clean.get("birth_date") is None:
                clean["birth_date"] = written
            elif clean["birth_date"] != written:
                errors["birth_date"] = [str(_l("The birth date differs from the ID number's."))]
            if clean.get("gender") is None:
                clean["gender"] = gender_of(clean["id_number"])
    for key in ("phone", "guardian_phone"):
        if clean[key] and not PHONE.match(clean[key]):
            errors[key] = [str(_l("Enter a phone number of digits (a hyphen may separate them)."))]
    birth = clean.get("birth_date")
    if birth is not None and birth > today:
        errors["birth_date"] = [str(_l("The birth date cannot be in the future."))]
    status = clean.get("status") or PersonStatus.active
    clean["status"] = status
    died = clean.get("died_on")
    if status is PersonStatus.deceased:
        if died is None:
            errors["died_on"] = [str(_l("Give the date of death."))]
        elif died > today or (birth is not None and died < birth):
            errors["died_on"] = [str(_l("The date of death must lie between birth and today."))]
    else:
        clean["died_on"] = None
    is_minor = (
        birth is not None and status is PersonStatus.active and age_on(birth, today) < ADULT_AGE
    )
    if is_minor and not (clean["guardian_name"] and clean["guardian_relation"]):
        errors["guardian_name"] = [str(_l("A minor needs a guardian: name and relation."))]
    if errors:
        raise ValidationFailed(errors=errors)
    return clean


def _place(scope: Scope, region_id: int | None) -> tuple[Region, int]:
    """The region chosen (below the city) and its district's id, if the user acts there."""
    region = get_region(region_id)
    if region.level is RegionLevel.city:
        raise ValidationFailed(
            errors={"region_id": [str(_l("Choose the district, street or community."))]}
        )
    require_acts_in(scope, region.id)
    district = district_of(region)
    return region, district.id


def enter_person(
    actor: User,
    scope: Scope,
    values: dict[str, Any],
    *,
    now: datetime,
    is_distinct_confirmed: bool = False,
) -> Person:
    """Enter a person in the register (录入) within the actor's region.

    `values` holds the person's fields (see FIELDS; `volunteer_phone` links their volunteer
    account). Raises ValidationFailed (a field is wrong), Forbidden (the region is not the
    actor's), Conflict naming the record already there (same ID number, or same name, birth
    date and region unless `is_distinct_confirmed`)."""
    require_clerk(scope)
    today = local_day(now)
    clean = _clean(values, today)
    region, district_id = _place(scope, clean.get("region_id"))
    user_id = _volunteer_by_phone(_text(values.get("volunteer_phone")))
    require_no_duplicate(
        clean["name"],
        clean["birth_date"],
        region.id,
        clean["id_number"],
        user_id=user_id,
        is_distinct_confirmed=is_distinct_confirmed,
    )
    person = Person(
        **{key: clean.get(key) for key in FIELDS if key not in ("user_id", "region_id")},
        region_id=region.id,
        district_id=district_id,
        user_id=user_id,
        created_by_id=actor.id,
        created_at=now,
        updated_at=now,
    )
    _flush_unique(person)
    changes = {key: [None, stored(getattr(person, key))] for key in FIELDS}
    _revise(person, actor, RevisionAction.created, changes, None, now)
    return person


def _flush_unique(person: Person) -> None:
    """Add or update the person's row. The same ID number or account entered at the same
    moment by another clerk passes the duplicate check (neither sees the other's row yet);
    the partial unique indexes on live records decide, and the loser gets a clear answer (the
    request's unit of work is then rolled back whole)."""
    try:
        with db.session.begin_nested():
            db.session.add(person)
    except IntegrityError:
        message = _l(
            "The same ID number or account was entered at the same moment. Reload and check."
        )
        raise Conflict(message, errors={"id_number": [str(message)]}) from None


def _revise(
    person: Person,
    actor: User,
    action: RevisionAction,
    changes: dict[str, list[Any]],
    reason: str | None,
    now: datetime,
) -> PersonRevision:
    changes = {key: pair for key, pair in changes.items() if pair[0] != pair[1]}
    revision = PersonRevision(
        person_id=person.id,
        action=action,
        changes=changes,
        reason=reason,
        actor_id=actor.id,
        created_at=now,
    )
    db.session.add(revision)
    db.session.flush()
    return revision


def correct_person(
    actor: User,
    scope: Scope,
    person_id: int,
    values: dict[str, Any],
    *,
    reason: str | None,
    now: datetime,
) -> Person:
    """Correct a person's fields (更正): only the fields given in `values` change, and the
    revision keeps each one's value before and after, who, when and why.

    Raises NotFound, Forbidden (the person, or the new region, is outside the actor's),
    ValidationFailed (a field, no reason, nothing changed), Conflict (the new ID number is
    another person's)."""
    person = get_person(scope, person_id, for_change=True)
    reason = require_reason(reason)
    current = {key: getattr(person, key) for key in FIELDS}
    merged = {**current, **{k: v for k, v in values.items() if k in FIELDS}}
    if "id_number" in values and "birth_date" not in values:
        merged["birth_date"] = None  # taken from the new number
    if "id_number" in values and "gender" not in values:
        merged["gender"] = None
    clean = _clean(merged, local_day(now))
    region_id, district_id = person.region_id, person.district_id
    if clean["region_id"] != person.region_id:
        region, district_id = _place(scope, clean["region_id"])
        region_id = region.id
    clean["region_id"] = region_id
    if "volunteer_phone" in values:
        clean["user_id"] = _volunteer_by_phone(_text(values["volunteer_phone"]))
    if clean["id_number"] != person.id_number or clean["user_id"] != person.user_id:
        require_no_duplicate(
            clean["name"],
            clean["birth_date"],
            region_id,
            clean["id_number"] if clean["id_number"] != person.id_number else None,
            user_id=clean["user_id"] if clean["user_id"] != person.user_id else None,
            exclude_id=person.id,
            is_distinct_confirmed=True,
        )
    changes = {
        key: [stored(current[key]), stored(clean[key])]
        for key in FIELDS
        if stored(current[key]) != stored(clean[key])
    }
    if not changes:
        raise ValidationFailed(_l("Nothing was changed."))
    for key in FIELDS:
        setattr(person, key, clean[key])
    person.district_id = district_id
    person.updated_at = now
    _flush_unique(person)
    _revise(person, actor, RevisionAction.corrected, changes, reason, now)
    return person


def record_consent(
    actor: User, scope: Scope, person_id: int, *, is_given: bool, now: datetime
) -> Person:
    """Record the person's consent to publication on the public roll, or its withdrawal: who
    recorded it and when. A person who withdrew is hidden from the roll; their honours stay in
    the register. Raises NotFound, Forbidden, ValidationFailed (already so)."""
    person = get_person(scope, person_id, for_change=True)
    if person.has_publication_consent == is_given:
        raise ValidationFailed(
            _l("Consent is already recorded.")
            if is_given
            else _l("There is no consent to withdraw.")
        )
    before = person.has_publication_consent
    person.has_publication_consent = is_given
    person.consent_recorded_at = now
    person.consent_recorded_by_id = actor.id
    person.updated_at = now
    _revise(
        person,
        actor,
        RevisionAction.consent,
        {"has_publication_consent": [before, is_given]},
        None,
        now,
    )
    sync_roll_photos()
    return person


@dataclass(frozen=True)
class PersonFilter:
    """What the list of persons is narrowed to: a name or part of it, a district, a status;
    merged records are left out unless asked for."""

    q: str | None = None
    district_id: int | None = None
    status: PersonStatus | None = None
    include_merged: bool = False


def list_persons(scope: Scope, filters: PersonFilter, window: Window) -> Slice[Person]:
    """The persons within the reader's region, by name; nothing for one who is no clerk."""
    if not scope.is_clerk:
        return Slice([], 0)
    query = select(Person)
    if not scope.is_city:
        query = query.where(Person.region_id.in_(scope.regions))
    if filters.q:
        pattern = "%" + filters.q.replace("%", r"\%").replace("_", r"\_") + "%"
        query = query.where(Person.name.like(pattern, escape="\\"))
    if filters.district_id:
        query = query.where(Person.district_id == filters.district_id)
    if filters.status:
        query = query.where(Person.status == filters.status)
    if not filters.include_merged:
        query = query.where(Person.merged_into_id.is_(None))
    ordered = query.options(selectinload(Person.region), selectinload(Person.district)).order_by(
        Person.name, Person.id
    )
    return read_slice(ordered, window, count=query)


def list_person_history(scope: Scope, person_id: int) -> list[PersonRevision]:
    """The person's revisions, oldest first. Raises NotFound, Forbidden."""
    get_person(scope, person_id)
    return list(
        db.session.scalars(
            select(PersonRevision)
            .where(PersonRevision.person_id == person_id)
            .options(selectinload(PersonRevision.actor))
            .order_by(PersonRevision.created_at, PersonRevision.id)
        )
    )
