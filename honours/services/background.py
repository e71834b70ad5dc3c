"""Background checks (背景审查) of a nominee with the agencies (public security, discipline
inspection, market regulation, taxation): the district clerk of the nominee's district, or the
city, records for each agency when the request was sent, when it was answered and what it
found. A check may be changed until it is answered, then it stands. Never public: only the
district and the city read them, and the district forwards only once every agency has
answered (a concern forwarded all the same needs the reviewer's reasons)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from core.auth.models import User
from core.clock import local_day
from core.errors import Conflict, DomainError, NotFound, ValidationFailed
from core.extensions import db
from honours.nomination_models import (
    Agency,
    BackgroundCheck,
    CheckResult,
    Nomination,
    Stage,
)
from honours.services.pipeline import (
    get_nomination,
    may_read,
    require_no_conflict,
    require_stage,
)
from honours.services.scope import scope_of

NOTES_MAX = 500
NO_SUCH_CHECKS = _l("No such background checks.")
# The levels at which the checks are made: the district's review, and the city's for what
# reaches it without a district (a sector's or a media case).
CHECK_STAGES = (Stage.district, Stage.city)


def may_read_checks(user: User, nomination: Nomination, now: datetime) -> bool:
    """Whether the user reads the nomination's background checks: a district clerk whose
    district holds the nominee, or the city."""
    return scope_of(user, now).sees_whole(nomination.region_id)


def checks_of(nomination: Nomination) -> list[BackgroundCheck]:
    """The nomination's checks in the agencies' order (no access check: for the services)."""
    found = db.session.scalars(
        select(BackgroundCheck).where(BackgroundCheck.nomination_id == nomination.id)
    ).all()
    order = list(Agency)
    return sorted(found, key=lambda check: order.index(check.agency))


def list_checks(user: User, nomination_id: int, *, now: datetime) -> list[BackgroundCheck]:
    """The nomination's background checks, for the district and the city. Raises NotFound for
    anyone else (also a street or community clerk who reads the nomination)."""
    nomination = get_nomination(nomination_id)
    if not may_read(user, nomination, now) or not may_read_checks(user, nomination, now):
        raise NotFound(NO_SUCH_CHECKS)
    return checks_of(nomination)


@dataclass(frozen=True)
class ChecksView:
    """What the nomination's page shows of its checks: one line per agency (None where
    nothing is recorded yet) and whether the viewer may record or change them now."""

    rows: list[tuple[Agency, BackgroundCheck | None]]
    can_record: bool


def checks_view(user: User, nomination: Nomination, now: datetime) -> ChecksView | None:
    """The checks as the nomination's page shows them to the user, or None for one who may
    not read them."""
    if not may_read_checks(user, nomination, now):
        return None
    held = {check.agency: check for check in checks_of(nomination)}
    can_record = nomination.stage in CHECK_STAGES and _may_act(user, nomination)
    return ChecksView([(agency, held.get(agency)) for agency in Agency], can_record)


def _may_act(user: User, nomination: Nomination) -> bool:
    try:
        require_no_conflict(user, nomination)
    except DomainError:
        return False
    return True


def _agency(value: Any) -> Agency:
    if isinstance(value, Agency):
        return value
    try:
        return Agency(value)
    except ValueError:
        raise ValidationFailed(
            errors={"agency": [str(_l("Choose an agency from the list."))]}
        ) from None


def _checked(values: dict[str, Any], today: date) -> dict[str, Any]:
    """The check's fields from `values`, or ValidationFailed naming each field that is wrong."""
    errors: dict[str, list[str]] = {}
    sent_on, answered_on = values.get("sent_on"), values.get("answered_on")
    result, notes = values.get("result"), (values.get("notes") or "").strip() or None
    if not isinstance(sent_on, date):
        errors["sent_on"] = [str(_l("Give the day the request was sent."))]
    elif sent_on > today:
        errors["sent_on"] = [str(_l("The day it was sent cannot be in the future."))]
    if answered_on is not None:
        if not isinstance(answered_on, date) or answered_on > today:
            errors["answered_on"] = [str(_l("The day it was answered cannot be in the future."))]
        elif isinstance(sent_on, date) and answered_on < sent_on:
            errors["answered_on"] = [str(_l("An answer comes on or after the day it was sent."))]
    if result is not None and not isinstance(result, CheckResult):
        try:
            result = CheckResult(result)
        except ValueError:
            errors["result"] = [str(_l("Choose nothing found or a concern."))]
    if answered_on is not None and result is None and "result" not in errors:
        errors["result"] = [str(_l("Say what the answer found."))]
    if result is not None and answered_on is None and "answered_on" not in errors:
        errors["answered_on"] = [str(_l("Give the day the answer came."))]
    if notes is not None and len(notes) > NOTES_MAX:
        errors["notes"] = [str(_l("Enter at most %(n)d characters.", n=NOTES_MAX))]
    if errors:
        raise ValidationFailed(errors=errors)
    return {"sent_on": sent_on, "answered_on": answered_on, "result": result, "notes": notes}


def record_check(
    user: User, nomination_id: int, agency: Agency | str, values: dict[str, Any], *, now: datetime
) -> BackgroundCheck:
    """Record the check with one agency (`values`: sent_on, answered_on, result, notes), or
    change it while it is unanswered: the district clerk of the nominee's district, or the
    city, while the nomination is at the district's or the city's review. An answer needs its
    day and its result.

    Raises NotFound (no such nomination, or one whose checks the user may not read), Forbidden
    (they filed it or declared a conflict), Conflict (not at the district or city, or the
    agency answered already), ValidationFailed."""
    nomination = get_nomination(nomination_id, lock=True)
    if not may_read(user, nomination, now) or not may_read_checks(user, nomination, now):
        raise NotFound(NO_SUCH_CHECKS)
    require_stage(nomination, *CHECK_STAGES)
    require_no_conflict(user, nomination)
    agency = _agency(agency)
    fields = _checked(values, local_day(now))
    check = db.session.scalar(
        select(BackgroundCheck).where(
            BackgroundCheck.nomination_id == nomination.id, BackgroundCheck.agency == agency
        )
    )
    if check is None:
        check = BackgroundCheck(nomination_id=nomination.id, agency=agency, recorded_at=now)
        db.session.add(check)
    elif check.answered_on is not None:
        raise Conflict(
            _l(
                "%(agency)s has answered already; the check stands as recorded.",
                agency=agency.label,
            ),
            code="answered",
        )
    for field, value in fields.items():
        setattr(check, field, value)
    check.recorded_by_id, check.updated_at = user.id, now
    db.session.flush()
    return check


def require_checks_answered(nomination: Nomination, opinion: str | None) -> None:
    """Raise Conflict unless every agency has answered the nomination's checks, and
    ValidationFailed (on `opinion`) where one found a concern and no reasons are given for
    forwarding it all the same."""
    held = {check.agency: check for check in checks_of(nomination)}
    waiting = [agency for agency in Agency if agency not in held or held[agency].result is None]
    if waiting:
        raise Conflict(
            _l(
                "Forward it once every background check is answered; still waiting: %(agencies)s.",
                agencies="、".join(agency.label for agency in waiting),
            ),
            code="background_checks",
        )
    if any(check.result is CheckResult.concern for check in held.values()) and not opinion:
        raise ValidationFailed(
            errors={
                "opinion": [
                    str(
                        _l(
                            "A background check found a concern: give your reasons for"
                            " forwarding it all the same."
                        )
                    )
                ]
            }
        )
