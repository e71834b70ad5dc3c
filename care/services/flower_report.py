"""Lei Feng day's flowers in figures: the deliveries of a flowers campaign planned, delivered
and not delivered, by courier company or by team, for the reader's part of the city."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from care.flower_models import DeliveryStatus, FlowerDelivery
from care.models import CareTarget
from care.services.campaigns import in_scope
from core.extensions import db
from events.models import Activity, Shift
from honours.card_models import Partner
from honours.models import Person
from honours.services.scope import Scope
from volunteer.models import Team

NOT_PLANNED = _l("Not planned yet")


@dataclass(frozen=True)
class DelivererLine:
    """One deliverer's tasks: a courier company, a team (its shifts), or none yet."""

    deliverer: str
    is_courier: bool
    planned: int
    delivered: int
    failed: int

    @property
    def total(self) -> int:
        return self.planned + self.delivered + self.failed


def flowers_by_deliverer(care_campaign_id: int, scope: Scope) -> list[DelivererLine]:
    """The campaign's deliveries of the scope's persons (the city: all) by deliverer and
    status, couriers first, then teams, then those planned to no one yet."""
    rows = db.session.execute(
        select(Partner.name, Team.name, FlowerDelivery.status, func.count())
        .select_from(FlowerDelivery)
        .join(CareTarget, CareTarget.id == FlowerDelivery.target_id)
        .join(Person, Person.id == CareTarget.person_id)
        .outerjoin(Partner, Partner.id == FlowerDelivery.courier_id)
        .outerjoin(Shift, Shift.id == FlowerDelivery.shift_id)
        .outerjoin(Activity, Activity.id == Shift.activity_id)
        .outerjoin(Team, Team.id == Activity.team_id)
        .where(
            FlowerDelivery.care_campaign_id == care_campaign_id,
            in_scope(scope, Person.region_id),
        )
        .group_by(Partner.name, Team.name, FlowerDelivery.status)
    )
    counts: dict[tuple[int, str], dict[DeliveryStatus, int]] = {}
    for courier, team, status, count in rows:
        # A task planned again to someone else counts with its deliverer now.
        key = (0, courier) if courier else (1, team) if team else (2, str(NOT_PLANNED))
        counts.setdefault(key, {})[status] = count
    return [
        DelivererLine(
            deliverer=name,
            is_courier=order == 0,
            planned=by_status.get(DeliveryStatus.planned, 0),
            delivered=by_status.get(DeliveryStatus.delivered, 0),
            failed=by_status.get(DeliveryStatus.failed, 0),
        )
        for (order, name), by_status in sorted(counts.items())
    ]
