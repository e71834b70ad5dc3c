"""Rounds of nominations (评选批次): the city office prepares a round as a draft (the honour
it awards, the nomination dates, the working days each review level has, the days of public
notice, a quota per district), opens it, and closes it. Every clerk reads the rounds; only
the city changes them."""

from __future__ import annotations

from datetime import date, datetime, tzinfo
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from core.auth.models import User
from core.districts import District
from core.errors import Conflict, ValidationFailed
from core.extensions import db
from core.rows import Slice, Window, get_or_not_found, read_slice
from core.workdays import WorkCalendar, working_day_deadline
from honours.models import Round, RoundKind, RoundQuota, RoundStatus
from honours.services.scope import require_city, require_clerk, scope_of
from honours.services.types import get_honour_type

NAME_MAX = 120
# HONOURS.md: 5 working days per level, 7 days of notice by default; a month at most.
DEFAULT_LEVEL_DAYS, DEFAULT_NOTICE_DAYS = 5, 7
DAYS_MIN, DAYS_MAX = 1, 30
QUOTA_MAX = 1000
FIELDS = ("name", "kind", "honour_type_id", "opens_on", "closes_on", "level_days", "notice_days")


def _checked(values: dict[str, Any]) -> dict[str, Any]:
    """The round's fields from `values`, or ValidationFailed naming every field that is wrong."""
    errors: dict[str, list[str]] = {}
    name = (values.get("name") or "").strip()
    if not name:
        errors["name"] = [str(_l("Give the round a name, such as 2026年12月“秦皇岛好人”月评."))]
    elif len(name) > NAME_MAX:
        errors["name"] = [str(_l("Enter at most %(n)d characters.", n=NAME_MAX))]
    kind = values.get("kind")
    if not isinstance(kind, RoundKind):
        try:
            kind = RoundKind(kind)
        except ValueError:
            errors["kind"] = [str(_l("Choose monthly, quarterly or annual."))]
    honour_type = None
    try:
        honour_type = get_honour_type(values.get("honour_type_id"))
    except ValidationFailed as error:
        errors.update(error.errors)
    opens_on, closes_on = values.get("opens_on"), values.get("closes_on")
    if not isinstance(opens_on, date):
        errors["opens_on"] = [str(_l("Give the date nominations open."))]
    if not isinstance(closes_on, date):
        errors["closes_on"] = [str(_l("Give the date nominations close."))]
    elif isinstance(opens_on, date) and closes_on < opens_on:
        errors["closes_on"] = [str(_l("Nominations close on or after the day they open."))]
    days = {}
    for field, default in (
        ("level_days", DEFAULT_LEVEL_DAYS),
        ("notice_days", DEFAULT_NOTICE_DAYS),
    ):
        value = values.get(field)
        value = default if value is None else value
        if not isinstance(value, int) or not DAYS_MIN <= value <= DAYS_MAX:
            errors[field] = [
                str(_l("Enter a number from %(low)d to %(high)d.", low=DAYS_MIN, high=DAYS_MAX))
            ]
        days[field] = value
    if errors:
        raise ValidationFailed(errors=errors)
    return {
        "name": name,
        "kind": kind,
        "honour_type_id": honour_type.id,
        "opens_on": opens_on,
        "closes_on": closes_on,
        **days,
    }


def _draft(round_: Round) -> Round:
    if round_.status is not RoundStatus.draft:
        raise Conflict(_l("This round is open or closed already; only a draft may be changed."))
    return round_


def _for_change(user: User, round_id: int, now: datetime) -> Round:
    require_city(scope_of(user, now), _l("Only the city's civilization office runs rounds."))
    return get_or_not_found(Round, round_id, _l("No such round."), lock=True)


def create_round(user: User, values: dict[str, Any], *, now: datetime) -> Round:
    """Prepare a round as a draft (the city office or its staff): name, kind (monthly 月评,
    quarterly 季评, annual), honour type, the dates nominations open and close, the working
    days each review level has (1–30, default 5) and the days of public notice (1–30,
    default 7). Raises NotFound or Forbidden (not the city), ValidationFailed."""
    require_city(scope_of(user, now), _l("Only the city's civilization office runs rounds."))
    round_ = Round(**_checked(values), created_by_id=user.id, created_at=now, updated_at=now)
    db.session.add(round_)
    db.session.flush()
    return round_


def update_round(user: User, round_id: int, values: dict[str, Any], *, now: datetime) -> Round:
    """Change a draft round's fields (the city). Raises NotFound, Forbidden, Conflict (the
    round is open or closed), ValidationFailed."""
    round_ = _draft(_for_change(user, round_id, now))
    for field, value in _checked(values).items():
        setattr(round_, field, value)
    round_.updated_at = now
    db.session.flush()
    return round_


def open_round(user: User, round_id: int, *, now: datetime) -> Round:
    """Open a draft round for nominations (the city), recording who and when. Raises
    NotFound, Forbidden, Conflict (not a draft)."""
    round_ = _draft(_for_change(user, round_id, now))
    round_.status, round_.opened_at, round_.opened_by_id = RoundStatus.open, now, user.id
    round_.updated_at = now
    db.session.flush()
    return round_


def close_round(user: User, round_id: int, *, now: datetime) -> Round:
    """Close an open round (the city), recording who and when. Raises NotFound, Forbidden,
    Conflict (not open)."""
    round_ = _for_change(user, round_id, now)
    if round_.status is not RoundStatus.open:
        raise Conflict(_l("Only an open round can be closed."))
    round_.status, round_.closed_at, round_.closed_by_id = RoundStatus.closed, now, user.id
    round_.updated_at = now
    db.session.flush()
    return round_


def set_quotas(user: User, round_id: int, quotas: dict[int, int], *, now: datetime) -> Round:
    """Set a draft round's quotas (名额) per district, replacing those it had: `quotas` maps a
    district's id to how many it may put forward (0 to QUOTA_MAX); a district left out has no
    quota. Raises NotFound, Forbidden, Conflict (not a draft), ValidationFailed (an unknown
    district or a number out of range, named `quota-<district id>`)."""
    round_ = _draft(_for_change(user, round_id, now))
    known = set(db.session.scalars(select(District.id)))
    errors: dict[str, list[str]] = {}
    for district_id, quota in quotas.items():
        field = f"quota-{district_id}"
        if district_id not in known:
            errors[field] = [str(_l("Choose a district from the list."))]
        elif not isinstance(quota, int) or not 0 <= quota <= QUOTA_MAX:
            errors[field] = [
                str(_l("Enter a number from %(low)d to %(high)d.", low=0, high=QUOTA_MAX))
            ]
    if errors:
        raise ValidationFailed(errors=errors)
    held = {quota.district_id: quota for quota in round_.quotas}
    for district_id, row in held.items():
        if district_id not in quotas:
            round_.quotas.remove(row)
    for district_id, quota in quotas.items():
        if district_id in held:
            held[district_id].quota = quota
        else:
            round_.quotas.append(RoundQuota(district_id=district_id, quota=quota))
    round_.updated_at = now
    db.session.flush()
    return round_


def list_rounds(user: User, window: Window, *, now: datetime) -> Slice[Round]:
    """The rounds, the latest nomination dates first, for any clerk. Raises NotFound for one
    who is no clerk."""
    require_clerk(scope_of(user, now))
    query = select(Round).order_by(Round.opens_on.desc(), Round.id.desc())
    return read_slice(query, window)


def get_round(user: User, round_id: int, *, now: datetime) -> Round:
    """One round with its quotas, for any clerk. Raises NotFound."""
    require_clerk(scope_of(user, now))
    return get_or_not_found(Round, round_id, _l("No such round."))


def level_deadline(
    round_: Round, entered_at: datetime, calendar: WorkCalendar, zone: tzinfo
) -> datetime:
    """When a review level's time limit (时限) runs out for a nomination that reached it at
    `entered_at`: the end of the round's `level_days`-th working day after that local day
    (weekends, holidays and make-up working days as core.workdays counts them), in UTC."""
    return working_day_deadline(entered_at, round_.level_days, calendar, zone)
