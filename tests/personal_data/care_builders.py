"""The people of the export in the four seasons of care: the office makes a winter campaign,
sets and raises its budget, makes its list and enters a past year's total; as the district
clerk of 海港区 the volunteer records visits, edits one, attaches its receipt, verifies it and
marks a person not reached; the office locks the visit and reverses it. In Lei Feng day's
flowers the volunteer recommends a neighbour in February, which they accept as the clerk, and
the office plans the neighbour's delivery. Builders add and flush, never commit."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import select

from care.flower_models import FlowerDelivery
from care.models import FundSource
from care.services import budgets, campaigns, flowers, recommendations, visits
from care.services.past_totals import record_past_total
from core.auth.models import User
from core.clock import local_day
from core.extensions import db
from tests.care.builders import details, make_care_campaign, make_visit
from tests.care.flower_builders import make_courier, make_flowers_campaign
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

    flowering(volunteer, office, now)


def flowering(volunteer: User, office: User, now: datetime) -> None:
    """See the module's docstring: the flowers of the year of `now`."""
    place = region("haigang-wenhualu-01")
    neighbour = make_honoured(place, office, name="关怀丙")
    care = make_flowers_campaign(office)
    february = datetime(care.year, 2, 10, 2, 0, tzinfo=UTC)
    volunteer.phone_verified_at = february
    recommended = recommendations.recommend(
        volunteer,
        name=neighbour.name,
        region_id=place.id,
        deeds="常年义务为社区孤寡老人理发、修理家电，风雨无阻。",
        now=february,
    )
    recommendations.accept_recommendation(volunteer, recommended.id, neighbour.id, now=now)
    flowers.make_deliveries(office, care.id, now=now)
    courier, _staff = make_courier()
    delivery = db.session.scalar(
        select(FlowerDelivery).where(FlowerDelivery.target_id == recommended.target_id)
    )
    flowers.plan_delivery(
        office, delivery.id, deliver_on=date(care.year, 3, 5), courier_id=courier.id, now=now
    )
