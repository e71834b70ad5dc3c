"""The card's life through the API: a district clerk issues, prints, hands over and reports
lost for their district only; the city renews; the holder reads their own card and nobody
else's."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
import time_machine
from pypdf import PdfReader

from core.extensions import db
from core.settings import current_settings
from honours.card_models import CardStatus, CourtesyCard
from honours.services import card_codes
from tests.builders import make_user
from tests.honours.builders import NOW
from tests.honours.card_builders import card_keepers, make_card, make_honoured, make_use


@pytest.fixture(autouse=True)
def _at_now():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def world(app):
    return card_keepers()


def test_a_district_clerk_issues_prints_and_hands_over_a_card(client, bearer, world):
    headers = bearer(world["district"])
    person_id = world["person"].id

    due = client.get("/api/v1/honours/cards/eligible", headers=headers)
    assert [p["id"] for p in due.json] == [person_id]
    assert "*" in due.json[0]["masked_id_number"]

    made = client.post("/api/v1/honours/cards", json={"person_id": person_id}, headers=headers)
    assert made.status_code == 201, made.json
    card = made.json
    assert (card["status"], card["valid_until"]) == ("to_print", "2027-12-31")
    assert card["holder"]["name"] == world["person"].name
    assert world["person"].id_number not in made.text
    again = client.post("/api/v1/honours/cards", json={"person_id": person_id}, headers=headers)
    assert again.status_code == 409 and again.json["code"] == "card_exists"

    printed = client.post("/api/v1/honours/cards/print", json={}, headers=headers)
    assert printed.status_code == 200 and printed.mimetype == "application/pdf"
    assert card["number"][:4] in PdfReader(io.BytesIO(printed.data)).pages[0].extract_text()
    assert client.get(f"/api/v1/honours/cards/{card['id']}", headers=headers).json["status"] == (
        "issued"
    )
    nothing = client.post("/api/v1/honours/cards/print", json={}, headers=headers)
    assert nothing.status_code == 422 and nothing.json["code"] == "nothing_to_print"

    handed = client.post(f"/api/v1/honours/cards/{card['id']}/hand-over", headers=headers)
    assert handed.status_code == 200 and handed.json["status"] == "active"
    twice = client.post(f"/api/v1/honours/cards/{card['id']}/hand-over", headers=headers)
    assert twice.status_code == 409


def test_issue_refuses_a_past_date_and_bad_bodies(client, bearer, world):
    headers = bearer(world["district"])
    person_id = world["person"].id
    for body in (
        {"person_id": person_id, "valid_until": "2026-05-31"},
        {"person_id": person_id, "valid_until": "not a date"},
        {},
        {"person_id": "x"},
    ):
        response = client.post("/api/v1/honours/cards", json=body, headers=headers)
        assert response.status_code == 422, (body, response.json)
    assert db.session.query(CourtesyCard).count() == 0


def test_another_district_and_the_street_are_refused(client, bearer, world):
    person_id = world["person"].id
    card = make_card(world["person"], world["office"], status=CardStatus.issued)
    for user in (world["other_district"], world["street"]):
        headers = bearer(user)
        issued = client.post(
            "/api/v1/honours/cards", json={"person_id": person_id}, headers=headers
        )
        assert issued.status_code == 403
        for action in ("hand-over", "lost"):
            response = client.post(
                f"/api/v1/honours/cards/{card.id}/{action}", json={}, headers=headers
            )
            assert response.status_code == 403, (action, response.json)
    assert (
        client.get(
            f"/api/v1/honours/cards/{card.id}", headers=bearer(world["other_district"])
        ).status_code
        == 403
    )
    # The street reads its region's cards, masked, and acts on none.
    listed = client.get("/api/v1/honours/cards", headers=bearer(world["street"]))
    assert [c["id"] for c in listed.json] == [card.id] and not listed.json[0]["may_keep"]
    assert client.get("/api/v1/honours/cards", headers=bearer(world["other_district"])).json == []
    assert client.get("/api/v1/honours/cards", headers=bearer(make_user())).status_code == 404
    db.session.refresh(card)
    assert card.status is CardStatus.issued


def test_the_list_filters_by_status_and_refuses_unknown_ones(client, bearer, world):
    office = world["office"]
    make_card(world["person"], office)
    make_card(
        make_honoured(world["places"]["nanguan"], office, name="南关"),
        office,
        status=CardStatus.to_print,
    )
    headers = bearer(office)
    assert [
        c["holder"]["name"]
        for c in client.get("/api/v1/honours/cards?status=to_print", headers=headers).json
    ] == ["南关"]
    assert client.get("/api/v1/honours/cards?status=nope", headers=headers).status_code == 422
    assert client.get("/api/v1/honours/cards?valid_year=99999", headers=headers).status_code == 422


def test_a_lost_card_is_replaced_through_the_api(client, bearer, world):
    card = make_card(world["person"], world["office"])
    headers = bearer(world["district"])

    lost = client.post(
        f"/api/v1/honours/cards/{card.id}/lost", json={"note": "遗失"}, headers=headers
    )

    assert lost.status_code == 200, lost.json
    assert lost.json["lost"]["number"] == card.number
    new = lost.json["replacement"]
    assert new["number"] != card.number
    read = client.get(f"/api/v1/honours/cards/{new['id']}", headers=headers).json
    assert (read["status"], read["replaces"]["id"]) == ("to_print", card.id)
    again = client.post(f"/api/v1/honours/cards/{card.id}/lost", json={}, headers=headers)
    assert again.status_code == 409


def test_bulk_issue_and_renewal(client, bearer, world):
    office = world["office"]
    make_honoured(world["places"]["hongqilu"], office, name="红旗路")
    make_honoured(world["places"]["nanguan"], office, name="南关")
    run = client.post("/api/v1/honours/cards/issue", json={}, headers=bearer(world["district"]))
    assert run.json == {"issued": 2, "skipped": 0, "valid_until": "2027-12-31"}

    old = make_card(
        make_honoured(world["places"]["nanguan"], office, name="老卡"),
        office,
        status=CardStatus.expired,
        valid_until=date(2026, 3, 31),
    )
    body = {"year": 2026, "valid_until": "2027-12-31"}
    refused = client.post(
        "/api/v1/honours/cards/renewal", json=body, headers=bearer(world["district"])
    )
    assert refused.status_code == 403
    renewed = client.post("/api/v1/honours/cards/renewal", json=body, headers=bearer(office))
    assert renewed.json == {"renewed": 1}
    db.session.refresh(old)
    assert (old.status, old.valid_until) == (CardStatus.active, date(2027, 12, 31))


def test_the_holder_reads_their_card_and_its_code_names_it(client, bearer, world):
    user = make_user()
    world["person"].user_id = user.id
    card = make_card(world["person"], world["office"])
    make_use(card, world["office"], partner_name="老龙头景区", benefit_name="免费游览")
    db.session.flush()

    mine = client.get("/api/v1/me/card", headers=bearer(user))

    assert mine.status_code == 200
    body = mine.json
    assert (body["number"], body["status"], body["level"]) == (card.number, "active", "city")
    secret = current_settings().check_in_secret
    assert card_codes.card_from_code(body["code"], secret=secret).id == card.id
    assert [(u["partner"], u["benefit"]) for u in body["uses"]] == [("老龙头景区", "免费游览")]
    assert world["person"].id_number not in mine.text
    # Nobody else reads it: another account has no card, and a clerk's token reads only theirs.
    assert client.get("/api/v1/me/card", headers=bearer(make_user())).status_code == 404
    assert client.get("/api/v1/me/card", headers=bearer(world["district"])).status_code == 404

    lost = client.post("/api/v1/me/card/lost", json={"note": "丢了"}, headers=bearer(user))
    assert lost.status_code == 200 and lost.json["lost"]["number"] == card.number
    after = client.get("/api/v1/me/card", headers=bearer(user)).json
    assert after["status"] == "to_print" and after["code"] is None
    assert client.post("/api/v1/me/card/lost", json={}, headers=bearer(user)).status_code == 409


def test_an_expired_card_shows_expired_to_its_holder(client, bearer, world):
    user = make_user()
    world["person"].user_id = user.id
    make_card(world["person"], world["office"], valid_until=NOW.date() - timedelta(days=1))
    body = client.get("/api/v1/me/card", headers=bearer(user)).json
    assert body["status"] == "expired" and body["code"] is None
