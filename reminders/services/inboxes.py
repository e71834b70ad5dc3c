"""Each user's inbox (unread, read) and their delivery choice for each kind they receive."""

from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update

from core.auth.assignments import CITY_KINDS, REGION_KINDS, RoleAssignment
from core.auth.models import Role, User
from core.errors import NotFound, ValidationFailed
from core.extensions import db
from honours.models import Person
from reminders.models import DeliveryChoice, Notification, NotificationKind, NotificationPreference
from volunteer import services as volunteers

VOLUNTEER_KINDS = (
    NotificationKind.shift_tomorrow,
    NotificationKind.shift_soon,
    NotificationKind.waiting_list_promoted,
    NotificationKind.activity_cancelled,
    NotificationKind.activity_changed,
    NotificationKind.points_earned,
    NotificationKind.points_expiring,
    NotificationKind.shift_message,
)
LEADER_KINDS = (
    NotificationKind.free_places_tomorrow,
    NotificationKind.attendance_unconfirmed,
    NotificationKind.join_request_waiting,
    NotificationKind.weekly_digest,
)
OFFICE_KINDS = (NotificationKind.campaign_unplanned_teams,)
# Those who review nominations: the clerks of the levels and the city.
# A lost, replaced or revoked card presented at a partner is told to the district's clerks.
REVIEWER_KINDS = (NotificationKind.nomination_overdue, NotificationKind.card_alert)
# An honoured person of the register whose account is linked to them: their applications.
HOLDER_KINDS = (NotificationKind.application_step,)
MAX_PAGE = 100_000


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


def _reviews_nominations(user: User) -> bool:
    """Whether the user holds a live assignment as a clerk of a review level or of the city."""
    kinds = (*REGION_KINDS, *CITY_KINDS)
    held = select(RoleAssignment.id).where(
        RoleAssignment.user_id == user.id,
        RoleAssignment.kind.in_(kinds),
        RoleAssignment.withdrawn_at.is_(None),
    )
    return db.session.scalar(held.limit(1)) is not None


def _is_honoured(user: User) -> bool:
    """Whether the user's account is linked to a person of the register."""
    linked = select(Person.id).where(Person.user_id == user.id)
    return db.session.scalar(linked.limit(1)) is not None


def kinds_for(user: User) -> tuple[NotificationKind, ...]:
    """The kinds a user can receive, for the settings page: volunteers' kinds, leaders' kinds
    for a volunteer who leads a team, the reviewers' for a clerk, the office's (and the
    reviewers') for the office; a person of the register also hears of their applications."""
    if user.role is Role.office:
        return OFFICE_KINDS + REVIEWER_KINDS
    if user.role is not Role.volunteer:
        return ()
    kinds = VOLUNTEER_KINDS + (LEADER_KINDS if volunteers.led_team_ids(user) else ())
    kinds += HOLDER_KINDS if _is_honoured(user) else ()
    return kinds + (REVIEWER_KINDS if _reviews_nominations(user) else ())


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
