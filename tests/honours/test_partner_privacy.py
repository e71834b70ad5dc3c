"""The partner's view as a privacy matrix: the staff of the card's own partner and of another
partner, each with a valid, a revoked and a lost card, ask for a check's answer (page and API),
an earlier check's answer and photo, the partner's uses and its settlement figures, the holder's
register page and the register's lists. A valid card shows its holder's name, photo, last 4 ID
characters and the benefits left at the asker's partner, and nothing more; an invalid one shows
none of them; another partner's checks, uses and settlement and the whole register are refused.
No answer ever holds a whole ID number, a phone number or an address."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
import time_machine
from PIL import Image

from core.extensions import db
from core.settings import current_settings
from honours import services as register
from honours.card_models import CardStatus
from honours.services import verification
from tests.conftest import sign_in
from tests.honours.builders import NOW, make_office, make_places, scope
from tests.honours.card_builders import make_card, make_honoured
from tests.honours.verification_builders import make_benefit, make_partner, make_staff

STATES = {"valid": CardStatus.active, "revoked": CardStatus.revoked, "lost": CardStatus.lost}
VALID_FIELDS = {"check_id", "valid", "card_id", "name", "id_last4", "photo_url", "benefits"}


@pytest.fixture(autouse=True)
def at_now():
    with time_machine.travel(NOW, tick=False):
        yield


def _png() -> io.BytesIO:
    image = io.BytesIO()
    Image.new("RGB", (8, 8), (30, 90, 200)).save(image, format="PNG")
    image.seek(0)
    return image


@pytest.fixture
def ground(app, state):
    """Partner A (a scenic spot) and partner B (a check-up centre), a staff member of each; a
    holder with a photo and a card in `state`, used at A an hour ago while it was valid and
    checked at A five minutes ago."""
    places = make_places()
    office = make_office()
    partner_a = make_partner(office, name="老龙头景区")
    partner_b = make_partner(office, name="北戴河健康体检中心")
    staff_a, staff_b = (
        make_staff(partner_a, name="景区验卡员"),
        make_staff(partner_b, name="体检中心验卡员"),
    )
    benefit_a = make_benefit(office, [partner_a], name="免费游览老龙头", limit=2)
    benefit_b = make_benefit(office, [partner_b], name="免费健康体检", limit=1)
    settings = current_settings()
    holder = make_honoured(
        places["wenhuali"],
        office,
        name="欧阳秀英",
        phone="13803357788",
        address="文化路9号2单元501",
    )
    register.set_person_photo(
        office,
        scope(office),
        holder.id,
        stream=_png(),
        filename="p.png",
        now=NOW,
        settings=settings.uploads,
    )
    card = make_card(holder, office)
    earlier = NOW - timedelta(hours=1)
    verification.check_card(staff_a, number=card.number, now=earlier, settings=settings)
    verification.record_use(
        staff_a, card_id=card.id, benefit_id=benefit_a.id, now=earlier, settings=settings
    )
    card.status = STATES[state]
    check_at_a = verification.check_card(
        staff_a, number=card.number, now=NOW - timedelta(minutes=5), settings=settings
    )
    db.session.flush()
    return {
        "partner_a": partner_a,
        "staff": {"own": staff_a, "other": staff_b},
        "benefits": {"own": benefit_a, "other": benefit_b},
        "card": card,
        "check_at_a": check_at_a.check_id,
    }


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("asker", ["own", "other"])
def test_partner_staff_see_a_valid_cards_allowed_fields_and_nothing_else(
    app, bearer, ground, asker, state
):
    staff, card = ground["staff"][asker], ground["card"]
    holder, a = card.person, ground["partner_a"].id
    mine, theirs = (
        ground["benefits"][asker].name,
        ground["benefits"]["other" if asker == "own" else "own"].name,
    )
    valid, own = state == "valid", asker == "own"
    client, headers = sign_in(app.test_client(), staff), bearer(staff)
    answers = []

    def ask(url: str, **kwargs):
        if url.startswith("/api/"):
            kwargs["headers"] = headers
        answer = (
            client.post(url, **kwargs)
            if "data" in kwargs or "json" in kwargs
            else client.get(url, **kwargs)
        )
        answers.append(answer)
        return answer

    # The check: the holder's name, photo, last 4 ID characters and this partner's benefits.
    page = ask("/partner/check", data={"number": card.number})
    api = ask("/api/v1/partner/checks", json={"number": card.number})
    assert page.status_code == api.status_code == 200
    shown = [holder.name, holder.id_number[-4:], 'data-testid="holder-photo"', mine]
    assert [item in page.text for item in shown] == [valid] * 4
    assert theirs not in page.text
    if valid:
        assert set(api.json) == VALID_FIELDS and api.json["name"] == holder.name
        assert api.json["id_last4"] == holder.id_number[-4:]
        assert [b["name"] for b in api.json["benefits"]] == [mine]
        assert ask(api.json["photo_url"]).status_code == 200
    else:
        assert set(api.json) == {"check_id", "valid"} and api.json["valid"] is False

    # The answer and photo of partner A's earlier check: its own staff's, while the card is valid.
    earlier = ground["check_at_a"]
    again = ask(f"/partner/checks/{earlier}")
    for answer in (
        again,
        ask(f"/partner/checks/{earlier}/photo"),
        ask(f"/api/v1/partner/checks/{earlier}/photo"),
    ):
        expected = (200,) if own and valid else (403, 404)
        assert answer.status_code in expected, answer.request.path
    assert (holder.name in again.text) == (own and valid)

    # Partner A's uses and settlement: A's staff only, without the holder's name.
    for url in (f"/partner/uses?partner_id={a}", f"/api/v1/partner/uses?partner_id={a}"):
        uses = ask(url)
        assert uses.status_code == (200 if own else 403), url
        assert holder.name not in uses.text
        if own:
            assert "免费游览老龙头" in uses.text and card.number[-4:] in uses.text
    summary = ask(f"/api/v1/partner/uses/summary?partner_id={a}")
    assert summary.status_code == (200 if own else 403)
    if own:
        assert (summary.json["count"], summary.json["value_fen"]) == (1, 6000)
    else:
        assert "免费游览老龙头" not in ask("/partner/uses").text
        assert ask("/api/v1/partner/uses/summary").json["count"] == 0

    # Nothing of the register.
    for url in (
        f"/honours/register/persons/{holder.id}",
        f"/api/v1/honours/persons/{holder.id}",
        "/honours/register",
        "/honours/register/persons",
        "/honours/register/export.csv",
        f"/honours/cards/{card.id}",
        "/honours/cards",
    ):
        assert ask(url).status_code in (403, 404), url
    # The register's list in the API is open to every volunteer account and lists one who is
    # no clerk nobody.
    assert ask("/api/v1/honours/persons").json == []

    for answer in answers:
        for secret in (holder.id_number, holder.phone, holder.address):
            assert secret.encode() not in answer.get_data(), answer.request.path
