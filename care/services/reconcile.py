"""The care ledger's check (`flask care verify`), in the spirit of `points verify`: every
budget's spent total equals its visits' cash less their reversals, and every reversal gives
back exactly the cash of the visit it reverses."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from care.models import CareBudget, Visit, VisitReversal
from core.extensions import db


@dataclass(frozen=True)
class Discrepancy:
    """One total that does not add up: what, the recorded figure and the sum it should be."""

    what: str
    recorded_fen: int
    summed_fen: int


def verify_care() -> list[Discrepancy]:
    """Every total of the care records that does not add up (none when all is well)."""
    visits = (
        select(
            Visit.care_campaign_id,
            Visit.fund_source,
            func.coalesce(func.sum(Visit.cash_fen), 0).label("cash"),
            func.coalesce(func.sum(VisitReversal.cash_fen), 0).label("reversed"),
        )
        .outerjoin(VisitReversal, VisitReversal.visit_id == Visit.id)
        .where(Visit.fund_source.is_not(None))
        .group_by(Visit.care_campaign_id, Visit.fund_source)
        .subquery()
    )
    rows = db.session.execute(
        select(
            CareBudget.care_campaign_id,
            CareBudget.fund_source,
            CareBudget.spent_fen,
            func.coalesce(visits.c.cash - visits.c.reversed, 0),
        )
        .outerjoin(
            visits,
            (visits.c.care_campaign_id == CareBudget.care_campaign_id)
            & (visits.c.fund_source == CareBudget.fund_source),
        )
        .order_by(CareBudget.care_campaign_id, CareBudget.fund_source)
    )
    found = [
        Discrepancy(f"care campaign {campaign} {source.value}", int(spent), int(summed))
        for campaign, source, spent, summed in rows
        if spent != summed
    ]
    # Cash on a visit whose campaign has no budget for its fund source could not have been
    # charged: a total is missing.
    unbudgeted = db.session.execute(
        select(Visit.care_campaign_id, Visit.fund_source, func.sum(Visit.cash_fen))
        .outerjoin(
            CareBudget,
            (CareBudget.care_campaign_id == Visit.care_campaign_id)
            & (CareBudget.fund_source == Visit.fund_source),
        )
        .where(Visit.cash_fen > 0, CareBudget.id.is_(None))
        .group_by(Visit.care_campaign_id, Visit.fund_source)
    )
    found += [
        Discrepancy(f"care campaign {campaign} {source.value} (no budget)", 0, int(cash))
        for campaign, source, cash in unbudgeted
    ]
    reversals = db.session.execute(
        select(VisitReversal.id, VisitReversal.cash_fen, Visit.cash_fen)
        .join(Visit, Visit.id == VisitReversal.visit_id)
        .where(VisitReversal.cash_fen != Visit.cash_fen)
        .order_by(VisitReversal.id)
    )
    found += [
        Discrepancy(f"reversal {reversal_id}", int(reversed_fen), int(cash))
        for reversal_id, reversed_fen, cash in reversals
    ]
    return found
