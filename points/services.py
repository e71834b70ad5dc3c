"""Ledger rules: accounts, posting entries exactly once, earning from attendance, the office's
adjustments, balances, history and the proof that balances equal their entries."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, case, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from core.auth import services as auth
from core.auth.models import Role, User
from core.districts import get_district
from core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from core.extensions import db
from core.rows import get_or_not_found, insert_unless_present
from core.spreadsheets import safe_cell
from points.models import (
    Account,
    AccountKind,
    CatalogItem,
    CauseKind,
    EntryKind,
    LedgerEntry,
    Merchant,
    MerchantKind,
    MerchantStaff,
    RedeemCode,
    Redemption,
    RedemptionLine,
    RedemptionStatus,
)

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
) -> tuple[LedgerEntry, bool]:
    """The office grants (amount > 0) or deducts (amount < 0) points by hand, with a reason
    the volunteer sees in their history. Returns the entry and whether it was posted now:
    `key` (one office user's) makes a retried request post once.

    Raises Forbidden (not office), NotFound, ValidationFailed (no reason, zero or huge
    amount), InsufficientBalance (a deduction beyond the balance), Conflict (key reused).
    """
    if office.role is not Role.office:
        raise Forbidden()
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


def balance_of(user: User) -> int:
    """The volunteer's balance, read from the cached column (O(1))."""
    balance = db.session.scalar(
        select(Account.balance).where(
            Account.kind == AccountKind.volunteer, Account.owner_id == user.id
        )
    )
    return balance or 0


@dataclass(frozen=True)
class HistoryLine:
    entry: LedgerEntry
    change: int  # positive: received; negative: spent or taken back


def history(user: User, *, limit: int | None = 200) -> list[HistoryLine]:
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


# Merchants (爱心商家 / 积分超市) and their catalogues -----------------------------------


def _require_office(user: User) -> None:
    if user.role is not Role.office:
        raise Forbidden()


def get_merchant(merchant_id: int) -> Merchant:
    """Return the merchant; raise NotFound if there is none."""
    return get_or_not_found(Merchant, merchant_id, _l("No such merchant."))


def register_merchant(
    office: User,
    *,
    name: str,
    kind: MerchantKind,
    district_id: int,
    address: str,
    contact: str = "",
) -> Merchant:
    """The office registers a merchant. Raises Forbidden, ValidationFailed (name empty or
    taken, unknown district, no address)."""
    _require_office(office)
    name, address = (name or "").strip(), (address or "").strip()
    if not name or len(name) > 120:
        raise ValidationFailed(
            errors={"name": [str(_l("Enter a name of at most 120 characters."))]}
        )
    if db.session.scalar(select(Merchant.id).where(func.lower(Merchant.name) == name.lower())):
        raise ValidationFailed(
            errors={"name": [str(_l("A merchant of this name exists already."))]}
        )
    if not address:
        raise ValidationFailed(errors={"address": [str(_l("Enter the address."))]})
    get_district(district_id)
    merchant = Merchant(
        name=name,
        kind=kind,
        district_id=district_id,
        address=address[:200],
        contact=(contact or "").strip()[:64],
    )
    db.session.add(merchant)
    db.session.flush()
    return merchant


def add_staff(
    office: User, merchant_id: int, *, phone: str, display_name: str, password: str
) -> User:
    """The office creates a staff account for a merchant. Raises Forbidden, NotFound,
    ValidationFailed, Conflict (the number is registered already)."""
    _require_office(office)
    merchant = get_merchant(merchant_id)
    user = auth.create_user(
        phone=phone, password=password, display_name=display_name, role=Role.merchant_staff
    )
    db.session.add(MerchantStaff(user_id=user.id, merchant_id=merchant.id))
    db.session.flush()
    return user


def staff_merchant(user: User) -> Merchant:
    """The merchant a staff account works for; raise Forbidden for anyone else."""
    if user.role is not Role.merchant_staff:
        raise Forbidden()
    staff = db.session.get(MerchantStaff, user.id, options=[joinedload(MerchantStaff.merchant)])
    if staff is None:
        raise Forbidden(_l("This account is not linked to a merchant."))
    return staff.merchant


def managed_merchant(user: User, merchant_id: int) -> Merchant:
    """The merchant if the user is its staff or the office; raise Forbidden or NotFound."""
    if user.role is Role.office:
        return get_merchant(merchant_id)
    merchant = staff_merchant(user)
    if merchant.id != merchant_id:
        raise Forbidden()
    return merchant


def _check_item(name: str, price: int, stock: int | None) -> str:
    name = (name or "").strip()
    if not name or len(name) > 120:
        raise ValidationFailed(
            errors={"name": [str(_l("Enter a name of at most 120 characters."))]}
        )
    if not 1 <= price <= MAX_ADJUSTMENT:
        raise ValidationFailed(errors={"price": [str(_l("Enter a price of 1 to 100000 points."))]})
    if stock is not None and not 0 <= stock <= 1_000_000:
        raise ValidationFailed(errors={"stock": [str(_l("Enter a stock of 0 or more."))]})
    return name


def add_item(
    user: User, merchant_id: int, *, name: str, price: int, stock: int | None
) -> CatalogItem:
    """Add goods to a merchant's catalogue (its staff or the office). Raises Forbidden,
    NotFound, ValidationFailed."""
    merchant = managed_merchant(user, merchant_id)
    item = CatalogItem(
        merchant_id=merchant.id, name=_check_item(name, price, stock), price=price, stock=stock
    )
    db.session.add(item)
    db.session.flush()
    return item


def update_item(
    user: User, item_id: int, *, name: str, price: int, stock: int | None, is_active: bool
) -> CatalogItem:
    """Change an item; past redemptions keep the name and price they had. Raises Forbidden,
    NotFound, ValidationFailed."""
    item = db.session.get(CatalogItem, item_id, with_for_update=True)
    if item is None:
        raise NotFound(_l("No such item."))
    managed_merchant(user, item.merchant_id)
    item.name = _check_item(name, price, stock)
    item.price, item.stock, item.is_active = price, stock, is_active
    db.session.flush()
    return item


def list_merchants(*, district_id: int | None = None) -> list[Merchant]:
    """Active merchants, for volunteers choosing where to spend (`offered_items` are the
    goods on offer)."""
    query = (
        select(Merchant)
        .where(Merchant.is_active.is_(True))
        .options(selectinload(Merchant.items), selectinload(Merchant.district))
        .order_by(Merchant.district_id, Merchant.name)
    )
    if district_id:
        query = query.where(Merchant.district_id == district_id)
    return list(db.session.scalars(query))


def merchant_account(merchant: Merchant) -> Account:
    """The account a merchant's redemptions are paid into."""
    query = select(Account).where(
        Account.kind == AccountKind.merchant, Account.merchant_id == merchant.id
    )
    return _found_or_made(query, kind=AccountKind.merchant, merchant_id=merchant.id)


# Redeem codes and redemptions (积分兑换) -------------------------------------------------


class CodeInvalid(ValidationFailed):
    code = "redeem_code_invalid"
    default_message = _l("This code is unknown, expired or used. Ask for a new one.")


class SoldOut(Conflict):
    code = "sold_out"
    default_message = _l("Not enough of this item is left.")


def issue_redeem_code(volunteer: User, *, now: datetime) -> RedeemCode:
    """A fresh one-time code for the volunteer, valid REDEEM_CODE_MINUTES; the volunteer's
    earlier unused codes stop working. Raises Forbidden (not a volunteer)."""
    if volunteer.role is not Role.volunteer:
        raise Forbidden(_l("Only volunteers have points to spend."))
    db.session.execute(
        update(RedeemCode)
        .where(
            RedeemCode.user_id == volunteer.id,
            RedeemCode.used_at.is_(None),
            RedeemCode.expires_at > now,
        )
        .values(expires_at=now)
        .execution_options(synchronize_session=False)
    )
    lifetime = timedelta(minutes=current_app.config["REDEEM_CODE_MINUTES"])
    while True:
        code = f"{secrets.randbelow(10**8):08d}"
        try:
            with db.session.begin_nested():
                row = RedeemCode(
                    user_id=volunteer.id, code=code, created_at=now, expires_at=now + lifetime
                )
                db.session.add(row)
        except IntegrityError:
            continue  # the number was taken before: draw another
        return row


def _find_code(code: str, *, lock: bool) -> RedeemCode | None:
    code = (code or "").strip().replace(" ", "")
    if not (len(code) == 8 and code.isdigit()):
        return None
    # With its volunteer: every use of a code is about whose it is.
    query = (
        select(RedeemCode)
        .where(RedeemCode.code == code)
        .options(joinedload(RedeemCode.user, innerjoin=True))
    )
    if lock:
        query = query.with_for_update(of=RedeemCode)
    return db.session.scalar(query.execution_options(populate_existing=True))


def _check_usable(row: RedeemCode | None, now: datetime) -> RedeemCode:
    if row is None or row.used_at is not None or row.expires_at <= now:
        raise CodeInvalid()
    return row


@dataclass(frozen=True)
class CodeLookup:
    """What the counter sees before confirming: whose code, and what they have."""

    display_name: str
    balance: int
    expires_at: datetime


def look_up_code(staff: User, code: str, *, now: datetime) -> CodeLookup:
    """Staff type or scan a code: the volunteer's name and balance. Raises Forbidden,
    CodeInvalid."""
    staff_merchant(staff)
    row = _check_usable(_find_code(code, lock=False), now)
    return CodeLookup(row.user.display_name, balance_of(row.user), row.expires_at)


def _request_hash(merchant_id: int, code: str, lines: list[tuple[int, int]]) -> str:
    body = json.dumps([merchant_id, code, sorted(lines)])
    return hashlib.sha256(body.encode()).hexdigest()


def find_redemption(key: str) -> Redemption | None:
    return db.session.scalar(select(Redemption).where(Redemption.idempotency_key == key))


def redeem(
    staff: User, *, code: str, lines: list[tuple[int, int]], key: str, now: datetime
) -> tuple[Redemption, bool]:
    """Spend a volunteer's points at the staff's merchant, in one unit of work: the points move
    volunteer → merchant, stock goes down, the redemption and its lines are stored and the code
    is spent. Returns the redemption and whether it was made now: the same `key` again returns
    the first one and charges nothing; the same key with another basket is a Conflict.

    Raises Forbidden, CodeInvalid, ValidationFailed (empty basket, unknown item, bad
    quantity), SoldOut, InsufficientBalance, Conflict (key reused).
    """
    merchant = staff_merchant(staff)
    key = (key or "").strip()
    if not key or len(key) > 100:
        raise ValidationFailed(errors={"key": [str(_l("A request key is needed."))]})
    basket: dict[int, int] = {}
    for item_id, quantity in lines:
        if not 1 <= quantity <= 100:
            raise ValidationFailed(errors={"lines": [str(_l("Quantities are 1 to 100."))]})
        basket[item_id] = basket.get(item_id, 0) + quantity
    if not basket:
        raise ValidationFailed(errors={"lines": [str(_l("Choose at least one item."))]})
    digest = _request_hash(merchant.id, code, list(basket.items()))
    scoped_key = f"{merchant.id}:{key}"

    def replay(found: Redemption) -> tuple[Redemption, bool]:
        if found.request_hash != digest:
            raise Conflict(
                _l("This request was already used for something else."), code="key_reused"
            )
        return found, False

    locked = _find_code(code, lock=True)
    # Asked only now: a retry of the same request waited above for the first one's lock, and
    # so sees the first one's redemption before the code (spent by it) would refuse it.
    if (found := find_redemption(scoped_key)) is not None:
        return replay(found)
    row = _check_usable(locked, now)
    items = {
        item.id: item
        for item in db.session.scalars(
            select(CatalogItem).where(
                CatalogItem.id.in_(basket), CatalogItem.merchant_id == merchant.id
            )
        )
    }
    if set(items) != set(basket) or not all(i.is_active for i in items.values()):
        raise ValidationFailed(errors={"lines": [str(_l("An item is not in this catalogue."))]})
    for item_id, quantity in sorted(basket.items()):
        taken = db.session.execute(
            update(CatalogItem)
            .where(CatalogItem.id == item_id)
            .where((CatalogItem.stock.is_(None)) | (CatalogItem.stock >= quantity))
            .values(
                stock=case((CatalogItem.stock.is_(None), None), else_=CatalogItem.stock - quantity)
            )
            .execution_options(synchronize_session=False)
        )
        if taken.rowcount != 1:
            raise SoldOut(_l("Not enough of %(name)s is left.", name=items[item_id].name))
    total = sum(items[i].price * q for i, q in basket.items())
    redemption = Redemption(
        merchant_id=merchant.id,
        user=row.user,
        staff_id=staff.id,
        code_id=row.id,
        total=total,
        idempotency_key=scoped_key,
        request_hash=digest,
        created_at=now,
        lines=[
            RedemptionLine(item_id=i, name=items[i].name, unit_price=items[i].price, quantity=q)
            for i, q in sorted(basket.items())
        ],
    )
    db.session.add(redemption)
    db.session.flush()
    entry, _ = post(
        Posting(
            from_account=volunteer_account(row.user),
            to_account=merchant_account(merchant),
            amount=total,
            kind=EntryKind.redeem,
            cause_kind=CauseKind.redemption,
            cause_id=redemption.id,
            key=f"redemption:{redemption.id}",
            memo=merchant.name,
            actor_id=staff.id,
        ),
        now=now,
    )
    redemption.entry_id = entry.id
    row.used_at = now
    db.session.flush()
    for item in items.values():
        db.session.expire(item, ["stock"])
    return redemption, True


def get_redemption(user: User, redemption_id: int) -> Redemption:
    """A redemption for its merchant's staff or the office. Raises NotFound, Forbidden."""
    redemption = db.session.get(Redemption, redemption_id)
    if redemption is None:
        raise NotFound(_l("No such redemption."))
    managed_merchant(user, redemption.merchant_id)
    return redemption


def can_reverse(redemption: Redemption, *, now: datetime) -> bool:
    """Whether a completed redemption is still within REDEMPTION_REVERSAL_DAYS."""
    window = timedelta(days=current_app.config["REDEMPTION_REVERSAL_DAYS"])
    return redemption.status is RedemptionStatus.completed and now - redemption.created_at <= window


def list_staff(user: User, merchant_id: int) -> list[User]:
    """The staff accounts of a merchant (for the office and the merchant's own staff)."""
    managed_merchant(user, merchant_id)
    query = (
        select(User)
        .join(MerchantStaff, MerchantStaff.user_id == User.id)
        .where(MerchantStaff.merchant_id == merchant_id)
        .order_by(User.display_name, User.id)
    )
    return list(db.session.scalars(query))


def reverse_redemption(staff: User, redemption_id: int, *, now: datetime) -> Redemption:
    """Undo a redemption within REDEMPTION_REVERSAL_DAYS: a reversing entry gives the points
    back and the stock returns. Reversing twice changes nothing more.

    Raises Forbidden (another merchant's), NotFound, Conflict (too old).
    """
    redemption = db.session.get(
        Redemption, redemption_id, with_for_update=True, populate_existing=True
    )
    if redemption is None:
        raise NotFound(_l("No such redemption."))
    merchant = managed_merchant(staff, redemption.merchant_id)
    if redemption.status is RedemptionStatus.reversed:
        return redemption
    if not can_reverse(redemption, now=now):
        days = current_app.config["REDEMPTION_REVERSAL_DAYS"]
        raise Conflict(
            _l("A redemption can be reversed within %(days)d days.", days=days), code="too_late"
        )
    original = db.session.get(LedgerEntry, redemption.entry_id)
    entry, _ = post(
        Posting(
            from_account=merchant_account(merchant),
            to_account=db.session.get(Account, original.from_account_id),
            amount=original.amount,
            kind=EntryKind.reverse,
            cause_kind=CauseKind.redemption,
            cause_id=redemption.id,
            key=f"redemption:{redemption.id}:reversal",
            memo=merchant.name,
            actor_id=staff.id,
            reverses_id=original.id,
        ),
        now=now,
    )
    for line in redemption.lines:
        db.session.execute(
            update(CatalogItem)
            .where(CatalogItem.id == line.item_id, CatalogItem.stock.is_not(None))
            .values(stock=CatalogItem.stock + line.quantity)
            .execution_options(synchronize_session=False)
        )
    redemption.status = RedemptionStatus.reversed
    redemption.reversal_entry_id = entry.id
    redemption.reversed_at = now
    redemption.reversed_by_id = staff.id
    db.session.flush()
    return redemption


@dataclass(frozen=True)
class Statement:
    """A merchant's redemptions and reversals in a period, with totals (对账单)."""

    merchant: Merchant
    start: datetime
    end: datetime
    redemptions: list[Redemption]
    reversals: list[Redemption]

    @property
    def redeemed(self) -> int:
        return sum(r.total for r in self.redemptions)

    @property
    def reversed(self) -> int:
        return sum(r.total for r in self.reversals)

    @property
    def net(self) -> int:
        return self.redeemed - self.reversed


def merchant_statement(
    user: User, merchant_id: int, *, start: datetime, end: datetime
) -> Statement:
    """Redemptions made and reversals done in [start, end), for the merchant's staff or the
    office. Raises Forbidden, NotFound, ValidationFailed (end before start)."""
    merchant = managed_merchant(user, merchant_id)
    if end <= start:
        raise ValidationFailed(errors={"end": [str(_l("The end must be after the start."))]})
    base = (
        select(Redemption)
        .where(Redemption.merchant_id == merchant.id)
        .options(selectinload(Redemption.lines), selectinload(Redemption.user))
    )
    made = base.where(Redemption.created_at >= start, Redemption.created_at < end)
    undone = base.where(Redemption.reversed_at >= start, Redemption.reversed_at < end)
    return Statement(
        merchant,
        start,
        end,
        list(db.session.scalars(made.order_by(Redemption.created_at))),
        list(db.session.scalars(undone.order_by(Redemption.reversed_at))),
    )


def statement_csv(statement: Statement) -> str:
    """The statement as CSV for Excel on Chinese Windows (UTF-8 with BOM added by the
    caller's encoding), with cells that could be formulas neutralised."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["类型", "时间(UTC)", "单号", "志愿者", "商品", "积分"])
    rows = [("兑换", r.created_at, r, r.total) for r in statement.redemptions] + [
        ("撤销", r.reversed_at, r, -r.total) for r in statement.reversals
    ]
    for kind, moment, r, points in sorted(rows, key=lambda x: x[1]):
        goods = "；".join(f"{line.name}×{line.quantity}" for line in r.lines)
        writer.writerow(
            [
                kind,
                moment.isoformat(),
                r.id,
                safe_cell(r.user.display_name),
                safe_cell(goods),
                points,
            ]
        )
    writer.writerow(["合计", "", "", "", "", statement.net])
    return buffer.getvalue()
