"""The flags a nomination carries: a second live nomination of one nominee in a round points
at the first (`duplicate_of_id`), and a nominee who holds the round's honour or a higher one
already points at that honour (`held_honour_id`). Whoever sets them holds the round's lock
(nomination_access.lock_round), so two nominations arriving at the same instant are seen."""

from __future__ import annotations

from sqlalchemy import or_, select

from core.extensions import db
from honours.models import Honour, HonourLevel, HonourType, Round
from honours.nomination_models import ENDED_STAGES, Nomination
from honours.services import pipeline


def key_of(nomination: Nomination) -> str:
    """The nominee's key as the nomination now describes them (pipeline.nominee_key)."""
    return pipeline.nominee_key(
        nomination.nominee_name,
        nomination.nominee_birth_date,
        nomination.district_id,
        nomination.nominee_id_number,
    )


def _same_nominee(nomination: Nomination):
    """Live nominations of the round, other than this one, of the same nominee: the same key,
    or the same person of the register."""
    same = [Nomination.nominee_key == nomination.nominee_key]
    if nomination.person_id is not None:
        same.append(Nomination.person_id == nomination.person_id)
    return select(Nomination).where(
        Nomination.round_id == nomination.round_id,
        Nomination.id != nomination.id,
        Nomination.stage.not_in(ENDED_STAGES),
        or_(*same),
    )


def flag_duplicate(nomination: Nomination) -> None:
    """Point the nomination at the first (the oldest) live nomination of the same nominee in
    its round, or at none. If it is the first itself (a match made it one nominee with later
    ones), the later ones not flagged yet are pointed at it. Flags point at older nominations
    only, so none ever points back. The caller holds the round's lock."""
    same = _same_nominee(nomination)
    nomination.duplicate_of_id = db.session.scalar(
        same.with_only_columns(Nomination.id)
        .where(Nomination.id < nomination.id)
        .order_by(Nomination.id)
        .limit(1)
    )
    if nomination.duplicate_of_id is None:
        for later in db.session.scalars(
            same.where(Nomination.id > nomination.id, Nomination.duplicate_of_id.is_(None))
        ):
            later.duplicate_of_id = nomination.id
    db.session.flush()


def reflag_pointing_at(nomination: Nomination) -> None:
    """After the nomination ended (withdrawn, merged), the live ones flagged as its
    duplicates are pointed at the next first (the oldest of them is it), or at none. The
    caller holds the round's lock."""
    for other in db.session.scalars(
        select(Nomination)
        .where(
            Nomination.duplicate_of_id == nomination.id,
            Nomination.stage.not_in(ENDED_STAGES),
        )
        .order_by(Nomination.id)
    ):
        flag_duplicate(other)


def flag_held(nomination: Nomination, round_: Round) -> None:
    """Point the nomination at an honour its matched nominee holds already (not revoked) of
    the round's type or of a higher level, the highest first; at none otherwise."""
    if nomination.person_id is None:
        nomination.held_honour_id = None
        return
    level = round_.honour_type.level
    held = [Honour.honour_type_id == round_.honour_type_id]
    higher = [each for each in HonourLevel if each.rank < level.rank]
    if higher:
        held.append(HonourType.level.in_(higher))
    nomination.held_honour_id = db.session.scalar(
        select(Honour.id)
        .join(HonourType, HonourType.id == Honour.honour_type_id)
        .where(
            Honour.person_id == nomination.person_id,
            Honour.revoked_at.is_(None),
            or_(*held),
        )
        .order_by(HonourType.position, Honour.awarded_on.desc(), Honour.id.desc())
        .limit(1)
    )
    db.session.flush()
