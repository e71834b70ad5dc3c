"""No-shows (缺席): which ones count as recent, and a member's recent no-shows for the team's
leaders."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from core.auth.models import User
from core.extensions import db
from events.models import Activity, Shift, SignUp, SignUpStatus
from volunteer import services as volunteers
from volunteer.models import Membership

# How far back a leader sees a volunteer's no-shows (beside their name on the attendance sheet
# and on the member's page).
NO_SHOW_LOOKBACK = timedelta(days=90)


def _recent_no_show(now: datetime) -> list:
    """The one rule of a recent no-show: a sign-up marked no-show on a shift that started in
    the NO_SHOW_LOOKBACK before `now`. Both the count and the list are made from it, so the
    number beside a name and the lines on the member's page always agree."""
    return [
        SignUp.status == SignUpStatus.no_show,
        Shift.starts_at > now - NO_SHOW_LOOKBACK,
        Shift.starts_at <= now,
    ]


def count_recent_no_shows(user_ids: list[int], *, now: datetime) -> dict[int, int]:
    """Each volunteer's recent no-shows (any team's shifts), by user id; a volunteer without
    any is left out. One query for all of them."""
    if not user_ids:
        return {}
    query = (
        select(SignUp.user_id, func.count(SignUp.id))
        .join(Shift, Shift.id == SignUp.shift_id)
        .where(SignUp.user_id.in_(user_ids), *_recent_no_show(now))
        .group_by(SignUp.user_id)
    )
    return dict(db.session.execute(query).all())


def list_recent_no_shows(user_id: int, *, now: datetime) -> list[SignUp]:
    """A volunteer's recent no-shows (any team's shifts), the latest first, each with its
    shift, activity and team loaded."""
    query = (
        select(SignUp)
        .join(Shift, Shift.id == SignUp.shift_id)
        .where(SignUp.user_id == user_id, *_recent_no_show(now))
        .options(
            selectinload(SignUp.shift).selectinload(Shift.activity).selectinload(Activity.team)
        )
        .order_by(Shift.starts_at.desc(), SignUp.id.desc())
    )
    return list(db.session.scalars(query))


@dataclass(frozen=True)
class MemberNoShows:
    """A member's no-shows of the last NO_SHOW_LOOKBACK, as their team's leaders see them."""

    membership: Membership
    since: datetime
    no_shows: list[SignUp]

    @property
    def count(self) -> int:
        return len(self.no_shows)


def member_no_shows(viewer: User, membership_id: int, *, now: datetime) -> MemberNoShows:
    """A team member's no-shows of the last 90 days, on any team's shifts (the same count as
    beside their name on an attendance sheet), for the team's leaders and the office.

    Raises NotFound (no such membership), Forbidden (not a leader of the member's team)."""
    membership = volunteers.managed_membership(viewer, membership_id)
    return MemberNoShows(
        membership=membership,
        since=now - NO_SHOW_LOOKBACK,
        no_shows=list_recent_no_shows(membership.user_id, now=now),
    )
