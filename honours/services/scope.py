"""Who acts where in the register: the global office role and the city office staff act
everywhere; a community, street or district clerk acts within their region and below; only
the district and the city see a person's sensitive fields whole."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select

from core.auth.assignments import (
    CITY_KINDS,
    REGION_KINDS,
    AssignmentKind,
    RoleAssignment,
    assignments_of,
)
from core.auth.models import Role, User
from core.errors import Forbidden, NotFound
from core.extensions import db
from core.regions import Region, descendant_ids


@dataclass(frozen=True)
class Scope:
    """What one user may do in the register at one moment.

    `regions`: the ids of every region the user acts in (their assigned regions and all
    below); `whole_regions`: those where they also see sensitive fields whole (below a
    district they clerk for). The city (`is_city`) acts and sees everywhere."""

    user_id: int
    is_city: bool
    regions: frozenset[int]
    whole_regions: frozenset[int]

    @property
    def is_clerk(self) -> bool:
        return self.is_city or bool(self.regions)

    def acts_in(self, region_id: int) -> bool:
        return self.is_city or region_id in self.regions

    def sees_whole(self, region_id: int) -> bool:
        return self.is_city or region_id in self.whole_regions


def scope_of(user: User, now: datetime) -> Scope:
    """The user's scope at `now` from the assignments they hold then (core.auth.assignments):
    the office role and city office staff everywhere, a clerk in their regions and below; a
    disabled account nowhere. Only a district clerk's regions are seen whole."""
    if not user.is_enabled:
        return Scope(user.id, False, frozenset(), frozenset())
    held = assignments_of(user, now)
    if user.role is Role.office or any(a.kind in CITY_KINDS for a in held):
        return Scope(user.id, True, frozenset(), frozenset())
    acting: set[int] = set()
    whole: set[int] = set()
    for assignment in held:
        if assignment.kind in REGION_KINDS and assignment.region is not None:
            below = descendant_ids(assignment.region)
            acting |= below
            if assignment.kind is AssignmentKind.district_clerk:
                whole |= below
    return Scope(user.id, False, frozenset(acting), frozenset(whole))


def require_clerk(scope: Scope) -> None:
    """Raise NotFound for a user who holds no clerk assignment: the register is not theirs
    to know of."""
    if not scope.is_clerk:
        raise NotFound(_l("No such record in the register."))


def require_acts_in(scope: Scope, region_id: int) -> None:
    """Raise Forbidden with a clear answer when the region is outside the user's."""
    require_clerk(scope)
    if not scope.acts_in(region_id):
        raise Forbidden(_l("This record is outside the region you are a clerk of."))


def require_city(scope: Scope, message=None) -> None:
    """Raise Forbidden unless the user acts for the city (the office or city office staff)."""
    require_clerk(scope)
    if not scope.is_city:
        raise Forbidden(message or _l("Only the city's civilization office may do this."))


def _held_at(now: datetime):
    return (
        User.is_enabled.is_(True),
        RoleAssignment.granted_at <= now,
        or_(RoleAssignment.withdrawn_at.is_(None), RoleAssignment.withdrawn_at > now),
    )


def district_clerk_ids(district_ids: set[int], now: datetime) -> dict[int, set[int]]:
    """The enabled accounts clerking for each district at `now` (user ids by district id),
    for telling a district of what concerns its people."""
    rows = db.session.execute(
        select(Region.district_id, RoleAssignment.user_id)
        .join(Region, Region.id == RoleAssignment.region_id)
        .join(User, User.id == RoleAssignment.user_id)
        .where(
            RoleAssignment.kind == AssignmentKind.district_clerk,
            Region.district_id.in_(sorted(district_ids)),
            *_held_at(now),
        )
    )
    clerks: dict[int, set[int]] = {}
    for district_id, user_id in rows:
        clerks.setdefault(district_id, set()).add(user_id)
    return clerks


def city_user_ids(now: datetime) -> set[int]:
    """The enabled accounts acting for the city at `now`: the office and city office staff."""
    office = db.session.scalars(
        select(User.id).where(User.role == Role.office, User.is_enabled.is_(True))
    )
    staff = db.session.scalars(
        select(RoleAssignment.user_id)
        .join(User, User.id == RoleAssignment.user_id)
        .where(RoleAssignment.kind.in_(CITY_KINDS), *_held_at(now))
    )
    return {*office, *staff}
