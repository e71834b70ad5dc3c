"""Redemptions (积分兑换) at a merchant, in one unit of work, and their reversal."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import case, select, update

from core.auth.models import User
from core.errors import Conflict, NotFound, ValidationFailed
from core.extensions import db
from points.models import (
    Account,
    CatalogItem,
    CauseKind,
    EntryKind,
    LedgerEntry,
    Redemption,
    RedemptionLine,
    RedemptionStatus,
)
from points.services.codes import _check_usable, _find_code
from points.services.ledger import Posting, merchant_account, post, volunteer_account
from points.services.merchants import managed_merchant, staff_merchant


class SoldOut(Conflict):
    code = "sold_out"
    default_message = _l("Not enough of this item is left.")


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


def can_reverse(redemption: Redemption, *, now: datetime, window_days: int) -> bool:
    """Whether a completed redemption is still within `window_days` of being made."""
    window = timedelta(days=window_days)
    return redemption.status is RedemptionStatus.completed and now - redemption.created_at <= window


# The column's length; the counter's form keeps to it too.
MAX_REVERSAL_REASON = 200


def _reversal_reason(reason: str | None) -> str | None:
    reason = (reason or "").strip()
    if len(reason) > MAX_REVERSAL_REASON:
        message = _l("Enter a reason of at most %(n)d characters.", n=MAX_REVERSAL_REASON)
        raise ValidationFailed(errors={"reason": [str(message)]})
    return reason or None


def reverse_redemption(
    staff: User,
    redemption_id: int,
    *,
    reason: str | None = None,
    now: datetime,
    window_days: int,
) -> Redemption:
    """Undo a redemption within `window_days`: a reversing entry gives the points back and the
    stock returns; `reason` (the counter's page always asks for one, API clients may leave it
    out) is kept on the redemption. Reversing twice changes nothing more, the first reason
    included.

    Raises Forbidden (another merchant's), NotFound, ValidationFailed (reason too long),
    Conflict (too old).
    """
    redemption = db.session.get(
        Redemption, redemption_id, with_for_update=True, populate_existing=True
    )
    if redemption is None:
        raise NotFound(_l("No such redemption."))
    merchant = managed_merchant(staff, redemption.merchant_id)
    reason = _reversal_reason(reason)
    if redemption.status is RedemptionStatus.reversed:
        return redemption
    if not can_reverse(redemption, now=now, window_days=window_days):
        raise Conflict(
            _l("A redemption can be reversed within %(days)d days.", days=window_days),
            code="too_late",
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
    redemption.reversal_reason = reason
    db.session.flush()
    return redemption
