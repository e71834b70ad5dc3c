"""The card pages: the clerks' list, issuing, printing, handing over and a lost card for the
district only; the holder's page (phone first) with a QR code that names their card, and the way
to it from their profile and home page when they hold one."""

from __future__ import annotations

import pytest
import time_machine
from sqlalchemy import select

from core.extensions import db
from core.qr import qr_svg
from core.settings import current_settings
from honours.card_models import CardStatus, CourtesyCard
from honours.services import card_codes
from tests.builders import make_user
from tests.conftest import sign_in
from tests.honours.builders import NOW
from tests.honours.card_builders import card_keepers, make_card, make_use


@pytest.fixture(autouse=True)
def _at_now():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def world(app):
    return card_keepers()


def _client(app, user):
    db.session.commit()
    return sign_in(app.test_client(), user)


def _flashes(client) -> list[tuple[str, str]]:
    with client.session_transaction() as session:
        return session.pop("_flashes", [])


def test_a_district_clerk_issues_prints_and_hands_over_from_the_pages(app, world):
    client = _client(app, world["district"])
    person_id = world["person"].id

    due = client.get("/honours/cards/eligible")
    assert due.status_code == 200 and world["person"].name in due.text
    assert world["person"].id_number not in due.text
    issued = client.post(f"/honours/cards/persons/{person_id}", data={})
    assert issued.status_code == 302
    card = db.session.scalar(select(CourtesyCard).where(CourtesyCard.person_id == person_id))
    assert card.status is CardStatus.to_print and card.valid_until.isoformat() == "2027-12-31"

    listed = client.get("/honours/cards")
    assert listed.status_code == 200 and card.number[:4] in listed.text
    assert world["person"].id_number not in listed.text

    printed = client.post("/honours/cards/print", data={})
    assert printed.status_code == 200 and printed.mimetype == "application/pdf"
    assert "attachment" in printed.headers["Content-Disposition"]
    db.session.refresh(card)
    assert card.status is CardStatus.issued

    page = client.get(f"/honours/cards/{card.id}")
    assert 'data-testid="hand-over"' in page.text
    assert client.post(f"/honours/cards/{card.id}/hand-over", data={}).status_code == 302
    db.session.refresh(card)
    assert card.status is CardStatus.active

    nothing = client.post("/honours/cards/print", data={})
    assert nothing.status_code == 302
    assert any(category == "danger" for category, _ in _flashes(client))


def test_a_lost_card_is_replaced_from_the_card_page(app, world):
    card = make_card(world["person"], world["office"])
    client = _client(app, world["district"])

    response = client.post(f"/honours/cards/{card.id}/lost", data={"note": "公交上丢失"})

    assert response.status_code == 302
    db.session.refresh(card)
    assert card.status is CardStatus.lost and card.end_note == "公交上丢失"
    replacement = db.session.scalar(select(CourtesyCard).where(CourtesyCard.replaces_id == card.id))
    assert response.headers["Location"].endswith(f"/honours/cards/{replacement.id}")


def test_another_district_is_refused_and_changes_nothing(app, world):
    card = make_card(world["person"], world["office"], status=CardStatus.issued)
    client = _client(app, world["other_district"])

    assert client.get(f"/honours/cards/{card.id}").status_code == 403
    assert client.post(f"/honours/cards/persons/{world['person'].id}", data={}).status_code == 302
    assert client.post(f"/honours/cards/{card.id}/hand-over", data={}).status_code == 302
    assert client.post(f"/honours/cards/{card.id}/lost", data={}).status_code == 302
    assert client.post("/honours/cards/print", data={"card_ids": [card.id]}).status_code == 302
    assert f'data-testid="card-{card.id}"' not in client.get("/honours/cards").text
    db.session.refresh(card)
    assert card.status is CardStatus.issued
    assert db.session.query(CourtesyCard).count() == 1


def test_the_city_renews_from_the_list(app, world):
    card = make_card(world["person"], world["office"], valid_until=NOW.date())
    client = _client(app, world["office"])
    page = client.get("/honours/cards")
    assert 'data-testid="renewal"' in page.text
    response = client.post(
        "/honours/cards/renewal", data={"year": "2026", "valid_until": "2027-12-31"}
    )
    assert response.status_code == 302
    db.session.refresh(card)
    assert card.valid_until.isoformat() == "2027-12-31"
    district = _client(app, world["district"])
    assert 'data-testid="renewal"' not in district.get("/honours/cards").text


def test_the_holders_page_shows_the_card_its_qr_code_and_uses(app, world):
    user = make_user(display_name="张好人")
    world["person"].user_id = user.id
    card = make_card(world["person"], world["office"])
    make_use(card, world["office"], partner_name="老龙头景区", benefit_name="免费游览")
    client = _client(app, user)

    page = client.get("/me/card")

    assert page.status_code == 200
    secret = current_settings().check_in_secret
    code = card_codes.card_code(card, secret=secret)
    # The page's QR code is the code of this card, which a partner's scan reads back to it.
    assert str(qr_svg(code)) in page.text
    assert card_codes.card_from_code(code, secret=secret).id == card.id
    assert "老龙头景区" in page.text and "免费游览" in page.text
    assert world["person"].id_number not in page.text
    assert 'name="viewport" content="width=device-width' in page.text
    assert 'data-testid="my-card-link"' in client.get("/profile").text
    assert 'data-testid="my-card-link"' in client.get("/").text

    lost = client.post("/me/card/lost", data={"note": "丢了"})
    assert lost.status_code == 302
    db.session.refresh(card)
    assert card.status is CardStatus.lost
    assert 'data-testid="card-qr"' not in client.get("/me/card").text


def test_one_without_a_card_sees_no_card_and_no_link(app, world):
    make_card(world["person"], world["office"])
    client = _client(app, make_user())
    page = client.get("/me/card")
    assert page.status_code == 200 and 'data-testid="no-card"' in page.text
    assert world["person"].name not in page.text
    assert 'data-testid="my-card-link"' not in client.get("/profile").text
    assert client.post("/me/card/lost", data={}).status_code == 302
