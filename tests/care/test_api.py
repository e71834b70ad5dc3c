"""The care API: campaigns, budgets, lists and visits through their routes with bearer tokens,
each step's answer and a refusal of each kind (off the list without a reason, over budget, an
edit after verification, another district's clerk, a non-clerk, a receipt that is no image)."""

from __future__ import annotations

import io
import json
from datetime import date

import pytest

from care.models import FundSource, ListRule, Visit, VisitStatus
from care.services import campaigns
from core.auth.assignments import AssignmentKind
from core.extensions import db
from honours.models import PersonStatus
from tests.builders import make_user
from tests.care.api_builders import png, workbook
from tests.care.builders import VISITORS, make_care_campaign, make_season
from tests.honours.builders import NOW, make_clerk, make_office, make_person, make_places

API = "/api/v1/care"
BODY = {
    "visit_on": "2026-01-20",
    "place": "home",
    "visitors": VISITORS,
    "cash_yuan": "1000",
    "fund_source": "city_budget",
    "needs": "冬季取暖费用较高",
    "follow_up": "协调街道落实取暖补贴",
    "goods": [{"item": "米面油礼包", "quantity": 2, "value_yuan": "150.50"}],
}


@pytest.fixture
def ground(app):
    places, office = make_places(), make_office()
    person = make_person(places["wenhuali"], office, name="陈守望")
    other = make_person(
        places["nanguan"], office, name="郑别处", birth_date=date(1958, 3, 2), phone=None
    )
    care = make_care_campaign(office, rule=ListRule.hardship)
    campaigns.make_list(office, care.id, now=NOW)
    return {
        "office": office,
        "care": care,
        "person": person,
        "other": other,
        "clerk": make_clerk(AssignmentKind.community_clerk, places["wenhuali"], name="社区专干"),
        "district": make_clerk(AssignmentKind.district_clerk, places["haigang"], name="区专干"),
        "elsewhere": make_clerk(
            AssignmentKind.district_clerk, places["shanhaiguan"], name="山海关专干"
        ),
        "volunteer": make_user(display_name="志愿者"),
    }


def _record(client, headers, care_id: int, person_id: int, **values):
    body = {**BODY, "person_id": person_id, "done": True, **values}
    return client.post(f"{API}/campaigns/{care_id}/visits", json=body, headers=headers)


def _visit_id(client, headers, ground, **values) -> int:
    answer = _record(client, headers, ground["care"].id, ground["person"].id, **values)
    assert answer.status_code == 201, answer.json
    return answer.json["id"]


def _file(stream: io.BytesIO, name: str) -> dict:
    return {"file": (stream, name)}


# Campaigns, budgets and lists ------------------------------------------------------------------


def test_the_city_makes_a_campaign_and_every_clerk_reads_it(client, bearer, ground):
    office = ground["office"]
    season = make_season(office, year=2025)
    db.session.commit()

    made = client.post(
        f"{API}/campaigns",
        json={
            "campaign_id": season.id,
            "kind": "visits",
            "name": "2025年走访慰问困难群众",
            "rule": "hardship",
            "plan": "春节前走访慰问。",
        },
        headers=bearer(office),
    )
    listed = client.get(f"{API}/campaigns?year=2025", headers=bearer(ground["clerk"]))
    one = client.get(f"{API}/campaigns/{made.json['id']}", headers=bearer(ground["elsewhere"]))

    assert made.status_code == 201, made.json
    assert made.json["year"] == 2025
    assert made.json["campaign"] == {"id": season.id, "name": season.name}
    assert made.json["min_level"] is None and made.json["budgets"] == []
    assert [c["id"] for c in listed.json] == [made.json["id"]]
    assert json.loads(listed.headers["X-Pagination"])["total"] == 1
    assert one.status_code == 200 and one.json["name"] == "2025年走访慰问困难群众"


def test_a_clerk_does_not_make_a_campaign_and_a_non_clerk_does_not_see_one(client, bearer, ground):
    season = make_season(ground["office"], year=2025)
    db.session.commit()
    body = {"campaign_id": season.id, "kind": "visits", "name": "走访", "rule": "hardship"}

    made = client.post(f"{API}/campaigns", json=body, headers=bearer(ground["district"]))
    listed = client.get(f"{API}/campaigns", headers=bearer(ground["volunteer"]))
    one = client.get(f"{API}/campaigns/{ground['care'].id}", headers=bearer(ground["volunteer"]))

    assert made.status_code == 403
    assert listed.status_code == 404
    assert one.status_code == 404


def test_the_city_sets_a_budget_in_yuan_with_its_reason(client, bearer, ground):
    care_id = ground["care"].id
    db.session.commit()

    answer = client.put(
        f"{API}/campaigns/{care_id}/budgets/moral_fund",
        json={"budget_yuan": "12,000.50", "reason": "道德基金追加"},
        headers=bearer(ground["office"]),
    )
    read = client.get(f"{API}/campaigns/{care_id}", headers=bearer(ground["clerk"]))

    assert answer.status_code == 200, answer.json
    assert answer.json["budget_fen"] == 1_200_050
    assert answer.json["budget_yuan"] == "12000.50"
    assert answer.json["left_yuan"] == "12000.50" and answer.json["spent_fen"] == 0
    assert [(c["old_yuan"], c["new_yuan"], c["reason"]) for c in answer.json["changes"]] == [
        ("0.00", "12000.50", "道德基金追加")
    ]
    budgets = {b["fund_source"]: b for b in read.json["budgets"]}
    assert budgets["city_budget"]["budget_yuan"] == "10000.00"
    assert budgets["moral_fund"]["left_fen"] == 1_200_050


@pytest.mark.parametrize(
    ("path", "body", "status"),
    [
        ("budgets/moral_fund", {"budget_yuan": "1e999999"}, 422),
        ("budgets/moral_fund", {"budget_yuan": "12.345"}, 422),
        ("budgets/moral_fund", {"budget_yuan": "99999999999"}, 422),
        ("budgets/lottery", {"budget_yuan": "100"}, 404),
    ],
    ids=["exponent", "three-decimals", "too-large", "no-such-source"],
)
def test_a_budget_that_is_no_amount_is_refused(client, bearer, ground, path, body, status):
    care_id = ground["care"].id
    db.session.commit()

    answer = client.put(
        f"{API}/campaigns/{care_id}/{path}", json=body, headers=bearer(ground["office"])
    )

    assert answer.status_code == status, answer.json
    assert set(answer.json) == {"code", "message", "errors"}


def test_the_list_is_made_and_each_clerk_reads_their_regions_part(client, bearer, ground):
    care, person = ground["care"], ground["person"]
    person.status, person.died_on = PersonStatus.deceased, date(2026, 5, 1)
    db.session.commit()

    again = client.post(f"{API}/campaigns/{care.id}/list", headers=bearer(ground["office"]))
    mine = client.get(f"{API}/campaigns/{care.id}/targets", headers=bearer(ground["district"]))
    everyone = client.get(
        f"{API}/campaigns/{care.id}/targets?name=郑&page_size=10", headers=bearer(ground["office"])
    )

    assert again.status_code == 200 and again.json == {"added": 0}
    assert [(t["person_id"], t["name"]) for t in mine.json] == [(person.id, "陈守望")]
    assert mine.json[0]["is_deceased"] is True
    assert mine.json[0]["visited"] is False and mine.json[0]["visit_id"] is None
    assert mine.json[0]["region"]["id"] == person.region_id
    assert [t["name"] for t in everyone.json] == ["郑别处"]


def test_an_uploaded_list_adds_people_by_their_id_numbers(client, bearer, ground):
    office, person = ground["office"], ground["person"]
    care = make_care_campaign(office, rule=ListRule.upload)
    db.session.commit()

    answer = client.post(
        f"{API}/campaigns/{care.id}/list/upload",
        data=_file(workbook(person.id_number), "名单.xlsx"),
        headers=bearer(office),
    )
    not_excel = client.post(
        f"{API}/campaigns/{care.id}/list/upload",
        data=_file(io.BytesIO(b"name,id\n"), "名单.csv"),
        headers=bearer(office),
    )
    by_rule = client.post(f"{API}/campaigns/{care.id}/list", headers=bearer(office))

    assert answer.status_code == 200, answer.json
    assert answer.json == {"added": 1, "already": 0}
    assert not_excel.status_code == 422 and "file" in not_excel.json["errors"]
    assert by_rule.status_code == 422 and by_rule.json["code"] == "list_is_uploaded"


def test_a_clerk_marks_a_person_not_reached_with_the_reason(client, bearer, ground):
    target = campaigns.target_of(ground["care"].id, ground["person"].id)
    other = campaigns.target_of(ground["care"].id, ground["other"].id)
    db.session.commit()

    skipped = client.post(
        f"{API}/targets/{target.id}/skip",
        json={"reason": "住院外地治疗"},
        headers=bearer(ground["clerk"]),
    )
    empty = client.post(
        f"{API}/targets/{target.id}/skip", json={"reason": ""}, headers=bearer(ground["clerk"])
    )
    elsewhere = client.post(
        f"{API}/targets/{other.id}/skip", json={"reason": "拒绝"}, headers=bearer(ground["clerk"])
    )

    assert skipped.status_code == 200, skipped.json
    assert skipped.json["skip_reason"] == "住院外地治疗" and skipped.json["skipped_at"]
    assert empty.status_code == 422
    assert elsewhere.status_code == 403
    db.session.expire_all()
    assert other.skip_reason is None


# Visits ----------------------------------------------------------------------------------------


def test_a_clerk_records_edits_and_completes_a_visit(client, bearer, ground):
    care, person = ground["care"], ground["person"]
    db.session.commit()
    clerk = bearer(ground["clerk"])

    made = _record(client, clerk, care.id, person.id, done=False)
    visit_id = made.json["id"]
    edited = client.put(
        f"{API}/visits/{visit_id}",
        json={**BODY, "cash_yuan": "800", "version": 1},
        headers=clerk,
    )
    done = client.post(f"{API}/visits/{visit_id}/done", json={"version": 2}, headers=clerk)
    stale = client.put(
        f"{API}/visits/{visit_id}", json={**BODY, "cash_yuan": "700", "version": 2}, headers=clerk
    )
    campaign = client.get(f"{API}/campaigns/{care.id}", headers=clerk)
    listed = client.get(f"{API}/campaigns/{care.id}/visits?status=done", headers=clerk)
    targets = client.get(f"{API}/campaigns/{care.id}/targets", headers=clerk)

    assert made.status_code == 201, made.json
    assert made.json["status"] == "planned" and made.json["cash_yuan"] == "1000.00"
    assert made.json["goods"] == [
        {"item": "米面油礼包", "quantity": 2, "value_fen": 15_050, "value_yuan": "150.50"}
    ]
    assert made.json["target_id"] is not None and made.json["off_list_reason"] is None
    assert edited.status_code == 200, edited.json
    assert edited.json["version"] == 2
    assert edited.json["versions"][0]["changes"] == {"cash_fen": [100_000, 80_000]}
    assert done.status_code == 200 and done.json["status"] == "done"
    assert done.json["visited_at"] is not None
    assert stale.status_code == 409 and stale.json["code"] == "changed_meanwhile"
    spent = {b["fund_source"]: b for b in campaign.json["budgets"]}["city_budget"]
    assert (spent["spent_yuan"], spent["left_yuan"]) == ("800.00", "9200.00")
    assert [v["id"] for v in listed.json] == [visit_id]
    assert targets.json[0]["visited"] is True and targets.json[0]["visit_id"] == visit_id


def test_a_receipt_and_a_photo_are_attached_and_read_by_their_keys(client, bearer, ground):
    db.session.commit()
    clerk = bearer(ground["clerk"])
    visit_id = _visit_id(client, clerk, ground)

    receipt = client.post(
        f"{API}/visits/{visit_id}/receipt?kind=signature&version=1",
        data=_file(png(), "签名.png"),
        headers=clerk,
    )
    photo = client.post(
        f"{API}/visits/{visit_id}/photos", data=_file(png(), "走访.png"), headers=clerk
    )
    read = client.get(f"{API}/visits/{visit_id}", headers=clerk)
    shown = client.get(f"/api/v1/uploads/{receipt.json['key']}", headers=clerk)

    assert receipt.status_code == 201, receipt.json
    assert receipt.json["version"] == 2 and receipt.json["visit_id"] == visit_id
    assert photo.status_code == 201, photo.json
    assert read.json["receipt_key"] == receipt.json["key"]
    assert read.json["receipt_kind"] == "signature"
    assert read.json["photo_keys"] == [photo.json["key"]]
    assert read.json["versions"][0]["changes"] == {"receipt": [None, receipt.json["key"]]}
    assert shown.status_code == 200 and shown.mimetype == "image/png"


def test_a_receipt_that_is_no_image_or_pdf_is_refused(client, bearer, ground):
    db.session.commit()
    clerk = bearer(ground["clerk"])
    visit_id = _visit_id(client, clerk, ground)

    answer = client.post(
        f"{API}/visits/{visit_id}/receipt?kind=scan&version=1",
        data=_file(io.BytesIO(b"#!/bin/sh\necho receipt\n"), "签收单.sh"),
        headers=clerk,
    )

    assert answer.status_code == 422, answer.json
    assert "file" in answer.json["errors"]
    db.session.expire_all()
    assert db.session.get(Visit, visit_id).receipt_upload_id is None


def test_the_district_verifies_the_city_locks_and_reverses(client, bearer, ground):
    care, person = ground["care"], ground["person"]
    db.session.commit()
    clerk, district, office = (bearer(ground[k]) for k in ("clerk", "district", "office"))
    visit_id = _visit_id(client, clerk, ground)
    client.post(
        f"{API}/visits/{visit_id}/receipt?kind=scan&version=1",
        data=_file(png(), "签收单.png"),
        headers=clerk,
    )

    by_community = client.post(f"{API}/visits/{visit_id}/verify", headers=clerk)
    verified = client.post(f"{API}/visits/{visit_id}/verify", headers=district)
    edit = client.put(f"{API}/visits/{visit_id}", json={**BODY, "version": 2}, headers=clerk)
    follow_up = client.post(f"{API}/visits/{visit_id}/follow-up", headers=clerk)
    locked = client.post(f"{API}/campaigns/{care.id}/lock", headers=office)
    reversed_ = client.post(
        f"{API}/visits/{visit_id}/reverse", json={"reason": "慰问金发放对象有误"}, headers=office
    )
    again = _record(client, clerk, care.id, person.id, cash_yuan="500", corrects_id=visit_id)
    campaign = client.get(f"{API}/campaigns/{care.id}", headers=office)

    assert by_community.status_code == 403
    assert verified.status_code == 200, verified.json
    assert verified.json["status"] == "verified" and verified.json["verified_by"]["name"]
    assert edit.status_code == 409 and edit.json["code"] == "not_editable"
    assert follow_up.status_code == 200 and follow_up.json["follow_up_done_at"] is not None
    assert locked.status_code == 200 and locked.json == {"locked": 1}
    assert reversed_.status_code == 201, reversed_.json
    assert reversed_.json["status"] == "locked" and reversed_.json["is_reversed"] is True
    assert reversed_.json["reversal"]["cash_yuan"] == "1000.00"
    assert reversed_.json["reversal"]["reason"] == "慰问金发放对象有误"
    assert again.status_code == 201 and again.json["corrects_id"] == visit_id
    spent = {b["fund_source"]: b for b in campaign.json["budgets"]}["city_budget"]
    assert spent["spent_fen"] == 50_000


def test_a_person_off_the_list_is_visited_only_with_the_reason(client, bearer, ground):
    places_person = make_person(
        ground["person"].region, ground["office"], name="王新", birth_date=date(1970, 1, 1)
    )
    db.session.commit()
    clerk = bearer(ground["clerk"])

    refused = _record(client, clerk, ground["care"].id, places_person.id)
    made = _record(
        client, clerk, ground["care"].id, places_person.id, off_list_reason="新近发现的困难老人"
    )

    assert refused.status_code == 422 and refused.json["code"] == "off_list"
    assert "off_list_reason" in refused.json["errors"]
    assert made.status_code == 201 and made.json["target_id"] is None
    assert made.json["off_list_reason"] == "新近发现的困难老人"


def test_cash_over_what_the_budget_has_left_is_refused(client, bearer, ground):
    db.session.commit()
    clerk = bearer(ground["clerk"])

    care_id, person_id = ground["care"].id, ground["person"].id

    first = _record(client, clerk, care_id, person_id, cash_yuan="9500")
    answer = _record(client, clerk, care_id, person_id, cash_yuan="500.01")
    other_fund = _record(client, clerk, care_id, person_id, fund_source="donations")

    assert first.status_code == 201, first.json
    assert answer.status_code == 422 and answer.json["code"] == "over_budget"
    assert "500.00" in answer.json["errors"]["cash_yuan"][0]
    assert other_fund.status_code == 422 and other_fund.json["code"] == "over_budget"
    assert db.session.query(Visit).count() == 1


def test_another_districts_clerk_and_a_non_clerk_find_no_visit(client, bearer, ground):
    db.session.commit()
    visit_id = _visit_id(client, bearer(ground["clerk"]), ground)

    for who in ("elsewhere", "volunteer"):
        headers = bearer(ground[who])
        read = client.get(f"{API}/visits/{visit_id}", headers=headers)
        edit = client.put(f"{API}/visits/{visit_id}", json={**BODY, "version": 1}, headers=headers)
        listed = client.get(f"{API}/campaigns/{ground['care'].id}/visits", headers=headers)

        assert read.status_code == 404, who
        assert edit.status_code == 404, who
        assert listed.status_code == (200 if who == "elsewhere" else 404), who
        assert who != "elsewhere" or listed.json == []
    record = _record(client, bearer(ground["elsewhere"]), ground["care"].id, ground["person"].id)
    assert record.status_code == 403
    assert client.get(f"{API}/visits/{visit_id}").status_code == 401


def test_the_visits_of_a_campaign_are_listed_by_person_and_status(client, bearer, ground):
    care = ground["care"]
    db.session.commit()
    clerk, office = bearer(ground["clerk"]), bearer(ground["office"])
    planned = _visit_id(client, clerk, ground, done=False, cash_yuan="0", fund_source=None)
    other = _record(client, office, care.id, ground["other"].id, cash_yuan="0").json["id"]

    by_person = client.get(
        f"{API}/campaigns/{care.id}/visits?person_id={ground['other'].id}", headers=office
    )
    by_status = client.get(f"{API}/campaigns/{care.id}/visits?status=planned", headers=office)
    unknown = client.get(f"{API}/campaigns/{care.id}/visits?statuss=planned", headers=office)

    assert [v["id"] for v in by_person.json] == [other]
    assert [v["id"] for v in by_status.json] == [planned]
    assert by_status.json[0]["status"] == VisitStatus.planned.value
    assert by_status.json[0]["fund_source"] is None
    assert unknown.status_code == 422
    assert {b.fund_source for b in care.budgets} == {FundSource.city_budget}
