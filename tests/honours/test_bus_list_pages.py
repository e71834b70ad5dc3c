"""The bus list's pages: the office makes a service token on a bus partner's page (shown once),
lists and revokes it and reads the lists made and who fetched them; the service account cannot
sign in on the web, by SMS or for a token; a bus partner's staff read the newest list's counts
on their phone and download it as CSV (numbers only, the download recorded); others are
refused."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import select

from core.auth.models import ApiToken, TokenScope, User
from core.auth.services import authenticate
from core.extensions import db
from honours.bus_models import (
    BusListExport,
    BusListFetch,
    BusServiceAccount,
    FetchChannel,
    ListMaker,
)
from honours.card_models import PartnerKind
from tests.conftest import sign_in
from tests.honours.builders import NOW, make_office, make_places
from tests.honours.bus_builders import make_bus_partner, make_export, make_service_token
from tests.honours.card_builders import make_card, make_honoured
from tests.honours.partner_builders import make_partner, make_partner_staff


@pytest.fixture(autouse=True)
def at_now():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def ground(app):
    places = make_places()
    office = make_office()
    partner = make_bus_partner(office=office, name="秦皇岛公交")
    holder = make_honoured(places["wenhuali"], office, name="李秀英", phone="13803351111")
    card = make_card(holder, office)
    db.session.commit()
    return {"office": office, "partner": partner, "holder": holder, "card": card}


def _page(partner_id: int) -> str:
    return f"/office/card-partners/{partner_id}"


def test_the_office_makes_a_token_shown_once_then_lists_and_revokes_it(app, ground):
    office = sign_in(app.test_client(), ground["office"])
    partner_id = ground["partner"].id

    made = office.post(
        f"{_page(partner_id)}/service-tokens", data={"name": "票务系统夜间更新", "days": "90"}
    )

    assert made.status_code == 302
    account = db.session.scalar(select(BusServiceAccount))
    token = db.session.scalar(select(ApiToken).where(ApiToken.user_id == account.user_id))
    assert token.scope is TokenScope.bus_list and token.created_by_id == ground["office"].id
    assert token.expires_at == NOW + timedelta(days=90)
    first = office.get(_page(partner_id)).text
    assert 'data-testid="shown-token"' in first and "票务系统夜间更新" in first
    assert 'data-testid="shown-token"' not in office.get(_page(partner_id)).text

    revoked = office.post(f"{_page(partner_id)}/service-tokens/{token.id}/revoke")
    assert revoked.status_code == 302
    db.session.refresh(token)
    assert token.revoked_at == NOW and token.revoked_by_id == ground["office"].id
    again = office.post(f"{_page(partner_id)}/service-tokens/{token.id}/revoke")
    assert again.status_code == 302
    db.session.refresh(token)
    assert token.revoked_at == NOW


def test_a_token_form_with_bad_values_changes_nothing(app, ground):
    office = sign_in(app.test_client(), ground["office"])
    for data in ({"name": "", "days": "30"}, {"name": "系统", "days": "0"}, {"name": "系统"}):
        answer = office.post(f"{_page(ground['partner'].id)}/service-tokens", data=data)
        assert answer.status_code == 302
    assert db.session.scalar(select(BusServiceAccount)) is None
    scenic = make_partner(office=ground["office"], kind=PartnerKind.scenic, name="景区")
    db.session.commit()
    office.post(f"{_page(scenic.id)}/service-tokens", data={"name": "系统", "days": "30"})
    assert db.session.scalar(select(BusServiceAccount)) is None
    assert 'data-testid="bus-section"' not in office.get(_page(scenic.id)).text


def test_only_the_office_makes_tokens(app, ground):
    staff = make_partner_staff(ground["partner"])
    db.session.commit()
    client = sign_in(app.test_client(), staff)

    answer = client.post(
        f"{_page(ground['partner'].id)}/service-tokens", data={"name": "系统", "days": "30"}
    )

    assert answer.status_code == 403
    assert db.session.scalar(select(BusServiceAccount)) is None


def test_the_service_account_cannot_sign_in(app, client, ground):
    issued = make_service_token(ground["partner"], ground["office"])
    db.session.commit()
    user = db.session.get(User, issued.account.user_id)
    assert user.is_enabled and not user.phone.startswith("1")

    for password in ("", "!service-account", "password123"):
        assert authenticate(user.phone, password) is None
        page = client.post("/login", data={"phone": user.phone, "password": password})
        assert page.status_code != 302
        api = client.post(
            "/api/v1/auth/tokens", json={"phone": user.phone, "password": password or "x"}
        )
        assert api.status_code in (401, 422)
    code = client.post("/api/v1/auth/sms-codes", json={"phone": user.phone, "purpose": "sign_in"})
    assert code.status_code in (404, 422)


def test_the_office_page_shows_the_lists_and_who_fetched_them(app, client, ground):
    issued = make_service_token(ground["partner"], ground["office"], name="闸机系统")
    make_export(ground["partner"], now=NOW - timedelta(days=1))
    make_export(ground["partner"])
    db.session.commit()
    client.get("/api/v1/partner/bus-list", headers={"Authorization": f"Bearer {issued.secret}"})

    page = sign_in(app.test_client(), ground["office"]).get(_page(ground["partner"].id)).text

    assert page.count('data-testid="bus-export"') == 2
    assert "闸机系统" in page and issued.account.user.display_name in page
    assert 'data-testid="shown-token"' not in page


def test_a_bus_partners_staff_download_the_list_as_csv(app, ground):
    staff = make_partner_staff(ground["partner"], name="调度员")
    make_export(ground["partner"])
    db.session.commit()
    client = sign_in(app.test_client(), staff)

    page = client.get("/partner/bus-list")
    assert page.status_code == 200 and 'data-testid="bus-list-download"' in page.text
    assert "/partner/bus-list" in client.get("/partner").text
    download = client.get("/partner/bus-list.csv")

    assert download.status_code == 200 and download.mimetype == "text/csv"
    text = download.get_data().decode("utf-8-sig")
    assert ground["card"].number in text
    holder = ground["holder"]
    assert holder.name not in text and holder.id_number not in text
    fetch = db.session.scalar(select(BusListFetch))
    assert (fetch.user_id, fetch.channel, fetch.token_id) == (staff.id, FetchChannel.download, None)


def test_the_page_without_a_list_and_the_refusals(app, ground):
    staff = make_partner_staff(ground["partner"])
    scenic_staff = make_partner_staff(make_partner(office=ground["office"], name="景区"))
    db.session.commit()
    mine = sign_in(app.test_client(), staff)
    assert 'data-testid="bus-list-none"' in mine.get("/partner/bus-list").text
    assert mine.get("/partner/bus-list.csv").status_code == 404

    other = sign_in(app.test_client(), scenic_staff)
    assert other.get("/partner/bus-list").status_code == 403
    assert other.get("/partner/bus-list.csv").status_code == 403
    assert db.session.scalar(select(BusListFetch)) is None


def test_the_command_makes_tonights_lists(app, runner, ground):
    result = runner.invoke(args=["honours", "bus-list"])

    assert result.exit_code == 0, result.output
    assert "bus lists made: 1" in result.output
    again = runner.invoke(args=["honours", "bus-list"])
    assert "bus lists made: 0; made already tonight: 1" in again.output
    assert db.session.scalars(select(BusListExport.made_by)).all() == [ListMaker.command]
