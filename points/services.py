"""Ledger rules: accounts, posting entries exactly once, earning from attendance, the office's
adjustments, balances, history and the proof that balances equal their entries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import case, func, select, update
from sqlalchemy.exc import IntegrityError

from core.auth.models import Role, User
from core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from core.extensions import db
from points.models import Account, AccountKind, CauseKind, EntryKind, LedgerEntry

MAX_ADJUSTMENT = 100_000


class InsufficientBalance(Conflict):
    code = "insufficient_balance"
    default_message = _l("The balance does not cover this.")


def _account(kind: AccountKind, owner_id: int | None) -> Account:
    """The account of an owner (or the system account of a kind), made on first use. Two
    requests making it at once both end with the same row."""
    query = select(Account).where(Account.kind == kind)
    query = query.where(
        Account.owner_id == owner_id if owner_id is not None else Account.owner_id.is_(None)
    )
    found = db.session.scalar(query)
    if found is not None:
        return found
    try:
        with db.session.begin_nested():
            account = Account(kind=kind, owner_id=owner_id, balance=0)
            db.session.add(account)
    except IntegrityError:
        return db.session.scalars(query).one()
    return account


def volunteer_account(user: User) -> Account:
    """The volunteer's points account."""
    return _account(AccountKind.volunteer, user.id)


def system_account(kind: AccountKind) -> Account:
    """The issuance or adjustment account."""
    return _account(kind, None)


@dataclass(frozen=True)
class Posting:
    """What an entry moves, and why; `key` makes posting it twice post it once."""

    from_account: Account
    to_account: Account
    amount: int
    kind: EntryKind
    cause_kind: CauseKind
    cause_id: int | None
    key: str
    memo: str = ""
    actor_id: int | None = None
    reverses_id: int | None = None


def _same(entry: LedgerEntry, posting: Posting) -> bool:
    return (
        entry.from_account_id,
        entry.to_account_id,
        entry.amount,
        entry.kind,
        entry.cause_kind,
        entry.cause_id,
    ) == (
        posting.from_account.id,
        posting.to_account.id,
        posting.amount,
        posting.kind,
        posting.cause_kind,
        posting.cause_id,
    )


def find_entry(key: str) -> LedgerEntry | None:
    return db.session.scalar(select(LedgerEntry).where(LedgerEntry.idempotency_key == key))


def post(posting: Posting, *, now: datetime) -> tuple[LedgerEntry, bool]:
    """Post one entry and move the cached balances with it, in the caller's transaction.
    Returns the entry and whether it was posted now: the same key posted again returns the
    first entry and moves nothing.

    Raises InsufficientBalance (a volunteer's account would go below zero; the database's
    conditional UPDATE decides, so concurrent spends cannot overdraw), Conflict (the key was
    used for a different movement), ValidationFailed (amount not positive).
    """
    if posting.amount <= 0:
        raise ValidationFailed(errors={"amount": [str(_l("Enter a positive whole number."))]})
    existing = find_entry(posting.key)
    if existing is None:
        try:
            with db.session.begin_nested():
                entry = LedgerEntry(
                    from_account_id=posting.from_account.id,
                    to_account_id=posting.to_account.id,
                    amount=posting.amount,
                    kind=posting.kind,
                    cause_kind=posting.cause_kind,
                    cause_id=posting.cause_id,
                    memo=posting.memo,
                    actor_id=posting.actor_id,
                    reverses_id=posting.reverses_id,
                    idempotency_key=posting.key,
                    created_at=now,
                )
                db.session.add(entry)
        except IntegrityError:
            # Another request posted this key first (on PostgreSQL the insert waited for it).
            existing = find_entry(posting.key)
            if existing is None:
                raise
        else:
            _move(posting)
            return entry, True
    if not _same(existing, posting):
        raise Conflict(_l("This request was already used for something else."), code="key_reused")
    return existing, False


def _move(posting: Posting) -> None:
    source = posting.from_account
    debit = (
        update(Account)
        .where(Account.id == source.id)
        .values(balance=Account.balance - posting.amount)
        .execution_options(synchronize_session=False)
    )
    if source.kind is AccountKind.volunteer:
        debit = debit.where(Account.balance >= posting.amount)
    if db.session.execute(debit).rowcount != 1:
        raise InsufficientBalance()
    db.session.execute(
        update(Account)
        .where(Account.id == posting.to_account.id)
        .values(balance=Account.balance + posting.amount)
        .execution_options(synchronize_session=False)
    )
    db.session.expire(source, ["balance"])
    db.session.expire(posting.to_account, ["balance"])


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
) -> LedgerEntry:
    """The office grants (amount > 0) or deducts (amount < 0) points by hand, with a reason
    the volunteer sees in their history. `key` makes a retried request post once.

    Raises Forbidden (not office), NotFound, ValidationFailed (no reason, zero or huge
    amount), InsufficientBalance (a deduction beyond the balance), Conflict (key reused).
    """
    if office.role is not Role.office:
        raise Forbidden()
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
    entry, _ = post(
        Posting(
            from_account=pool if amount > 0 else account,
            to_account=account if amount > 0 else pool,
            amount=abs(amount),
            kind=EntryKind.adjust,
            cause_kind=CauseKind.adjustment,
            cause_id=None,
            key=f"adjustment:{key}",
            memo=reason,
            actor_id=office.id,
        ),
        now=now,
    )
    return entry


def balance_of(user: User) -> int:
    """The volunteer's balance, read from the cached column (O(1))."""
    account = db.session.scalar(
        select(Account).where(Account.kind == AccountKind.volunteer, Account.owner_id == user.id)
    )
    return account.balance if account is not None else 0


@dataclass(frozen=True)
class HistoryLine:
    entry: LedgerEntry
    change: int  # positive: received; negative: spent or taken back


def history(user: User, *, limit: int = 200) -> list[HistoryLine]:
    """The volunteer's entries, newest first, each with its signed change and memo."""
    account = db.session.scalar(
        select(Account).where(Account.kind == AccountKind.volunteer, Account.owner_id == user.id)
    )
    if account is None:
        return []
    query = (
        select(LedgerEntry)
        .where(
            (LedgerEntry.to_account_id == account.id) | (LedgerEntry.from_account_id == account.id)
        )
        .order_by(LedgerEntry.created_at.desc(), LedgerEntry.id.desc())
        .limit(limit)
    )
    return [
        HistoryLine(e, e.amount if e.to_account_id == account.id else -e.amount)
        for e in db.session.scalars(query)
    ]


@dataclass(frozen=True)
class LedgerCheck:
    accounts: int
    entries: int
    total: int
    mismatches: list[tuple[int, int, int]]  # (account id, cached, from entries)
    overdrawn: list[int]

    @property
    def ok(self) -> bool:
        return self.total == 0 and not self.mismatches and not self.overdrawn


def verify_ledger() -> LedgerCheck:
    """Recompute every balance from the entries (one SQL aggregation) and compare it with the
    cached one; check that all balances sum to zero and no volunteer is below zero."""
    incoming = select(
        LedgerEntry.to_account_id.label("account_id"), LedgerEntry.amount.label("delta")
    )
    outgoing = select(
        LedgerEntry.from_account_id.label("account_id"), (-LedgerEntry.amount).label("delta")
    )
    moves = incoming.union_all(outgoing).subquery()
    sums = (
        select(moves.c.account_id, func.sum(moves.c.delta).label("total"))
        .group_by(moves.c.account_id)
        .subquery()
    )
    rows = db.session.execute(
        select(Account.id, Account.kind, Account.balance, func.coalesce(sums.c.total, 0))
        .outerjoin(sums, sums.c.account_id == Account.id)
        .order_by(Account.id)
    ).all()
    mismatches = [(a, cached, int(real)) for a, _, cached, real in rows if cached != int(real)]
    overdrawn = [a for a, kind, cached, _ in rows if kind is AccountKind.volunteer and cached < 0]
    entries = db.session.scalar(select(func.count()).select_from(LedgerEntry))
    total = sum(cached for _, _, cached, _ in rows)
    return LedgerCheck(len(rows), entries, total, mismatches, overdrawn)
