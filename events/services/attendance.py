"""Attendance (考勤确认): closing ended shifts, the sheet, confirming, no-shows, times."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from core.auth.models import User
from core.clock import local_day, local_zone
from core.collation import pinyin_key
from core.errors import Conflict, NotFound
from core.extensions import db
from core.rows import get_or_not_found
from events.models import (
    AttendanceStatus,
    CheckIn,
    CheckInChange,
    Shift,
    ShiftStatus,
    SignUp,
    SignUpStatus,
)
from events.services._common import _invalid
from events.services.campaigns import points_for
from events.services.check_ins import (
    CHECK_IN_OPENS_BEFORE,
    _audit,
    find_check_in,
    managed_check_in,
    may_change_record,
    require_recent_for_leader,
)
from events.services.no_shows import count_recent_no_shows
from events.services.shifts import managed_shift
from points import services as ledger
from volunteer import services as volunteers


def served_minutes(shift: Shift, checked_in_at: datetime, checked_out_at: datetime) -> int:
    """Minutes served: check-in to check-out, clamped to the shift."""
    start = max(checked_in_at, shift.starts_at)
    end = min(checked_out_at, shift.ends_at)
    return max(int((end - start).total_seconds() // 60), 0)


def close_ended_shifts(*, now: datetime, shift_id: int | None = None) -> int:
    """Check out at the shift's end everyone who forgot to (of one shift, or of all), flagged
    for the leader to confirm or correct. Returns how many were checked out. Safe to run any
    number of times."""
    query = (
        select(CheckIn)
        .join(Shift, Shift.id == CheckIn.shift_id)
        .where(CheckIn.checked_out_at.is_(None), Shift.ends_at <= now)
        .options(selectinload(CheckIn.shift))
    )
    if shift_id is not None:
        query = query.where(Shift.id == shift_id)
    rows = db.session.scalars(query).all()
    for row in rows:
        row.checked_out_at = max(row.shift.ends_at, row.checked_in_at)
        row.is_auto_checked_out = True
    db.session.flush()
    return len(rows)


@dataclass
class AttendanceLine:
    """One volunteer on a leader's attendance sheet, with what the leader may do on it by the
    rules `confirm_attendance`, `check_out_by_leader`, `correct_times` and `mark_no_show`
    enforce."""

    user: User
    sign_up: SignUp | None
    check_in: CheckIn | None
    may_confirm: bool = False
    may_check_out: bool = False
    may_correct: bool = False
    may_mark_no_show: bool = False
    recent_no_shows: int = 0

    @property
    def state(self) -> str:
        if self.check_in is not None:
            if self.check_in.status is AttendanceStatus.confirmed:
                return "confirmed"
            if self.check_in.is_auto_checked_out:
                return "needs_review"
            return "checked_out" if self.check_in.checked_out_at else "checked_in"
        if self.sign_up is not None and self.sign_up.status is SignUpStatus.no_show:
            return "no_show"
        if self.sign_up is not None and self.sign_up.status is SignUpStatus.waiting:
            return "waiting"
        return "expected"


@dataclass(frozen=True)
class SheetActions:
    """What the attendance sheet offers for the whole shift."""

    confirm_all: bool
    show_code: bool


def sheet_actions(shift: Shift, *, now: datetime) -> SheetActions:
    """Attendance is confirmed once the shift has ended; its check-in code is shown until then
    (unless it was cancelled)."""
    ended = shift.ends_at <= now
    return SheetActions(
        confirm_all=ended, show_code=not ended and shift.status is not ShiftStatus.cancelled
    )


def _allow(line: AttendanceLine, shift: Shift, *, now: datetime, recent: bool) -> None:
    row, sign_up = line.check_in, line.sign_up
    if row is not None:
        line.may_confirm = row.status is AttendanceStatus.pending and shift.ends_at <= now
        line.may_check_out = row.checked_out_at is None
        line.may_correct = recent
    else:
        confirmed = sign_up is not None and sign_up.status is SignUpStatus.confirmed
        line.may_mark_no_show = confirmed and shift.starts_at <= now


def attendance_sheet(
    leader: User, shift_id: int, *, now: datetime, leader_days: int
) -> list[AttendanceLine]:
    """Everyone signed up or checked in, for the leader (forgotten check-outs are closed first
    if the shift has ended), each line with what the leader may do on it and the volunteer's
    no-shows of the last 90 days. Raises Forbidden, NotFound."""
    shift = managed_shift(leader, shift_id)
    if shift.ends_at <= now:
        close_ended_shifts(now=now, shift_id=shift.id)
    sign_ups = db.session.scalars(
        select(SignUp)
        .where(SignUp.shift_id == shift.id, SignUp.status != SignUpStatus.cancelled)
        .options(selectinload(SignUp.user))
    ).all()
    check_ins = db.session.scalars(
        select(CheckIn).where(CheckIn.shift_id == shift.id).options(selectinload(CheckIn.user))
    ).all()
    lines: dict[int, AttendanceLine] = {
        s.user_id: AttendanceLine(s.user, s, None) for s in sign_ups
    }
    for row in check_ins:
        line = lines.setdefault(row.user_id, AttendanceLine(row.user, None, None))
        line.check_in = row
    recent = may_change_record(leader, shift, now=now, leader_days=leader_days)
    no_shows = count_recent_no_shows(list(lines), now=now)
    for user_id, line in lines.items():
        _allow(line, shift, now=now, recent=recent)
        line.recent_no_shows = no_shows.get(user_id, 0)
    order = {"needs_review": 0, "checked_in": 1, "checked_out": 2, "expected": 3}
    return sorted(
        lines.values(), key=lambda ln: (order.get(ln.state, 9), pinyin_key(ln.user.display_name))
    )


def _confirm(row: CheckIn, leader: User, now: datetime) -> None:
    """Fix the minutes and points of a check-in and credit the points in the same unit of
    work; run again after a correction, it posts only the difference."""
    shift = row.shift
    row.served_minutes = served_minutes(shift, row.checked_in_at, row.checked_out_at)
    row.points_due = points_for(
        shift.activity.campaign, row.served_minutes, local_day(shift.starts_at)
    )
    row.status = AttendanceStatus.confirmed
    row.confirmed_at = now
    row.confirmed_by_id = leader.id
    ledger.settle_attendance(
        row.user,
        row.id,
        row.points_due,
        actor=leader,
        memo=f"{shift.activity.title} · {shift.starts_at.astimezone(local_zone()):%Y-%m-%d}",
        now=now,
    )


def confirm_attendance(
    leader: User, shift_id: int, *, check_in_ids: list[int] | None = None, now: datetime
) -> list[CheckIn]:
    """After the shift the leader confirms attendance: all at once (`check_in_ids` None: every
    check-in that is not flagged) or the ones named (flagged ones included). Confirmation fixes
    the served minutes and the points due by the campaign's rule. Confirming again changes
    nothing. Returns the check-ins confirmed now.

    Raises Forbidden, NotFound, Conflict (the shift has not ended).
    """
    shift = managed_shift(leader, shift_id)
    if shift.ends_at > now:
        raise Conflict(_l("Attendance can be confirmed once the shift has ended."))
    close_ended_shifts(now=now, shift_id=shift.id)
    query = (
        select(CheckIn)
        .where(CheckIn.shift_id == shift.id, CheckIn.status == AttendanceStatus.pending)
        .with_for_update()
    )
    if check_in_ids is None:
        query = query.where(CheckIn.is_auto_checked_out.is_(False))
    else:
        query = query.where(CheckIn.id.in_(check_in_ids))
    rows = list(db.session.scalars(query))
    # Several volunteers are credited in one unit of work: their accounts are locked in the
    # ledger's order first, so that a gift between two of them cannot deadlock with it.
    ledger.lock_volunteer_accounts([row.user_id for row in rows])
    for row in rows:
        _confirm(row, leader, now)
    db.session.flush()
    return rows


def count_needs_review(shift_id: int) -> int:
    """How many of the shift's check-ins wait for the leader to check their times one by one:
    closed by the system at the end (a forgotten check-out) and not yet confirmed."""
    return db.session.scalar(
        select(func.count(CheckIn.id)).where(
            CheckIn.shift_id == shift_id,
            CheckIn.status == AttendanceStatus.pending,
            CheckIn.is_auto_checked_out.is_(True),
        )
    )


def mark_no_show(leader: User, sign_up_id: int, *, now: datetime) -> SignUp:
    """Mark a confirmed volunteer who never came as a no-show, once the shift has started.

    Raises Forbidden, NotFound, Conflict (checked in, not confirmed, not started)."""
    sign_up = get_or_not_found(SignUp, sign_up_id, lock=True, message=_l("No such sign-up."))
    shift = managed_shift(leader, sign_up.shift_id)
    if shift.starts_at > now:
        raise Conflict(_l("A no-show can be marked once the shift has started."))
    if find_check_in(sign_up.user_id, shift.id) is not None:
        raise Conflict(_l("This volunteer has checked in."))
    if sign_up.status is SignUpStatus.no_show:
        return sign_up
    if sign_up.status is not SignUpStatus.confirmed:
        raise Conflict(_l("Only a confirmed sign-up can be a no-show."))
    sign_up.status = SignUpStatus.no_show
    db.session.flush()
    return sign_up


def correct_times(
    leader: User,
    check_in_id: int,
    *,
    checked_in_at: datetime,
    checked_out_at: datetime,
    reason: str,
    now: datetime,
    leader_days: int,
) -> CheckIn:
    """A leader corrects a check-in's times, with a reason kept in the audit trail. On a
    confirmed check-in the minutes and points are worked out again.

    Raises Forbidden (not theirs; ended more than `leader_days` ago), NotFound,
    ValidationFailed (order of times, no reason).
    """
    row = managed_check_in(leader, check_in_id, lock=True)
    require_recent_for_leader(leader, row.shift, now=now, leader_days=leader_days)
    reason = (reason or "").strip()
    if not reason:
        raise _invalid("reason", _l("Give a reason."))
    _apply_times(row, leader, checked_in_at, checked_out_at, reason, now)
    return row


def _apply_times(row: CheckIn, actor: User, checked_in_at, checked_out_at, reason, now) -> None:
    if checked_out_at < checked_in_at:
        raise _invalid("checked_out_at", _l("Check-out cannot be before check-in."))
    shift = row.shift
    if checked_in_at > shift.ends_at or checked_out_at < shift.starts_at - CHECK_IN_OPENS_BEFORE:
        raise _invalid("checked_in_at", _l("These times do not overlap the shift."))
    for field, new in (("checked_in_at", checked_in_at), ("checked_out_at", checked_out_at)):
        old = getattr(row, field)
        if old != new:
            _audit(row, actor, field, old, new, reason, now)
            setattr(row, field, new)
    row.is_auto_checked_out = False
    if row.status is AttendanceStatus.confirmed:
        _confirm(row, actor, now)
    db.session.flush()


def check_in_history(viewer: User, check_in_id: int) -> list[CheckInChange]:
    """Who changed a check-in, what and why; for the volunteer, the team's leaders and the
    office. Raises NotFound, Forbidden."""
    row = db.session.get(CheckIn, check_in_id)
    if row is None:
        raise NotFound(_l("No such check-in."))
    if row.user_id != viewer.id:
        volunteers.require_team_manager(viewer, row.shift.activity.team_id)
    query = (
        select(CheckInChange)
        .where(CheckInChange.check_in_id == check_in_id)
        .options(selectinload(CheckInChange.actor))
        .order_by(CheckInChange.created_at, CheckInChange.id)
    )
    return list(db.session.scalars(query))
