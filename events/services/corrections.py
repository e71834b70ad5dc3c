"""Corrections a volunteer asks of their record, and the leader's decision on them."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from core.auth.models import User
from core.errors import Conflict, NotFound
from core.extensions import db
from core.rows import get_or_not_found
from events.models import (
    AttendanceStatus,
    CheckIn,
    CheckInMethod,
    CorrectionRequest,
    CorrectionStatus,
)
from events.services._common import _invalid
from events.services.attendance import _apply_times, _confirm
from events.services.check_ins import _audit, find_check_in, require_recent_for_leader
from events.services.seats import _admit, _locked_on_shift, find_sign_up, was_expected
from events.services.shifts import get_shift, managed_shift


def request_correction(
    user: User,
    shift_id: int,
    *,
    checked_in_at: datetime,
    checked_out_at: datetime,
    message: str,
    now: datetime,
) -> CorrectionRequest:
    """A volunteer asks the leader to fix their record of a shift that has started (forgotten
    check-in, wrong times). Raises NotFound (not theirs), Conflict (not started, one already
    pending), ValidationFailed."""
    shift = get_shift(shift_id)
    sign_up = find_sign_up(user, shift.id)
    if not was_expected(sign_up) and find_check_in(user.id, shift.id) is None:
        raise NotFound(_l("You were not signed up for this shift."))
    if shift.starts_at > now:
        raise Conflict(_l("This shift has not started yet."))
    message = (message or "").strip()
    if not message:
        raise _invalid("message", _l("Tell the leader what happened."))
    if checked_out_at < checked_in_at:
        raise _invalid("checked_out_at", _l("Check-out cannot be before check-in."))
    pending = db.session.scalar(
        select(CorrectionRequest.id).where(
            CorrectionRequest.shift_id == shift.id,
            CorrectionRequest.user_id == user.id,
            CorrectionRequest.status == CorrectionStatus.pending,
        )
    )
    if pending:
        raise Conflict(_l("You have a request for this shift waiting already."))
    request_row = CorrectionRequest(
        shift_id=shift.id,
        user_id=user.id,
        checked_in_at=checked_in_at,
        checked_out_at=checked_out_at,
        message=message,
        created_at=now,
    )
    db.session.add(request_row)
    db.session.flush()
    return request_row


def list_correction_requests(leader: User, shift_id: int) -> list[CorrectionRequest]:
    """Pending requests of a shift, for its leaders. Raises Forbidden, NotFound."""
    shift = managed_shift(leader, shift_id)
    query = (
        select(CorrectionRequest)
        .where(
            CorrectionRequest.shift_id == shift.id,
            CorrectionRequest.status == CorrectionStatus.pending,
        )
        .options(selectinload(CorrectionRequest.user))
        .order_by(CorrectionRequest.created_at)
    )
    return list(db.session.scalars(query))


def managed_correction(user: User, request_id: int, *, lock: bool = False) -> CorrectionRequest:
    """Return the correction request if the user leads its shift's team (or is the office);
    raise NotFound or Forbidden. With `lock`, the row is loaded FOR UPDATE."""
    request_row = get_or_not_found(
        CorrectionRequest, request_id, lock=lock, message=_l("No such request.")
    )
    managed_shift(user, request_row.shift_id)
    return request_row


def decide_correction(
    leader: User,
    request_id: int,
    *,
    accept: bool,
    reply: str,
    now: datetime,
    leader_days: int,
) -> CorrectionRequest:
    """The leader accepts (the times are applied, a missing check-in is made, and after the
    shift it is confirmed) or refuses with a reply. Raises Forbidden (not theirs; the shift
    ended more than `leader_days` ago), NotFound, Conflict, ValidationFailed."""
    request_row = managed_correction(leader, request_id, lock=True)
    shift = get_shift(request_row.shift_id)
    require_recent_for_leader(leader, shift, now=now, leader_days=leader_days)
    if request_row.status is not CorrectionStatus.pending:
        raise Conflict(_l("This request has been decided already."))
    reply = (reply or "").strip()
    if not accept and not reply:
        raise _invalid("reply", _l("Tell the volunteer why."))
    if accept:
        volunteer = request_row.user
        locked = _locked_on_shift(volunteer, shift.id)
        row = locked.check_in
        if row is None:
            _admit(volunteer, shift, locked.sign_up, walk_ins_allowed=True, now=now)
            row = CheckIn(
                shift_id=shift.id,
                user_id=volunteer.id,
                method=CheckInMethod.leader,
                checked_in_at=request_row.checked_in_at,
                checked_out_at=request_row.checked_out_at,
            )
            db.session.add(row)
            db.session.flush()
            _audit(row, leader, "created", None, None, request_row.message, now)
        _apply_times(
            row,
            leader,
            request_row.checked_in_at,
            request_row.checked_out_at,
            request_row.message,
            now,
        )
        if row.status is AttendanceStatus.pending and shift.ends_at <= now:
            _confirm(row, leader, now)
    request_row.status = CorrectionStatus.accepted if accept else CorrectionStatus.refused
    request_row.reply = reply or None
    request_row.decided_at = now
    request_row.decided_by_id = leader.id
    db.session.flush()
    return request_row
