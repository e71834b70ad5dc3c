"""A care campaign's budgets per fund source: set by the office, spent by visits.

What a budget has spent moves only here, by conditional updates: two clerks entering visits at
the same moment cannot together spend past the budget (PostgreSQL re-reads the row the first
one changed and the second finds too little left), and the table's CHECK holds it too.
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from care.models import BudgetChange, CareBudget, CareCampaign, FundSource
from core.auth.models import User
from core.errors import ValidationFailed
from core.extensions import db
from core.rows import get_or_not_found, insert_unless_present
from honours.services.benefits import yuan_text
from honours.services.scope import require_city, scope_of

# Twenty million yuan: more than any campaign's budget from one source, and within what the
# column holds (a 32-bit integer of fen).
BUDGET_MAX_FEN = 2_000_000_000
NO_CAMPAIGN = _l("No such care campaign.")
MAX_REASON = 500


def set_budget(
    actor: User,
    care_campaign_id: int,
    fund_source: FundSource,
    budget_fen: int,
    *,
    reason: str = "",
    now: datetime,
) -> CareBudget:
    """Set the campaign's budget from one fund source (the office only), recording the change
    from what to what with the reason; never below what its visits have spent already.
    Flushes. Raises Forbidden, NotFound, ValidationFailed."""
    require_city(scope_of(actor, now))
    get_or_not_found(CareCampaign, care_campaign_id, NO_CAMPAIGN)
    if not 0 <= budget_fen <= BUDGET_MAX_FEN:
        raise ValidationFailed(errors={"budget_yuan": [str(_l("The value is too large."))]})
    reason = (reason or "").strip()
    if len(reason) > MAX_REASON:
        raise ValidationFailed(
            errors={"reason": [str(_l("At most %(count)d characters.", count=MAX_REASON))]}
        )
    db.session.execute(
        insert_unless_present(CareBudget, "care_campaign_id", "fund_source").values(
            care_campaign_id=care_campaign_id,
            fund_source=fund_source.value,
            budget_fen=0,
            spent_fen=0,
        )
    )
    # Locked: a visit charging it at this moment waits, and the check below holds.
    budget = db.session.scalars(
        select(CareBudget)
        .where(
            CareBudget.care_campaign_id == care_campaign_id,
            CareBudget.fund_source == fund_source,
        )
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()
    if budget_fen < budget.spent_fen:
        raise ValidationFailed(
            errors={
                "budget_yuan": [
                    str(
                        _l(
                            "Visits have spent %(spent)s yuan of this budget already.",
                            spent=yuan_text(budget.spent_fen),
                        )
                    )
                ]
            }
        )
    if budget_fen != budget.budget_fen:
        db.session.add(
            BudgetChange(
                budget_id=budget.id,
                old_fen=budget.budget_fen,
                new_fen=budget_fen,
                reason=reason,
                changed_by_id=actor.id,
                changed_at=now,
            )
        )
        budget.budget_fen = budget_fen
    db.session.flush()
    return budget


def charge(care_campaign_id: int, fund_source: FundSource, fen: int, field: str) -> None:
    """Spend `fen` of the campaign's budget from `fund_source`, or raise ValidationFailed
    (naming `field`) when less is left: one conditional update, so that concurrent charges
    never pass the budget together."""
    if fen == 0:
        return
    charged = db.session.execute(
        update(CareBudget)
        .where(
            CareBudget.care_campaign_id == care_campaign_id,
            CareBudget.fund_source == fund_source,
            CareBudget.spent_fen + fen <= CareBudget.budget_fen,
        )
        .values(spent_fen=CareBudget.spent_fen + fen)
        .execution_options(synchronize_session=False)
    ).rowcount
    if charged != 1:
        left = db.session.scalar(
            select(CareBudget.budget_fen - CareBudget.spent_fen).where(
                CareBudget.care_campaign_id == care_campaign_id,
                CareBudget.fund_source == fund_source,
            )
        )
        raise ValidationFailed(
            errors={
                field: [
                    str(
                        _l(
                            "This is more than the %(source)s budget has left: %(left)s yuan.",
                            source=fund_source.label,
                            left=yuan_text(left or 0),
                        )
                    )
                ]
            },
            code="over_budget",
        )


def release(care_campaign_id: int, fund_source: FundSource, fen: int) -> None:
    """Give `fen` back to the budget (a visit's cash lowered, moved or reversed)."""
    if fen == 0:
        return
    released = db.session.execute(
        update(CareBudget)
        .where(
            CareBudget.care_campaign_id == care_campaign_id,
            CareBudget.fund_source == fund_source,
            CareBudget.spent_fen >= fen,
        )
        .values(spent_fen=CareBudget.spent_fen - fen)
        .execution_options(synchronize_session=False)
    ).rowcount
    if released != 1:
        # Only a corrupted total gets here: `flask care verify` names it.
        raise RuntimeError(f"budget {care_campaign_id}/{fund_source.value} spent less than {fen}")
