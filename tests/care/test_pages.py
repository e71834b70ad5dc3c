"""The care pages: the office makes a campaign, sets a budget, makes the list and locks the
verified visits; a clerk records a visit on the phone form with a signature drawn on the
canvas (sent as a PNG data URL) and photos; a refused form is shown again with the message
and changes nothing; English on request."""

from __future__ import annotations

import base64
import io

import pytest
import time_machine
from PIL import Image
from sqlalchemy import func, select

from care.models import (
    CareBudget,
    CareCampaign,
    CareTarget,
    FundSource,
    ReceiptKind,
    Visit,
    VisitStatus,
)
from care.services import campaigns, visits
from core.auth.assignments import AssignmentKind
from core.extensions import db
from tests.care.builders import VISITORS, make_care_campaign, make_season, make_visit
from tests.conftest import sign_in
from tests.honours.builders import NOW, make_clerk, make_office, make_places
from tests.honours.card_builders import make_honoured


@pytest.fixture(autouse=True)
def _at_now():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def world(app):
    """The office, a winter visits campaign with 10,000 yuan from the city budget, a good
    person of 文化里 on its list, the community clerk there, the district clerk of 海港区 and
    a community clerk of another district."""
    places = make_places()
    office = make_office()
    person = make_honoured(places["wenhuali"], office, name="王德厚")
    care = make_care_campaign(office)
    campaigns.make_list(office, care.id, now=NOW)
    return {
        "office": office,
        "care": care,
        "person": person,
        "clerk": make_clerk(AssignmentKind.community_clerk, places["wenhuali"]),
        "district": make_clerk(AssignmentKind.district_clerk, places["haigang"]),
        "stranger": make_clerk(AssignmentKind.community_clerk, places["nanguan"]),
    }


def _client(app, user):
    db.session.commit()
    return sign_in(app.test_client(), user)


def _flashes(client) -> list[tuple[str, str]]:
    with client.session_transaction() as session:
        return session.pop("_flashes", [])


def _png(colour: str = "navy", size=(40, 30)) -> bytes:
    data = io.BytesIO()
    Image.new("RGB", size, colour).save(data, "PNG")
    return data.getvalue()


def _visit_form(**values) -> dict:
    return {
        "recipient": "person",
        "visit_on": "2026-01-20",
        "place": "home",
        "visitors": VISITORS,
        "cash_yuan": "1000",
        "fund_source": "city_budget",
        "good_item": ["米面油礼包", "", ""],
        "good_quantity": ["1", "", ""],
        "good_value_yuan": ["200", "", ""],
        "needs": "冬季取暖费用较高",
        "follow_up": "协调街道落实取暖补贴",
        "done": "done",
        "receipt_kind": "signature",
        **values,
    }


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_a_clerk_records_a_visit_with_a_drawn_signature_and_photos(app, world):
    client = _client(app, world["clerk"])
    care, person = world["care"], world["person"]
    page = client.get(f"/care/campaigns/{care.id}")
    assert page.status_code == 200 and person.name in page.text
    assert 'data-testid="budget-form"' not in page.text  # the office's, not a clerk's

    form = client.get(f"/care/campaigns/{care.id}/visits/new?person_id={person.id}")
    assert form.status_code == 200
    assert 'capture="environment"' in form.text and "signature_pad.umd.min.js" in form.text
    signature = "data:image/png;base64," + base64.b64encode(_png("white", (300, 120))).decode()
    photos = [(io.BytesIO(_png("red")), "门口.png"), (io.BytesIO(_png("green")), "合影.png")]
    response = client.post(
        f"/care/campaigns/{care.id}/visits/new?person_id={person.id}",
        data=_visit_form(signature=signature, photos=photos),
        content_type="multipart/form-data",
    )

    assert response.status_code == 302, response.text
    visit = db.session.scalar(select(Visit))
    assert response.headers["Location"].endswith(f"/care/visits/{visit.id}")
    assert visit.status is VisitStatus.done and visit.cash_fen == 100_000
    assert visit.receipt_kind is ReceiptKind.signature and visit.receipt.kind == "care_receipt"
    assert [photo.upload.kind for photo in visit.photos] == ["care_photo", "care_photo"]
    assert [photo.position for photo in visit.photos] == [0, 1]
    assert [(g.item, g.quantity, g.value_fen) for g in visit.goods] == [("米面油礼包", 1, 20_000)]
    budget = db.session.scalar(select(CareBudget))
    assert budget.spent_fen == 100_000

    shown = client.get(f"/care/visits/{visit.id}")
    assert shown.status_code == 200
    assert f"/uploads/{visit.receipt.public_key}" in shown.text
    assert all(f"/uploads/{p.upload.public_key}" in shown.text for p in visit.photos)
    assert client.get(f"/uploads/{visit.receipt.public_key}").status_code == 200
    assert "1000.00" in shown.text and "米面油礼包" in shown.text
    listed = client.get(f"/care/campaigns/{care.id}")
    assert 'data-testid="visit-status">已走访' in listed.text


def test_the_office_sets_a_budget_makes_the_list_and_locks_verified_visits(app, world):
    office, person = world["office"], world["person"]
    client = _client(app, office)
    season = make_season(office, year=2027)
    db.session.commit()

    made = client.post(
        "/care/campaigns",
        data={
            "campaign_id": season.id,
            "kind": "visits",
            "name": "2027年走访慰问",
            "rule": "honour_level",
            "min_level": "city",
            "plan": "每人1000元",
        },
    )
    assert made.status_code == 302, made.text
    care = db.session.scalar(select(CareCampaign).where(CareCampaign.name == "2027年走访慰问"))
    assert made.headers["Location"].endswith(f"/care/campaigns/{care.id}")
    assert "2027年走访慰问" in client.get("/care/campaigns").text

    budget = client.post(
        f"/care/campaigns/{care.id}/budgets",
        data={"fund_source": "moral_fund", "budget_yuan": "5000.50", "reason": "年度预算"},
    )
    assert budget.status_code == 302
    assert _flashes(client) == [("success", "道德基金预算为 5000.50 元。")]
    row = db.session.scalar(select(CareBudget).where(CareBudget.care_campaign_id == care.id))
    assert (row.fund_source, row.budget_fen) == (FundSource.moral_fund, 500_050)
    assert client.post(f"/care/campaigns/{care.id}/list").status_code == 302
    assert [m for c, m in _flashes(client) if c == "success"] == ["1 人已列入名单。"]
    assert _count(CareTarget) == 2  # the world's campaign and this one

    visit = make_visit(office, world["care"], person, cash_fen=0, fund_source=None)
    visits.verify_visit(office, visit.id, now=NOW)
    db.session.commit()
    assert client.post(f"/care/campaigns/{world['care'].id}/lock").status_code == 302
    db.session.refresh(visit)
    assert visit.status is VisitStatus.locked

    reversed_ = client.post(f"/care/visits/{visit.id}/reverse", data={"reason": "重复录入"})
    assert reversed_.status_code == 302
    page = client.get(f"/care/visits/{visit.id}")
    assert 'data-testid="reversed"' in page.text and "重复录入" in page.text


def test_a_refused_form_is_shown_again_with_the_message_and_changes_nothing(app, world):
    client = _client(app, world["clerk"])
    care, person = world["care"], world["person"]
    url = f"/care/campaigns/{care.id}/visits/new?person_id={person.id}"

    # The moral fund has no budget in this campaign.
    over = client.post(url, data=_visit_form(cash_yuan="500", fund_source="moral_fund"))

    assert over.status_code == 422
    assert "超出道德基金预算余额：仅剩0.00元。" in over.text
    assert 'value="500"' in over.text and "米面油礼包" in over.text  # what was typed stays
    bad_signature = client.post(url, data=_visit_form(signature="data:image/png;base64,@@"))
    assert bad_signature.status_code == 422
    assert _count(Visit) == 0
    assert db.session.scalar(select(CareBudget.spent_fen)) == 0

    office = _client(app, world["office"])
    typo = office.post(
        f"/care/campaigns/{care.id}/budgets",
        data={"fund_source": "city_budget", "budget_yuan": "12.345"},
    )
    assert typo.status_code == 422 and 'data-testid="budget-form"' in typo.text
    assert db.session.scalar(select(CareBudget.budget_fen)) == 1_000_000


def test_a_person_off_the_list_is_visited_only_with_the_reason_shown(app, world):
    places = make_places()
    other = make_honoured(places["hongqilu"], world["office"], name="李助人")
    clerk = make_clerk(AssignmentKind.street_clerk, places["wenhualu"])
    client = _client(app, clerk)
    url = f"/care/campaigns/{world['care'].id}/visits/new?person_id={other.id}"
    # Not on the list: made after the list was.
    page = client.get(url)
    assert 'name="off_list_reason"' in page.text

    refused = client.post(url, data=_visit_form(cash_yuan="0", done="planned"))
    assert refused.status_code == 422 and _count(Visit) == 0
    done = client.post(
        url, data=_visit_form(cash_yuan="0", done="planned", off_list_reason="刚获评，补充走访")
    )
    assert done.status_code == 302
    visit = db.session.scalar(select(Visit))
    assert visit.status is VisitStatus.planned
    assert "刚获评，补充走访" in client.get(f"/care/visits/{visit.id}").text


def test_a_clerk_marks_a_person_not_reached(app, world):
    client = _client(app, world["clerk"])
    target = db.session.scalar(select(CareTarget))
    here = f"/care/campaigns/{world['care'].id}"

    empty = client.post(f"/care/targets/{target.id}/skip", data={"reason": "", "next": here})
    assert empty.status_code == 302 and any(c == "danger" for c, _ in _flashes(client))
    done = client.post(f"/care/targets/{target.id}/skip", data={"reason": "住院", "next": here})

    assert done.status_code == 302 and done.headers["Location"].endswith(here)
    db.session.refresh(target)
    assert target.skip_reason == "住院"
    assert "住院" in client.get(here).text
    stranger = _client(app, world["stranger"])
    assert stranger.post(f"/care/targets/{target.id}/skip", data={"reason": "x"}).status_code == 302
    assert any(c == "danger" for c, _ in _flashes(stranger))


def test_an_edit_is_kept_as_a_version_and_a_stale_one_is_refused(app, world):
    visit = make_visit(world["clerk"], world["care"], world["person"], done=False)
    client = _client(app, world["clerk"])
    form = client.get(f"/care/visits/{visit.id}/edit")
    assert form.status_code == 200 and "米面油礼包" in form.text

    saved = client.post(
        f"/care/visits/{visit.id}/edit", data=_visit_form(cash_yuan="800", version="1")
    )
    stale = client.post(
        f"/care/visits/{visit.id}/edit", data=_visit_form(cash_yuan="700", version="1")
    )

    assert saved.status_code == 302
    assert stale.status_code == 302 and any(c == "danger" for c, _ in _flashes(client))
    db.session.refresh(visit)
    assert (visit.version, visit.cash_fen) == (2, 80_000)
    page = client.get(f"/care/visits/{visit.id}")
    assert 'data-testid="version-2"' in page.text and "1000.00 → 800.00" in page.text
    assert client.post(f"/care/visits/{visit.id}/done", data={"version": "2"}).status_code == 302
    db.session.refresh(visit)
    assert visit.status is VisitStatus.done


def test_the_district_verifies_and_another_district_sees_nothing(app, world):
    visit = make_visit(world["clerk"], world["care"], world["person"])
    clerk = _client(app, world["clerk"])
    assert 'data-testid="verify"' not in clerk.get(f"/care/visits/{visit.id}").text

    district = _client(app, world["district"])
    page = district.get(f"/care/visits/{visit.id}")
    assert 'data-testid="verify"' in page.text
    district.post(f"/care/visits/{visit.id}/verify")
    # A visit with cash is verified with its receipt only.
    assert any("签收" in m or "receipt" in m for c, m in _flashes(district) if c == "danger")

    stranger = _client(app, world["stranger"])
    assert stranger.get(f"/care/visits/{visit.id}").status_code == 404
    assert world["person"].name not in stranger.get(f"/care/campaigns/{world['care'].id}").text


def test_the_pages_speak_english_on_request(app, world):
    client = _client(app, world["office"])
    assert "锁定已核实的走访" in client.get(f"/care/campaigns/{world['care'].id}").text
    client.post("/language", data={"locale": "en"})

    listed = client.get("/care/campaigns")
    page = client.get(f"/care/campaigns/{world['care'].id}")

    assert "Care campaigns" in listed.text and "Make a care campaign" in listed.text
    assert "Budgets" in page.text and "Lock verified visits" in page.text
