"""Care campaigns, their budgets and lists, through the services."""

from __future__ import annotations

import io

import openpyxl
import pytest

from care.models import BudgetChange, CareKind, CareTarget, FundSource, ListRule
from care.services import budgets, campaigns
from core.auth.assignments import AssignmentKind
from core.errors import Forbidden, NotFound, ValidationFailed
from core.extensions import db
from honours.models import HonourLevel, PersonStatus
from tests.care.builders import make_care_campaign
from tests.honours.builders import NOW, make_clerk, make_office, make_person, make_places
from tests.honours.card_builders import make_honoured

pytestmark = pytest.mark.usefixtures("app")


@pytest.fixture
def places():
    return make_places()


def _targets(care) -> list[int]:
    return sorted(
        t.person_id for t in db.session.query(CareTarget).filter_by(care_campaign_id=care.id)
    )


def test_the_honour_level_rule_lists_every_active_honour_of_the_level_and_above_once(places):
    office = make_office()
    city = make_honoured(places["wenhuali"], office, name="市级好人")
    province = make_honoured(places["nanguan"], office, code="good_person_hebei", name="省级好人")
    county = make_honoured(places["nanguan"], office, code="good_person_county", name="区级好人")
    plain = make_person(places["wenhuali"], office, name="未获表彰")
    care = make_care_campaign(office, min_level=HonourLevel.city)

    assert campaigns.make_list(office, care.id, now=NOW) == 2
    assert campaigns.make_list(office, care.id, now=NOW) == 0
    assert _targets(care) == sorted([city.id, province.id])
    assert county.id not in _targets(care) and plain.id not in _targets(care)


def test_the_hardship_rule_lists_everyone_with_hardship_notes_and_the_deceased_stay_flagged(places):
    office = make_office()
    poor = make_person(places["wenhuali"], office, name="困难群众")
    gone = make_person(
        places["wenhuali"],
        office,
        name="已故好人",
        status=PersonStatus.deceased,
        died_on=NOW.date(),
    )
    make_person(places["wenhuali"], office, name="无困难", hardship_notes=None)
    care = make_care_campaign(office, rule=ListRule.hardship)

    campaigns.make_list(office, care.id, now=NOW)

    assert _targets(care) == sorted([poor.id, gone.id])


def _workbook(*numbers: str) -> io.BytesIO:
    book = openpyxl.Workbook()
    book.active.append(["姓名", "身份证号"])
    for number in numbers:
        book.active.append(["某人", number])
    data = io.BytesIO()
    book.save(data)
    data.seek(0)
    return data


def test_an_uploaded_list_adds_the_people_it_names_and_refuses_whole_on_an_unknown_number(places):
    office = make_office()
    one = make_person(places["wenhuali"], office, name="名单甲")
    two = make_person(places["nanguan"], office, name="名单乙")
    care = make_care_campaign(office, rule=ListRule.upload)

    with pytest.raises(ValidationFailed) as refused:
        campaigns.upload_list(
            office, care.id, _workbook(one.id_number, "130302199001011234"), now=NOW
        )
    assert "3" in refused.value.errors["file"][0]
    assert _targets(care) == []

    result = campaigns.upload_list(
        office, care.id, _workbook(one.id_number, two.id_number), now=NOW
    )
    again = campaigns.upload_list(office, care.id, _workbook(one.id_number), now=NOW)

    assert (result.added, result.already, again.added, again.already) == (2, 0, 0, 1)
    with pytest.raises(ValidationFailed):
        campaigns.upload_list(office, care.id, io.BytesIO(b"not a workbook"), now=NOW)
    with pytest.raises(ValidationFailed):
        campaigns.make_list(office, care.id, now=NOW)


def test_only_the_city_makes_campaigns_budgets_and_lists(places):
    clerk = make_clerk(AssignmentKind.district_clerk, places["haigang"])
    care = make_care_campaign()
    with pytest.raises(Forbidden):
        campaigns.make_list(clerk, care.id, now=NOW)
    with pytest.raises(Forbidden):
        budgets.set_budget(clerk, care.id, FundSource.donations, 100, now=NOW)
    stranger = make_office()
    stranger.role = stranger.role.__class__.volunteer
    with pytest.raises(NotFound):
        campaigns.get_care_campaign(stranger, care.id, now=NOW)


def test_a_budget_change_is_recorded_and_never_goes_below_what_is_spent(places):
    office = make_office()
    care = make_care_campaign(office, budget={FundSource.moral_fund: 50_000})
    budget = budgets.set_budget(
        office, care.id, FundSource.moral_fund, 80_000, reason="追加", now=NOW
    )
    budgets.charge(care.id, FundSource.moral_fund, 60_000, "cash_yuan")

    with pytest.raises(ValidationFailed):
        budgets.set_budget(office, care.id, FundSource.moral_fund, 59_999, now=NOW)
    changes = (
        db.session.query(BudgetChange).filter_by(budget_id=budget.id).order_by(BudgetChange.id)
    )
    assert [(c.old_fen, c.new_fen) for c in changes] == [(0, 50_000), (50_000, 80_000)]


def test_a_campaign_needs_a_name_a_season_and_for_the_level_rule_a_level(places):
    office = make_office()
    with pytest.raises(ValidationFailed) as refused:
        campaigns.create_care_campaign(
            office,
            campaigns.CampaignDetails(
                campaign_id=999_999, kind=CareKind.visits, name=" ", rule=ListRule.honour_level
            ),
            now=NOW,
        )
    assert set(refused.value.errors) == {"name", "campaign_id", "min_level"}
