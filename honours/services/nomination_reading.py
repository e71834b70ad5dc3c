"""Reading nominations: the clerk's list in their region, the list of what one filed, and one
nomination as its reader may see it (the nominee's phone and ID number masked but for the
district and the city, whose whole view is logged), with what they may do to it now."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from core.auth.models import User
from core.extensions import db
from core.rows import Slice, Window, read_slice
from honours.models import Round, SensitiveField, SensitiveView, ViewChannel
from honours.nomination_models import (
    ENDED_STAGES,
    Channel,
    Nomination,
    Nominator,
    ReviewStep,
    Stage,
)
from honours.services import nomination_access as access
from honours.services import nomination_files as files
from honours.services.privacy import mask_id_number, mask_phone
from honours.services.scope import scope_of


@dataclass(frozen=True)
class NominationFilter:
    """What the clerk's list is narrowed to; `is_flagged`: live ones flagged as a duplicate
    or as holding the honour already."""

    round_id: int | None = None
    stage: Stage | None = None
    channel: Channel | None = None
    is_flagged: bool = False


def _listed(query):
    return query.options(
        selectinload(Nomination.round),
        selectinload(Nomination.region),
        selectinload(Nomination.district),
    ).order_by(Nomination.created_at.desc(), Nomination.id.desc())


def list_nominations(
    user: User, filters: NominationFilter, window: Window, *, now: datetime
) -> Slice[Nomination]:
    """The nominations of the clerk's region and below (all for the city), the newest first;
    nothing for one who is no clerk of a region."""
    scope = scope_of(user, now)
    if not scope.is_clerk:
        return Slice([], 0)
    query = select(Nomination)
    if not scope.is_city:
        query = query.where(Nomination.region_id.in_(scope.regions))
    if filters.round_id:
        query = query.where(Nomination.round_id == filters.round_id)
    if filters.stage:
        query = query.where(Nomination.stage == filters.stage)
    if filters.channel:
        query = query.where(Nomination.channel == filters.channel)
    if filters.is_flagged:
        query = query.where(
            Nomination.stage.not_in(ENDED_STAGES),
            or_(Nomination.duplicate_of_id.is_not(None), Nomination.held_honour_id.is_not(None)),
        )
    return read_slice(_listed(query), window, count=query)


def list_round_choices(limit: int = 100) -> list[Round]:
    """The rounds a list of nominations may be narrowed to, the latest first."""
    return list(
        db.session.scalars(
            select(Round).order_by(Round.opens_on.desc(), Round.id.desc()).limit(limit)
        )
    )


def list_my_nominations(user: User, window: Window) -> Slice[Nomination]:
    """The nominations the user filed: entered, or nominated with (a merge included), the
    newest first."""
    mine = select(Nominator.nomination_id).where(Nominator.user_id == user.id)
    query = select(Nomination).where(
        or_(Nomination.created_by_id == user.id, Nomination.id.in_(mine))
    )
    return read_slice(_listed(query), window, count=query)


@dataclass(frozen=True)
class Shown:
    """The sensitive fields of a nomination as one viewer may see them: whole for the
    district and the city of the nominee's region, masked for everyone else."""

    nominee_phone: str | None
    nominee_id_number: str | None
    contact_phones: dict[int, str | None]
    is_whole: bool


@dataclass(frozen=True)
class NominationDetail:
    """A nomination as one user may see it, with what they may do to it now."""

    nomination: Nomination
    shown: Shown
    # Clerks and the city see every nominator and who acted at each step; one who filed the
    # nomination sees themself among the nominators, and what was done.
    nominators: list[Nominator]
    steps: list[ReviewStep]
    files: list[files.FileEntry]
    merged_from: list[int]
    sees_actors: bool
    # Whether the nominee's record of the register is theirs to open (a clerk of its region).
    reads_record: bool
    can_edit: bool
    can_match: bool
    can_submit: bool
    can_change_files: bool
    can_merge: bool
    can_withdraw: bool

    @property
    def actions(self) -> list[str]:
        names = ("edit", "match", "submit", "change_files", "merge", "withdraw")
        return [name for name in names if getattr(self, f"can_{name}")]


def _shown(nomination: Nomination, whole: bool) -> Shown:
    def phone(value):
        return value if whole else mask_phone(value)

    return Shown(
        nominee_phone=phone(nomination.nominee_phone),
        nominee_id_number=(
            nomination.nominee_id_number if whole else mask_id_number(nomination.nominee_id_number)
        ),
        contact_phones={n.id: phone(n.contact_phone) for n in nomination.nominators},
        is_whole=whole,
    )


def _log_whole_view(
    user: User, nomination: Nomination, *, channel: ViewChannel, place: str, now: datetime
) -> None:
    """A whole view of the nominee's phone or ID number is logged against their record of the
    register; before the match there is none, and they are shown masked (see show_nomination)."""
    fields = [
        field
        for field, value in (
            (SensitiveField.id_number, nomination.nominee_id_number),
            (SensitiveField.phone, nomination.nominee_phone),
        )
        if value
    ]
    if fields:
        db.session.add(
            SensitiveView(
                viewer_id=user.id,
                person_id=nomination.person_id,
                fields=",".join(f.value for f in SensitiveField if f in fields),
                channel=channel,
                place=place[:100],
                viewed_at=now,
            )
        )
        db.session.flush()


def show_nomination(
    user: User, nomination_id: int, *, now: datetime, channel: ViewChannel, place: str
) -> NominationDetail:
    """The nomination for one who may read it (pipeline.may_read), with its files (and those of
    duplicates merged into it), and what the user may do now. The nominee's phone and ID
    number (and the nominators' phones) are whole for the district and the city once the
    nominee is matched, the view then logged against the record; masked otherwise.
    Raises NotFound."""
    nomination = access.readable(user, nomination_id, now)
    scope = scope_of(user, now)
    # Before the match there is no record to log a whole view against: masked for everyone.
    shown = _shown(
        nomination, nomination.person_id is not None and scope.sees_whole(nomination.region_id)
    )
    if shown.is_whole:
        _log_whole_view(user, nomination, channel=channel, place=place, now=now)
    # A sector's clerk is a clerk too, though of no region.
    is_clerk = scope.is_clerk or bool(access.sector_ids(user, now))
    merged_from = list(
        db.session.scalars(
            select(Nomination.id)
            .where(Nomination.merged_into_id == nomination.id)
            .order_by(Nomination.id)
        )
    )
    return NominationDetail(
        nomination=nomination,
        shown=shown,
        nominators=[each for each in nomination.nominators if is_clerk or each.user_id == user.id],
        steps=steps_of(nomination),
        files=files.files_of(nomination),
        merged_from=merged_from,
        sees_actors=is_clerk,
        reads_record=nomination.person is not None and scope.acts_in(nomination.person.region_id),
        can_edit=access.may_edit(user, nomination, now),
        can_match=access.may_match(user, nomination, now),
        can_submit=access.may_edit(user, nomination, now),
        can_change_files=access.may_change_files(user, nomination, now),
        can_merge=access.may_merge(user, nomination, now),
        can_withdraw=access.may_withdraw(user, nomination, now),
    )


def steps_of(nomination: Nomination) -> list[ReviewStep]:
    """The nomination's steps, oldest first, with who acted."""
    return list(
        db.session.scalars(
            select(ReviewStep)
            .where(ReviewStep.nomination_id == nomination.id)
            .options(selectinload(ReviewStep.actor))
            .order_by(ReviewStep.acted_at, ReviewStep.id)
        )
    )
