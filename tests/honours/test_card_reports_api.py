"""The card reports' API: the figures as JSON in fen and yuan, a district clerk's part, the
settlement and its lines for the city and a partner's own staff only, and a bad period or
month answered 422 with the field named."""

from __future__ import annotations

import json

import pytest
import time_machine

from tests.honours.builders import NOW
from tests.honours.card_report_builders import report_world

API = "/api/v1/honours/card-reports"


@pytest.fixture(autouse=True)
def at_now():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def world(app):
    return report_world()


def test_the_cards_by_state_and_district(client, bearer, world):
    answer = client.get(f"{API}/cards", headers=bearer(world["office"]))

    assert answer.status_code == 200, answer.text
    body = answer.json
    assert body["period"] == {"from": "2026-01-01", "to": "2026-12-31"}
    assert body["total"] == 11 and body["issued_in_period"] == 10 and body["is_whole"]
    haigang = next(d for d in body["districts"] if d["district"] == "海港区")
    assert haigang["counts"] == {
        "to_print": 1,
        "issued": 1,
        "active": 3,
        "lost": 1,
        "replaced": 1,
        "expired": 2,
        "revoked": 0,
    }


def test_the_uses_by_partner_month_and_benefit(client, bearer, world):
    answer = client.get(
        f"{API}/uses",
        query_string={"from": "2026-01-01", "to": "2026-02-28"},
        headers=bearer(world["office"]),
    )

    assert answer.status_code == 200, answer.text
    body = answer.json
    assert body["total"] == {"uses": 4, "value_fen": 12500, "value_yuan": "125.00"}
    scenic = next(p for p in body["partners"] if p["partner"] == "老龙头景区")
    assert scenic["months"] == [
        {"month": "2026-01", "uses": 1, "value_fen": 6050, "value_yuan": "60.50"},
        {"month": "2026-02", "uses": 1, "value_fen": 6050, "value_yuan": "60.50"},
    ]
    assert {b["benefit"]: b["value_fen"] for b in body["benefits"]} == {
        "免费游览老龙头": 12100,
        "市内公交免费乘车": 400,
    }


def test_a_district_clerk_gets_their_district_only(client, bearer, world):
    headers = bearer(world["shanhaiguan"])

    cards = client.get(f"{API}/cards", headers=headers).json
    uses = client.get(f"{API}/uses", query_string={"year": 2026}, headers=headers).json
    refusals = client.get(f"{API}/refusals", headers=headers).json

    assert [d["district"] for d in cards["districts"]] == ["山海关区"] and not cards["is_whole"]
    assert uses["total"]["value_fen"] == 30200
    assert refusals["total"] == 1
    assert refusals["partners"][0]["counts"] == {"revoked": 1}
    settlement = client.get(f"{API}/settlement", headers=headers)
    assert settlement.status_code == 403


def test_the_refusals_by_partner_and_outcome(client, bearer, world):
    body = client.get(f"{API}/refusals", headers=bearer(world["office"])).json

    scenic = next(p for p in body["partners"] if p["partner"] == "老龙头景区")
    assert scenic["counts"] == {"unknown": 1, "limit_reached": 1, "identity_mismatch": 1}
    assert body["total"] == 4


def test_the_city_settles_with_each_partner_and_reads_the_lines(client, bearer, world):
    headers = bearer(world["office"])
    scenic = world["scenic"].id

    every = client.get(f"{API}/settlement", query_string={"month": "2026-02"}, headers=headers)
    lines = client.get(
        f"{API}/settlement/lines",
        query_string={"month": "2026-02", "partner_id": world["bus"].id, "page_size": 1},
        headers=headers,
    )

    assert every.status_code == 200, every.text
    assert every.json["total"] == {"uses": 3, "value_fen": 6450, "value_yuan": "64.50"}
    assert [p["partner_id"] for p in every.json["partners"]] == [world["bus"].id, scenic]
    assert lines.status_code == 200, lines.text
    assert json.loads(lines.headers["X-Pagination"])["total"] == 2
    (line,) = lines.json
    assert line["card_last4"] == world["cards"]["c2"].number[-4:]
    assert (line["benefit"], line["value_fen"], line["value_yuan"]) == (
        "市内公交免费乘车",
        200,
        "2.00",
    )
    assert set(line) == {"used_at", "card_last4", "benefit", "value_fen", "value_yuan"}
    # The city's lines are one partner's at a time; a partner we do not have is not found.
    no_partner = client.get(
        f"{API}/settlement/lines", query_string={"month": "2026-02"}, headers=headers
    )
    assert no_partner.status_code == 422 and "partner_id" in no_partner.json["errors"]
    missing = client.get(f"{API}/settlement", query_string={"partner_id": 999999}, headers=headers)
    assert missing.status_code == 404


def test_a_partners_staff_read_their_own_settlement_only(client, bearer, world):
    headers = bearer(world["bus_staff"])

    own = client.get(f"{API}/settlement", query_string={"month": "2026-03"}, headers=headers)
    lines = client.get(
        f"{API}/settlement/lines", query_string={"month": "2026-03"}, headers=headers
    )
    other = client.get(
        f"{API}/settlement", query_string={"partner_id": world["scenic"].id}, headers=headers
    )
    other_lines = client.get(
        f"{API}/settlement/lines", query_string={"partner_id": world["scenic"].id}, headers=headers
    )

    assert own.status_code == 200, own.text
    assert [p["partner"] for p in own.json["partners"]] == ["秦皇岛市公交集团"]
    assert own.json["total"]["value_fen"] == 200
    assert [line["value_fen"] for line in lines.json] == [200]
    assert other.status_code == other_lines.status_code == 403
    # Nor the office's figures.
    assert client.get(f"{API}/uses", headers=headers).status_code == 404


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"from": "2026-03-01", "to": "2026-02-01"}, "to"),
        ({"from": "not-a-date"}, "from"),
        ({"year": 1900}, "year"),
        ({"from": "2020-01-01", "to": "2024-01-01"}, "to"),
    ],
)
def test_a_bad_period_is_refused_naming_the_field(client, bearer, world, query, field):
    answer = client.get(f"{API}/uses", query_string=query, headers=bearer(world["office"]))

    assert answer.status_code == 422, answer.text
    assert set(answer.json) >= {"code", "message", "errors"}
    assert field in json.dumps(answer.json["errors"])


def test_a_bad_month_is_refused_naming_the_field(client, bearer, world):
    answer = client.get(
        f"{API}/settlement", query_string={"month": "2026-13"}, headers=bearer(world["office"])
    )

    assert answer.status_code == 422 and "month" in answer.json["errors"]


def test_the_reports_are_in_the_api_document(client):
    paths = client.get("/api/v1/openapi.json").json["paths"]

    for path in ("cards", "uses", "refusals", "settlement", "settlement/lines"):
        operation = paths[f"{API}/{path}"]["get"]
        assert operation["summary"] and "200" in operation["responses"]
