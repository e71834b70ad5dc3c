"""`flask care verify`: OK on records made through the services, and exit 1 naming the total
that does not add up when a budget's spent total or a reversal's cash is corrupted behind the
services' back."""

from __future__ import annotations

import pytest
from sqlalchemy import update

from care.models import CareBudget, FundSource, VisitReversal
from care.services import campaigns, visits
from core.extensions import db
from tests.care.builders import make_care_campaign, make_visit
from tests.care.visits_builders import locked_visit
from tests.honours.builders import NOW, make_office, make_places
from tests.honours.card_builders import make_honoured


@pytest.fixture
def records(app):
    """A campaign with budgets from two funds, a visit paid, one locked and reversed, and one
    corrected after it; committed, as the command reads what is stored."""
    places = make_places()
    office = make_office()
    person = make_honoured(places["wenhuali"], office)
    care = make_care_campaign(
        office, budget={FundSource.city_budget: 1_000_000, FundSource.moral_fund: 500_000}
    )
    campaigns.make_list(office, care.id, now=NOW)
    make_visit(office, care, person, fund_source=FundSource.moral_fund)
    locked = locked_visit(office, care, person)
    reversal = visits.reverse_visit(office, locked.id, "资金来源记错", now=NOW)
    make_visit(office, care, person, cash_fen=80_000)
    ids = {"care": care.id, "reversal": reversal.id}
    db.session.commit()
    return ids


def test_verify_finds_the_records_made_through_the_services_in_order(runner, records):
    result = runner.invoke(args=["care", "verify"])

    assert result.exit_code == 0, result.output
    assert "care records OK" in result.output


def test_verify_names_the_campaign_whose_spent_total_was_changed_by_hand(runner, records):
    db.session.execute(
        update(CareBudget)
        .where(
            CareBudget.care_campaign_id == records["care"],
            CareBudget.fund_source == FundSource.city_budget,
        )
        .values(spent_fen=CareBudget.spent_fen + 100)
    )
    db.session.commit()

    result = runner.invoke(args=["care", "verify"])

    assert result.exit_code == 1
    assert f"care campaign {records['care']} city_budget" in result.output
    assert "recorded 80100 fen" in result.output and "give 80000 fen" in result.output
    assert "moral_fund" not in result.output


def test_verify_names_a_reversal_whose_cash_was_changed_by_hand(runner, records):
    db.session.execute(
        update(VisitReversal)
        .where(VisitReversal.id == records["reversal"])
        .values(cash_fen=VisitReversal.cash_fen - 1_000)
    )
    db.session.commit()

    result = runner.invoke(args=["care", "verify"])

    assert result.exit_code == 1
    assert f"reversal {records['reversal']}" in result.output
    # The budget's total no longer matches its visits less the reversals either.
    assert f"care campaign {records['care']} city_budget" in result.output
