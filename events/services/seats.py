"""Keeping a shift within capacity: seats, sign-ups, the waiting list, the volunteer's lock."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

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
class _LockedVolunteer:
    """A shift (with its activity) and what a volunteer holds on it, read under their lock."""

    shift: Shift
    sign_up: SignUp | None
    check_in: CheckIn | None


def _lock_volunteer(user: User, shift_id: int) -> _LockedVolunteer | None:
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
    return None if row is None else _LockedVolunteer(row.Shift, row.SignUp, row.CheckIn)


def _locked_on_shift(user: User, shift_id: int) -> _LockedVolunteer:
    locked = _lock_volunteer(user, shift_id)
    if locked is None:
        raise NotFound(_l("No such shift."))
    return locked


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


def _closed_for_sign_up(shift: Shift, now: datetime) -> Conflict | None:
    """Why nobody can sign up for the shift now, or None while it is open."""
    if shift.activity.status is ActivityStatus.cancelled:
        return Conflict(_l("This activity has been cancelled."), code="cancelled")
    if shift.status is ShiftStatus.cancelled:
        return Conflict(_l("This shift has been cancelled."), code="cancelled")
    if shift.activity.status is not ActivityStatus.published:
        return Conflict(_l("This activity is not open for sign-up."), code="not_open")
    if shift.starts_at <= now:
        return Conflict(_l("This shift has started; sign-up is closed."), code="started")
    return None


def may_cancel(sign_up: SignUp, shift: Shift, *, now: datetime, cutoff_hours: int) -> bool:
    """A place on the waiting list can always be given up; a seat until `cutoff_hours` before
    the start, after which only the leader can free it."""
    if sign_up.status is SignUpStatus.waiting:
        return True
    return sign_up.status is SignUpStatus.confirmed and now <= shift.starts_at - timedelta(
        hours=cutoff_hours
    )


def was_expected(sign_up: SignUp | None) -> bool:
    """Whether the volunteer held a seat on the shift (came or not), so may ask for their
    record of it to be corrected."""
    return sign_up is not None and sign_up.status in (SignUpStatus.confirmed, SignUpStatus.no_show)


class ShiftOffer(StrEnum):
    """What a shift on an activity page offers the person looking at it."""

    sign_in = "sign_in"
    sign_up = "sign_up"
    join_waiting_list = "join_waiting_list"
    cancel = "cancel"
    leave_waiting_list = "leave_waiting_list"
    # Signed up, past the cut-off: only the leader can free the seat now.
    tell_the_leader = "tell_the_leader"
    ask_correction = "ask_correction"


def shift_offer(
    user: User | None, shift: Shift, sign_up: SignUp | None, *, now: datetime, cutoff_hours: int
) -> ShiftOffer | None:
    """The one thing the activity page offers on a shift, by the rules `sign_up`,
    `cancel_sign_up` and `request_correction` enforce (None: nothing to do)."""
    signed_in = user is not None and user.is_authenticated
    if _closed_for_sign_up(shift, now) is not None:
        started = shift.starts_at <= now
        return (
            ShiftOffer.ask_correction if signed_in and started and was_expected(sign_up) else None
        )
    if not signed_in:
        return ShiftOffer.sign_in
    if sign_up is not None and sign_up.status in ACTIVE_SIGN_UPS:
        if not may_cancel(sign_up, shift, now=now, cutoff_hours=cutoff_hours):
            return ShiftOffer.tell_the_leader
        if sign_up.status is SignUpStatus.waiting:
            return ShiftOffer.leave_waiting_list
        return ShiftOffer.cancel
    if user.role is not Role.volunteer:
        return None
    return ShiftOffer.sign_up if shift.seats_left else ShiftOffer.join_waiting_list


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
    shift, sign_up = locked.shift, locked.sign_up
    closed = _closed_for_sign_up(shift, now)
    if closed is not None:
        raise closed
    if sign_up is not None and sign_up.status in ACTIVE_SIGN_UPS:
        return sign_up
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
    if sign_up is None:
        sign_up = SignUp(shift_id=shift.id, user_id=user.id)
        db.session.add(sign_up)
    sign_up.status, sign_up.created_at = status, now
    sign_up.cancelled_at = sign_up.promoted_at = None
    db.session.flush()
    db.session.expire(shift, ["seats_taken"])
    return sign_up


def cancel_sign_up(user: User, shift_id: int, *, now: datetime, cutoff_hours: int) -> SignUp:
    """A volunteer cancels their sign-up until `cutoff_hours` before the start (leaving the
    waiting list is always possible); a freed seat goes to the first on the waiting list.

    Raises NotFound (no sign-up) or Conflict (past the cut-off: ask the leader).
    """
    locked = _locked_on_shift(user, shift_id)
    shift, sign_up = locked.shift, locked.sign_up
    if sign_up is None or sign_up.status not in ACTIVE_SIGN_UPS:
        raise NotFound(_l("You are not signed up for this shift."))
    if not may_cancel(sign_up, shift, now=now, cutoff_hours=cutoff_hours):
        raise Conflict(
            _l(
                "Cancelling closes %(hours)d hours before the start; please tell the leader.",
                hours=cutoff_hours,
            ),
            code="too_late",
        )
    was_confirmed = sign_up.status is SignUpStatus.confirmed
    sign_up.status, sign_up.cancelled_at = SignUpStatus.cancelled, now
    db.session.flush()
    if was_confirmed:
        _free_seat(shift.id)
        _promote_waiting(shift, now)
    return sign_up


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
    user: User, shift: Shift, sign_up: SignUp | None, *, walk_ins_allowed: bool, now: datetime
) -> bool:
    """Make sure the volunteer holds a seat on the shift (`sign_up`: their sign-up, read under
    their lock); return whether they came as a walk-in. Raises Conflict when they may not or
    there is no room."""
    if sign_up is not None and sign_up.status in (SignUpStatus.confirmed, SignUpStatus.no_show):
        # A volunteer marked absent who turns out to have come keeps the seat they held.
        sign_up.status = SignUpStatus.confirmed
        return False
    if not walk_ins_allowed:
        raise Conflict(
            _l("You are not signed up for this shift, and it takes no walk-ins."),
            code="not_signed_up",
        )
    if not _take_seat(shift.id):
        raise ShiftFull(_l("This shift is full."))
    if sign_up is None:
        sign_up = SignUp(shift_id=shift.id, user_id=user.id, created_at=now)
        db.session.add(sign_up)
    sign_up.status, sign_up.cancelled_at = SignUpStatus.confirmed, None
    db.session.expire(shift, ["seats_taken"])
    return True
