"""The ledger: accounts, posting entries exactly once, balances, history and their proof."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased

from core.auth.models import User
from core.errors import Conflict, ValidationFailed
from core.extensions import db
from core.rows import Slice, Window, insert_unless_present, read_slice
from points.gift_models import PointsGift
from points.models import (
    NEVER_OVERDRAWN,
    Account,
    AccountKind,
    CauseKind,
    EntryKind,
    LedgerEntry,
    Merchant,
)
from points.services.lots import LotCheck, follow_entry, verify_lots

if TYPE_CHECKING:
    from volunteer.models import Team

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
    return _found_or_made(query, kind=kind, owner_id=owner_id)


def _found_or_made(query: Select, **values) -> Account:
    """The account `query` finds, else a new one of `values`; when a concurrent request makes
    it first, its row."""
    found = db.session.scalar(query)
    if found is not None:
        return found
    try:
        with db.session.begin_nested():
            account = Account(balance=0, **values)
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


def merchant_account(merchant: Merchant) -> Account:
    """The account a merchant's redemptions are paid into."""
    query = select(Account).where(
        Account.kind == AccountKind.merchant, Account.merchant_id == merchant.id
    )
    return _found_or_made(query, kind=AccountKind.merchant, merchant_id=merchant.id)


def pool_account(team: Team | None) -> Account:
    """A team's charity pool (爱心积分池), or the city's when `team` is None, made on first
    use; two requests making it at once both end with the same row."""
    query = select(Account).where(Account.kind == AccountKind.charity_pool)
    if team is None:
        query = query.where(Account.team_id.is_(None))
    else:
        query = query.where(Account.team_id == team.id)
    team_id = team.id if team is not None else None
    return _found_or_made(query, kind=AccountKind.charity_pool, team_id=team_id)


def lock_accounts(*accounts: Account) -> None:
    """Hold the accounts' rows until the commit, taken in id order. Whoever moves points
    between several volunteers in one unit of work locks them first, so that two such units
    over the same accounts wait for each other instead of deadlocking (PostgreSQL; SQLite's
    writers take turns anyway)."""
    _lock_in_order(Account.id.in_(sorted({a.id for a in accounts})))


def lock_volunteer_accounts(user_ids: list[int]) -> None:
    """`lock_accounts` for the volunteers' accounts that exist."""
    _lock_in_order(Account.kind == AccountKind.volunteer, Account.owner_id.in_(user_ids))


def _lock_in_order(*where) -> None:
    db.session.execute(select(Account.id).where(*where).order_by(Account.id).with_for_update())


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
    # One statement whatever happens: a key posted already (also by a concurrent request,
    # which PostgreSQL waits for) inserts nothing and returns nothing.
    entry = db.session.scalar(
        insert_unless_present(LedgerEntry, "idempotency_key")
        .values(
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
        .returning(LedgerEntry)
    )
    if entry is not None:
        _move(posting)
        follow_entry(entry, posting.from_account, posting.to_account, now=now)
        return entry, True
    existing = find_entry(posting.key)
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
    if source.kind in NEVER_OVERDRAWN:
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


def balance_of(user: User) -> int:
    """The volunteer's balance, read from the cached column (O(1))."""
    balance = db.session.scalar(
        select(Account.balance).where(
            Account.kind == AccountKind.volunteer, Account.owner_id == user.id
        )
    )
    return balance or 0


class Movement(enum.Enum):
    """What a line of a volunteer's history was, told from its entry's kind and cause: a
    purchase and its reversal both carry the merchant's name, an earning and its correction
    the shift's activity and day (the memo events writes, so points never imports events)."""

    earned = "earned"  # points for a shift served, or a correction that added some
    earning_corrected = "earning_corrected"  # a correction that took some back
    purchase = "purchase"  # 兑换
    purchase_reversed = "purchase_reversed"  # 撤销兑换
    adjusted = "adjusted"  # by the office, with its reason
    gift_sent = "gift_sent"  # 转赠 to a family member, named in the memo
    gift_received = "gift_received"  # 收到转赠 from a family member, named in the memo
    donated = "donated"  # 捐入 a charity pool, named in the memo
    pool_award = "pool_award"  # 爱心积分池奖励, the office's reason in the memo
    expired = "expired"  # 积分过期


_MOVEMENT_OF_CAUSE = {
    CauseKind.adjustment: Movement.adjusted,
    CauseKind.donation: Movement.donated,
    CauseKind.pool_award: Movement.pool_award,
    CauseKind.expiry: Movement.expired,
}


@dataclass(frozen=True)
class HistoryLine:
    entry: LedgerEntry
    change: int  # positive: received; negative: spent or taken back
    # For a gift between family members, the other one's name as it is now: read from the
    # gift, not kept in the memo, so that closing an account erases it from the other's
    # history too (an entry never changes).
    counterpart: str | None = None

    @property
    def movement(self) -> Movement:
        cause, kind = self.entry.cause_kind, self.entry.kind
        if cause is CauseKind.redemption:
            return Movement.purchase_reversed if kind is EntryKind.reverse else Movement.purchase
        if cause is CauseKind.attendance:
            return Movement.earning_corrected if kind is EntryKind.reverse else Movement.earned
        return _MOVEMENT_OF_CAUSE.get(cause) or (
            Movement.gift_sent if self.change < 0 else Movement.gift_received
        )

    @property
    def redemption_id(self) -> int | None:
        """The redemption a purchase or its reversal belongs to: the number on the receipt,
        which pairs the two."""
        return self.entry.cause_id if self.entry.cause_kind is CauseKind.redemption else None


def history(user: User, *, window: Window) -> Slice[HistoryLine]:
    """The `window` of the volunteer's entries, newest first, each with its signed change,
    memo and what it was (`HistoryLine.movement`), and how many entries there are."""
    account = db.session.scalar(
        select(Account).where(Account.kind == AccountKind.volunteer, Account.owner_id == user.id)
    )
    if account is None:
        return Slice([], 0)
    query = (
        select(LedgerEntry)
        .where(
            (LedgerEntry.to_account_id == account.id) | (LedgerEntry.from_account_id == account.id)
        )
        .order_by(LedgerEntry.created_at.desc(), LedgerEntry.id.desc())
    )
    found = read_slice(query, window)
    names = _family_names([e.cause_id for e in found.items if e.cause_kind is CauseKind.gift])
    lines = []
    for e in found.items:
        received = e.to_account_id == account.id
        giver, recipient = names.get(e.cause_id, (None, None))
        counterpart = (giver if received else recipient) if e.cause_kind is CauseKind.gift else None
        lines.append(HistoryLine(e, e.amount if received else -e.amount, counterpart))
    return Slice(lines, found.total)


def _family_names(gift_ids: list[int]) -> dict[int, tuple[str, str]]:
    """gift id → (giver's name, recipient's name), in one query; none when there are none."""
    if not gift_ids:
        return {}
    giver, recipient = aliased(User), aliased(User)
    rows = db.session.execute(
        select(PointsGift.id, giver.display_name, recipient.display_name)
        .join(giver, giver.id == PointsGift.giver_id)
        .join(recipient, recipient.id == PointsGift.recipient_id)
        .where(PointsGift.id.in_(gift_ids))
    ).all()
    return {gift_id: (given_by, given_to) for gift_id, given_by, given_to in rows}


@dataclass(frozen=True)
class LedgerCheck:
    accounts: int
    entries: int
    total: int
    mismatches: list[tuple[int, int, int]]  # (account id, cached, from entries)
    overdrawn: list[int]
    lots: LotCheck

    @property
    def ok(self) -> bool:
        return self.total == 0 and not self.mismatches and not self.overdrawn and self.lots.ok


def verify_ledger() -> LedgerCheck:
    """Recompute every balance from the entries (one SQL aggregation) and compare it with the
    cached one; check that all balances sum to zero, no volunteer or pool is below zero, and
    each volunteer's unexpired lots add up to their balance (`verify_lots`)."""
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
    overdrawn = [a for a, kind, cached, _ in rows if kind in NEVER_OVERDRAWN and cached < 0]
    entries = db.session.scalar(select(func.count()).select_from(LedgerEntry))
    total = sum(cached for _, _, cached, _ in rows)
    return LedgerCheck(len(rows), entries, total, mismatches, overdrawn, verify_lots())
