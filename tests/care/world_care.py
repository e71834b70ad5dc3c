"""The side's objects of the care feature in tests.world (see SIDE_EXTENSIONS there)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from care.models import FundSource, ListRule
from care.services import campaigns
from tests.care.api_builders import workbook
from tests.care.builders import make_care_campaign, make_visit

if TYPE_CHECKING:
    from tests.world import Side


def extend(side: Side, now: datetime) -> None:
    """A winter visits campaign made by the side's office (`care_campaign_id`), with a budget
    from the city budget and the side's person on its list (`target_id`), and a visit of the
    person paid and recorded by the side's district clerk (`visit_id`). A campaign is the
    city's, read by every clerk; the needs found on the side's visit are the side's."""
    office = side.users["office"]
    care = make_care_campaign(
        office,
        rule=ListRule.upload,
        budget={FundSource.city_budget: 2_000_000},
        now=now,
    )
    # A list uploaded with the side's person alone, so that each side's campaign is its own.
    campaigns.upload_list(office, care.id, workbook(side.person.id_number), now=now)
    target = campaigns.target_of(care.id, side.person.id)
    needs = f"冬季取暖费用较高，需要协调供暖{side.tag}"
    visit = make_visit(side.users["district_clerk"], care, side.person, now=now, needs=needs)
    side.ids.update(care_campaign_id=care.id, target_id=target.id, visit_id=visit.id)
    side.texts.append(needs)
