"""Who acts on a nomination, and when: who drafts territorial nominations where, who files
media ones, who enters leads; who may edit, match, change the files of, merge or withdraw a
nomination; reading one (pipeline.readable_nomination) and locking it with its round's row;
and which rounds take nominations today."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, select

from core.auth.assignments import AssignmentKind, assignments_of
from core.auth.models import User
from core.clock import local_day
from core.errors import Conflict, ValidationFailed
from core.extensions import db
from core.regions import Region, RegionLevel, is_within
from honours.models import Round, RoundStatus
from honours.nomination_models import (
    Channel,
    Nomination,
    Nominator,
    ReviewStep,
    Stage,
    StepAction,
)
from honours.services import pipeline
from honours.services.scope import scope_of

# The stages from which one who filed a nomination may still withdraw it: on its way, before
# the public notice.
WITHDRAWABLE = frozenset(
    {
        Stage.draft,
        Stage.community,
        Stage.street,
        Stage.district,
        Stage.city,
        Stage.consent,
        Stage.panel,
    }
)
# The stage at which each channel's nomination arrives when it is filed.
ARRIVES_AT = {Channel.public: Stage.community, Channel.media: Stage.city}
NOT_OURS = _l("Only the nomination's drafter, a clerk of its community or sector, or the city may.")


def _held(user: User, now: datetime, kind: AssignmentKind) -> list:
    if not user.is_enabled:
        return []
    return [a for a in assignments_of(user, now) if a.kind is kind]


def is_media_editor(user: User, now: datetime) -> bool:
    """Whether the user holds the media editor's role (媒体推荐群) at `now`."""
    return bool(_held(user, now, AssignmentKind.media_editor))


def sector_ids(user: User, now: datetime) -> set[int]:
    """The sectors the user is a clerk of at `now`."""
    return {a.sector_id for a in _held(user, now, AssignmentKind.sector_clerk)}


def may_draft_at(user: User, region: Region, sector_id: int | None, now: datetime) -> bool:
    """Whether the user may draft a territorial nomination of a nominee of `region`: a
    community's clerk in their community, a sector's clerk for their sector, the city
    anywhere."""
    if scope_of(user, now).is_city:
        return True
    if sector_id is not None:
        return sector_id in sector_ids(user, now)
    return region.level is RegionLevel.community and any(
        a.region is not None and is_within(region, a.region)
        for a in _held(user, now, AssignmentKind.community_clerk)
    )


def may_draft(user: User, now: datetime) -> bool:
    """Whether the user may draft territorial nominations anywhere at all (the way in)."""
    return (
        scope_of(user, now).is_city
        or bool(_held(user, now, AssignmentKind.community_clerk))
        or bool(sector_ids(user, now))
    )


def may_enter_leads(user: User, now: datetime) -> bool:
    """Whether the user may enter leads from the office's email or hotline: a clerk of a
    region, or the city."""
    return scope_of(user, now).is_clerk


def filed_directly(user: User, nomination: Nomination) -> bool:
    """Whether the user entered the nomination or nominated with it (not one whose nomination
    was merged into it)."""
    if nomination.created_by_id == user.id:
        return True
    return bool(
        db.session.scalar(
            select(
                exists().where(
                    Nominator.nomination_id == nomination.id,
                    Nominator.from_nomination_id == nomination.id,
                    Nominator.user_id == user.id,
                )
            )
        )
    )


def may_edit_draft(user: User, nomination: Nomination, now: datetime) -> bool:
    """Who changes a draft: for a territorial one, who may draft it there; else who entered
    it, or the city."""
    if nomination.channel is Channel.territorial:
        return may_draft_at(user, nomination.region, nomination.sector_id, now)
    return nomination.created_by_id == user.id or scope_of(user, now).is_city


def handles_lead(user: User, nomination: Nomination, now: datetime) -> bool:
    """The community's clerk of the nominee (the reviewer at the community) or the city."""
    return pipeline.reviews_stage(user, nomination, now) or scope_of(user, now).is_city


def has_just_arrived(nomination: Nomination) -> bool:
    """A lead at the community, or a media case at the city, that no one has acted on yet."""
    if ARRIVES_AT.get(nomination.channel) is not nomination.stage:
        return False
    last = db.session.scalar(
        select(ReviewStep.action)
        .where(ReviewStep.nomination_id == nomination.id)
        .order_by(ReviewStep.id.desc())
        .limit(1)
    )
    return last is StepAction.submitted


def was_submitted(nomination: Nomination) -> bool:
    """Whether the nomination was submitted before (a draft returned to its drafter)."""
    return bool(
        db.session.scalar(
            select(
                exists().where(
                    ReviewStep.nomination_id == nomination.id,
                    ReviewStep.action == StepAction.submitted,
                )
            )
        )
    )


def may_edit(user: User, nomination: Nomination, now: datetime) -> bool:
    """Whether the user may change (and submit) the nomination now: a draft of theirs."""
    return nomination.stage is Stage.draft and may_edit_draft(user, nomination, now)


def may_match(user: User, nomination: Nomination, now: datetime) -> bool:
    """Whether the user may match the nominee to the register now: a draft by who may edit
    it, a nomination at the community by that community's clerk or the city."""
    if nomination.stage is Stage.draft:
        return may_edit_draft(user, nomination, now)
    return nomination.stage is Stage.community and handles_lead(user, nomination, now)


def may_change_files(user: User, nomination: Nomination, now: datetime) -> bool:
    """Whether the user may add or remove files now: a draft by who may edit it; a lead or
    media case no one has acted on yet by who filed it, the clerk at its level or the city."""
    if nomination.stage is Stage.draft:
        return may_edit_draft(user, nomination, now)
    if not has_just_arrived(nomination):
        return False
    return (
        filed_directly(user, nomination)
        or pipeline.reviews_stage(user, nomination, now)
        or scope_of(user, now).is_city
    )


def may_merge(user: User, nomination: Nomination, now: datetime) -> bool:
    """Whether the user may merge the nomination, flagged as a live duplicate, into its
    first: the city, or a clerk acting at its stage in its region (who may edit a draft)."""
    if nomination.duplicate_of_id is None or not nomination.stage.is_live:
        return False
    if scope_of(user, now).is_city:
        return True
    if nomination.stage is Stage.draft:
        return may_edit_draft(user, nomination, now)
    return pipeline.reviews_stage(user, nomination, now)


def may_withdraw(user: User, nomination: Nomination, now: datetime) -> bool:
    """Whether the user may withdraw the nomination now: on its way before the notice, by one
    who filed it or the city."""
    return nomination.stage in WITHDRAWABLE and (
        filed_directly(user, nomination) or scope_of(user, now).is_city
    )


def readable(user: User, nomination_id: int, now: datetime) -> Nomination:
    """The nomination if the user may read it (pipeline.readable_nomination). Raises NotFound."""
    return pipeline.readable_nomination(user, nomination_id, now)


def lock_round(round_id: int) -> Round:
    """The round's row, locked: whoever looks for a duplicate in the round, or adds a
    nomination to it, holds this lock until the commit, so two doing so at the same instant
    take turns and the second sees the first."""
    return db.session.get(Round, round_id, with_for_update=True, populate_existing=True)


def for_change(user: User, nomination_id: int, now: datetime) -> tuple[Round, Nomination]:
    """The round and the nomination, both locked (the round first, as everywhere here), if
    the user may read the nomination. Raises NotFound."""
    round_id = readable(user, nomination_id, now).round_id
    round_ = lock_round(round_id)
    return round_, pipeline.get_nomination(nomination_id, lock=True)


def list_open_rounds(now: datetime) -> list[Round]:
    """The rounds taking nominations today (open, and today within their dates), the one
    closing first first."""
    today = local_day(now)
    return list(
        db.session.scalars(
            select(Round)
            .where(
                Round.status == RoundStatus.open,
                Round.opens_on <= today,
                Round.closes_on >= today,
            )
            .order_by(Round.closes_on, Round.id)
        )
    )


def require_accepting(round_: Round, now: datetime, *, dates: bool = True) -> None:
    """Raise Conflict (under `round_id`) unless the round is open and, with `dates`, today
    (the city's day) lies within its nomination dates."""
    today = local_day(now)
    message = None
    if round_.status is not RoundStatus.open:
        message = _l("The round “%(name)s” is not open for nominations.", name=round_.name)
    elif dates and today < round_.opens_on:
        message = _l("Nominations for this round open on %(day)s.", day=round_.opens_on.isoformat())
    elif dates and today > round_.closes_on:
        message = _l(
            "Nominations for this round closed on %(day)s.", day=round_.closes_on.isoformat()
        )
    if message is not None:
        raise Conflict(message, errors={"round_id": [str(message)]}, code="round_not_open")


def accepting_round(round_id: Any, now: datetime) -> Round:
    """The round chosen, locked, if it takes nominations today. Raises ValidationFailed (no
    such round) or Conflict (see require_accepting), both under `round_id`."""
    round_ = lock_round(round_id) if isinstance(round_id, int) and round_id > 0 else None
    if round_ is None:
        message = _l("Choose a round that is open for nominations.")
        raise ValidationFailed(message, errors={"round_id": [str(message)]})
    require_accepting(round_, now)
    return round_
