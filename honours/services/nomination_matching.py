"""Matching a nominee to the register (比对好人库), as a nomination must be before it leaves
the community: to an existing record of the nominee's district, or to a new one entered from
the nominee's fields; the records that may be the nominee; and the media channel's own match,
made when the case is filed."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from core.auth.models import User
from core.errors import Conflict, Forbidden, ValidationFailed
from core.extensions import db
from honours.models import Person, PersonStatus
from honours.nomination_models import Nomination, Stage
from honours.services import nomination_access as access
from honours.services import nomination_flags as flags
from honours.services import pipeline
from honours.services.duplicates import find_duplicates
from honours.services.persons import enter_person
from honours.services.scope import Scope, scope_of

CANDIDATES_MAX = 20
# What a clerk may give when entering the nominee in the register beside the nomination's own
# fields (the person's columns, as honours.services.persons names them).
PERSON_EXTRAS = (
    "name",
    "gender",
    "birth_date",
    "id_number",
    "phone",
    "address",
    "died_on",
    "guardian_name",
    "guardian_relation",
    "guardian_phone",
)
NOT_THE_MATCHER = _l("The nominee is matched by the nomination's drafter or its community's clerk.")


def apply_match(nomination: Nomination, person: Person) -> None:
    """Link the nominee to the person; what the nominator left blank is taken from the record."""
    nomination.person_id = person.id
    nomination.nominee_id_number = nomination.nominee_id_number or person.id_number
    nomination.nominee_birth_date = nomination.nominee_birth_date or person.birth_date
    nomination.nominee_gender = nomination.nominee_gender or person.gender
    nomination.nominee_key = flags.key_of(nomination)
    db.session.flush()


def _register_scope(user: User, nomination: Nomination, now: datetime) -> Scope:
    """The scope in which the one handling the nomination enters its nominee in the register:
    theirs where it covers the nominee's region; else (a sector's clerk, an editor) the
    nominee's region alone, for this one record."""
    scope = scope_of(user, now)
    if scope.acts_in(nomination.region_id):
        return scope
    return Scope(user.id, False, frozenset({nomination.region_id}), frozenset())


def _person_values(nomination: Nomination, values: dict[str, Any]) -> dict[str, Any]:
    """The new record's fields: the nominee's as nominated, with what was given beside them,
    in the nominee's region."""
    person = {
        "name": nomination.nominee_name,
        "gender": nomination.nominee_gender,
        "birth_date": nomination.nominee_birth_date,
        "id_number": nomination.nominee_id_number,
        "phone": nomination.nominee_phone,
        "status": PersonStatus.deceased if nomination.nominee_is_deceased else None,
    }
    person.update({key: values[key] for key in PERSON_EXTRAS if values.get(key) is not None})
    person["region_id"] = nomination.region_id
    return person


def found_or_entered(
    user: User, nomination: Nomination, values: dict[str, Any], now: datetime
) -> Person:
    """The media nominee's record: the one of the same ID number, else the only one of the
    same name, birth date and region, else a new record entered from what the editor gave."""
    sure, likely = find_duplicates(
        nomination.nominee_name,
        nomination.nominee_birth_date,
        nomination.region_id,
        nomination.nominee_id_number,
    )
    if sure:
        return sure[0]
    if len(likely) == 1:
        return likely[0]
    if likely:
        message = _l(
            "The register holds several records of this name, birth date and region: give the "
            "nominee's ID number."
        )
        raise Conflict(message, errors={"nominee_id_number": [str(message)]}, code="ambiguous")
    return enter_person(
        user,
        _register_scope(user, nomination, now),
        _person_values(nomination, values),
        now=now,
        is_distinct_confirmed=True,
    )


def _existing_person(nomination: Nomination, person_id: Any) -> Person:
    """The live record chosen: of the nominee's district, or of the nominee's ID number
    wherever it is (they moved). Raises ValidationFailed under `person_id`."""
    person = db.session.get(Person, person_id) if isinstance(person_id, int) else None
    number = nomination.nominee_id_number
    same_number = number is not None and person is not None and person.id_number == number
    if (
        person is None
        or person.is_merged
        or not (same_number or person.district_id == nomination.district_id)
    ):
        message = _l("Choose a live record of the register in the nominee's district.")
        raise ValidationFailed(message, errors={"person_id": [str(message)]})
    if number and person.id_number and not same_number:
        message = _l("This record's ID number differs from the nominee's.")
        raise ValidationFailed(message, errors={"person_id": [str(message)]})
    return person


def match_nominee(
    user: User,
    nomination_id: int,
    *,
    now: datetime,
    person_id: int | None = None,
    person_values: dict[str, Any] | None = None,
    is_distinct_confirmed: bool = False,
) -> Nomination:
    """Match the nominee to the register (比对好人库), as the nomination must be before it
    leaves the community: to an existing live record of the nominee's district (`person_id`),
    or to a new one entered from the nominee's fields and `person_values` (address, a
    guardian for a minor, the date of death ...). A draft is matched by whoever may edit it, a
    lead at the community by that community's clerk or the city. The duplicate and held-honour
    flags are looked at again.

    Raises NotFound, Conflict (another stage; the register's duplicate when entering),
    Forbidden, ValidationFailed."""
    round_, nomination = access.for_change(user, nomination_id, now)
    pipeline.require_stage(nomination, Stage.draft, Stage.community)
    if not access.may_match(user, nomination, now):
        raise Forbidden(NOT_THE_MATCHER)
    if person_id is not None:
        person = _existing_person(nomination, person_id)
    else:
        person = enter_person(
            user,
            _register_scope(user, nomination, now),
            _person_values(nomination, person_values or {}),
            now=now,
            is_distinct_confirmed=is_distinct_confirmed,
        )
    apply_match(nomination, person)
    nomination.updated_at = now
    flags.flag_duplicate(nomination)
    flags.flag_held(nomination, round_)
    return nomination


def match_candidates(user: User, nomination_id: int, *, now: datetime) -> list[Person]:
    """Records of the register that may be the nominee: the same ID number first (wherever it
    is), then the same name and birth date in the region, then the same name in the district
    (live records only, at most 20). Raises NotFound, Conflict (another stage), Forbidden."""
    nomination = access.readable(user, nomination_id, now)
    pipeline.require_stage(nomination, Stage.draft, Stage.community)
    if not access.may_match(user, nomination, now):
        raise Forbidden(NOT_THE_MATCHER)
    sure, likely = find_duplicates(
        nomination.nominee_name,
        nomination.nominee_birth_date,
        nomination.region_id,
        nomination.nominee_id_number,
    )
    named = db.session.scalars(
        select(Person)
        .where(
            Person.merged_into_id.is_(None),
            Person.name == nomination.nominee_name,
            Person.district_id == nomination.district_id,
        )
        .order_by(Person.id)
        .limit(CANDIDATES_MAX)
    )
    found: list[Person] = list(sure)
    for person in (*likely, *named):
        if person not in found:
            found.append(person)
    return found[:CANDIDATES_MAX]
