"""The nomination pipeline's shared rules: which level reviews which stage, who may read a
nomination, who is barred from acting on it (they filed it or declared a conflict), and the one
way a nomination moves (`record_step`), which keeps every step for ever.

The channels (nominations), the review levels (review), consent, the panel, the notice and the
decision each live in their own module and move nominations only through `record_step`."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, select

from core.auth.assignments import AssignmentKind, assignments_of
from core.auth.models import User
from core.errors import Conflict, Forbidden, NotFound
from core.extensions import db
from core.regions import Region, descendant_ids
from core.rows import get_or_not_found
from honours.nomination_models import (
    ConflictDeclaration,
    Nomination,
    NominationConsent,
    Nominator,
    PanelMember,
    ReviewStep,
    Stage,
    StepAction,
)
from honours.services.scope import scope_of

NO_SUCH_NOMINATION = _l("No such nomination.")

# The clerk who reviews each territorial level; the city level is the city office's.
REVIEWER_OF_STAGE = {
    Stage.community: AssignmentKind.community_clerk,
    Stage.street: AssignmentKind.street_clerk,
    Stage.district: AssignmentKind.district_clerk,
}
# Where a forward takes a nomination, and where a return sends it back to.
NEXT_STAGE = {
    Stage.community: Stage.street,
    Stage.street: Stage.district,
    Stage.district: Stage.city,
    Stage.city: Stage.consent,
}
STAGE_BELOW = {
    Stage.community: Stage.draft,
    Stage.street: Stage.community,
    Stage.district: Stage.street,
    Stage.city: Stage.district,
}
# Stages from which the panel (and, from notice on, the public) may see a nomination.
PANEL_STAGES = frozenset({Stage.panel, Stage.notice, Stage.approved})


def nominee_key(name: str, birth_date: date | None, district_id: int, id_number: str | None) -> str:
    """What two nominations of one nominee share: the ID number when given, else the name
    with the birth date and the district (the same name alone is not the same person)."""
    if id_number:
        return f"id:{id_number.upper()}"
    born = birth_date.isoformat() if birth_date else "-"
    return f"name:{name.strip()}|{born}|{district_id}"


def get_nomination(nomination_id: int, *, lock: bool = False) -> Nomination:
    """The nomination (locked FOR UPDATE with `lock`). Raises NotFound."""
    return get_or_not_found(Nomination, nomination_id, NO_SUCH_NOMINATION, lock=lock)


def record_step(
    nomination: Nomination,
    action: StepAction,
    to_stage: Stage,
    actor: User,
    *,
    now: datetime,
    opinion: str | None = None,
    checklist: dict[str, Any] | None = None,
    declared_no_conflict: bool = False,
) -> ReviewStep:
    """Move the nomination to `to_stage` and keep the step that did it. The caller has
    checked the move is allowed and holds the nomination's lock."""
    step = ReviewStep(
        nomination_id=nomination.id,
        action=action,
        from_stage=nomination.stage,
        to_stage=to_stage,
        actor_id=actor.id,
        opinion=opinion,
        checklist=checklist or {},
        declared_no_conflict=declared_no_conflict,
        acted_at=now,
    )
    db.session.add(step)
    if to_stage is not nomination.stage:
        nomination.stage = to_stage
        nomination.stage_entered_at = now
    nomination.updated_at = now
    db.session.flush()
    return step


def _covers(user: User, kind: AssignmentKind, region: Region, now: datetime) -> bool:
    return any(
        assignment.kind is kind
        and assignment.region is not None
        and region.id in descendant_ids(assignment.region)
        for assignment in assignments_of(user, now)
    )


def reviews_stage(user: User, nomination: Nomination, now: datetime) -> bool:
    """Whether the user is the reviewer of the nomination's current stage: a clerk of that
    level whose region holds the nominee's, or the city at the city level."""
    if nomination.stage is Stage.city:
        return scope_of(user, now).is_city
    kind = REVIEWER_OF_STAGE.get(nomination.stage)
    return kind is not None and _covers(user, kind, nomination.region, now)


def filed_by(user: User, nomination: Nomination) -> bool:
    """Whether the user entered the nomination or is one of its nominators."""
    if nomination.created_by_id == user.id:
        return True
    return (
        db.session.scalar(
            select(Nominator.id).where(
                Nominator.nomination_id == nomination.id, Nominator.user_id == user.id
            )
        )
        is not None
    )


def declared_conflict(user: User, nomination: Nomination) -> bool:
    """Whether the user declared a conflict of interest with the nomination."""
    return (
        db.session.scalar(
            select(ConflictDeclaration.id).where(
                ConflictDeclaration.nomination_id == nomination.id,
                ConflictDeclaration.user_id == user.id,
            )
        )
        is not None
    )


def require_no_conflict(user: User, nomination: Nomination) -> None:
    """Raise Forbidden for one who filed the nomination or declared a conflict with it: they
    never act on it."""
    if filed_by(user, nomination):
        raise Forbidden(_l("You put this nomination forward, so another reviewer acts on it."))
    if declared_conflict(user, nomination):
        raise Forbidden(_l("You declared a conflict of interest with this nomination."))


def sits_on_panel(user: User, nomination: Nomination) -> bool:
    """Whether the user is a panel reviewer assigned to the nomination's round."""
    return (
        db.session.scalar(
            select(PanelMember.id).where(
                PanelMember.round_id == nomination.round_id, PanelMember.user_id == user.id
            )
        )
        is not None
    )


def may_read(user: User, nomination: Nomination, now: datetime) -> bool:
    """Whether the user may read the nomination as the office does (not the public notice):
    the city; a clerk whose region holds the nominee's; those who filed it; a panel reviewer
    of its round once it reaches the panel. A merged or declined nomination stays readable to
    the same people: it is archived, never published."""
    scope = scope_of(user, now)
    if scope.is_city or scope.acts_in(nomination.region_id):
        return True
    if filed_by(user, nomination):
        return True
    return nomination.stage in PANEL_STAGES and sits_on_panel(user, nomination)


def readable_nomination(user: User, nomination_id: int, now: datetime) -> Nomination:
    """The nomination if the user may read it. Raises NotFound otherwise: an unpublished
    nomination is not theirs to know of."""
    nomination = get_nomination(nomination_id)
    if not may_read(user, nomination, now):
        raise NotFound(NO_SUCH_NOMINATION)
    return nomination


def require_stage(nomination: Nomination, *stages: Stage) -> None:
    """Raise Conflict unless the nomination stands at one of `stages`."""
    if nomination.stage not in stages:
        raise Conflict(
            _l(
                "This nomination is at “%(stage)s”; this step is not taken there.",
                stage=nomination.stage.label,
            ),
            code="stage",
        )


def latest_consent(nomination: Nomination) -> NominationConsent | None:
    """The answer about publishing that holds now: the latest recorded, or None."""
    return db.session.scalar(
        select(NominationConsent)
        .where(NominationConsent.nomination_id == nomination.id)
        .order_by(NominationConsent.recorded_at.desc(), NominationConsent.id.desc())
        .limit(1)
    )


def consent_holds() -> ColumnElement[bool]:
    """A condition on Nomination: its latest answer about publishing is an agreement. Every
    public view of a nomination filters by it, so that a withdrawal hides the entry at once."""
    latest = (
        select(NominationConsent.agreed)
        .where(NominationConsent.nomination_id == Nomination.id)
        .order_by(NominationConsent.recorded_at.desc(), NominationConsent.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    return latest.is_(True)
