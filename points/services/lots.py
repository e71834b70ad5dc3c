"""Points lots (积分批次): which points an entry brings in, takes out or gives back.

The ledger calls `follow_entry` for every entry it posts, after it has moved the balances: the
conditional UPDATE of the volunteer's balance holds that account's row lock until the commit,
so every change to an account's lots (an earning, a purchase, a gift, the nightly expiry) runs
one at a time per account, and the lots always add up to the balance.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import case, func, insert, select, update

from core.clock import local_day
from core.extensions import db
from points.lot_models import LotDraw, PointsLot
from points.models import Account, AccountKind, CauseKind, LedgerEntry


class LotsOutOfStep(RuntimeError):
    """The open lots of an account do not cover what it spends: the ledger's data is damaged
    (`flask points verify` names the account). Never raised while the lots keep to the rules."""


@dataclass(frozen=True)
class Taken:
    lot_id: int
    amount: int
    earned_on: date


def follow_entry(entry: LedgerEntry, source: Account, destination: Account, *, now: datetime):
    """Keep the lots in step with a posted entry: a volunteer's account that pays draws from
    its open lots, soonest to expire first; a volunteer's account that is paid gets the lots
    back that a reversed entry took, or, for a gift, lots with the giver's days, or else a new
    lot of today."""
    taken: list[Taken] = []
    if source.kind is AccountKind.volunteer:
        taken = _draw(entry, source.id)
    if destination.kind is not AccountKind.volunteer:
        return
    if taken:
        _add_lots(entry, destination.id, [(t.amount, t.earned_on) for t in taken])
    elif entry.reverses_id is None or not _give_back(entry):
        _add_lots(entry, destination.id, [(entry.amount, local_day(now))])


def _spending_order(entry: LedgerEntry, account_id: int) -> list:
    """Soonest to expire first: under any policy that is the earliest day first. A correction
    that takes back points of a shift takes them first from the lots that shift's earnings
    made, so that it removes the very points it corrects."""
    order = [PointsLot.earned_on, PointsLot.id]
    if entry.cause_kind is CauseKind.attendance:
        same_cause = select(LedgerEntry.id).where(
            LedgerEntry.cause_kind == CauseKind.attendance,
            LedgerEntry.cause_id == entry.cause_id,
            LedgerEntry.to_account_id == account_id,
        )
        order.insert(0, case((PointsLot.entry_id.in_(same_cause), 0), else_=1))
    return order


def _draw(entry: LedgerEntry, account_id: int) -> list[Taken]:
    rows = db.session.execute(
        select(PointsLot.id, PointsLot.remaining, PointsLot.earned_on)
        .where(PointsLot.account_id == account_id, PointsLot.remaining > 0)
        .order_by(*_spending_order(entry, account_id))
    ).all()
    taken: list[Taken] = []
    left = entry.amount
    for lot_id, remaining, earned_on in rows:
        if left == 0:
            break
        amount = min(left, remaining)
        taken.append(Taken(lot_id, amount, earned_on))
        left -= amount
    if left:
        raise LotsOutOfStep(f"account {account_id}: lots short by {left} for entry {entry.id}")
    _record(entry, [(t.lot_id, t.amount) for t in taken])
    return taken


def _give_back(entry: LedgerEntry) -> bool:
    """Return a reversal's points to the lots the reversed entry drew from, with their own
    days. False (nothing done) when that entry drew no lots of this amount (it was posted
    before lots were kept, or paid someone else)."""
    drawn = db.session.execute(
        select(LotDraw.lot_id, func.sum(LotDraw.amount))
        .where(LotDraw.entry_id == entry.reverses_id)
        .group_by(LotDraw.lot_id)
        .order_by(LotDraw.lot_id)
    ).all()
    if sum(amount for _, amount in drawn) != entry.amount:
        return False
    _record(entry, [(lot_id, -amount) for lot_id, amount in drawn])
    return True


def _record(entry: LedgerEntry, moves: list[tuple[int, int]]) -> None:
    """Take (positive) or give back (negative) each amount of its lot, and write the draws."""
    table = PointsLot.__table__
    for lot_id, amount in moves:
        db.session.execute(
            update(table).where(table.c.id == lot_id).values(remaining=table.c.remaining - amount)
        )
    db.session.execute(
        insert(LotDraw),
        [{"lot_id": lot_id, "entry_id": entry.id, "amount": amount} for lot_id, amount in moves],
    )


def _add_lots(entry: LedgerEntry, account_id: int, parts: list[tuple[int, date]]) -> None:
    by_day: dict[date, int] = {}
    for amount, day in parts:
        by_day[day] = by_day.get(day, 0) + amount
    db.session.execute(
        insert(PointsLot),
        [
            {
                "account_id": account_id,
                "entry_id": entry.id,
                "amount": amount,
                "remaining": amount,
                "earned_on": day,
            }
            for day, amount in sorted(by_day.items())
        ],
    )


@dataclass(frozen=True)
class LotCheck:
    lots: int
    # (account id, balance, what its open lots hold)
    accounts_out_of_step: list[tuple[int, int, int]]
    # (lot id, remaining, amount less its draws)
    lots_out_of_step: list[tuple[int, int, int]]

    @property
    def ok(self) -> bool:
        return not self.accounts_out_of_step and not self.lots_out_of_step


def verify_lots() -> LotCheck:
    """Check that every volunteer account's lots hold exactly its balance, and that each lot's
    remaining equals its amount less its draws (two SQL aggregations)."""
    held = (
        select(PointsLot.account_id, func.sum(PointsLot.remaining).label("held"))
        .group_by(PointsLot.account_id)
        .subquery()
    )
    accounts = db.session.execute(
        select(Account.id, Account.balance, func.coalesce(held.c.held, 0))
        .outerjoin(held, held.c.account_id == Account.id)
        .where(Account.kind == AccountKind.volunteer)
        .order_by(Account.id)
    ).all()
    drawn = (
        select(LotDraw.lot_id, func.sum(LotDraw.amount).label("drawn"))
        .group_by(LotDraw.lot_id)
        .subquery()
    )
    lots = db.session.execute(
        select(
            PointsLot.id,
            PointsLot.remaining,
            PointsLot.amount - func.coalesce(drawn.c.drawn, 0),
        )
        .outerjoin(drawn, drawn.c.lot_id == PointsLot.id)
        .order_by(PointsLot.id)
    ).all()
    return LotCheck(
        lots=len(lots),
        accounts_out_of_step=[
            (a, balance, int(h)) for a, balance, h in accounts if balance != int(h)
        ],
        lots_out_of_step=[(lot, r, int(e)) for lot, r, e in lots if r != int(e)],
    )
