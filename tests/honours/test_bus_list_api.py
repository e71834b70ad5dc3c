"""The bus list through the API: the service account's token (limited to the list) reads its own
partner's newest list, numbers only, and nothing else; revoked, it is refused at once; an
ordinary token of a bus partner's staff reads it too; staff of another kind of partner, plain
volunteers and a partner with no list yet are refused; each fetch is recorded with its token."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import select

from core.auth.models import ApiToken, TokenScope
from core.extensions import db
from honours.bus_models import BusListFetch, FetchChannel
from honours.card_models import CardStatus, PartnerKind
from honours.services import bus_accounts
from tests.builders import make_user
from tests.honours.builders import NOW, make_office, make_places
from tests.honours.bus_builders import make_bus_partner, make_export, make_service_token
from tests.honours.card_builders import make_card, make_honoured
from tests.honours.partner_builders import make_partner, make_partner_staff

LIST = "/api/v1/partner/bus-list"
KEYS = {"export_id", "night", "made_at", "since_export_id", "valid", "invalid"}


@pytest.fixture(autouse=True)
def at_now():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def ground(app):
    places = make_places()
    office = make_office()
    partner = make_bus_partner(office=office, name="秦皇岛公交")
    holder = make_honoured(
        places["wenhuali"], office, name="李秀英", phone="13803351111", address="文化里8号"
    )
    card = make_card(holder, office)
    gone = make_card(make_honoured(places["wenhuali"], office, name="张伟"), office)
    first = make_export(partner, now=NOW - timedelta(days=1))
    gone.status = CardStatus.lost
    db.session.flush()
    export = make_export(partner)
    issued = make_service_token(partner, office)
    db.session.commit()
    return {
        "office": office,
        "partner": partner,
        "holder": holder,
        "card": card,
        "gone": gone,
        "first": first,
        "export": export,
        "issued": issued,
        "headers": {"Authorization": f"Bearer {issued.secret}"},
    }


def test_the_service_token_reads_the_newest_list_numbers_only(client, ground):
    holder = ground["holder"]
    private = (holder.name, holder.id_number, holder.phone, holder.address, "张伟")

    answer = client.get(LIST, headers=ground["headers"])

    assert answer.status_code == 200, answer.text
    assert set(answer.json) == KEYS
    assert answer.json["export_id"] == ground["export"].id
    assert answer.json["since_export_id"] == ground["first"].id
    assert answer.json["valid"] == [ground["card"].number]
    assert answer.json["invalid"] == [ground["gone"].number]
    assert not [text for text in private if text in answer.text]
    fetch = db.session.scalar(select(BusListFetch))
    assert (fetch.export_id, fetch.token_id, fetch.channel) == (
        ground["export"].id,
        ground["issued"].token.id,
        FetchChannel.api,
    )
    assert fetch.user_id == ground["issued"].account.user_id


def test_since_an_older_list_and_a_list_not_ones_own(client, ground):
    since = client.get(LIST, query_string={"since": ground["first"].id}, headers=ground["headers"])
    assert since.status_code == 200 and since.json["invalid"] == [ground["gone"].number]

    other = make_bus_partner(office=ground["office"], name="北戴河公交")
    theirs = make_export(other)
    db.session.commit()
    refused = client.get(LIST, query_string={"since": theirs.id}, headers=ground["headers"])
    assert refused.status_code == 404 and refused.json["code"] == "not_found"
    bad = client.get(LIST, query_string={"since": "x"}, headers=ground["headers"])
    assert bad.status_code == 422


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api/v1/me"),
        ("GET", "/api/v1/auth/tokens"),
        ("DELETE", "/api/v1/auth/tokens/current"),
        ("POST", "/api/v1/partner/checks"),
        ("GET", "/api/v1/partner/uses"),
        ("GET", "/api/v1/card-partners"),
    ],
)
def test_the_service_token_is_refused_everywhere_else(client, ground, method, path):
    answer = client.open(path, method=method, json={}, headers=ground["headers"])

    assert answer.status_code == 403, answer.text
    assert answer.json["code"] == "token_out_of_scope"
    token = db.session.get(ApiToken, ground["issued"].token.id)
    assert token.revoked_at is None and token.scope is TokenScope.bus_list


def test_a_revoked_token_is_refused_at_once(client, ground):
    assert client.get(LIST, headers=ground["headers"]).status_code == 200
    bus_accounts.revoke_service_token(
        ground["office"], ground["partner"].id, ground["issued"].token.id, now=NOW
    )
    db.session.commit()

    answer = client.get(LIST, headers=ground["headers"])

    assert answer.status_code == 401 and answer.json["code"] == "not_authenticated"


def test_a_token_of_one_partner_never_reads_anothers_list(client, ground):
    other = make_bus_partner(office=ground["office"], name="北戴河公交")
    their_list = make_export(other, now=NOW + timedelta(hours=1))
    theirs = make_service_token(other, ground["office"], name="北戴河闸机")
    db.session.commit()

    mine = client.get(LIST, headers=ground["headers"])
    yours = client.get(LIST, headers={"Authorization": f"Bearer {theirs.secret}"})

    assert mine.json["export_id"] == ground["export"].id
    assert yours.json["export_id"] == their_list.id
    assert yours.json["since_export_id"] is None and yours.json["invalid"] == []
    asked = {"since": ground["first"].id}
    refused = client.get(
        LIST, query_string=asked, headers={"Authorization": f"Bearer {theirs.secret}"}
    )
    assert refused.status_code == 404


def test_an_ordinary_token_of_a_bus_partners_staff_reads_the_list(client, bearer, ground):
    staff = make_partner_staff(ground["partner"], name="调度员")

    answer = client.get(LIST, headers=bearer(staff))

    assert answer.status_code == 200 and answer.json["export_id"] == ground["export"].id
    fetch = db.session.scalar(select(BusListFetch))
    assert fetch.user_id == staff.id and fetch.token_id is not None
    # Their token is an ordinary one: it works elsewhere too.
    assert client.get("/api/v1/me", headers=bearer(staff)).status_code == 200


def test_others_are_refused(client, bearer, ground):
    scenic = make_partner(office=ground["office"], kind=PartnerKind.scenic, name="老龙头景区")
    for user in (make_partner_staff(scenic), make_user(display_name="志愿者")):
        answer = client.get(LIST, headers=bearer(user))
        assert answer.status_code == 403, answer.text
    assert client.get(LIST).status_code == 401
    assert db.session.scalar(select(BusListFetch)) is None


def test_a_bus_partner_with_no_list_yet_answers_404(client, ground):
    fresh = make_bus_partner(office=ground["office"], name="抚宁公交")
    issued = make_service_token(fresh, ground["office"])
    db.session.commit()

    answer = client.get(LIST, headers={"Authorization": f"Bearer {issued.secret}"})

    assert answer.status_code == 404 and answer.json["code"] == "not_found"


def test_the_office_lists_the_tokens_with_their_last_use(client, ground):
    client.get(LIST, headers=ground["headers"])
    later = make_service_token(ground["partner"], ground["office"], name="备用")
    db.session.commit()

    listed = bus_accounts.list_service_tokens(ground["office"], ground["partner"].id, now=NOW)

    assert [(t.token.name, t.last_used_at, t.is_usable) for t in listed] == [
        ("备用", None, True),
        ("票务系统", NOW, True),
    ]
    assert listed[0].token.created_by_id == ground["office"].id
    # One service account for the partner, whatever the number of tokens.
    assert later.account.user_id == ground["issued"].account.user_id
