"""Activities (活动): drafting, editing, publishing, cancelling, completing; their place."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from core.auth.models import Role, User
from core.clock import local_day
from core.errors import Conflict, NotFound
from core.extensions import db
from core.rows import get_or_not_found
from events.models import Activity, ActivityNotice, ActivityStatus, NoticeKind, ShiftStatus, SignUp
from events.services._common import ACTIVE_SIGN_UPS, _invalid
from events.services.campaigns import get_campaign
from events.services.seats import _close_shift
from volunteer import services as volunteers
from volunteer.models import ServiceCategory, TeamStatus


@dataclass(frozen=True)
class Place:
    address: str
    latitude: float | None = None
    longitude: float | None = None
    checkin_radius_m: int | None = None


def _check_place(place: Place) -> Place:
    address = (place.address or "").strip()
    if not address:
        raise _invalid("address", _l("Enter where the activity takes place."))
    has_lat, has_lng = place.latitude is not None, place.longitude is not None
    if has_lat != has_lng:
        raise _invalid("latitude", _l("Give both latitude and longitude, or neither."))
    if has_lat and not _on_the_map(place.latitude, place.longitude):
        raise _invalid("latitude", _l("These coordinates are not on the map."))
    radius = place.checkin_radius_m
    if radius is not None:
        if not has_lat:
            raise _invalid("checkin_radius_m", _l("A check-in radius needs coordinates."))
        if not 20 <= radius <= 5000:
            raise _invalid("checkin_radius_m", _l("Enter a radius of 20 to 5000 metres."))
    return Place(address[:200], place.latitude, place.longitude, radius)


def _on_the_map(latitude: float, longitude: float) -> bool:
    # NaN would make every distance comparison false and so pass any geofence.
    return (
        math.isfinite(latitude)
        and math.isfinite(longitude)
        and -90 <= latitude <= 90
        and -180 <= longitude <= 180
    )


def get_activity(activity_id: int) -> Activity:
    """Return the activity; raise NotFound if there is none."""
    return get_or_not_found(Activity, activity_id, _l("No such activity."))


def managed_activity(user: User, activity_id: int) -> Activity:
    """Return the activity if the user leads its team (or is the office); raise NotFound or
    Forbidden."""
    activity = get_activity(activity_id)
    volunteers.require_team_manager(user, activity.team_id)
    return activity


def visible_activity(user: User | None, activity_id: int) -> Activity:
    """Return an activity the user may see: published or closed ones for everyone, drafts only
    for its team's leaders and the office. Raises NotFound."""
    activity = get_activity(activity_id)
    if activity.status is ActivityStatus.draft and not can_manage(user, activity):
        raise NotFound(_l("No such activity."))
    return activity


def can_manage(user: User | None, activity: Activity) -> bool:
    """Whether the user may change the activity (a leader of its team, or the office)."""
    if user is None or not user.is_authenticated:
        return False
    return user.role is Role.office or volunteers.is_team_leader(user, activity.team_id)


def create_activity(
    leader: User,
    *,
    team_id: int,
    campaign_id: int,
    title: str,
    category: ServiceCategory,
    place: Place,
    description: str,
    now: datetime,
) -> Activity:
    """A leader drafts an activity of their team inside a campaign that has not ended.

    Raises Forbidden (not a leader of the team), NotFound, Conflict (team not approved),
    ValidationFailed (title, place, campaign over).
    """
    team = volunteers.require_team_manager(leader, team_id)
    if team.status is not TeamStatus.approved:
        raise Conflict(_l("The team has not been approved yet."))
    campaign = get_campaign(campaign_id)
    if campaign.ends_on < local_day(now):
        raise _invalid("campaign_id", _l("This campaign is over; choose a current one."))
    title = (title or "").strip()
    if not title:
        raise _invalid("title", _l("Enter a title."))
    place = _check_place(place)
    activity = Activity(
        team_id=team.id,
        campaign_id=campaign.id,
        district_id=team.district_id,
        title=title[:120],
        category=category,
        address=place.address,
        latitude=place.latitude,
        longitude=place.longitude,
        checkin_radius_m=place.checkin_radius_m,
        description=(description or "").strip(),
        status=ActivityStatus.draft,
        created_by_id=leader.id,
        created_at=now,
    )
    db.session.add(activity)
    db.session.flush()
    return activity


def _signed_up_users(shift_ids: list[int]) -> list[tuple[int, int]]:
    """(user id, shift id) of the active sign-ups of these shifts."""
    if not shift_ids:
        return []
    query = select(SignUp.user_id, SignUp.shift_id).where(
        SignUp.shift_id.in_(shift_ids), SignUp.status.in_(ACTIVE_SIGN_UPS)
    )
    return [tuple(row) for row in db.session.execute(query)]


def _notify(activity: Activity, shift_ids: list[int], kind: NoticeKind, message: str, now):
    for user_id, shift_id in _signed_up_users(shift_ids):
        db.session.add(
            ActivityNotice(
                user_id=user_id,
                activity_id=activity.id,
                shift_id=shift_id,
                kind=kind,
                message=message,
                created_at=now,
            )
        )


def update_activity(
    leader: User,
    activity_id: int,
    *,
    title: str,
    category: ServiceCategory,
    place: Place,
    description: str,
    now: datetime,
) -> Activity:
    """A leader edits an open activity; if it is published and the title or place changed,
    its signed-up volunteers are told. Raises Forbidden, NotFound, Conflict (closed),
    ValidationFailed."""
    activity = managed_activity(leader, activity_id)
    if activity.status in (ActivityStatus.completed, ActivityStatus.cancelled):
        raise Conflict(_l("This activity is closed."))
    title = (title or "").strip()
    if not title:
        raise _invalid("title", _l("Enter a title."))
    place = _check_place(place)
    moved = (activity.title, activity.address) != (title[:120], place.address)
    activity.title = title[:120]
    activity.category = category
    activity.address = place.address
    activity.latitude, activity.longitude = place.latitude, place.longitude
    activity.checkin_radius_m = place.checkin_radius_m
    activity.description = (description or "").strip()
    if moved and activity.status is ActivityStatus.published:
        shift_ids = [s.id for s in activity.shifts if s.status is ShiftStatus.scheduled]
        _notify(activity, shift_ids, NoticeKind.changed, f"{activity.title} · {place.address}", now)
    db.session.flush()
    return activity


def publish_activity(leader: User, activity_id: int, *, now: datetime) -> Activity:
    """Open a draft for sign-ups. Raises Forbidden, NotFound, Conflict (not a draft, or no
    future shift)."""
    activity = managed_activity(leader, activity_id)
    if activity.status is not ActivityStatus.draft:
        raise Conflict(_l("Only a draft can be published."))
    if not any(s.status is ShiftStatus.scheduled and s.ends_at > now for s in activity.shifts):
        raise Conflict(_l("Add at least one upcoming shift before publishing."))
    activity.status = ActivityStatus.published
    activity.published_at = now
    db.session.flush()
    return activity


def cancel_activity(leader: User, activity_id: int, *, reason: str, now: datetime) -> Activity:
    """Cancel an activity with a reason: its shifts and sign-ups are cancelled and every
    signed-up volunteer gets a notice. Raises Forbidden, NotFound, Conflict, ValidationFailed."""
    activity = managed_activity(leader, activity_id)
    if activity.status in (ActivityStatus.completed, ActivityStatus.cancelled):
        raise Conflict(_l("This activity is closed."))
    reason = (reason or "").strip()
    if not reason:
        raise _invalid("reason", _l("Give a reason."))
    open_shifts = [s for s in activity.shifts if s.status is ShiftStatus.scheduled]
    _notify(activity, [s.id for s in open_shifts], NoticeKind.cancelled, reason, now)
    for shift in open_shifts:
        _close_shift(shift, now)
    activity.status = ActivityStatus.cancelled
    activity.cancel_reason = reason
    activity.closed_at = now
    db.session.flush()
    return activity


def complete_activity(leader: User, activity_id: int, *, now: datetime) -> Activity:
    """Mark a published activity completed once all its shifts are over. Raises Forbidden,
    NotFound, Conflict."""
    activity = managed_activity(leader, activity_id)
    if activity.status is not ActivityStatus.published:
        raise Conflict(_l("Only a published activity can be completed."))
    if any(s.status is ShiftStatus.scheduled and s.ends_at > now for s in activity.shifts):
        raise Conflict(_l("Some shifts have not ended yet."))
    activity.status = ActivityStatus.completed
    activity.closed_at = now
    db.session.flush()
    return activity


def list_team_activities(viewer: User, team_id: int) -> list[Activity]:
    """A team's activities, drafts included, newest first: for its leaders and the office.
    Raises Forbidden, NotFound."""
    volunteers.require_team_manager(viewer, team_id)
    query = (
        select(Activity)
        .where(Activity.team_id == team_id)
        .options(selectinload(Activity.campaign), selectinload(Activity.shifts))
        .order_by(Activity.created_at.desc(), Activity.id.desc())
    )
    return list(db.session.scalars(query))
