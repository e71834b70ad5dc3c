"""The people of the export in the four seasons of care: the office makes a winter campaign,
sets and raises its budget, makes its list and enters a past year's total; as the district
clerk of 海港区 the volunteer records visits, edits one, attaches its receipt, verifies it and
marks a person not reached; the office locks the visit and reverses it. Builders add and
flush, never commit."""

from __future__ import annotations

from datetime import datetime

from care.models import FundSource
from care.services import budgets, campaigns, visits
from care.services.past_totals import record_past_total
from core.auth.models import User
from core.clock import local_day
from core.extensions import db
from tests.care.builders import details, make_care_campaign, make_visit
from tests.care.visits_builders import with_receipt
from tests.honours.builders import region
from tests.honours.card_builders import make_honoured


def caring(volunteer: User, office: User, now: datetime) -> None:
    """See the module's docstring; `volunteer` clerks for 海港区 at `now`."""
    place = region("haigang-wenhualu-01")
    visited = make_honoured(place, office, name="关怀甲")
    skipped = make_honoured(place, office, name="关怀乙")
    care = make_care_campaign(office, now=now)
    budgets.set_budget(
        office, care.id, FundSource.city_budget, 2_000_000, reason="春节前追加", now=now
    )
    campaigns.make_list(office, care.id, now=now)
    record_past_total(
        office,
        year=local_day(now).year - 1,
        fund_source=FundSource.city_budget,
        cash_fen=30_000_000,
        persons=300,
        note="元旦春节走访慰问",
        now=now,
    )

    visit = make_visit(volunteer, care, visited, now=now)
    visit = visits.edit_visit(
        volunteer, visit.id, details(cash_fen=150_000), expected_version=1, now=now
    )
    # Named after the clerk, as a phone may name a file: closing the account renames it.
    visit = with_receipt(volunteer, visit, now=now, filename=f"{volunteer.display_name}签名.png")
    visits.verify_visit(volunteer, visit.id, now=now)
    target = campaigns.target_of(care.id, skipped.id)
    campaigns.skip_target(volunteer, target.id, "春节期间在外地，未能联系上", now=now)

    visits.lock_visits(office, care.id, now=now)
    db.session.refresh(visit)
    visits.reverse_visit(office, visit.id, "资金来源记错", now=now)
