"""Gifting through the API and the pages: family links asked, answered and ended; a gift with
its Idempotency-Key, the cap and the key's reuse refused in the one error shape; the pools and
the office's award; the give page with the balance and what is left of the cap, and both sides'
histories in Chinese."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine

from core.auth.models import Role
from core.extensions import db
from points import services
from points.gift_models import GiftKind
from tests.builders import give_points, make_team, make_user
from tests.conftest import sign_in
from tests.points.test_gifts import linked

API = "/api/v1"
# Noon in Shanghai on 16 March 2026.
NOW = datetime(2026, 3, 16, 4, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def assert_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.text
    body = response.get_json()
    assert set(body) == {"code", "message", "errors"} and body["code"] == code, body
    return body


def test_a_family_link_is_asked_answered_and_ended_through_the_api(app, client, bearer):
    son, mother = make_user(display_name="王小明"), make_user(display_name="王妈妈")
    his, hers = bearer(son), bearer(mother)

    asked = client.post(
        f"{API}/me/family-links", json={"phone": mother.phone, "relation": "parent"}, headers=his
    )
    assert asked.status_code == 201, asked.text
    link = asked.json
    assert (link["status"], link["relative"]["display_name"]) == ("requested", "王妈妈")
    assert "phone" not in link["relative"]
    again = client.post(
        f"{API}/me/family-links", json={"phone": son.phone, "relation": "child"}, headers=hers
    )
    assert_error(again, 409, "link_exists")

    answer = f"{API}/me/family-links/{link['id']}/answer"
    assert_error(client.post(answer, json={"accept": True}, headers=his), 403, "forbidden")
    confirmed = client.post(answer, json={"accept": True}, headers=hers)
    assert confirmed.status_code == 200 and confirmed.json["status"] == "confirmed"
    listed = client.get(f"{API}/me/family-links", headers=hers).json
    assert [(each["id"], each["requester"]["display_name"]) for each in listed] == [
        (link["id"], "王小明")
    ]

    ended = client.post(f"{API}/me/family-links/{link['id']}/end", headers=hers)
    assert ended.status_code == 200 and ended.json["status"] == "ended"
    assert client.get(f"{API}/me/family-links", headers=his).json == []


def test_a_gift_through_the_api_happens_once_per_key_and_within_the_cap(make_app, bearer):
    app = make_app(POINTS_GIFT_MONTHLY_CAP=50)
    with app.app_context():
        client = app.test_client()
        giver, relative = make_user(display_name="赠送人"), make_user(display_name="家里人")
        give_points(giver, 100)
        linked(giver, relative, now=NOW)
        headers = bearer(giver)
        body = {"kind": "family", "recipient_id": relative.id, "amount": 30, "note": "零花钱"}

        def send(payload, key: str | None = "k1"):
            keyed = {**headers, **({"Idempotency-Key": key} if key else {})}
            return client.post(f"{API}/me/gifts", json=payload, headers=keyed)

        made = send(body)
        assert made.status_code == 201, made.text
        assert (made.json["amount"], made.json["recipient"]["display_name"]) == (30, "家里人")
        retried = send(body)
        assert retried.status_code == 200 and retried.json["id"] == made.json["id"]
        assert_error(send({**body, "amount": 20}), 409, "key_reused")
        missing = send(body, key=None)
        assert missing.status_code == 400 and list(missing.json["errors"]) == ["Idempotency-Key"]
        capped = assert_error(send({**body, "amount": 21}, key="k2"), 409, "monthly_cap")
        assert list(capped["errors"]) == ["amount"]
        donated = send({"kind": "city_pool", "amount": 20}, key="k3")
        assert donated.status_code == 201, donated.text

        listed = client.get(f"{API}/me/gifts", headers=headers).json
        assert [(g["kind"], g["amount"]) for g in listed] == [("city_pool", 20), ("family", 30)]
        received = client.get(f"{API}/me/gifts", headers=bearer(relative)).json
        assert [g["giver"]["display_name"] for g in received] == ["赠送人"]
        history = client.get(f"{API}/me/points/history", headers=bearer(relative)).json
        assert (history[0]["counterpart"], history[0]["memo"]) == ("赠送人", "零花钱")
        db.session.expire_all()
        assert services.balance_of(giver) == 50


def test_the_office_awards_from_a_pool_through_the_api(app, client, bearer):
    office, donor, winner = make_user(role=Role.office), make_user(), make_user()
    team = make_team(name="爱先行志愿服务队")
    give_points(donor, 40)
    services.give_points(
        donor,
        kind=GiftKind.team_pool,
        team_id=team.id,
        amount=40,
        note="",
        key="d",
        now=NOW,
        monthly_cap=500,
    )
    pools = client.get(f"{API}/points/pools", headers=bearer(donor)).json
    assert [(p["team_id"], p["balance"]) for p in pools] == [(None, 0), (team.id, 40)]

    def award(headers, amount: int, key: str):
        body = {"team_id": team.id, "recipient_id": winner.id, "amount": amount, "reason": "表彰"}
        return client.post(
            f"{API}/points/pools/awards", json=body, headers={**headers, "Idempotency-Key": key}
        )

    assert award(bearer(donor), 10, "a").status_code == 403
    office_headers = bearer(office)
    made = award(office_headers, 30, "a")
    assert made.status_code == 201 and made.json["recipient"]["id"] == winner.id
    assert award(office_headers, 30, "a").status_code == 200
    assert_error(award(office_headers, 11, "b"), 409, "insufficient_balance")
    db.session.expire_all()
    assert services.balance_of(winner) == 30


def test_pages_link_give_and_show_both_sides_in_chinese(app):
    giver = make_user(display_name="李志强")
    relative = make_user(display_name="李母")
    give_points(giver, 100)
    db.session.commit()
    his, hers = sign_in(app.test_client(), giver), sign_in(app.test_client(), relative)

    asked = his.post("/points/family", data={"phone": relative.phone, "relation": "parent"})
    assert asked.status_code == 302
    page = hers.get("/points/family")
    assert "李志强" in page.text and "子女" in page.text and "确认" in page.text
    link_id = services.family_of(relative)[0].id
    assert (
        hers.post(f"/points/family/{link_id}/answer", data={"answer": "confirm"}).status_code == 302
    )

    form = his.get("/points/give")
    assert form.status_code == 200
    assert 'data-testid="balance">100<' in form.text and 'data-testid="allowance">500<' in form.text
    assert "李母" in form.text and "全市爱心积分池" in form.text
    key = form.text.split('name="key" type="hidden" value="')[1].split('"')[0]
    gift = {"to": f"family-{relative.id}", "amount": "25", "note": "买药", "key": key}
    given = his.post("/points/give", data=gift)
    assert given.status_code == 302 and given.headers["Location"].endswith("/points")
    # The same form sent again (a double tap) gives nothing more.
    assert his.post("/points/give", data=gift).status_code == 302
    too_much = his.post("/points/give", data={**gift, "amount": "500", "key": "other"})
    assert too_much.status_code == 409 and "本月" in too_much.text

    assert "转赠家人" in his.get("/points").text and "李母 · 买药" in his.get("/points").text
    theirs = hers.get("/points").text
    assert "收到家人转赠" in theirs and "李志强 · 买药" in theirs
    db.session.expire_all()
    assert (services.balance_of(giver), services.balance_of(relative)) == (75, 25)


def test_the_office_pools_page_awards_by_mobile_number(app, office_client):
    donor, winner = make_user(), make_user(display_name="优秀志愿者")
    give_points(donor, 50)
    services.give_points(
        donor, kind=GiftKind.city_pool, amount=50, note="", key="d", now=NOW, monthly_cap=500
    )
    db.session.commit()
    page = office_client.get("/points/pools")
    assert page.status_code == 200 and "全市爱心积分池" in page.text
    key = page.text.split('name="key" type="hidden" value="')[1].split('"')[0]
    award = {
        "pool": "city",
        "phone": winner.phone,
        "amount": "20",
        "reason": "年度表彰",
        "key": key,
    }
    done = office_client.post("/points/pools", data=award)
    assert done.status_code == 302
    refused = office_client.post("/points/pools", data={**award, "key": "k2", "amount": "31"})
    assert refused.status_code == 409
    listed = office_client.get("/points/pools").text
    assert "年度表彰" in listed and "优秀志愿者" in listed
    db.session.expire_all()
    assert services.balance_of(winner) == 20
