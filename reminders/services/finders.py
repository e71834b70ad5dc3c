"""What is due for whom: one finder per kind, each reading a bounded window through an index."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import String, cast, exists, func, literal, select

from core.auth.models import Role, User
from core.clock import local_day, local_moment, local_zone
from core.collation import in_pinyin_order
from core.extensions import db
from core.settings import ReminderSettings
from core.workdays import load_calendar
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
from honours.services.applications import steps_to_tell
from honours.services.breach_case_reminders import overdue_cases, statement_periods_ended
from honours.services.review import overdue_nominations
from honours.services.verification import claim_card_alerts
from points.models import Account, AccountKind, EntryKind, LedgerEntry
from points.services.expiry import WARNING_DAYS, expiring_between
from reminders.models import Notification, NotificationKind
from volunteer.models import Membership, MembershipRole, MembershipStatus, Team, TeamStatus

# Lists inside a notification stay readable (and its row small); the rest is counted.
MAX_LISTED = 40


@dataclass(frozen=True)
class Due:
    """A notification that a finder says is due."""

    user_id: int
    kind: NotificationKind
    subject: str
    params: dict[str, Any] = field(hash=False)


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


def _told_pairs(kind: NotificationKind, subjects: list[str]) -> set[tuple[str, int]]:
    """(subject, user id) of the notifications of this kind that exist for these subjects,
    read in batches of 500, so that a finder of per-subject reminders skips those told."""
    told: set[tuple[str, int]] = set()
    for start in range(0, len(subjects), 500):
        told.update(
            tuple(row)
            for row in db.session.execute(
                select(Notification.subject, Notification.user_id).where(
                    Notification.kind == kind,
                    Notification.subject.in_(subjects[start : start + 500]),
                )
            ).all()
        )
    return told


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


def _shifts_starting(now: datetime, settings: ReminderSettings) -> Iterator[Due]:
    """Volunteers with a confirmed place: once when the shift is a day away, once when it is
    two hours away (lead times from the settings). A sign-up made inside the short lead time
    gets only the short reminder."""
    first, second = settings.shift_first, settings.shift_second
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


def _points_expiring(now: datetime) -> Iterator[Due]:
    """Volunteers whose points expire within 30 days, told by month of expiry: once when the
    first points of that month are 30 days away or fewer (more than 7), and once more when
    they are 7 or fewer, each time with all of that month's points within 30 days, the first
    and the last day they expire on. By month, not by day, so that one who earns every week
    hears twice a month, not twice a week. The subject names the month and the threshold, so
    a later run (or a second scheduler) tells no one twice, and a scheduler that was down
    tells the nearer one only."""
    kind = NotificationKind.points_expiring
    today = local_day(now)
    far, near = WARNING_DAYS
    months: dict[tuple[int, str], list] = {}
    # Sorted by volunteer and day: the first day seen of a month is its first.
    for user_id, expires_on, amount in expiring_between(today, today + timedelta(days=far)):
        month = months.setdefault((user_id, f"{expires_on:%Y-%m}"), [0, expires_on, expires_on])
        month[0] += amount
        month[2] = expires_on
    dues = [
        Due(
            user_id,
            kind,
            f"points_expiring:{month}:{near if (first - today).days <= near else far}",
            {"amount": total, "first_on": first.isoformat(), "expires_on": last.isoformat()},
        )
        for (user_id, month), (total, first, last) in months.items()
    ]
    told = _told_pairs(kind, sorted({due.subject for due in dues}))
    for due in dues:
        if (due.subject, due.user_id) not in told:
            yield due


def _free_places_tomorrow(now: datetime, settings: ReminderSettings) -> Iterator[Due]:
    """From the set hour on, each leader hears once which of their teams' shifts tomorrow
    still have free places."""
    today = local_day(now)
    if now < local_moment(today) + settings.free_places_at:
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


def _attendance_unconfirmed(
    now: datetime, since: datetime, settings: ReminderSettings
) -> Iterator[Due]:
    """Leaders of a shift that ended the set hours ago with check-ins still unconfirmed."""
    late = settings.attendance
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


def _join_requests_waiting(
    now: datetime, since: datetime, settings: ReminderSettings
) -> Iterator[Due]:
    """Leaders of a team whose join request has waited the set days."""
    age = settings.join_request_age
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


def _weekly_digest(now: datetime, since: datetime, settings: ReminderSettings) -> Iterator[Due]:
    """On the set weekday and hour (local time), each leader gets the coming seven days of
    their teams' shifts with their fill; caught up later that day if the scheduler was down,
    but never for a week gone by."""
    today = local_day(now)
    week_starts = today - timedelta(days=(today.weekday() - settings.digest_weekday) % 7)
    moment = local_moment(week_starts) + settings.digest_at
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


def _campaigns_unplanned(now: datetime, settings: ReminderSettings) -> Iterator[Due]:
    """The office, the set days before a campaign starts: the approved teams with no activity
    (other than cancelled ones) planned in it."""
    today = local_day(now)
    horizon = today + settings.campaign_horizon
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
        names = db.session.scalars(
            unplanned.order_by(in_pinyin_order(Team.name)).limit(MAX_LISTED)
        ).all()
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


def _nominations_overdue(now: datetime) -> Iterator[Due]:
    """The clerks of a review level, once for each nomination that waits there past the
    level's time limit, and the clerks of the level above (the city above the district) once
    it is late by a second time limit; honours says who (review.overdue_nominations). A
    nomination that moved on is not found, and one that comes back to a level is a new wait."""
    kind = NotificationKind.nomination_overdue
    overdue = overdue_nominations(now, load_calendar(), local_zone())
    subjects = [s for item in overdue for s in (item.subject, f"{item.subject}:above")]
    told = _told_pairs(kind, subjects)
    for item in overdue:
        params = {
            "nomination_id": item.nomination_id,
            "name": item.nominee_name,
            "round": item.round_name,
            "stage": item.stage.value,
            "due_at": _iso(item.due),
        }
        for subject, user_ids, above in (
            (item.subject, item.clerk_ids, False),
            (f"{item.subject}:above", item.above_ids, True),
        ):
            for user_id in sorted(user_ids):
                if (subject, user_id) not in told:
                    yield Due(user_id, kind, subject, params | {"above": above})


def _card_alerts(now: datetime, since: datetime) -> Iterator[Due]:
    """The district clerks of the holder's district (the city where it has none), once for
    each check of a lost, replaced or revoked card; honours claims each check by stamping it
    (verification.claim_card_alerts), so that two schedulers never tell twice, and the
    notification's unique key holds the same."""
    for alert in claim_card_alerts(now, since):
        params = {
            "person_id": alert.person_id,
            "name": alert.person_name,
            "partner": alert.partner_name,
            "outcome": alert.outcome.value,
            "checked_at": _iso(alert.checked_at),
        }
        for user_id in sorted(alert.clerk_ids):
            yield Due(user_id, NotificationKind.card_alert, alert.subject, params)


def _application_steps(now: datetime, since: datetime) -> Iterator[Due]:
    """The honoured person, once for each step of their application for a benefit that
    someone else took (applications.steps_to_tell): proposed, approved, declined, in hand at
    the department, closed with its outcome."""
    for notice in steps_to_tell(now, since):
        params = {
            "application_id": notice.application_id,
            "benefit": notice.benefit,
            "status": notice.status.value,
            "result": notice.result.value if notice.result else None,
        }
        yield Due(notice.user_id, NotificationKind.application_step, notice.subject, params)


def _breach_cases(now: datetime) -> Iterator[Due]:
    """The clerks answerable for a breach case's step, once for each step past its time limit
    (honours says who: breach_case_steps.overdue_cases), and the person's district clerks once
    when the statement period of a proposed revocation ends. A case that moved on is not
    found; the subject names the case and the step, so each is told once."""
    found = (
        (NotificationKind.breach_case_overdue, overdue_cases(now)),
        (NotificationKind.breach_statement_ended, statement_periods_ended(now)),
    )
    for kind, items in found:
        told = _told_pairs(kind, [item.subject for item in items])
        for item in items:
            params = {
                "case_id": item.case_id,
                "name": item.person_name,
                "stage": item.stage.value,
                "due_at": _iso(item.due_at),
            }
            for user_id in sorted(item.user_ids):
                if (item.subject, user_id) not in told:
                    yield Due(user_id, kind, item.subject, params)


def find_due(now: datetime, settings: ReminderSettings) -> list[Due]:
    """Every notification due at `now` that has not been created yet. Each finder looks back
    at most `settings.catch_up`, so a scheduler that was down catches up once, and the
    work grows with what is due, not with everything ever stored."""
    since = now - settings.catch_up
    finders = (
        _shifts_starting(now, settings),
        _promotions(now, since),
        _activity_notices(now, since),
        _points_earned(now, since),
        _points_expiring(now),
        _free_places_tomorrow(now, settings),
        _attendance_unconfirmed(now, since, settings),
        _join_requests_waiting(now, since, settings),
        _weekly_digest(now, since, settings),
        _campaigns_unplanned(now, settings),
        _nominations_overdue(now),
        _card_alerts(now, since),
        _application_steps(now, since),
        _breach_cases(now),
    )
    return [due for finder in finders for due in finder]
