"""Check-in (签到) by rotating QR code or by the leader, check-out (签退), the audit trail."""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import select

from core.auth.models import Role, User
from core.consent.services import require_location_consent
from core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from core.extensions import db
from core.rows import get_or_not_found
from events.models import ActivityStatus, CheckIn, CheckInChange, CheckInMethod, Shift, ShiftStatus
from events.services._common import _WITH_ACTIVITY, _invalid
from events.services.activities import _on_the_map
from events.services.seats import _admit, _lock_volunteer, _locked_on_shift
from events.services.shifts import managed_shift
from volunteer import services as volunteers

CHECK_IN_OPENS_BEFORE = timedelta(minutes=30)
QR_ROTATION_SECONDS = 60
QR_VALID_SECONDS = 120


class CheckInCodeInvalid(ValidationFailed):
    code = "check_in_code_invalid"
    default_message = _l(
        "This code has expired or is not valid. Ask the leader to show the current code."
    )


def _code_serializer(secret: str) -> URLSafeSerializer:
    return URLSafeSerializer(secret, salt="shift-check-in")


def check_in_code(leader: User, shift_id: int, *, now: datetime, secret: str) -> tuple[str, int]:
    """The code a leader shows on site: a token of the shift and the current minute, signed
    with `secret`. Returns the token and the seconds until the next one.
    Raises Forbidden, NotFound."""
    shift = managed_shift(leader, shift_id)
    window = int(now.timestamp()) // QR_ROTATION_SECONDS
    token = _code_serializer(secret).dumps({"s": shift.id, "w": window})
    return token, QR_ROTATION_SECONDS - int(now.timestamp()) % QR_ROTATION_SECONDS


def _code_shift_id(token: str, *, now: datetime, secret: str) -> int:
    """The shift id a scanned code names, if the code is genuine and at most QR_VALID_SECONDS
    old. Raises CheckInCodeInvalid."""
    try:
        data = _code_serializer(secret).loads(token)
        shift_id, window = int(data["s"]), int(data["w"])
    except (BadSignature, KeyError, TypeError, ValueError):
        raise CheckInCodeInvalid() from None
    if not 0 <= now.timestamp() - window * QR_ROTATION_SECONDS <= QR_VALID_SECONDS:
        raise CheckInCodeInvalid()
    return shift_id


def read_check_in_code(token: str, *, now: datetime, secret: str) -> Shift:
    """The shift of a scanned code, if the code is genuine and at most QR_VALID_SECONDS old.
    Raises CheckInCodeInvalid."""
    shift = db.session.get(
        Shift, _code_shift_id(token, now=now, secret=secret), options=[_WITH_ACTIVITY]
    )
    if shift is None:
        raise CheckInCodeInvalid()
    return shift


def distance_m(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """Great-circle distance in metres (haversine)."""
    r = 6_371_000
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * r * math.asin(math.sqrt(a))


def find_check_in(user_id: int, shift_id: int) -> CheckIn | None:
    return db.session.scalar(
        select(CheckIn).where(CheckIn.shift_id == shift_id, CheckIn.user_id == user_id)
    )


def check_in(
    user: User,
    token: str,
    *,
    now: datetime,
    secret: str,
    latitude: float | None = None,
    longitude: float | None = None,
) -> tuple[CheckIn, bool]:
    """A volunteer checks in by scanning the shift's code (signed with `secret`); returns the
    check-in and whether it was made now (a repeated scan returns the first one).

    Where the activity has a geofence, the phone's position must lie inside it, and the
    volunteer must have given the location consent first. The position is used for the check
    only: the check-in keeps whether it was inside and how far it was, never the coordinates.

    Raises CheckInCodeInvalid, LocationConsentRequired (a geofence, no location consent),
    ValidationFailed (outside the window, location missing or too far), Conflict (cancelled,
    not signed up and no walk-ins, full).
    """
    if user.role is not Role.volunteer:
        raise Forbidden(_l("Only volunteers check in to shifts."))
    locked = _lock_volunteer(user, _code_shift_id(token, now=now, secret=secret))
    if locked is None:
        raise CheckInCodeInvalid()
    shift = locked.shift
    if locked.check_in is not None:
        return locked.check_in, False
    if (
        shift.status is ShiftStatus.cancelled
        or shift.activity.status is not ActivityStatus.published
    ):
        raise Conflict(_l("This shift is not open for check-in."), code="not_open")
    if now < shift.starts_at - CHECK_IN_OPENS_BEFORE:
        raise _invalid("time", _l("Check-in opens 30 minutes before the start."))
    if now > shift.ends_at:
        raise _invalid("time", _l("This shift has ended; ask the leader to record you."))
    activity = shift.activity
    inside_fence = away_m = None
    if activity.has_geofence:
        require_location_consent(user)
        if latitude is None or longitude is None or not _on_the_map(latitude, longitude):
            raise _invalid("location", _l("Allow the location so that we can check you in."))
        away = distance_m(latitude, longitude, activity.latitude, activity.longitude)
        inside_fence, away_m = away <= activity.checkin_radius_m, round(away)
        if not inside_fence:
            raise _invalid(
                "location",
                _l(
                    "You are %(away)d m from the place; check-in works within %(radius)d m. "
                    "Ask the leader to check you in.",
                    away=away_m,
                    radius=activity.checkin_radius_m,
                ),
            )
    walk_in = _admit(user, shift, locked.sign_up, walk_ins_allowed=shift.allows_walk_ins, now=now)
    row = CheckIn(
        shift_id=shift.id,
        user_id=user.id,
        is_walk_in=walk_in,
        method=CheckInMethod.qr,
        checked_in_at=now,
        inside_fence=inside_fence,
        distance_m=away_m,
    )
    db.session.add(row)
    db.session.flush()
    return row, True


def _audit(row: CheckIn, actor: User, field: str, old, new, reason: str, now: datetime):
    def text(value):
        return value.isoformat() if isinstance(value, datetime) else value

    db.session.add(
        CheckInChange(
            check_in_id=row.id,
            actor_id=actor.id,
            field=field,
            old_value=text(old),
            new_value=text(new),
            reason=reason,
            created_at=now,
        )
    )


def may_change_record(user: User, shift: Shift, *, now: datetime, leader_days: int) -> bool:
    """Whether the user may still change who served on the shift and for how long."""
    return user.role is Role.office or shift.ends_at > now - timedelta(days=leader_days)


def require_recent_for_leader(user: User, shift: Shift, *, now: datetime, leader_days: int) -> None:
    """A leader changes who served on a shift, and for how long, only until `leader_days` after
    its end; then the record is settled (reports have read it) and only the office changes it.
    Raises Forbidden."""
    if not may_change_record(user, shift, now=now, leader_days=leader_days):
        raise Forbidden(
            _l(
                "This shift ended more than %(days)d days ago: ask the office to change its "
                "record.",
                days=leader_days,
            ),
            code="record_settled",
        )


def check_in_by_leader(
    leader: User, shift_id: int, *, phone: str, now: datetime, leader_days: int
) -> CheckIn:
    """A leader checks a volunteer in by mobile number (no phone, or the location refused), or
    adds a walk-in after the shift. Returns the existing check-in if there is one.

    Raises Forbidden (not theirs; ended more than `leader_days` ago), NotFound (no such
    volunteer), Conflict (shift cancelled or full).
    """
    shift = managed_shift(leader, shift_id)
    require_recent_for_leader(leader, shift, now=now, leader_days=leader_days)
    if shift.status is ShiftStatus.cancelled:
        raise Conflict(_l("This shift has been cancelled."))
    if now < shift.starts_at - CHECK_IN_OPENS_BEFORE:
        raise _invalid("time", _l("Check-in opens 30 minutes before the start."))
    volunteer = volunteers.get_volunteer_by_phone(phone)
    locked = _locked_on_shift(volunteer, shift.id)
    if locked.check_in is not None:
        return locked.check_in
    # The leader stands for the team on site, so walk-ins are theirs to admit.
    walk_in = _admit(volunteer, shift, locked.sign_up, walk_ins_allowed=True, now=now)
    row = CheckIn(
        shift_id=shift.id,
        user_id=volunteer.id,
        is_walk_in=walk_in,
        method=CheckInMethod.leader,
        checked_in_at=min(now, shift.ends_at),
    )
    db.session.add(row)
    db.session.flush()
    _audit(row, leader, "checked_in_at", None, row.checked_in_at, "checked in by the leader", now)
    return row


def check_out(user: User, shift_id: int, *, now: datetime) -> CheckIn:
    """A volunteer checks out (a button or a second scan); checking out twice keeps the first.

    Raises NotFound (not checked in)."""
    row = find_check_in(user.id, shift_id)
    if row is None:
        raise NotFound(_l("You have not checked in to this shift."))
    if row.checked_out_at is None:
        row.checked_out_at = max(now, row.checked_in_at)
        db.session.flush()
    return row


def managed_check_in(user: User, check_in_id: int, *, lock: bool = False) -> CheckIn:
    """Return the check-in if the user leads its shift's team (or is the office); raise
    NotFound or Forbidden. With `lock`, the row is loaded FOR UPDATE."""
    row = get_or_not_found(CheckIn, check_in_id, lock=lock, message=_l("No such check-in."))
    volunteers.require_team_manager(user, row.shift.activity.team_id)
    return row


def check_out_by_leader(leader: User, check_in_id: int, *, now: datetime) -> CheckIn:
    """A leader checks a volunteer out now. Raises Forbidden, NotFound."""
    row = managed_check_in(leader, check_in_id, lock=True)
    if row.checked_out_at is None:
        row.checked_out_at = max(min(now, row.shift.ends_at), row.checked_in_at)
        _audit(
            row,
            leader,
            "checked_out_at",
            None,
            row.checked_out_at,
            "checked out by the leader",
            now,
        )
        db.session.flush()
    return row
