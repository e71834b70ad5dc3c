"""Points a volunteer gets or loses off the counter: attendance credits, office adjustments."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import case, func, select

from core.auth.models import Role, User
from core.auth.services import require_office
from core.errors import NotFound, ValidationFailed
from core.extensions import db
from points.models import Account, AccountKind, CauseKind, EntryKind, LedgerEntry
from points.services.ledger import MAX_ADJUSTMENT, Posting, post, system_account, volunteer_account


def _net_for_cause(account: Account, cause_kind: CauseKind, cause_id: int) -> tuple[int, int]:
    """(net points the account received for a cause, how many entries it has)."""
    signed = case(
        (LedgerEntry.to_account_id == account.id, LedgerEntry.amount), else_=-LedgerEntry.amount
    )
    net, entries = db.session.execute(
        select(func.coalesce(func.sum(signed), 0), func.count(LedgerEntry.id)).where(
            LedgerEntry.cause_kind == cause_kind,
            LedgerEntry.cause_id == cause_id,
            (LedgerEntry.to_account_id == account.id) | (LedgerEntry.from_account_id == account.id),
        )
    ).one()
    return int(net), int(entries)


def settle_attendance(
    volunteer: User, check_in_id: int, points_due: int, *, actor: User, memo: str, now: datetime
) -> LedgerEntry | None:
    """Bring what a volunteer earned for one check-in to `points_due`: the first confirmation
    credits it, a later correction posts the difference (an earning or a reversing entry),
    never an edit. The caller holds the check-in locked, so the entries of one check-in are
    numbered in turn; a retried confirmation finds nothing left to post.

    Raises InsufficientBalance when a downward correction exceeds what the volunteer still has.
    """
    account = volunteer_account(volunteer)
    earned, entries = _net_for_cause(account, CauseKind.attendance, check_in_id)
    difference = points_due - earned
    if difference == 0:
        return None
    issuance = system_account(AccountKind.issuance)
    earning = difference > 0
    entry, _ = post(
        Posting(
            from_account=issuance if earning else account,
            to_account=account if earning else issuance,
            amount=abs(difference),
            kind=EntryKind.earn if earning else EntryKind.reverse,
            cause_kind=CauseKind.attendance,
            cause_id=check_in_id,
            key=f"attendance:{check_in_id}:{entries + 1}",
            memo=memo,
            actor_id=actor.id,
        ),
        now=now,
    )
    return entry


def adjust(
    office: User, volunteer_id: int, *, amount: int, reason: str, key: str, now: datetime
) -> tuple[LedgerEntry, bool]:
    """The office grants (amount > 0) or deducts (amount < 0) points by hand, with a reason
    the volunteer sees in their history. Returns the entry and whether it was posted now:
    `key` (one office user's) makes a retried request post once.

    Raises Forbidden (not office), NotFound, ValidationFailed (no reason, zero or huge
    amount), InsufficientBalance (a deduction beyond the balance), Conflict (key reused).
    """
    require_office(office)
    key = (key or "").strip()
    if not key or len(key) > 100:
        raise ValidationFailed(errors={"key": [str(_l("A request key is needed."))]})
    volunteer = db.session.get(User, volunteer_id)
    if volunteer is None or volunteer.role is not Role.volunteer:
        raise NotFound(_l("No such volunteer."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(errors={"reason": [str(_l("Give a reason."))]})
    if amount == 0 or abs(amount) > MAX_ADJUSTMENT:
        raise ValidationFailed(
            errors={"amount": [str(_l("Enter a non-zero amount of at most 100000."))]}
        )
    account = volunteer_account(volunteer)
    pool = system_account(AccountKind.adjustment)
    return post(
        Posting(
            from_account=pool if amount > 0 else account,
            to_account=account if amount > 0 else pool,
            amount=abs(amount),
            kind=EntryKind.adjust,
            cause_kind=CauseKind.adjustment,
            cause_id=None,
            key=f"adjustment:{office.id}:{key}",
            memo=reason,
            actor_id=office.id,
        ),
        now=now,
    )
