"""The points API: balances, codes, redemptions at the counter (idempotent, limited against
guessing), reversals, statements and the office's merchants and adjustments."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import select

from core.auth.models import Role, User
from core.clock import to_local, utcnow
from core.consent import services as consents
from core.consent.models import ConsentKind
from core.districts import District, ensure_districts
from core.extensions import db
from points import services
from points.models import CatalogItem, Merchant, MerchantKind
from tests.builders import DEFAULT_PASSWORD, make_user, next_phone

_keys = itertools.count(1)


@dataclass
class Shop:
    office: User
    merchant: Merchant
    staff: User
    bag: CatalogItem  # 10 points, 20 in stock
    tea: CatalogItem  # 5 points, 1 in stock


def open_shop(name: str = "爱心商家一号") -> Shop:
    ensure_districts()
    office = make_user(role=Role.office, display_name="文明办")
    district = db.session.scalars(select(District).order_by(District.position)).first()
    merchant = services.register_merchant(
        office,
        name=name,
        kind=MerchantKind.caring_merchant,
        district_id=district.id,
        address="海港区文化路1号",
    )
    staff = add_staff(office, merchant)
    bag = services.add_item(staff, merchant.id, name="环保购物袋", price=10, stock=20)
    tea = services.add_item(staff, merchant.id, name="绿茶", price=5, stock=1)
    return Shop(office, merchant, staff, bag, tea)


def add_staff(office: User, merchant: Merchant) -> User:
    """A staff account the office made, whose holder has agreed to the privacy notice."""
    staff = services.add_staff(
        office, merchant.id, phone=next_phone(), display_name="店员", password=DEFAULT_PASSWORD
    )
    consents.give_consent(staff, ConsentKind.privacy_notice, now=utcnow())
    return staff


def credit(office: User, volunteer: User, amount: int, reason: str = "开户") -> None:
    services.adjust(
        office, volunteer.id, amount=amount, reason=reason, key=f"k{next(_keys)}", now=utcnow()
    )


def new_code(volunteer: User) -> str:
    return services.issue_redeem_code(volunteer, now=utcnow(), lifetime_minutes=5).code


def key_header(key: str | None = None) -> dict[str, str]:
    return {"Idempotency-Key": key or f"key-{next(_keys)}"}


def assert_error(response, status: int, code: str | None = None) -> dict:
    assert response.status_code == status, response.text
    body = response.get_json()
    assert set(body) == {"code", "message", "errors"}
    if code is not None:
        assert body["code"] == code
    return body


def redeem(client, headers, code: str, lines, key: str | None = None):
    return client.post(
        "/api/v1/redemptions",
        json={"code": code, "lines": [{"item_id": i, "quantity": q} for i, q in lines]},
        headers={**headers, **key_header(key)},
    )


def stock(item: CatalogItem) -> int | None:
    return db.session.scalar(select(CatalogItem.stock).where(CatalogItem.id == item.id))


@pytest.fixture
def shop(app) -> Shop:
    return open_shop()


# My points and codes -------------------------------------------------------------------


def test_a_volunteer_sees_their_balance_and_history(client, bearer, volunteer, shop):
    credit(shop.office, volunteer, 30, "表彰")
    credit(shop.office, volunteer, -10, "重复发放")
    headers = bearer(volunteer)

    assert client.get("/api/v1/me/points", headers=headers).get_json() == {
        "balance": 20,
        "expiring_soon": None,
    }
    lines = client.get("/api/v1/me/points/history", headers=headers).get_json()
    assert [(line["change"], line["memo"], line["kind"]) for line in lines] == [
        (-10, "重复发放", "adjust"),
        (30, "表彰", "adjust"),
    ]
    assert set(lines[0]) == {"id", "kind", "change", "memo", "counterpart", "created_at"}


def test_my_points_need_a_bearer_token(client, volunteer):
    assert_error(client.get("/api/v1/me/points"), 401, "not_authenticated")


def test_a_volunteer_gets_a_fresh_eight_digit_code(client, bearer, volunteer, shop):
    response = client.post("/api/v1/me/redeem-codes", headers=bearer(volunteer))
    assert response.status_code == 201, response.text
    body = response.get_json()
    assert len(body["code"]) == 8 and body["code"].isdigit()
    assert set(body) == {"code", "expires_at"}
    office = client.post("/api/v1/me/redeem-codes", headers=bearer(shop.office))
    assert_error(office, 403, "forbidden")


# At the counter ------------------------------------------------------------------------


def test_staff_look_up_a_code_to_see_name_and_balance(client, bearer, volunteer, shop):
    credit(shop.office, volunteer, 40)
    code = new_code(volunteer)
    response = client.post(
        "/api/v1/counter/look-ups", json={"code": code}, headers=bearer(shop.staff)
    )
    assert response.status_code == 200, response.text
    body = response.get_json()
    assert (body["display_name"], body["balance"]) == ("志愿者小李", 40)
    assert set(body) == {"display_name", "balance", "expires_at"}


def test_redeeming_again_with_the_same_key_returns_the_first_and_charges_once(
    client, bearer, volunteer, shop
):
    credit(shop.office, volunteer, 50)
    code = new_code(volunteer)
    headers = bearer(shop.staff)

    first = redeem(client, headers, code, [(shop.bag.id, 2)], key="till-1")
    assert first.status_code == 201, first.text
    again = redeem(client, headers, code, [(shop.bag.id, 2)], key="till-1")
    assert again.status_code == 200, again.text

    body = first.get_json()
    assert again.get_json() == body
    assert (body["total"], body["status"], body["volunteer"]) == (
        20,
        "completed",
        {"display_name": "志愿者小李"},
    )
    assert body["lines"] == [
        {"item_id": shop.bag.id, "name": "环保购物袋", "unit_price": 10, "quantity": 2}
    ]
    assert services.balance_of(volunteer) == 30
    assert stock(shop.bag) == 18
    assert services.verify_ledger().ok


def test_the_same_key_with_another_basket_is_refused(client, bearer, volunteer, shop):
    credit(shop.office, volunteer, 50)
    code = new_code(volunteer)
    headers = bearer(shop.staff)
    assert redeem(client, headers, code, [(shop.bag.id, 1)], key="k").status_code == 201
    other = redeem(client, headers, code, [(shop.bag.id, 3)], key="k")
    assert_error(other, 409, "key_reused")
    assert services.balance_of(volunteer) == 40


def test_a_redemption_without_an_idempotency_key_is_a_bad_request(client, bearer, volunteer, shop):
    credit(shop.office, volunteer, 50)
    response = client.post(
        "/api/v1/redemptions",
        json={"code": new_code(volunteer), "lines": [{"item_id": shop.bag.id, "quantity": 1}]},
        headers=bearer(shop.staff),
    )
    body = assert_error(response, 400, "bad_request")
    assert list(body["errors"]) == ["Idempotency-Key"]
    assert services.balance_of(volunteer) == 50


def test_redeem_refuses_when_balance_is_short_and_changes_nothing(client, bearer, volunteer, shop):
    credit(shop.office, volunteer, 15)
    code = new_code(volunteer)
    headers = bearer(shop.staff)
    response = redeem(client, headers, code, [(shop.bag.id, 2)])
    assert_error(response, 409, "insufficient_balance")
    assert services.balance_of(volunteer) == 15
    assert stock(shop.bag) == 20
    # The code was not spent: the volunteer can still buy what they can afford.
    assert redeem(client, headers, code, [(shop.bag.id, 1)]).status_code == 201


def test_redeem_refuses_more_than_is_in_stock(client, bearer, volunteer, shop):
    credit(shop.office, volunteer, 50)
    response = redeem(client, bearer(shop.staff), new_code(volunteer), [(shop.tea.id, 2)])
    assert_error(response, 409, "sold_out")
    assert services.balance_of(volunteer) == 50
    assert stock(shop.tea) == 1


def test_an_expired_or_used_code_is_refused(client, bearer, volunteer, shop):
    credit(shop.office, volunteer, 50)
    code = new_code(volunteer)
    headers = bearer(shop.staff)
    assert redeem(client, headers, code, [(shop.bag.id, 1)]).status_code == 201
    used = redeem(client, headers, code, [(shop.bag.id, 1)])
    assert_error(used, 422, "redeem_code_invalid")

    late = new_code(volunteer)
    db.session.commit()
    with time_machine.travel(utcnow() + timedelta(minutes=6), tick=False):
        expired = redeem(client, headers, late, [(shop.bag.id, 1)])
        looked_up = client.post("/api/v1/counter/look-ups", json={"code": late}, headers=headers)
    assert_error(expired, 422, "redeem_code_invalid")
    assert_error(looked_up, 422, "redeem_code_invalid")
    assert services.balance_of(volunteer) == 40


def test_a_reversal_restores_balance_and_stock_and_twice_is_harmless(
    client, bearer, volunteer, shop
):
    credit(shop.office, volunteer, 50)
    headers = bearer(shop.staff)
    made = redeem(client, headers, new_code(volunteer), [(shop.bag.id, 3)]).get_json()
    url = f"/api/v1/redemptions/{made['id']}/reversal"

    first = client.post(url, headers=headers)
    assert first.status_code == 200, first.text
    assert first.get_json()["status"] == "reversed"
    second = client.post(url, headers=headers)
    assert second.status_code == 200
    assert second.get_json() == first.get_json()
    assert services.balance_of(volunteer) == 50
    assert stock(shop.bag) == 20
    assert services.verify_ledger().ok


def test_a_reversal_may_give_a_reason_which_the_redemption_keeps(client, bearer, volunteer, shop):
    credit(shop.office, volunteer, 50)
    headers = bearer(shop.staff)
    made = redeem(client, headers, new_code(volunteer), [(shop.bag.id, 1)]).get_json()
    assert made["reversal_reason"] is None
    url = f"/api/v1/redemptions/{made['id']}/reversal"

    overlong = client.post(url, json={"reason": "长" * 201}, headers=headers)
    assert set(assert_error(overlong, 422, "validation_failed")["errors"]) == {"reason"}
    assert services.balance_of(volunteer) == 40

    response = client.post(url, json={"reason": "顾客退货"}, headers=headers)
    assert response.status_code == 200, response.text
    assert response.get_json()["reversal_reason"] == "顾客退货"
    shown = client.get(f"/api/v1/redemptions/{made['id']}", headers=headers).get_json()
    assert (shown["status"], shown["reversal_reason"]) == ("reversed", "顾客退货")
    assert services.balance_of(volunteer) == 50


def test_a_reversal_after_the_window_is_refused(client, bearer, volunteer, shop):
    credit(shop.office, volunteer, 50)
    made = redeem(client, bearer(shop.staff), new_code(volunteer), [(shop.bag.id, 1)])
    redemption_id = made.get_json()["id"]
    with time_machine.travel(utcnow() + timedelta(days=8), tick=False):
        # Tokens expire too; this one is issued in the future.
        headers = bearer(shop.staff)
        response = client.post(f"/api/v1/redemptions/{redemption_id}/reversal", headers=headers)
    assert_error(response, 409, "too_late")
    assert services.balance_of(volunteer) == 40


def test_staff_of_another_merchant_may_not_see_or_undo_a_redemption(
    client, bearer, volunteer, shop
):
    credit(shop.office, volunteer, 50)
    made = redeem(client, bearer(shop.staff), new_code(volunteer), [(shop.bag.id, 1)])
    redemption_id = made.get_json()["id"]
    stranger = bearer(open_shop("另一家商家").staff)

    assert_error(client.get(f"/api/v1/redemptions/{redemption_id}", headers=stranger), 403)
    reversal = client.post(f"/api/v1/redemptions/{redemption_id}/reversal", headers=stranger)
    assert_error(reversal, 403, "forbidden")
    today = to_local(utcnow()).date().isoformat()
    statement = client.get(
        f"/api/v1/merchants/{shop.merchant.id}/statement?start={today}&end={today}",
        headers=stranger,
    )
    assert_error(statement, 403, "forbidden")

    mine = client.get(f"/api/v1/redemptions/{redemption_id}", headers=bearer(shop.staff))
    assert mine.status_code == 200
    office = client.get(f"/api/v1/redemptions/{redemption_id}", headers=bearer(shop.office))
    assert office.get_json() == mine.get_json()
    missing = client.get("/api/v1/redemptions/999999", headers=bearer(shop.office))
    assert_error(missing, 404, "not_found")


def test_a_volunteer_gets_403_on_staff_endpoints(client, bearer, volunteer, shop):
    credit(shop.office, volunteer, 50)
    code = new_code(volunteer)
    made = redeem(client, bearer(shop.staff), code, [(shop.bag.id, 1)]).get_json()
    headers = bearer(volunteer)
    today = to_local(utcnow()).date().isoformat()

    look_up = client.post("/api/v1/counter/look-ups", json={"code": code}, headers=headers)
    assert_error(look_up, 403, "forbidden")
    assert_error(redeem(client, headers, new_code(volunteer), [(shop.bag.id, 1)]), 403)
    assert_error(client.get(f"/api/v1/redemptions/{made['id']}", headers=headers), 403)
    assert_error(client.post(f"/api/v1/redemptions/{made['id']}/reversal", headers=headers), 403)
    statement = f"/api/v1/merchants/{shop.merchant.id}/statement?start={today}&end={today}"
    assert_error(client.get(statement, headers=headers), 403)
    assert services.balance_of(volunteer) == 40


def test_the_statement_totals_redemptions_and_reversals_of_local_days(
    client, bearer, volunteer, shop
):
    credit(shop.office, volunteer, 100)
    headers = bearer(shop.staff)
    kept = redeem(client, headers, new_code(volunteer), [(shop.bag.id, 2)]).get_json()
    undone = redeem(client, headers, new_code(volunteer), [(shop.tea.id, 1)]).get_json()
    client.post(f"/api/v1/redemptions/{undone['id']}/reversal", headers=headers)
    today = to_local(utcnow()).date()
    url = f"/api/v1/merchants/{shop.merchant.id}/statement"

    response = client.get(f"{url}?start={today}&end={today}", headers=headers)
    assert response.status_code == 200, response.text
    body = response.get_json()
    assert (body["redeemed"], body["reversed"], body["net"]) == (25, 5, 20)
    assert [(r["kind"], r["points"], r["redemption"]["id"]) for r in body["rows"]] == [
        ("redemption", 20, kept["id"]),
        ("redemption", 5, undone["id"]),
        ("reversal", -5, undone["id"]),
    ]
    yesterday = today - timedelta(days=1)
    earlier = client.get(f"{url}?start={yesterday}&end={yesterday}", headers=headers).get_json()
    assert (earlier["net"], earlier["rows"]) == (0, [])
    backwards = client.get(f"{url}?start={today}&end={yesterday}", headers=headers)
    assert_error(backwards, 422, "validation_failed")


# Guessing codes ------------------------------------------------------------------------


def test_failed_code_attempts_per_merchant_are_limited(make_app):
    app = make_app(
        RATELIMIT_ENABLED=True,
        REDEEM_GUESSES_PER_MERCHANT="3 per 10 minutes",
        REDEEM_GUESSES_PER_USER="100 per 10 minutes",
    )
    with app.app_context():
        shop = open_shop()
        colleague = add_staff(shop.office, shop.merchant)
        volunteer = make_user(display_name="志愿者小王")
        credit(shop.office, volunteer, 50)
        code = new_code(volunteer)
        client = app.test_client()
        headers = _headers(shop.staff)
        url = "/api/v1/counter/look-ups"
        for guess in ("00000001", "00000002"):
            assert_error(client.post(url, json={"code": guess}, headers=headers), 422)
        # A success does not count against the merchant.
        assert client.post(url, json={"code": code}, headers=headers).status_code == 200
        wrong = redeem(client, headers, "00000003", [(shop.bag.id, 1)])
        assert_error(wrong, 422, "redeem_code_invalid")

        # The limit is the merchant's: a colleague at the next till is stopped as well.
        blocked = client.post(url, json={"code": code}, headers=_headers(colleague))
        body = assert_error(blocked, 429)
        assert body["code"] == "too_many_requests"
        assert_error(redeem(client, headers, code, [(shop.bag.id, 1)]), 429)


def test_failed_code_attempts_per_staff_account_are_limited(make_app):
    app = make_app(
        RATELIMIT_ENABLED=True,
        REDEEM_GUESSES_PER_MERCHANT="100 per 10 minutes",
        REDEEM_GUESSES_PER_USER="2 per 10 minutes",
    )
    with app.app_context():
        shop = open_shop()
        colleague = add_staff(shop.office, shop.merchant)
        volunteer = make_user(display_name="志愿者小王")
        code = new_code(volunteer)
        client = app.test_client()
        headers = _headers(shop.staff)
        url = "/api/v1/counter/look-ups"
        for guess in ("00000001", "00000002"):
            assert_error(client.post(url, json={"code": guess}, headers=headers), 422)
        assert_error(client.post(url, json={"code": code}, headers=headers), 429)
        assert client.post(url, json={"code": code}, headers=_headers(colleague)).status_code == 200


def _headers(user: User) -> dict[str, str]:
    from core.auth import services as auth

    _, secret = auth.issue_token(user, now=utcnow(), days=1)
    db.session.commit()
    return {"Authorization": f"Bearer {secret}"}


# The office ----------------------------------------------------------------------------


def test_the_office_registers_merchants_staff_and_items(client, bearer, office_user):
    ensure_districts()
    district = db.session.scalars(select(District).order_by(District.position)).first()
    office = bearer(office_user)

    made = client.post(
        "/api/v1/merchants",
        json={
            "name": "积分超市·人民广场站",
            "kind": "points_supermarket",
            "district_id": district.id,
            "address": "海港区人民广场",
        },
        headers=office,
    )
    assert made.status_code == 201, made.text
    merchant_id = made.get_json()["id"]
    staff = client.post(
        f"/api/v1/merchants/{merchant_id}/staff",
        json={"phone": next_phone(), "display_name": "店长", "password": DEFAULT_PASSWORD},
        headers=office,
    )
    assert staff.status_code == 201, staff.text
    assert "password" not in staff.get_json()
    staff_user = db.session.get(User, staff.get_json()["id"])
    staff_headers = bearer(staff_user)
    # The account is new: its holder agrees to the privacy notice before anything else.
    agreed = client.post("/api/v1/me/consents/privacy-notice", headers=staff_headers)
    assert agreed.status_code == 200, agreed.text

    soap = client.post(
        f"/api/v1/merchants/{merchant_id}/items",
        json={"name": "肥皂", "price": 8, "stock": 5},
        headers=staff_headers,
    )
    assert soap.status_code == 201, soap.text
    towel = client.post(
        f"/api/v1/merchants/{merchant_id}/items",
        json={"name": "毛巾", "price": 12},
        headers=office,
    ).get_json()
    assert towel["stock"] is None
    changed = client.put(
        f"/api/v1/items/{towel['id']}",
        json={"name": "毛巾", "price": 12, "stock": None, "is_active": False},
        headers=staff_headers,
    )
    assert changed.status_code == 200 and changed.get_json()["is_active"] is False

    listed = client.get(f"/api/v1/merchants?district_id={district.id}").get_json()
    assert [(m["name"], [i["name"] for i in m["items"]]) for m in listed] == [
        ("积分超市·人民广场站", ["肥皂"])
    ]
    other_district = client.get(f"/api/v1/merchants?district_id={district.id + 1}").get_json()
    assert other_district == []

    refused = client.post(
        "/api/v1/merchants",
        json={"name": "x", "kind": "caring_merchant", "district_id": district.id, "address": "y"},
        headers=staff_headers,
    )
    assert_error(refused, 403, "forbidden")
    bad = client.post("/api/v1/merchants", json={"kind": "nope"}, headers=office)
    body = assert_error(bad, 422, "validation_failed")
    assert {"name", "kind", "district_id", "address"} <= set(body["errors"])


def test_an_adjustment_posts_once_per_idempotency_key(client, bearer, office_user, volunteer):
    office = bearer(office_user)
    payload = {"volunteer_id": volunteer.id, "amount": -5, "reason": "重复发放"}
    credit(office_user, volunteer, 20)

    first = client.post(
        "/api/v1/adjustments", json=payload, headers={**office, **key_header("adj-1")}
    )
    assert first.status_code == 201, first.text
    assert first.get_json()["amount"] == -5
    assert first.get_json()["volunteer_id"] == volunteer.id
    again = client.post(
        "/api/v1/adjustments", json=payload, headers={**office, **key_header("adj-1")}
    )
    assert again.status_code == 200
    assert again.get_json() == first.get_json()
    assert services.balance_of(volunteer) == 15

    other = client.post(
        "/api/v1/adjustments",
        json={**payload, "amount": -6},
        headers={**office, **key_header("adj-1")},
    )
    assert_error(other, 409, "key_reused")
    missing = client.post("/api/v1/adjustments", json=payload, headers=office)
    assert list(assert_error(missing, 400)["errors"]) == ["Idempotency-Key"]
    by_volunteer = client.post(
        "/api/v1/adjustments", json=payload, headers={**bearer(volunteer), **key_header()}
    )
    assert_error(by_volunteer, 403, "forbidden")
    assert services.balance_of(volunteer) == 15


def test_the_openapi_document_lists_the_points_endpoints(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    paths = response.get_json()["paths"]
    assert {"/api/v1/redemptions", "/api/v1/me/points", "/api/v1/adjustments"} <= set(paths)
