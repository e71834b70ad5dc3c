"""Reminder rules: what is due for whom (each finder reads one bounded time window through an
index), storing it once per (user, kind, subject), sending its email with retries, the inbox
and each user's delivery choices."""

from __future__ import annotations

import smtplib
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_mailman import EmailMessage
from sqlalchemy import String, cast, exists, func, literal, select, update

from core.auth.models import Role, User
from core.clock import local_day, local_moment
from core.errors import NotFound, ValidationFailed
from core.extensions import db, mail
from core.i18n import supported_locale
from core.rows import get_or_not_found, insert_unless_present
from events.models import (
    Activity,
    ActivityNotice,
    ActivityStatus,
    AttendanceStatus,
    Campaign,
    CheckIn,
    NoticeKind,
    Shift,
    ShiftStatus,
    SignUp,
    SignUpStatus,
)
from points.models import Account, AccountKind, EntryKind, LedgerEntry
from reminders.messages import render_for_email
from reminders.models import (
    DeliveryChoice,
    EmailStatus,
    Notification,
    NotificationKind,
    NotificationPreference,
)
from volunteer import services as volunteers
from volunteer.models import Membership, MembershipRole, MembershipStatus, Team, TeamStatus

VOLUNTEER_KINDS = (
    NotificationKind.shift_tomorrow,
    NotificationKind.shift_soon,
    NotificationKind.waiting_list_promoted,
    NotificationKind.activity_cancelled,
    NotificationKind.activity_changed,
    NotificationKind.points_earned,
)
LEADER_KINDS = (
    NotificationKind.free_places_tomorrow,
    NotificationKind.attendance_unconfirmed,
    NotificationKind.join_request_waiting,
    NotificationKind.weekly_digest,
)
OFFICE_KINDS = (NotificationKind.campaign_unplanned_teams,)
# Lists inside a notification stay readable (and its row small); the rest is counted.
MAX_LISTED = 40
# A claimed email whose sender vanished (killed mid-send) is given up after this long.
SENDING_TIMEOUT = timedelta(minutes=10)
INSERT_CHUNK = 500
MAX_PAGE = 100_000


@dataclass(frozen=True)
class Due:
    """A notification that a finder says is due."""

    user_id: int
    kind: NotificationKind
    subject: str
    params: dict[str, Any] = field(hash=False)


def _hours(name: str) -> timedelta:
    return timedelta(hours=current_app.config[name])


def _iso(moment: datetime) -> str:
    return moment.isoformat()


def _not_yet(user_id, kind: NotificationKind, subject) -> Any:
    """No notification of this kind and subject exists for the user (an index lookup on the
    unique key), so a finder skips what earlier runs created."""
    return ~exists().where(
        Notification.user_id == user_id, Notification.kind == kind, Notification.subject == subject
    )


def _told(kind: NotificationKind, subject: str) -> set[int]:
    """Who has this notification already (one index range on the unique key), so that a
    finder of a periodic notice does its work only for those still to be told."""
    return set(
        db.session.scalars(
            select(Notification.user_id).where(
                Notification.kind == kind, Notification.subject == subject
            )
        )
    )


def _subject(prefix: str, column) -> Any:
    return literal(f"{prefix}:") + cast(column, String)


def _leaders_of(team_ids: Iterable[int]) -> dict[int, list[int]]:
    """Active leaders (user ids) of each team."""
    ids = set(team_ids)
    if not ids:
        return {}
    query = select(Membership.team_id, Membership.user_id).where(
        Membership.team_id.in_(sorted(ids)),
        Membership.role == MembershipRole.leader,
        Membership.status == MembershipStatus.active,
    )
    leaders: dict[int, list[int]] = defaultdict(list)
    for team_id, user_id in db.session.execute(query):
        leaders[team_id].append(user_id)
    return leaders


def _shift_params(row) -> dict[str, Any]:
    return {
        "shift_id": row.shift_id,
        "activity_id": row.activity_id,
        "title": row.title,
        "starts_at": _iso(row.starts_at),
        "seats_taken": row.seats_taken,
        "capacity": row.capacity,
    }


def _open_shifts():
    """Scheduled shifts of published activities, with what a reminder shows of them."""
    return (
        select(
            Shift.id.label("shift_id"),
            Shift.starts_at,
            Shift.seats_taken,
            Shift.capacity,
            Activity.id.label("activity_id"),
            Activity.team_id,
            Activity.title,
            Activity.address,
        )
        .join(Activity, Activity.id == Shift.activity_id)
        .where(Shift.status == ShiftStatus.scheduled, Activity.status == ActivityStatus.published)
    )


# The finders -----------------------------------------------------------------------------


def _shifts_starting(now: datetime) -> Iterator[Due]:
    """Volunteers with a confirmed place: once when the shift is a day away, once when it is
    two hours away (lead times from the settings). A sign-up made inside the short lead time
    gets only the short reminder."""
    first, second = _hours("REMINDER_SHIFT_FIRST_HOURS"), _hours("REMINDER_SHIFT_SECOND_HOURS")
    windows = (
        (NotificationKind.shift_tomorrow, now + second, now + first),
        (NotificationKind.shift_soon, now, now + second),
    )
    for kind, after, until in windows:
        query = (
            _open_shifts()
            .add_columns(SignUp.user_id)
            .join(SignUp, SignUp.shift_id == Shift.id)
            .where(
                Shift.starts_at > after,
                Shift.starts_at <= until,
                SignUp.status == SignUpStatus.confirmed,
                _not_yet(SignUp.user_id, kind, _subject("shift", Shift.id)),
            )
        )
        for row in db.session.execute(query):
            params = _shift_params(row) | {"address": row.address}
            yield Due(row.user_id, kind, f"shift:{row.shift_id}", params)


def _promotions(now: datetime, since: datetime) -> Iterator[Due]:
    """Volunteers moved from the waiting list to a place (each promotion once: a volunteer
    who cancels and is promoted again is told again)."""
    query = (
        _open_shifts()
        .add_columns(SignUp.id.label("sign_up_id"), SignUp.user_id, SignUp.promoted_at)
        .join(SignUp, SignUp.shift_id == Shift.id)
        .where(
            SignUp.promoted_at > since,
            SignUp.promoted_at <= now,
            SignUp.status == SignUpStatus.confirmed,
            Shift.starts_at > now,
        )
    )
    for row in db.session.execute(query):
        subject = f"sign_up:{row.sign_up_id}:{int(row.promoted_at.timestamp())}"
        yield Due(row.user_id, NotificationKind.waiting_list_promoted, subject, _shift_params(row))


def _activity_notices(now: datetime, since: datetime) -> Iterator[Due]:
    """What events recorded for signed-up volunteers: an activity or shift cancelled or
    changed."""
    query = (
        select(ActivityNotice, Activity.title, Shift.starts_at)
        .join(Activity, Activity.id == ActivityNotice.activity_id)
        .outerjoin(Shift, Shift.id == ActivityNotice.shift_id)
        .where(ActivityNotice.created_at > since, ActivityNotice.created_at <= now)
    )
    kinds = {
        NoticeKind.cancelled: NotificationKind.activity_cancelled,
        NoticeKind.changed: NotificationKind.activity_changed,
    }
    for notice, title, starts_at in db.session.execute(query):
        params = {
            "activity_id": notice.activity_id,
            "title": title,
            "starts_at": _iso(starts_at) if starts_at else None,
            "message": notice.message,
        }
        yield Due(notice.user_id, kinds[notice.kind], f"activity_notice:{notice.id}", params)


def _points_earned(now: datetime, since: datetime) -> Iterator[Due]:
    """Volunteers credited for confirmed attendance (also the difference after a correction)."""
    query = (
        select(LedgerEntry.id, LedgerEntry.amount, LedgerEntry.memo, Account.owner_id)
        .join(Account, Account.id == LedgerEntry.to_account_id)
        .where(
            LedgerEntry.created_at > since,
            LedgerEntry.created_at <= now,
            LedgerEntry.kind == EntryKind.earn,
            Account.kind == AccountKind.volunteer,
        )
    )
    for entry_id, amount, memo, owner_id in db.session.execute(query):
        params = {"amount": amount, "memo": memo}
        yield Due(owner_id, NotificationKind.points_earned, f"ledger_entry:{entry_id}", params)


def _free_places_tomorrow(now: datetime) -> Iterator[Due]:
    """From the set hour on, each leader hears once which of their teams' shifts tomorrow
    still have free places."""
    today = local_day(now)
    if now < local_moment(today) + _hours("REMINDER_FREE_PLACES_HOUR"):
        return
    tomorrow = today + timedelta(days=1)
    subject = f"day:{tomorrow.isoformat()}"
    query = (
        _open_shifts()
        .where(
            Shift.starts_at >= local_moment(tomorrow),
            Shift.starts_at < local_moment(tomorrow + timedelta(days=1)),
            Shift.seats_taken < Shift.capacity,
        )
        .order_by(Shift.starts_at)
    )
    by_leader: dict[int, list[dict[str, Any]]] = defaultdict(list)
    told = _told(NotificationKind.free_places_tomorrow, subject)
    rows = db.session.execute(query).all()
    leaders = _leaders_of(row.team_id for row in rows)
    for row in rows:
        for leader_id in leaders.get(row.team_id, []):
            if leader_id not in told:
                by_leader[leader_id].append(_shift_params(row))
    for leader_id, shifts in by_leader.items():
        params = {"day": tomorrow.isoformat(), "shifts": shifts[:MAX_LISTED]}
        yield Due(leader_id, NotificationKind.free_places_tomorrow, subject, params)


def _attendance_unconfirmed(now: datetime, since: datetime) -> Iterator[Due]:
    """Leaders of a shift that ended the set hours ago with check-ins still unconfirmed."""
    late = _hours("REMINDER_ATTENDANCE_HOURS")
    pending = (
        select(func.count())
        .where(CheckIn.shift_id == Shift.id, CheckIn.status == AttendanceStatus.pending)
        .scalar_subquery()
    )
    query = (
        select(Shift.id, Shift.starts_at, Activity.team_id, Activity.title, pending.label("n"))
        .join(Activity, Activity.id == Shift.activity_id)
        .where(Shift.ends_at > since - late, Shift.ends_at <= now - late, pending > 0)
    )
    rows = db.session.execute(query).all()
    leaders = _leaders_of(row.team_id for row in rows)
    for row in rows:
        params = {
            "shift_id": row.id,
            "title": row.title,
            "starts_at": _iso(row.starts_at),
            "pending": row.n,
        }
        for leader_id in leaders.get(row.team_id, []):
            yield Due(leader_id, NotificationKind.attendance_unconfirmed, f"shift:{row.id}", params)


def _join_requests_waiting(now: datetime, since: datetime) -> Iterator[Due]:
    """Leaders of a team whose join request has waited the set days."""
    age = timedelta(days=current_app.config["REMINDER_JOIN_REQUEST_DAYS"])
    query = (
        select(Membership.id, Membership.team_id, Membership.requested_at, Team.name, User)
        .join(Team, Team.id == Membership.team_id)
        .join(User, User.id == Membership.user_id)
        .where(
            Membership.status == MembershipStatus.requested,
            Membership.requested_at > since - age,
            Membership.requested_at <= now - age,
        )
    )
    rows = db.session.execute(query).all()
    leaders = _leaders_of(row.team_id for row in rows)
    for row in rows:
        # A refused volunteer may ask again on the same row: that is a new request.
        subject = f"membership:{row.id}:{int(row.requested_at.timestamp())}"
        params = {
            "team_id": row.team_id,
            "team": row.name,
            "name": row.User.display_name,
            "requested_at": _iso(row.requested_at),
        }
        for leader_id in leaders.get(row.team_id, []):
            yield Due(leader_id, NotificationKind.join_request_waiting, subject, params)


def _weekly_digest(now: datetime, since: datetime) -> Iterator[Due]:
    """On the set weekday and hour (local time), each leader gets the coming seven days of
    their teams' shifts with their fill; caught up later that day if the scheduler was down,
    but never for a week gone by."""
    config = current_app.config
    today = local_day(now)
    week_starts = today - timedelta(days=(today.weekday() - config["REMINDER_DIGEST_WEEKDAY"]) % 7)
    moment = local_moment(week_starts) + timedelta(hours=config["REMINDER_DIGEST_HOUR"])
    if not since < moment <= now:
        return
    subject = f"week:{week_starts.isoformat()}"
    told = _told(NotificationKind.weekly_digest, subject)
    leaders = [
        (user_id, team_id)
        for user_id, team_id in db.session.execute(
            select(Membership.user_id, Membership.team_id)
            .join(Team, Team.id == Membership.team_id)
            .where(
                Membership.role == MembershipRole.leader,
                Membership.status == MembershipStatus.active,
                Team.status == TeamStatus.approved,
            )
        )
        if user_id not in told
    ]
    if not leaders:
        return
    teams_of: dict[int, set[int]] = defaultdict(set)
    for user_id, team_id in leaders:
        teams_of[user_id].add(team_id)
    query = (
        _open_shifts()
        .where(
            Shift.starts_at >= local_moment(week_starts),
            Shift.starts_at < local_moment(week_starts + timedelta(days=7)),
            Activity.team_id.in_(sorted({team_id for _, team_id in leaders})),
        )
        .order_by(Shift.starts_at)
    )
    shifts_of: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in db.session.execute(query):
        shifts_of[row.team_id].append(_shift_params(row))
    for user_id, team_ids in teams_of.items():
        shifts = sorted(
            (s for team_id in team_ids for s in shifts_of[team_id]), key=lambda s: s["starts_at"]
        )
        params = {
            "week_starts": week_starts.isoformat(),
            "shifts": shifts[:MAX_LISTED],
            "more": max(len(shifts) - MAX_LISTED, 0),
        }
        yield Due(user_id, NotificationKind.weekly_digest, subject, params)


def _campaigns_unplanned(now: datetime) -> Iterator[Due]:
    """The office, the set days before a campaign starts: the approved teams with no activity
    (other than cancelled ones) planned in it."""
    today = local_day(now)
    horizon = today + timedelta(days=current_app.config["REMINDER_CAMPAIGN_DAYS"])
    campaigns = db.session.scalars(
        select(Campaign).where(Campaign.starts_on > today, Campaign.starts_on <= horizon)
    ).all()
    if not campaigns:
        return
    office = db.session.scalars(
        select(User.id).where(User.role == Role.office, User.is_enabled.is_(True))
    ).all()
    for campaign in campaigns:
        told = _told(NotificationKind.campaign_unplanned_teams, f"campaign:{campaign.id}")
        to_tell = [user_id for user_id in office if user_id not in told]
        if not to_tell:
            continue
        planned = exists().where(
            Activity.team_id == Team.id,
            Activity.campaign_id == campaign.id,
            Activity.status != ActivityStatus.cancelled,
        )
        unplanned = select(Team.name).where(Team.status == TeamStatus.approved, ~planned)
        count = db.session.scalar(select(func.count()).select_from(unplanned.subquery()))
        names = db.session.scalars(unplanned.order_by(Team.name).limit(MAX_LISTED)).all()
        params = {
            "campaign": campaign.name,
            "starts_on": campaign.starts_on.isoformat(),
            "count": count,
            "teams": list(names),
        }
        for user_id in to_tell:
            yield Due(
                user_id,
                NotificationKind.campaign_unplanned_teams,
                f"campaign:{campaign.id}",
                params,
            )


def find_due(now: datetime) -> list[Due]:
    """Every notification due at `now` that has not been created yet. Each finder looks back
    at most REMINDER_CATCH_UP_HOURS, so a scheduler that was down catches up once, and the
    work grows with what is due, not with everything ever stored."""
    since = now - _hours("REMINDER_CATCH_UP_HOURS")
    finders = (
        _shifts_starting(now),
        _promotions(now, since),
        _activity_notices(now, since),
        _points_earned(now, since),
        _free_places_tomorrow(now),
        _attendance_unconfirmed(now, since),
        _join_requests_waiting(now, since),
        _weekly_digest(now, since),
        _campaigns_unplanned(now),
    )
    return [due for finder in finders for due in finder]


# Storing ---------------------------------------------------------------------------------


def mail_enabled() -> bool:
    """Email is sent only where an SMTP server is configured (MAIL_SERVER)."""
    return bool(current_app.config.get("MAIL_SERVER"))


def _chunks(items: list, size: int) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _insert_new(rows: list[dict[str, Any]]) -> int:
    """Insert the rows whose (user, kind, subject) is new; the database skips the others, so
    two schedulers or a retried run cannot create one twice."""
    statement = insert_unless_present(
        Notification.__table__, "kind", "subject", "user_id"
    ).returning(Notification.__table__.c.id)
    created = 0
    for chunk in _chunks(rows, INSERT_CHUNK):
        created += len(db.session.execute(statement, chunk).all())
    return created


def store(dues: list[Due], *, now: datetime) -> int:
    """Create the due notifications, respecting each user's choice per kind (off: nothing;
    inbox: no email), and queue their email. Returns how many were created."""
    if not dues:
        return 0
    user_ids = sorted({due.user_id for due in dues})
    emails: dict[int, str | None] = {}
    choices: dict[tuple[int, NotificationKind], DeliveryChoice] = {}
    for chunk in _chunks(user_ids, INSERT_CHUNK):
        emails.update(
            db.session.execute(
                select(User.id, User.email).where(User.id.in_(chunk), User.is_enabled.is_(True))
            ).all()
        )
        for user_id, kind, choice in db.session.execute(
            select(
                NotificationPreference.user_id,
                NotificationPreference.kind,
                NotificationPreference.choice,
            ).where(NotificationPreference.user_id.in_(chunk))
        ):
            choices[(user_id, kind)] = choice
    sending = mail_enabled()
    rows = []
    for due in dues:
        if due.user_id not in emails:
            continue
        choice = choices.get((due.user_id, due.kind), DeliveryChoice.inbox_and_email)
        if choice is DeliveryChoice.off:
            continue
        wants_email = sending and bool(emails[due.user_id])
        wants_email = wants_email and choice is DeliveryChoice.inbox_and_email
        rows.append(
            {
                "user_id": due.user_id,
                "kind": due.kind,
                "subject": due.subject,
                "params": due.params,
                "created_at": now,
                "read_at": None,
                "email_status": EmailStatus.pending if wants_email else EmailStatus.not_wanted,
                "email_attempts": 0,
                "email_next_attempt_at": now if wants_email else None,
                "email_sent_at": None,
                "email_error": None,
            }
        )
    created = _insert_new(rows)
    db.session.flush()
    return created


def create_due_notifications(*, now: datetime) -> int:
    """Find and store everything due at `now` (the scheduler's job; safe to run any number of
    times, in any number of processes). Returns how many notifications were created."""
    return store(find_due(now), now=now)


# Email -------------------------------------------------------------------------------------


def claim_due_email(*, now: datetime, limit: int = 100) -> list[int]:
    """Take the emails due for an attempt (a conditional UPDATE, so two senders never take the
    same one) and return their ids; the caller commits, then sends each with `send_email`.

    A claimed email whose sender died before recording the result is marked failed, not sent
    again: the mail may have gone out, and a user must never get it twice.
    """
    table = Notification.__table__.c
    db.session.execute(
        update(Notification)
        .where(
            Notification.email_status == EmailStatus.sending,
            Notification.email_next_attempt_at <= now,
        )
        .values(
            email_status=EmailStatus.failed,
            email_error="interrupted while sending; not retried so that it cannot arrive twice",
        )
        .execution_options(synchronize_session=False)
    )
    due = (
        select(Notification.id)
        .where(
            Notification.email_status == EmailStatus.pending,
            Notification.email_next_attempt_at <= now,
        )
        .order_by(Notification.email_next_attempt_at, Notification.id)
        .limit(limit)
    )
    claimed = db.session.execute(
        update(Notification.__table__)
        .where(table.id.in_(due.scalar_subquery()), table.email_status == EmailStatus.pending)
        .values(
            email_status=EmailStatus.sending,
            email_attempts=table.email_attempts + 1,
            email_next_attempt_at=now + SENDING_TIMEOUT,
        )
        .returning(table.id)
    )
    ids = sorted(row.id for row in claimed)
    db.session.flush()
    return ids


def _message(notification: Notification) -> EmailMessage:
    user = notification.user
    locale = supported_locale(user.locale) or current_app.config["BABEL_DEFAULT_LOCALE"]
    rendered = render_for_email(notification, locale)
    return EmailMessage(
        subject=rendered.title,
        body="\n".join(rendered.lines) + "\n",
        to=[user.email],
        headers={
            # The same notification always has the same Message-ID, so a mail client can
            # recognise a copy.
            "Message-ID": f"<notification-{notification.id}@{_mail_domain()}>",
            "Content-Language": "en" if locale == "en" else "zh-CN",
        },
    )


def _mail_domain() -> str:
    sender = current_app.config["MAIL_DEFAULT_SENDER"] or "localhost"
    return sender.rsplit("@", 1)[-1].strip(">") or "localhost"


def _deliver(message: EmailMessage) -> None:
    connection = mail.get_connection()
    connection.open()
    try:
        connection.send_messages([message])
    finally:
        # The SMTP backend leaves its socket open when sending raises; close it ourselves.
        smtp, connection.connection = connection.connection, None
        if smtp is not None:
            try:
                smtp.quit()
            except (smtplib.SMTPException, OSError):
                pass
            finally:
                smtp.close()


def send_email(notification_id: int, *, now: datetime) -> EmailStatus:
    """Send one claimed email and record the outcome: sent; or, when the SMTP server fails,
    another attempt after a doubling back-off (MAIL_RETRY_SECONDS, 2×, 4× …), and failed
    after MAIL_MAX_ATTEMPTS or at once on a permanent (5xx) refusal."""
    row = get_or_not_found(Notification, notification_id)
    if row.email_status is not EmailStatus.sending:
        return row.email_status
    config = current_app.config
    try:
        _deliver(_message(row))
    except Exception as error:
        # Only the SMTP conversation can succeed on a later try; an address or text that cannot
        # be made into a message never will.
        permanent = not isinstance(error, smtplib.SMTPException | OSError)
        if permanent:
            current_app.logger.exception("email of notification %s cannot be sent", row.id)
        elif isinstance(error, smtplib.SMTPRecipientsRefused):
            permanent = all(code >= 500 for code, _ in error.recipients.values())
        elif isinstance(error, smtplib.SMTPResponseException):
            permanent = error.smtp_code >= 500
        row.email_error = f"{type(error).__name__}: {error}"[:1000]
        if permanent or row.email_attempts >= config["MAIL_MAX_ATTEMPTS"]:
            row.email_status = EmailStatus.failed
            row.email_next_attempt_at = None
        else:
            row.email_status = EmailStatus.pending
            backoff = config["MAIL_RETRY_SECONDS"] * 2 ** (row.email_attempts - 1)
            row.email_next_attempt_at = now + timedelta(seconds=backoff)
    else:
        row.email_status = EmailStatus.sent
        row.email_sent_at = now
        row.email_next_attempt_at = None
        row.email_error = None
    db.session.flush()
    return row.email_status


@dataclass
class EmailSummary:
    """How many notifications' emails are in each state, and the latest failures."""

    counts: dict[EmailStatus, int]
    failures: list[Notification]


def email_summary(*, failures: int = 20) -> EmailSummary:
    """Counts per email state and the most recent failures, for whoever runs the platform."""
    counts = dict(
        db.session.execute(
            select(Notification.email_status, func.count()).group_by(Notification.email_status)
        ).all()
    )
    latest = db.session.scalars(
        select(Notification)
        .where(Notification.email_status == EmailStatus.failed)
        .order_by(Notification.id.desc())
        .limit(failures)
    ).all()
    return EmailSummary({status: counts.get(status, 0) for status in EmailStatus}, list(latest))


# The inbox and choices -------------------------------------------------------------------


def unread_count(user: User) -> int:
    """How many of the user's notifications are unread (shown in the navigation)."""
    return db.session.scalar(
        select(func.count()).where(Notification.user_id == user.id, Notification.read_at.is_(None))
    )


def inbox(user: User, *, page: int = 1, per_page: int = 20, unread_only: bool = False):
    """The user's notifications, newest first, one page at a time (a Flask-SQLAlchemy
    Pagination)."""
    query = select(Notification).where(Notification.user_id == user.id)
    if unread_only:
        query = query.where(Notification.read_at.is_(None))
    query = query.order_by(Notification.created_at.desc(), Notification.id.desc())
    # An absurd page number would overflow the database's OFFSET.
    page = min(max(page, 1), MAX_PAGE)
    return db.paginate(query, page=page, per_page=per_page, max_per_page=100, error_out=False)


def own_notification(user: User, notification_id: int) -> Notification:
    """One of the user's own notifications; another user's is NotFound, as if it did not
    exist."""
    row = db.session.get(Notification, notification_id)
    if row is None or row.user_id != user.id:
        raise NotFound(_l("No such notification."))
    return row


def mark_read(user: User, notification_id: int, *, now: datetime) -> Notification:
    """Mark one of the user's notifications read (again: no change). Raises NotFound."""
    row = own_notification(user, notification_id)
    if row.read_at is None:
        row.read_at = now
        db.session.flush()
    return row


def mark_all_read(user: User, *, now: datetime) -> int:
    """Mark all of the user's notifications read; returns how many were unread."""
    result = db.session.execute(
        update(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
        .values(read_at=now)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount


def kinds_for(user: User) -> tuple[NotificationKind, ...]:
    """The kinds a user can receive, for the settings page: volunteers' kinds, leaders' kinds
    for a volunteer who leads a team, the office's for the office."""
    if user.role is Role.office:
        return OFFICE_KINDS
    if user.role is not Role.volunteer:
        return ()
    return VOLUNTEER_KINDS + (LEADER_KINDS if volunteers.led_team_ids(user) else ())


def preferences(user: User) -> dict[NotificationKind, DeliveryChoice]:
    """The user's choice for each kind they can receive (the default where none was made)."""
    stored = dict(
        db.session.execute(
            select(NotificationPreference.kind, NotificationPreference.choice).where(
                NotificationPreference.user_id == user.id
            )
        ).all()
    )
    return {kind: stored.get(kind, DeliveryChoice.inbox_and_email) for kind in kinds_for(user)}


def set_preferences(
    user: User, choices: dict[NotificationKind, DeliveryChoice], *, now: datetime
) -> dict[NotificationKind, DeliveryChoice]:
    """Save the user's choices; a kind the user cannot receive is refused (ValidationFailed)
    and nothing changes. Returns all of the user's choices."""
    allowed = set(kinds_for(user))
    unknown = [kind.value for kind in choices if kind not in allowed]
    if unknown:
        raise ValidationFailed(
            errors={kind: [_("You do not receive this kind of notification.")] for kind in unknown}
        )
    existing = {
        row.kind: row
        for row in db.session.scalars(
            select(NotificationPreference).where(NotificationPreference.user_id == user.id)
        )
    }
    for kind, choice in choices.items():
        row = existing.get(kind)
        if row is None:
            db.session.add(
                NotificationPreference(user_id=user.id, kind=kind, choice=choice, updated_at=now)
            )
        elif row.choice is not choice:
            row.choice = choice
            row.updated_at = now
    db.session.flush()
    return preferences(user)
