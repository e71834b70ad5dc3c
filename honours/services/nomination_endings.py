"""How a nomination ends before its review is through: a flagged duplicate merged into the
first nomination of its nominee (合并), every nominator kept; and a withdrawal (撤回) by one who
filed it, before the public notice."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l

from core.auth.models import User
from core.errors import Conflict, Forbidden, ValidationFailed
from core.extensions import db
from honours.nomination_models import Nomination, Nominator, Stage, StepAction
from honours.services import nomination_access as access
from honours.services import nomination_flags as flags
from honours.services import pipeline
from honours.services.nominations import trimmed

REASON_MAX = 500


def _optional_reason(reason: str | None) -> str | None:
    reason = trimmed(reason)
    if reason and len(reason) > REASON_MAX:
        raise ValidationFailed(
            errors={"reason": [str(_l("At most %(n)d characters.", n=REASON_MAX))]}
        )
    return reason


def _with_reason(what, reason: str | None) -> str:
    # The step says which nomination went where, then why, in the words of who merged.
    return f"{what} {reason}" if reason else str(what)


def merge_duplicate(
    user: User, nomination_id: int, *, now: datetime, reason: str | None = None
) -> Nomination:
    """Merge a flagged duplicate into the first nomination of the nominee (合并): the
    duplicate ends merged into it, its nominators are kept on the first too (each with the
    nomination they came with), its files stay where they are and show on the first's page;
    a merge step is kept on both. A clerk acting at the duplicate's stage in its region, or
    the city. Returns the first.

    Raises NotFound, Conflict (not flagged; either no longer on its way), Forbidden,
    ValidationFailed (the reason too long)."""
    reason = _optional_reason(reason)
    _, duplicate = access.for_change(user, nomination_id, now)
    if duplicate.duplicate_of_id is None:
        raise Conflict(
            _l("This nomination is not flagged as a duplicate of another."), code="not_duplicate"
        )
    if not duplicate.stage.is_live:
        raise Conflict(
            _l("This nomination has ended: it is “%(stage)s”.", stage=duplicate.stage.label),
            code="stage",
        )
    first = pipeline.get_nomination(duplicate.duplicate_of_id, lock=True)
    if not first.stage.is_live:
        raise Conflict(
            _l("No. %(id)d has ended meanwhile: this one is no longer its duplicate.", id=first.id),
            code="first_ended",
        )
    if not access.may_merge(user, duplicate, now):
        raise Forbidden(
            _l("A clerk at the duplicate's level in its region, or the city, merges it.")
        )
    duplicate.merged_into_id = first.id
    pipeline.record_step(
        duplicate,
        StepAction.merged,
        Stage.merged,
        user,
        now=now,
        opinion=_with_reason(_l("Merged into No. %(id)d.", id=first.id), reason),
    )
    for nominator in list(duplicate.nominators):
        db.session.add(
            Nominator(
                nomination_id=first.id,
                from_nomination_id=nominator.from_nomination_id,
                kind=nominator.kind,
                user_id=nominator.user_id,
                name=nominator.name,
                contact_phone=nominator.contact_phone,
                added_at=now,
            )
        )
    pipeline.record_step(
        first,
        StepAction.merged,
        first.stage,
        user,
        now=now,
        opinion=_with_reason(_l("No. %(id)d was merged into this one.", id=duplicate.id), reason),
    )
    flags.reflag_pointing_at(duplicate)
    return first


def withdraw_nomination(
    user: User, nomination_id: int, *, now: datetime, reason: str | None = None
) -> Nomination:
    """Withdraw a nomination (撤回) while it is on its way, before the public notice: one who
    filed it (who entered it, or nominated with it), or the city at their request. Live
    nominations flagged as its duplicates are pointed at the next first.

    Raises NotFound, Conflict (at the notice or ended), Forbidden, ValidationFailed."""
    reason = _optional_reason(reason)
    _, nomination = access.for_change(user, nomination_id, now)
    if nomination.stage not in access.WITHDRAWABLE:
        raise Conflict(
            _l(
                "A nomination is withdrawn while it is on its way, before the public notice; "
                "this one is at “%(stage)s”.",
                stage=nomination.stage.label,
            ),
            code="stage",
        )
    if not access.may_withdraw(user, nomination, now):
        raise Forbidden(_l("Only one who filed the nomination withdraws it."))
    pipeline.record_step(
        nomination, StepAction.withdrawn, Stage.withdrawn, user, now=now, opinion=reason
    )
    flags.reflag_pointing_at(nomination)
    return nomination
