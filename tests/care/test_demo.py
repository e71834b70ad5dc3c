"""The care demo: the past totals and last winter's visits make the running total of
condolence funds the office sees just over 3.3 million yuan (the city's account); last winter's
campaign holds a visit in every state, this autumn's a list uploaded by ID number with visits
planned and paid; the records add up (`flask care verify`), and loading the demo again adds
nothing."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from care.demo import AUTUMN, WINTER
from care.models import (
    BudgetChange,
    CareBudget,
    CareCampaign,
    CareTarget,
    FundSource,
    ListRule,
    PastCareTotal,
    ReceiptKind,
    Recipient,
    Visit,
    VisitGood,
    VisitPhoto,
    VisitReversal,
    VisitStatus,
    VisitVersion,
)
from care.services.reports import care_report
from core.auth.services import find_user_by_phone
from core.demo import OFFICE
from core.extensions import db
from core.uploads.models import Upload
from honours.models import PersonStatus
from tests.test_demo import CITY, load_demo, rows

# The demo's content is the same on either database: checked on the SQLite pass (conftest).
pytestmark = pytest.mark.demo_content

CARE_MODELS = (
    CareCampaign,
    CareBudget,
    BudgetChange,
    CareTarget,
    Visit,
    VisitGood,
    VisitPhoto,
    VisitVersion,
    VisitReversal,
    PastCareTotal,
)
NOW = datetime(2027, 3, 16, 10, 0, tzinfo=CITY)


def _campaign(name: str) -> CareCampaign:
    return db.session.scalars(select(CareCampaign).where(CareCampaign.name == name)).one()


def _visits(care: CareCampaign) -> list[Visit]:
    return list(
        db.session.scalars(
            select(Visit).where(Visit.care_campaign_id == care.id).order_by(Visit.id)
        )
    )


def test_the_demo_pays_just_over_3_3_million_yuan_and_last_winter_holds_every_state(runner):
    load_demo(runner, NOW)

    office = find_user_by_phone(OFFICE[0])
    running = care_report(office, now=NOW).running
    assert 330_000_000 < running.total_fen < 335_000_000
    assert running.years[0].year == 2017
    past = db.session.scalars(select(PastCareTotal)).all()
    assert {row.year for row in past} == set(range(2017, 2026))
    assert len({row.fund_source for row in past}) == len(FundSource)

    care = _campaign(WINTER)
    found = _visits(care)

    assert care.rule is ListRule.honour_level and care.campaign.year == 2025
    assert {b.fund_source.value for b in care.budgets} == {
        "city_budget",
        "moral_fund",
        "donations",
        "enterprises",
    }
    assert all(b.spent_fen <= b.budget_fen for b in care.budgets)
    assert any(len(b.changes) > 1 for b in care.budgets)
    assert {v.status for v in found} == set(VisitStatus)
    assert all(50_000 <= v.cash_fen <= 200_000 for v in found)
    assert all(v.goods for v in found)

    (reversal,) = db.session.scalars(
        select(VisitReversal).join(Visit).where(Visit.care_campaign_id == care.id)
    ).all()
    assert reversal.visit.status is VisitStatus.locked and reversal.cash_fen > 0
    (anew,) = [v for v in found if v.corrects_id == reversal.visit_id]
    assert anew.status is VisitStatus.locked and anew.receipt_kind is ReceiptKind.scan

    (widow,) = [v for v in found if v.recipient is Recipient.relative]
    assert widow.person.status is PersonStatus.deceased and widow.relative_name
    (off_list,) = [v for v in found if v.target_id is None]
    assert off_list.off_list_reason
    (skipped,) = db.session.scalars(
        select(CareTarget).where(
            CareTarget.care_campaign_id == care.id, CareTarget.skip_reason.is_not(None)
        )
    ).all()
    assert skipped.person_id not in {v.person_id for v in found}

    assert any(v.versions and "cash_fen" in v.versions[0].changes for v in found)
    receipted = [v for v in found if v.status in (VisitStatus.verified, VisitStatus.locked)]
    assert all(v.receipt_kind is not None for v in receipted if v.cash_fen)
    receipts = [db.session.get(Upload, v.receipt_upload_id) for v in receipted]
    assert {u.content_type for u in receipts} >= {"image/png", "image/jpeg"}
    assert any(v.photos for v in found)
    with_follow_up = [v for v in found if v.follow_up]
    assert any(v.follow_up_done_at for v in with_follow_up)
    assert any(v.follow_up_done_at is None for v in with_follow_up)


def test_the_demos_care_records_add_up_and_a_second_load_adds_nothing(runner):
    load_demo(runner, NOW)
    before = {model.__name__: rows(model) for model in CARE_MODELS}

    checked = runner.invoke(args=["care", "verify"])
    assert checked.exit_code == 0, checked.output
    assert "care records OK" in checked.output

    # This autumn's campaign: the old members of an uploaded list, visits planned and paid.
    care = _campaign(AUTUMN)
    found = _visits(care)

    assert care.rule is ListRule.upload and care.campaign.year == 2026
    targets = db.session.scalars(
        select(CareTarget).where(CareTarget.care_campaign_id == care.id)
    ).all()
    assert len(targets) == 10 and all(t.added_by_rule is ListRule.upload for t in targets)
    assert {v.status for v in found} == {
        VisitStatus.planned,
        VisitStatus.done,
        VisitStatus.verified,
    }
    assert all(v.target_id is not None for v in found)

    load_demo(runner, NOW + timedelta(hours=3))
    assert {model.__name__: rows(model) for model in CARE_MODELS} == before
