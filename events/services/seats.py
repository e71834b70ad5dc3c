"""Keeping a shift within capacity: seats, sign-ups, the waiting list, the volunteer's lock."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, select, update

from core.auth.models import Role, User
from core.clock import local_zone
from core.errors import Conflict, Forbidden, NotFound
from core.extensions import db
from events.models import ActivityStatus, CheckIn, Shift, ShiftStatus, SignUp, SignUpStatus
from events.services._common import _WITH_ACTIVITY, ACTIVE_SIGN_UPS


class ShiftFull(Conflict):
    code = "shift_full"
    default_message = _l("This shift is full. You can join the waiting list.")


def _take_seat(shift_id: int) -> bool:
    """Take one seat if one is free. The condition sits in the UPDATE itself, so however many
    requests race for the last seat, the database gives it to one."""
    result = db.session.execute(
        update(Shift)
        .where(Shift.id == shift_id, Shift.seats_taken < Shift.capacity)
        .values(seats_taken=Shift.seats_taken + 1)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def _free_seat(shift_id: int) -> None:
    db.session.execute(
        update(Shift)
        .where(Shift.id == shift_id, Shift.seats_taken > 0)
        .values(seats_taken=Shift.seats_taken - 1)
        .execution_options(synchronize_session=False)
    )


def _promote_waiting(shift: Shift, now: datetime) -> list[SignUp]:
    """Give free seats to the waiting list, first come first served."""
    promoted = []
    while True:
        candidate = db.session.scalar(
            select(SignUp)
            .where(SignUp.shift_id == shift.id, SignUp.status == SignUpStatus.waiting)
            .order_by(SignUp.created_at, SignUp.id)
            .limit(1)
            .with_for_update(skip_locked=True)
        )
        if candidate is None or not _take_seat(shift.id):
            break
        candidate.status = SignUpStatus.confirmed
        candidate.promoted_at = now
        promoted.append(candidate)
        db.session.flush()
    db.session.expire(shift, ["seats_taken"])
    return promoted


def _close_shift(shift: Shift, now: datetime) -> None:
    shift.status = ShiftStatus.cancelled
    db.session.execute(
        update(SignUp)
        .where(SignUp.shift_id == shift.id, SignUp.status.in_(ACTIVE_SIGN_UPS))
        .values(status=SignUpStatus.cancelled, cancelled_at=now)
    )
    db.session.execute(update(Shift).where(Shift.id == shift.id).values(seats_taken=0))
    db.session.expire(shift, ["seats_taken"])


@dataclass(frozen=True)
class _Held:
    """A shift (with its activity) and what a volunteer holds on it, read under their lock."""

    shift: Shift
    sign_up: SignUp | None
    check_in: CheckIn | None


def _lock_volunteer(user: User, shift_id: int) -> _Held | None:
    """Take the volunteer's turn, then read the shift, their sign-up and their check-in on it
    in one query (None if there is no such shift). One volunteer's sign-ups and check-ins take
    turns, so two at once cannot both pass the overlap check or both create the check-in."""
    db.session.execute(select(User.id).where(User.id == user.id).with_for_update())
    # A query of its own after the lock: a PostgreSQL statement sees only what was committed
    # when it began, so reading in the locking statement would miss what the turn before
    # ours has just written.
    row = db.session.execute(
        select(Shift, SignUp, CheckIn)
        .outerjoin(SignUp, and_(SignUp.shift_id == Shift.id, SignUp.user_id == user.id))
        .outerjoin(CheckIn, and_(CheckIn.shift_id == Shift.id, CheckIn.user_id == user.id))
        .where(Shift.id == shift_id)
        .options(_WITH_ACTIVITY)
        .execution_options(populate_existing=True)
    ).one_or_none()
    return None if row is None else _Held(row.Shift, row.SignUp, row.CheckIn)


def _locked_on_shift(user: User, shift_id: int) -> _Held:
    held = _lock_volunteer(user, shift_id)
    if held is None:
        raise NotFound(_l("No such shift."))
    return held


def _overlapping(user: User, shift: Shift) -> Shift | None:
    query = (
        select(Shift)
        .join(SignUp, SignUp.shift_id == Shift.id)
        .where(
            SignUp.user_id == user.id,
            SignUp.status.in_(ACTIVE_SIGN_UPS),
            Shift.id != shift.id,
            Shift.status == ShiftStatus.scheduled,
            Shift.starts_at < shift.ends_at,
            Shift.ends_at > shift.starts_at,
        )
        .limit(1)
    )
    return db.session.scalar(query)


def _bookable(shift: Shift, now: datetime) -> None:
    if shift.activity.status is ActivityStatus.cancelled:
        raise Conflict(_l("This activity has been cancelled."), code="cancelled")
    if shift.status is ShiftStatus.cancelled:
        raise Conflict(_l("This shift has been cancelled."), code="cancelled")
    if shift.activity.status is not ActivityStatus.published:
        raise Conflict(_l("This activity is not open for sign-up."), code="not_open")
    if shift.starts_at <= now:
        raise Conflict(_l("This shift has started; sign-up is closed."), code="started")


def find_sign_up(user: User, shift_id: int) -> SignUp | None:
    return db.session.scalar(
        select(SignUp).where(SignUp.shift_id == shift_id, SignUp.user_id == user.id)
    )


def sign_up(user: User, shift_id: int, *, now: datetime, join_waiting_list: bool = False) -> SignUp:
    """Sign a volunteer up for a shift: a seat if one is free, else the waiting list when asked
    for. Signing up again returns the sign-up held.

    Raises NotFound, Forbidden (not a volunteer), Conflict (cancelled, not open, started, an
    overlapping shift held) and ShiftFull (offer the waiting list).
    """
    if user.role is not Role.volunteer:
        raise Forbidden(_l("Only volunteers can sign up for shifts."))
    locked = _locked_on_shift(user, shift_id)
    shift, held = locked.shift, locked.sign_up
    _bookable(shift, now)
    if held is not None and held.status in ACTIVE_SIGN_UPS:
        return held
    clash = _overlapping(user, shift)
    if clash is not None:
        when = clash.starts_at.astimezone(local_zone()).strftime("%m-%d %H:%M")
        raise Conflict(
            _l(
                "You hold another shift at that time: %(title)s, %(when)s.",
                title=clash.activity.title,
                when=when,
            ),
            code="overlapping_shift",
        )
    if _take_seat(shift.id):
        status = SignUpStatus.confirmed
    elif join_waiting_list:
        status = SignUpStatus.waiting
    else:
        raise ShiftFull()
    if held is None:
        held = SignUp(shift_id=shift.id, user_id=user.id)
        db.session.add(held)
    held.status, held.created_at = status, now
    held.cancelled_at = held.promoted_at = None
    db.session.flush()
    db.session.expire(shift, ["seats_taken"])
    return held


def cancel_sign_up(user: User, shift_id: int, *, now: datetime) -> SignUp:
    """A volunteer cancels their sign-up until the cut-off before the start
    (SIGN_UP_CANCEL_CUTOFF_HOURS); a freed seat goes to the first on the waiting list.

    Raises NotFound (no sign-up) or Conflict (past the cut-off: ask the leader).
    """
    locked = _locked_on_shift(user, shift_id)
    shift, held = locked.shift, locked.sign_up
    if held is None or held.status not in ACTIVE_SIGN_UPS:
        raise NotFound(_l("You are not signed up for this shift."))
    cutoff = timedelta(hours=current_app.config["SIGN_UP_CANCEL_CUTOFF_HOURS"])
    if held.status is SignUpStatus.confirmed and now > shift.starts_at - cutoff:
        raise Conflict(
            _l(
                "Cancelling closes %(hours)d hours before the start; please tell the leader.",
                hours=current_app.config["SIGN_UP_CANCEL_CUTOFF_HOURS"],
            ),
            code="too_late",
        )
    was_confirmed = held.status is SignUpStatus.confirmed
    held.status, held.cancelled_at = SignUpStatus.cancelled, now
    db.session.flush()
    if was_confirmed:
        _free_seat(shift.id)
        _promote_waiting(shift, now)
    return held


def waiting_position(sign_up_row: SignUp) -> int | None:
    """1 for the first on the waiting list; None if not waiting."""
    if sign_up_row.status is not SignUpStatus.waiting:
        return None
    ahead = db.session.scalar(
        select(func.count()).where(
            SignUp.shift_id == sign_up_row.shift_id,
            SignUp.status == SignUpStatus.waiting,
            (SignUp.created_at < sign_up_row.created_at)
            | and_(SignUp.created_at == sign_up_row.created_at, SignUp.id < sign_up_row.id),
        )
    )
    return ahead + 1


def _admit(
    user: User, shift: Shift, held: SignUp | None, *, walk_ins_allowed: bool, now: datetime
) -> bool:
    """Make sure the volunteer holds a seat on the shift (`held`: their sign-up, read under
    their lock); return whether they came as a walk-in. Raises Conflict when they may not or
    there is no room."""
    if held is not None and held.status in (SignUpStatus.confirmed, SignUpStatus.no_show):
        # A volunteer marked absent who turns out to have come keeps the seat they held.
        held.status = SignUpStatus.confirmed
        return False
    if not walk_ins_allowed:
        raise Conflict(
            _l("You are not signed up for this shift, and it takes no walk-ins."),
            code="not_signed_up",
        )
    if not _take_seat(shift.id):
        raise ShiftFull(_l("This shift is full."))
    if held is None:
        held = SignUp(shift_id=shift.id, user_id=user.id, created_at=now)
        db.session.add(held)
    held.status, held.cancelled_at = SignUpStatus.confirmed, None
    db.session.expire(shift, ["seats_taken"])
    return True
