"""The partner's phone pages: the check (a scanned code or a typed number) shows 有效 with the
holder and the benefits left, or 无效 and nothing else; guessing numbers is stopped; a use is
recorded from the answer and a refusal is said; the ID-mismatch button; the partner's uses by
month with their value in yuan; no one else gets in."""

from __future__ import annotations

import pytest
import time_machine
from sqlalchemy import func, select

from core.extensions import db
from core.settings import current_settings
from honours.card_models import CardCheck, CardStatus, CardUse, CheckOutcome
from honours.services.card_codes import card_code
from honours.verification_views import yuan
from tests.builders import make_user
from tests.conftest import sign_in
from tests.honours.builders import NOW, make_office, make_places
from tests.honours.card_builders import make_card, make_honoured
from tests.honours.verification_builders import (
    make_benefit,
    make_partner,
    make_staff,
)


@pytest.fixture(autouse=True)
def at_now():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def ground(app):
    places = make_places()
    office = make_office()
    partner = make_partner(office, name="老龙头景区")
    staff = make_staff(partner)
    holder = make_honoured(places["wenhuali"], office, name="李秀英", phone="13803351111")
    card = make_card(holder, office)
    benefit = make_benefit(office, [partner], name="免费游览老龙头", limit=1, value_fen=6050)
    return {"partner": partner, "staff": staff, "holder": holder, "card": card, "benefit": benefit}


def test_money_is_shown_in_yuan_without_floats():
    assert [yuan(v) for v in (0, 5, 6050, 123456, -250)] == [
        "0.00",
        "0.05",
        "60.50",
        "1234.56",
        "-2.50",
    ]


def test_a_valid_card_shows_the_holder_and_a_use_is_recorded(app, ground):
    client = sign_in(app.test_client(), ground["staff"])
    form = client.get("/partner/check")
    assert form.status_code == 200 and "老龙头景区" in form.text

    answer = client.post("/partner/check", data={"number": ground["card"].number})

    assert answer.status_code == 200
    assert "有效" in answer.text and "李秀英" in answer.text
    assert ground["holder"].id_number[-4:] in answer.text
    assert "13803351111" not in answer.text and ground["holder"].id_number not in answer.text
    assert "免费游览老龙头" in answer.text
    check_id = db.session.scalar(select(CardCheck.id))
    recorded = client.post(
        "/partner/uses",
        data={
            "check_id": check_id,
            "card_id": ground["card"].id,
            "benefit_id": ground["benefit"].id,
        },
    )
    assert recorded.status_code == 302
    assert recorded.headers["Location"].endswith(f"/partner/checks/{check_id}")
    again = client.get(recorded.headers["Location"])
    assert "已记录" in again.text and "已用完" in again.text
    refused = client.post(
        "/partner/uses",
        data={
            "check_id": check_id,
            "card_id": ground["card"].id,
            "benefit_id": ground["benefit"].id,
        },
        follow_redirects=True,
    )
    assert "本年度" in refused.text
    assert db.session.scalar(select(func.count()).select_from(CardUse)) == 1


def test_an_invalid_card_shows_only_invalid(app, ground):
    ground["card"].status = CardStatus.revoked
    client = sign_in(app.test_client(), ground["staff"])

    answer = client.post("/partner/check", data={"number": ground["card"].number})

    assert answer.status_code == 200 and "无效" in answer.text
    for hidden in ("李秀英", "撤销", "免费游览老龙头", ground["holder"].id_number[-4:]):
        assert hidden not in answer.text
    assert db.session.scalar(select(CardCheck.outcome)) is CheckOutcome.revoked


def test_a_scanned_code_is_checked_and_one_not_signed_here_is_invalid(app, ground):
    client = sign_in(app.test_client(), ground["staff"])
    # What the scan script puts into the form's hidden field.
    code = card_code(ground["card"], secret=current_settings().check_in_secret)

    answer = client.post("/partner/check", data={"code": code})
    forged = client.post("/partner/check", data={"code": card_code(ground["card"], secret="x")})

    assert answer.status_code == 200 and "有效" in answer.text and "李秀英" in answer.text
    assert forged.status_code == 200 and "无效" in forged.text and "李秀英" not in forged.text
    checks = db.session.execute(select(CardCheck.scanned, CardCheck.outcome).order_by(CardCheck.id))
    assert checks.all() == [(True, CheckOutcome.valid), (True, CheckOutcome.unknown)]


def test_guessed_numbers_are_stopped_with_a_message(make_app):
    app = make_app(
        RATELIMIT_ENABLED=True,
        CARD_GUESSES_PER_PARTNER="100 per hour",
        CARD_GUESSES_PER_USER="2 per hour",
    )
    with app.app_context():
        staff = make_staff(make_partner(make_office(), name="老龙头景区"))
        db.session.commit()
        client = sign_in(app.test_client(), staff)
        for guess in ("1000000008", "1000000016"):
            refused = client.post("/partner/check", data={"number": guess})
            assert refused.status_code == 200 and "无效" in refused.text
        stopped = client.post("/partner/check", data={"number": "1000000024"})

    assert stopped.status_code == 429
    assert "无效卡次数过多，请稍后再验卡。" in stopped.text


def test_an_empty_check_is_asked_again(app, ground):
    client = sign_in(app.test_client(), ground["staff"])
    answer = client.post("/partner/check", data={"number": ""})
    assert answer.status_code == 422 and "扫描" in answer.text
    assert db.session.scalar(select(func.count()).select_from(CardCheck)) == 0


def test_the_mismatch_button_records_it(app, ground):
    client = sign_in(app.test_client(), ground["staff"])
    client.post("/partner/check", data={"number": ground["card"].number})

    done = client.post("/partner/mismatch", data={"card_id": ground["card"].id})

    assert done.status_code == 302
    outcomes = db.session.scalars(select(CardCheck.outcome).order_by(CardCheck.id))
    assert list(outcomes) == [CheckOutcome.valid, CheckOutcome.identity_mismatch]


def test_the_uses_page_shows_the_months_uses_and_value(app, ground):
    client = sign_in(app.test_client(), ground["staff"])
    client.post("/partner/check", data={"number": ground["card"].number})
    check_id = db.session.scalar(select(CardCheck.id))
    client.post(
        "/partner/uses",
        data={
            "check_id": check_id,
            "card_id": ground["card"].id,
            "benefit_id": ground["benefit"].id,
        },
    )

    page = client.get("/partner/uses")

    assert page.status_code == 200
    assert "免费游览老龙头" in page.text and "60.50" in page.text
    assert ground["card"].number[-4:] in page.text and "李秀英" not in page.text
    earlier = client.get("/partner/uses?month=2026-05")
    assert "免费游览老龙头" not in earlier.text
    assert client.get("/partner/uses?month=June").status_code == 422


def test_no_one_else_gets_in(app, ground):
    for user in (make_user(), make_office()):
        client = sign_in(app.test_client(), user)
        assert client.get("/partner/check").status_code == 403
        assert client.get("/partner/uses").status_code == 403
        assert (
            client.post("/partner/check", data={"number": ground["card"].number}).status_code == 403
        )
    assert db.session.scalar(select(func.count()).select_from(CardCheck)) == 0
