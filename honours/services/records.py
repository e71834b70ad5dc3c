"""What the register's services share: a person's columns, a person read within one's
region, the reason a change gives, and values as a revision keeps them."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload

from core.errors import NotFound, ValidationFailed
from core.extensions import db
from honours.models import Honour, Person
from honours.services.scope import Scope, require_acts_in, require_clerk

MAX_REASON = 500
# The person's columns a clerk enters and corrects, in the order the history lists them.
FIELDS = (
    "name",
    "gender",
    "birth_date",
    "id_number",
    "phone",
    "region_id",
    "address",
    "status",
    "died_on",
    "guardian_name",
    "guardian_relation",
    "guardian_phone",
    "hardship_notes",
    "story",
    "photo_upload_id",
    "user_id",
)
NO_PERSON = _l("No such record in the register.")


def stored(value: Any) -> Any:
    """A value as a revision keeps it in JSON."""
    if isinstance(value, date):
        return value.isoformat()
    if hasattr(value, "value"):
        return value.value
    return value


def require_reason(reason: str | None) -> str:
    """The reason a correction gives, trimmed. Raises ValidationFailed if there is none or it
    is too long."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(errors={"reason": [str(_l("Say why it is corrected."))]})
    if len(reason) > MAX_REASON:
        raise ValidationFailed(
            errors={"reason": [str(_l("At most %(n)d characters.", n=MAX_REASON))]}
        )
    return reason


def get_person(
    scope: Scope, person_id: int, *, for_change: bool = False, lock: bool = False
) -> Person:
    """The person, if within the reader's region. A merged record can be read (it points at
    the survivor) but not changed. With `lock`, the row is read afresh FOR UPDATE, so that
    two clerks merging the same record take turns (PostgreSQL). Raises NotFound, Forbidden,
    and ValidationFailed when changing a merged record."""
    require_clerk(scope)
    person = db.session.get(
        Person,
        person_id,
        options=[selectinload(Person.honours).selectinload(Honour.honour_type)],
        with_for_update=lock,
        populate_existing=lock,
    )
    if person is None:
        raise NotFound(NO_PERSON)
    require_acts_in(scope, person.region_id)
    if for_change and person.is_merged:
        raise ValidationFailed(
            _l("This record was merged into No. %(id)d: change that one.", id=person.merged_into_id)
        )
    return person
