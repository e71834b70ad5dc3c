"""Scoped roles: a user assigned as a clerk of a region, a sector's clerk, city office staff, a
panel reviewer or a media editor, granted and withdrawn by the office with history."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, Index, or_, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, joinedload, mapped_column, relationship

from core.auth.admin import NO_SUCH_USER, record_action
from core.auth.models import AuditAction, Role, User
from core.auth.services import require_office
from core.db import UTCDateTime, enum_column
from core.errors import Conflict, Forbidden, ValidationFailed
from core.extensions import db
from core.regions import (
    Region,
    RegionLevel,
    Sector,
    ancestors,
    descendant_ids,
    get_region,
    get_sector,
)
from core.rows import get_or_not_found


class AssignmentKind(enum.Enum):
    """What an assignment makes its holder. New kinds are added here and to a migration's
    CHECK (partner staff: 0022)."""

    community_clerk = "community_clerk"  # 社区/村 文明实践站
    street_clerk = "street_clerk"  # 镇街 文明实践所
    district_clerk = "district_clerk"  # 县区文明办
    sector_clerk = "sector_clerk"  # 系统/行业
    city_staff = "city_staff"  # 市文明办
    panel_reviewer = "panel_reviewer"  # 评议会
    media_editor = "media_editor"  # 媒体推荐群
    partner_staff = "partner_staff"  # 礼遇合作单位工作人员, verifies courtesy cards


UNSCOPED = "withdrawn_at IS NULL AND region_id IS NULL AND sector_id IS NULL AND partner_id IS NULL"


class RoleAssignment(db.Model):
    """A user holding a kind of role in a scope from `granted_at` until `withdrawn_at`.
    Rows are never deleted: a withdrawal stamps the row and a new grant is a new row. At most
    one assignment per (user, kind, scope) is active, which the partial unique indexes hold
    also when two grants race."""

    __tablename__ = "role_assignment"
    __table_args__ = (
        CheckConstraint(
            "(kind IN ('community_clerk', 'street_clerk', 'district_clerk')"
            " AND region_id IS NOT NULL AND sector_id IS NULL AND partner_id IS NULL)"
            " OR (kind = 'sector_clerk' AND sector_id IS NOT NULL AND region_id IS NULL"
            " AND partner_id IS NULL)"
            " OR (kind = 'partner_staff' AND partner_id IS NOT NULL AND region_id IS NULL"
            " AND sector_id IS NULL)"
            " OR (kind NOT IN ('community_clerk', 'street_clerk', 'district_clerk',"
            " 'sector_clerk', 'partner_staff') AND region_id IS NULL AND sector_id IS NULL"
            " AND partner_id IS NULL)",
            name="scope_by_kind",
        ),
        CheckConstraint(
            "(withdrawn_at IS NULL AND withdrawn_by_id IS NULL) OR withdrawn_at IS NOT NULL",
            name="withdrawn_together",
        ),
        Index(
            "ix_role_assignment_active_region",
            "user_id",
            "kind",
            "region_id",
            unique=True,
            sqlite_where=text("withdrawn_at IS NULL AND region_id IS NOT NULL"),
            postgresql_where=text("withdrawn_at IS NULL AND region_id IS NOT NULL"),
        ),
        Index(
            "ix_role_assignment_active_sector",
            "user_id",
            "kind",
            "sector_id",
            unique=True,
            sqlite_where=text("withdrawn_at IS NULL AND sector_id IS NOT NULL"),
            postgresql_where=text("withdrawn_at IS NULL AND sector_id IS NOT NULL"),
        ),
        Index(
            "ix_role_assignment_active_unscoped",
            "user_id",
            "kind",
            unique=True,
            sqlite_where=text(UNSCOPED),
            postgresql_where=text(UNSCOPED),
        ),
        Index(
            "ix_role_assignment_active_partner",
            "user_id",
            "kind",
            "partner_id",
            unique=True,
            sqlite_where=text("withdrawn_at IS NULL AND partner_id IS NOT NULL"),
            postgresql_where=text("withdrawn_at IS NULL AND partner_id IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    kind: Mapped[AssignmentKind] = mapped_column(enum_column(AssignmentKind))
    region_id: Mapped[int | None] = mapped_column(ForeignKey("region.id"), index=True)
    sector_id: Mapped[int | None] = mapped_column(ForeignKey("sector.id"), index=True)
    # A courtesy-card partner (honours.card_models.Partner), named here only as a key: core
    # knows nothing of honours.
    partner_id: Mapped[int | None] = mapped_column(ForeignKey("card_partner.id"), index=True)
    # None: granted from the operator's command line (or the demo), as in the audit log.
    granted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime)
    withdrawn_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    region: Mapped[Region | None] = relationship()
    sector: Mapped[Sector | None] = relationship()
    granted_by: Mapped[User | None] = relationship(foreign_keys=[granted_by_id])
    withdrawn_by: Mapped[User | None] = relationship(foreign_keys=[withdrawn_by_id])

    def is_active_at(self, now: datetime) -> bool:
        return self.granted_at <= now and (self.withdrawn_at is None or now < self.withdrawn_at)


# The level of region each kind of clerk is assigned to.
CLERK_LEVELS = {
    AssignmentKind.community_clerk: RegionLevel.community,
    AssignmentKind.street_clerk: RegionLevel.town,
    AssignmentKind.district_clerk: RegionLevel.district,
}
REGION_KINDS = tuple(CLERK_LEVELS)
# Kinds that act across the whole city.
CITY_KINDS = (AssignmentKind.city_staff,)

KIND_LABELS = {
    AssignmentKind.community_clerk: _l("Community clerk"),
    AssignmentKind.street_clerk: _l("Street or town clerk"),
    AssignmentKind.district_clerk: _l("District clerk"),
    AssignmentKind.sector_clerk: _l("Sector clerk"),
    AssignmentKind.city_staff: _l("City office staff"),
    AssignmentKind.panel_reviewer: _l("Panel reviewer"),
    AssignmentKind.media_editor: _l("Media editor"),
    AssignmentKind.partner_staff: _l("Partner staff"),
}

NO_SUCH_ASSIGNMENT = _l("No such assignment.")


def _scope_details(assignment: RoleAssignment) -> dict[str, Any]:
    details: dict[str, Any] = {"kind": assignment.kind.value, "assignment_id": assignment.id}
    if assignment.region is not None:
        details["region"] = assignment.region.name
    if assignment.sector is not None:
        details["sector"] = assignment.sector.name
    if assignment.partner_id is not None:
        details["partner_id"] = assignment.partner_id
    return details


def _scope(
    kind: AssignmentKind, region_id: int | None, sector_id: int | None
) -> tuple[Region | None, Sector | None]:
    """The scope the kind takes, or ValidationFailed naming the field that is wrong."""
    if kind in CLERK_LEVELS:
        level = CLERK_LEVELS[kind]
        region = get_region(region_id)
        if region.level is not level:
            message = _l(
                "A %(kind)s is assigned to a region of the level “%(level)s”.",
                kind=KIND_LABELS[kind],
                level=level.label,
            )
            raise ValidationFailed(errors={"region_id": [str(message)]})
        return region, None
    if kind is AssignmentKind.sector_clerk:
        return None, get_sector(sector_id)
    if kind is AssignmentKind.partner_staff:
        # The partner's own page adds its staff (honours.services.partners), having found
        # the partner; here it is only a key.
        raise ValidationFailed(
            errors={"kind": [str(_l("Partner staff are added on the partner's page."))]}
        )
    # The city's staff, reviewers and editors are not bound to a place (rounds come later).
    return None, None


def grant_assignment(
    office: User,
    user_id: int,
    kind: AssignmentKind,
    *,
    now: datetime,
    region_id: int | None = None,
    sector_id: int | None = None,
    partner_id: int | None = None,
) -> RoleAssignment:
    """Assign an account a scoped role (the office): a clerk of a region of the matching level
    (社区 for a community clerk, 镇街 for a street clerk, 区县 for a district clerk), a sector's
    clerk, city office staff, a panel reviewer or a media editor. Written to the audit log.
    A region or sector given to a kind that takes none is ignored. Partner staff take the
    partner's id, which the caller (the partner's service) has found.

    Raises Forbidden (not the office), NotFound (no such account), ValidationFailed (a region of
    the wrong level, a missing region or sector), Conflict (the account is disabled, or holds
    this assignment already)."""
    require_office(office)
    user = get_or_not_found(User, user_id, NO_SUCH_USER, lock=True)
    if kind is AssignmentKind.partner_staff and partner_id is not None:
        region, sector = None, None
    else:
        region, sector = _scope(kind, region_id, sector_id)
        partner_id = None
    if not user.is_enabled:
        raise Conflict(_l("Enable the account first."), code="disabled")
    assignment = RoleAssignment(
        user_id=user.id,
        kind=kind,
        region=region,
        sector=sector,
        partner_id=partner_id,
        granted_by_id=office.id or None,
        granted_at=now,
    )
    try:
        # The partial unique indexes decide, also between two offices granting at once.
        with db.session.begin_nested():
            db.session.add(assignment)
    except IntegrityError:
        raise Conflict(
            _l("The account holds this assignment already."), code="assigned_already"
        ) from None
    record_action(
        office, AuditAction.assignment_granted, user, now=now, details=_scope_details(assignment)
    )
    return assignment


def withdraw_assignment(office: User, assignment_id: int, *, now: datetime) -> RoleAssignment:
    """End an assignment (the office): it stays in the history with who ended it and when.
    Written to the audit log.

    Raises Forbidden (not the office), NotFound (no such assignment), Conflict (withdrawn
    already)."""
    require_office(office)
    assignment = get_or_not_found(RoleAssignment, assignment_id, NO_SUCH_ASSIGNMENT)
    # A conditional UPDATE, so that of two withdrawals at once only one counts and logs.
    ended = db.session.execute(
        update(RoleAssignment)
        .where(RoleAssignment.id == assignment.id, RoleAssignment.withdrawn_at.is_(None))
        .values(withdrawn_at=now, withdrawn_by_id=office.id or None)
        .execution_options(synchronize_session=False)
    )
    if ended.rowcount != 1:
        raise Conflict(_l("This assignment has been withdrawn already."), code="withdrawn_already")
    db.session.refresh(assignment)
    record_action(
        office,
        AuditAction.assignment_withdrawn,
        assignment.user,
        now=now,
        details=_scope_details(assignment),
    )
    return assignment


def get_assignment(office: User, assignment_id: int) -> RoleAssignment:
    """One assignment, for the office. Raises Forbidden or NotFound."""
    require_office(office)
    return get_or_not_found(RoleAssignment, assignment_id, NO_SUCH_ASSIGNMENT)


def _with_scope(query):
    return query.options(
        joinedload(RoleAssignment.region),
        joinedload(RoleAssignment.sector),
        joinedload(RoleAssignment.granted_by),
        joinedload(RoleAssignment.withdrawn_by),
    )


def assignments_of(user: User, now: datetime) -> list[RoleAssignment]:
    """The assignments the user holds at `now` (granted by then, not withdrawn by then),
    oldest first."""
    query = select(RoleAssignment).where(
        RoleAssignment.user_id == user.id,
        RoleAssignment.granted_at <= now,
        or_(RoleAssignment.withdrawn_at.is_(None), RoleAssignment.withdrawn_at > now),
    )
    return list(db.session.scalars(_with_scope(query).order_by(RoleAssignment.id)))


def assignment_history(office: User, user_id: int) -> list[RoleAssignment]:
    """Every assignment the account has held or holds, the newest grant first (the office).
    Raises Forbidden."""
    require_office(office)
    query = select(RoleAssignment).where(RoleAssignment.user_id == user_id)
    return list(
        db.session.scalars(
            _with_scope(query).order_by(RoleAssignment.granted_at.desc(), RoleAssignment.id.desc())
        )
    )


def list_assignments(office: User, user_id: int, *, page: int = 1, per_page: int = 50):
    """The account's assignments a page at a time, the newest grant first (the office).
    Raises Forbidden or NotFound (no such account)."""
    require_office(office)
    get_or_not_found(User, user_id, NO_SUCH_USER)
    query = select(RoleAssignment).where(RoleAssignment.user_id == user_id)
    query = _with_scope(query).order_by(RoleAssignment.granted_at.desc(), RoleAssignment.id.desc())
    return db.paginate(
        query, page=max(page, 1), per_page=per_page, max_per_page=100, error_out=False
    )


# Who may act where --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ClerkScope:
    """Where a user may act and as what: everywhere (the office role, city office staff), or
    in the regions and sectors of their live assignments, each with the kind held there."""

    everywhere: bool
    regions: tuple[tuple[Region, AssignmentKind], ...] = ()
    sectors: tuple[tuple[Sector, AssignmentKind], ...] = ()

    def covers(self, region: Region, kinds: Iterable[AssignmentKind] | None = None) -> bool:
        """Whether the user may act in `region` (as one of `kinds`, if given) because it is, or
        lies under, a region of theirs."""
        if self.everywhere:
            return True
        wanted = set(kinds) if kinds is not None else None
        above = {place.id for place in [*ancestors(region), region]}
        return any(
            scope.id in above and (wanted is None or kind in wanted) for scope, kind in self.regions
        )

    def region_ids(self) -> set[int] | None:
        """The ids of every region the user may act in (their regions and all under them), for
        filtering a query; None for everywhere."""
        if self.everywhere:
            return None
        found: set[int] = set()
        for scope, _kind in self.regions:
            found |= descendant_ids(scope)
        return found


def _live(user: User) -> list[RoleAssignment]:
    query = select(RoleAssignment).where(
        RoleAssignment.user_id == user.id, RoleAssignment.withdrawn_at.is_(None)
    )
    return list(db.session.scalars(_with_scope(query).order_by(RoleAssignment.id)))


def clerk_scope(user: User) -> ClerkScope:
    """Which regions (and sectors) this user may act in now, and at which level. The office
    role and city office staff (市文明办) act everywhere; a disabled account nowhere."""
    if not user.is_enabled:
        return ClerkScope(everywhere=False)
    live = _live(user)
    if user.role is Role.office or any(a.kind in CITY_KINDS for a in live):
        return ClerkScope(everywhere=True)
    return ClerkScope(
        everywhere=False,
        regions=tuple((a.region, a.kind) for a in live if a.region is not None),
        sectors=tuple((a.sector, a.kind) for a in live if a.sector is not None),
    )


def may_act_in(user: User, region: Region, kinds: Iterable[AssignmentKind] | None = None) -> bool:
    """Whether the user may act in `region` now: the office role and city office staff
    everywhere; a clerk (of one of `kinds`, if given) in their region and everything under it.
    A street clerk of 文化路街道 acts in its communities, not in the next street."""
    return clerk_scope(user).covers(region, kinds)


def require_act_in(
    user: User, region: Region, kinds: Iterable[AssignmentKind] | None = None
) -> None:
    """Raise Forbidden unless `may_act_in(user, region, kinds)`."""
    if not may_act_in(user, region, kinds):
        raise Forbidden(_l("This is outside the region you act in."))
