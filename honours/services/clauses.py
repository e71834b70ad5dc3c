"""The conduct clauses (行为规范条款): the city's 4 prohibitions and 6 exit clauses, entered and
edited by the office. An edit adds a version that takes effect on a day; the old versions
stay, and a breach case cites the version in force when it was reported."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from core.auth.models import User
from core.clock import local_day
from core.errors import Conflict, NotFound, ValidationFailed
from core.extensions import db
from honours.conduct_models import Clause, ClauseKind, ClauseVersion
from honours.services.scope import require_city, scope_of

TITLE_MAX = 120
TEXT_MAX = 4000
NO_CLAUSE = _l("No such clause.")
ONLY_CITY = _l("Only the city's civilization office edits the conduct clauses.")


@dataclass(frozen=True)
class ClauseRow:
    """A clause as the lists show it: the version in force today (None before its first
    takes effect), and the one waiting to take effect, if any."""

    clause: Clause
    current: ClauseVersion | None
    upcoming: ClauseVersion | None


def version_in_force(clause: Clause, day: date) -> ClauseVersion | None:
    """The clause's version in force on `day`: the latest to take effect by then (the higher
    number when two take effect the same day)."""
    started = [v for v in clause.versions if v.effective_from <= day]
    return max(started, key=lambda v: (v.effective_from, v.number), default=None)


def _upcoming(clause: Clause, day: date) -> ClauseVersion | None:
    later = [v for v in clause.versions if v.effective_from > day]
    return max(later, key=lambda v: (v.effective_from, v.number), default=None)


def list_clauses(*, now: datetime) -> list[ClauseRow]:
    """Every clause, prohibitions first, each by its number, with the version in force today.
    The clauses are the city's published rules: anyone signed in may read them."""
    today = local_day(now)
    clauses = db.session.scalars(
        select(Clause)
        .options(selectinload(Clause.versions).selectinload(ClauseVersion.created_by))
        .order_by(Clause.position)
    )
    rows = [ClauseRow(c, version_in_force(c, today), _upcoming(c, today)) for c in clauses]
    # Enum columns sort by their stored value; the rules list prohibitions first.
    return sorted(
        rows, key=lambda r: (r.clause.kind is not ClauseKind.prohibition, r.clause.position)
    )


def get_clause(clause_id: int) -> Clause:
    """The clause with its versions. Raises NotFound."""
    clause = db.session.scalar(
        select(Clause).where(Clause.id == clause_id).options(selectinload(Clause.versions))
    )
    if clause is None:
        raise NotFound(NO_CLAUSE)
    return clause


def _checked(values: dict[str, Any], today: date) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    title = (values.get("title") or "").strip()
    text = (values.get("text") or "").strip()
    effective_from = values.get("effective_from") or today
    if not title:
        errors["title"] = [str(_l("Give the clause a title."))]
    elif len(title) > TITLE_MAX:
        errors["title"] = [str(_l("At most %(n)d characters.", n=TITLE_MAX))]
    if not text:
        errors["text"] = [str(_l("Write what the clause says."))]
    elif len(text) > TEXT_MAX:
        errors["text"] = [str(_l("At most %(n)d characters.", n=TEXT_MAX))]
    if not isinstance(effective_from, date) or effective_from < today:
        # A version dated back would change what earlier reports were measured against.
        errors["effective_from"] = [str(_l("A new wording takes effect today or later."))]
    if errors:
        raise ValidationFailed(errors=errors)
    return {"title": title, "text": text, "effective_from": effective_from}


def _add_version(actor: User, clause: Clause, clean: dict[str, Any], now: datetime):
    latest = max((v.number for v in clause.versions), default=0)
    version = ClauseVersion(
        clause=clause, number=latest + 1, created_at=now, created_by_id=actor.id, **clean
    )
    db.session.add(version)
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:
        raise Conflict(
            _l("Someone else added a version of this clause just now. Reload and try again.")
        ) from None
    return version


def create_clause(
    actor: User, kind: ClauseKind, values: dict[str, Any], *, now: datetime
) -> ClauseVersion:
    """Enter a clause of the kind as its first version (the office, 市文明办): it takes the
    next number of its kind. Raises Forbidden (not the city), ValidationFailed (the wording,
    the date), Conflict (all 4 prohibitions or 6 exit clauses exist already)."""
    require_city(scope_of(actor, now), ONLY_CITY)
    clean = _checked(values, local_day(now))
    taken = db.session.scalar(select(func.count()).where(Clause.kind == kind)) or 0
    if taken >= kind.most:
        raise Conflict(
            _l("The rules hold %(n)d clauses of this kind: edit one instead.", n=kind.most)
        )
    clause = Clause(kind=kind, position=taken + 1, created_at=now, created_by_id=actor.id)
    db.session.add(clause)
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:
        raise Conflict(_l("Someone else entered this clause just now. Reload.")) from None
    return _add_version(actor, clause, clean, now)


def add_version(
    actor: User, clause_id: int, values: dict[str, Any], *, now: datetime
) -> ClauseVersion:
    """Edit a clause by adding a version (the office): a title, the text and the day it takes
    effect (today by default, never earlier). The old versions stay, and cases keep citing
    the one in force when they were reported. Raises Forbidden, NotFound, ValidationFailed,
    Conflict (two editors at once)."""
    require_city(scope_of(actor, now), ONLY_CITY)
    clause = get_clause(clause_id)
    clean = _checked(values, local_day(now))
    return _add_version(actor, clause, clean, now)


def versions_in_force(clause_ids: list[int], day: date) -> list[ClauseVersion]:
    """The version in force on `day` of each clause named. Raises ValidationFailed under
    `clause_ids` when none is named, one is unknown or one has no wording in force yet."""
    ids = sorted(set(clause_ids))
    if not ids:
        raise ValidationFailed(errors={"clause_ids": [str(_l("Cite at least one clause."))]})
    clauses = list(
        db.session.scalars(
            select(Clause).where(Clause.id.in_(ids)).options(selectinload(Clause.versions))
        )
    )
    versions = [version_in_force(c, day) for c in clauses]
    if len(clauses) != len(ids) or any(v is None for v in versions):
        raise ValidationFailed(
            errors={"clause_ids": [str(_l("Choose clauses from the list of those in force."))]}
        )
    return [v for v in versions if v is not None]
