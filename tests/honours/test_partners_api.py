"""Card partners and benefits through the API: the office writes, a district's clerk registers
in their district, a partner's staff read their own partner and its benefits, nobody else
reads anything; bad input is a 4xx naming the field and changes nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from core.auth.assignments import AssignmentKind, RoleAssignment
from core.auth.models import Role
from core.extensions import db
from honours.card_models import Benefit, Partner, PartnerStatus
from tests.builders import make_merchant, make_user
from tests.honours.builders import make_clerk, make_office, make_places
from tests.honours.partner_builders import (
    CONTACT_PHONE,
    district,
    make_benefit,
    make_partner,
    make_partner_staff,
)

PARTNERS = "/api/v1/card-partners"
BENEFITS = "/api/v1/card-benefits"


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def office(app):
    return make_office()


def benefit_body(*partners, **values) -> dict:
    return {
        "name": "免费游览",
        "area": "scenic",
        "kind": "free",
        "value_yuan": "80",
        "limit_count": 2,
        "limit_period": "year",
        "lowest_level": "city",
        "partner_ids": [p.id for p in partners],
        **values,
    }


def test_the_office_registers_approves_and_suspends_a_partner(client, bearer, office):
    headers = bearer(office)
    body = {
        "name": "祖山景区",
        "kind": "scenic",
        "district_id": district("qinglong").id,
        "address": "青龙满族自治县祖山",
        "contact_name": "李经理",
        "contact_phone": "13803359876",
    }
    made = client.post(PARTNERS, json=body, headers=headers)
    assert made.status_code == 201, made.text
    partner = made.json
    assert (partner["status"], partner["kind"], partner["contact_phone"]) == (
        "pending",
        "scenic",
        "13803359876",
    )
    assert partner["district"]["id"] == district("qinglong").id
    url = f"{PARTNERS}/{partner['id']}"

    again = client.post(PARTNERS, json={**body, "name": "祖山景区"}, headers=headers)
    assert again.status_code == 422
    assert "name" in again.json["errors"]

    approved = client.post(f"{url}/approval", headers=headers)
    assert approved.status_code == 200
    assert approved.json["status"] == "approved"
    assert approved.json["decided_at"] is not None
    assert client.post(f"{url}/approval", headers=headers).status_code == 409
    suspended = client.post(f"{url}/suspension", headers=headers)
    assert suspended.json["status"] == "suspended"
    assert client.post(f"{url}/suspension", headers=headers).status_code == 409

    changed = client.put(url, json={**body, "name": "祖山风景区"}, headers=headers)
    assert changed.status_code == 200
    assert (changed.json["name"], changed.json["status"]) == ("祖山风景区", "suspended")
    listed = client.get(PARTNERS, query_string={"status": "suspended"}, headers=headers)
    assert [p["name"] for p in listed.json] == ["祖山风景区"]


def test_a_merchant_is_linked_once_and_must_exist(client, bearer, office):
    merchant, _staff, _items = make_merchant()
    headers = bearer(office)
    body = {"name": "爱心超市", "kind": "merchant", "merchant_id": merchant.id}
    made = client.post(PARTNERS, json=body, headers=headers)
    assert made.status_code == 201, made.text
    assert made.json["merchant"]["id"] == merchant.id
    twice = client.post(PARTNERS, json={**body, "name": "另一家"}, headers=headers)
    assert twice.status_code == 422
    assert "merchant_id" in twice.json["errors"]
    unknown = client.post(
        PARTNERS, json={**body, "name": "第三家", "merchant_id": 999_999}, headers=headers
    )
    assert unknown.status_code == 422
    assert "merchant_id" in unknown.json["errors"]
    assert count(Partner) == 1


def test_a_district_clerk_registers_in_their_district_only(client, bearer, app):
    places = make_places()
    clerk = make_clerk(AssignmentKind.district_clerk, places["haigang"])
    headers = bearer(clerk)
    body = {"name": "海港区体检中心", "kind": "health", "district_id": district("haigang").id}
    made = client.post(PARTNERS, json=body, headers=headers)
    assert made.status_code == 201, made.text
    assert made.json["status"] == "pending"
    elsewhere = client.post(
        PARTNERS,
        json={**body, "name": "别处", "district_id": district("shanhaiguan").id},
        headers=headers,
    )
    assert elsewhere.status_code == 422
    assert client.post(f"{PARTNERS}/{made.json['id']}/approval", headers=headers).status_code == 403
    volunteer = client.post(
        PARTNERS, json={**body, "name": "志愿者的"}, headers=bearer(make_user())
    )
    assert volunteer.status_code == 403
    assert count(Partner) == 1


def test_the_office_adds_lists_and_withdraws_staff(client, bearer, office):
    merchant, counter, _items = make_merchant()
    partner = make_partner(merchant=merchant)
    user = make_user(display_name="检票员")
    headers = bearer(office)
    staff_url = f"{PARTNERS}/{partner.id}/staff"
    added = client.post(staff_url, json={"phone": user.phone}, headers=headers)
    assert added.status_code == 201, added.text
    assert (added.json["user"]["id"], added.json["partner_id"]) == (user.id, partner.id)
    assert client.post(staff_url, json={"phone": user.phone}, headers=headers).status_code == 409
    unknown = client.post(staff_url, json={"phone": "13999999998"}, headers=headers)
    assert unknown.status_code == 422
    assert "phone" in unknown.json["errors"]

    listed = client.get(staff_url, headers=headers).json
    assert [(m["user"]["id"], m["via_merchant"]) for m in listed] == [
        (user.id, False),
        (counter.id, True),
    ]
    # The staff read their own partner's staff too.
    assert len(client.get(staff_url, headers=bearer(user)).json) == 2

    gone = client.delete(f"{staff_url}/{added.json['assignment_id']}", headers=headers)
    assert gone.status_code == 204
    assert [m["user"]["id"] for m in client.get(staff_url, headers=headers).json] == [counter.id]
    assert (
        client.delete(f"{staff_url}/{added.json['assignment_id']}", headers=headers).status_code
        == 409
    )


def test_partner_staff_read_their_own_partner_and_benefits_only(client, bearer, app):
    mine = make_partner(name="甲景区", contact_phone="13803351111")
    theirs = make_partner(name="乙景区", contact_phone="13803352222")
    own = make_benefit(mine, name="甲免票")
    other = make_benefit(theirs, name="乙免票")
    headers = bearer(make_partner_staff(mine))

    read = client.get(f"{PARTNERS}/{mine.id}", headers=headers)
    assert read.status_code == 200
    assert read.json["contact_phone"] == "138****1111"
    assert "13803351111" not in read.text
    assert [p["name"] for p in client.get(PARTNERS, headers=headers).json] == ["甲景区"]
    assert [b["name"] for b in client.get(BENEFITS, headers=headers).json] == ["甲免票"]
    assert client.get(f"{BENEFITS}/{own.id}", headers=headers).status_code == 200

    for refused in (
        client.get(f"{PARTNERS}/{theirs.id}", headers=headers),
        client.get(f"{PARTNERS}/{theirs.id}/staff", headers=headers),
        client.get(f"{BENEFITS}/{other.id}", headers=headers),
        client.get(BENEFITS, query_string={"partner_id": theirs.id}, headers=headers),
    ):
        assert refused.status_code in (403, 404), refused.text
        assert "13803352222" not in refused.text and "乙免票" not in refused.text
    # And they write nothing.
    assert client.post(BENEFITS, json=benefit_body(mine), headers=headers).status_code == 403
    assert client.post(f"{PARTNERS}/{mine.id}/approval", headers=headers).status_code == 403
    assert (
        client.put(
            f"{PARTNERS}/{mine.id}", json={"name": "x", "kind": "other"}, headers=headers
        ).status_code
        == 403
    )


def test_a_linked_merchants_staff_read_their_partner(client, bearer, app):
    merchant, counter, _items = make_merchant()
    partner = make_partner(merchant=merchant)
    response = client.get(f"{PARTNERS}/{partner.id}", headers=bearer(counter))
    assert response.status_code == 200
    assert response.json["contact_phone"] == "138****1234"


@pytest.mark.parametrize("role", ["volunteer", "merchant_staff", "community_clerk"])
def test_others_read_no_partner_nor_its_contact(client, bearer, app, role):
    places = make_places()
    partner = make_partner()
    benefit = make_benefit(partner)
    if role == "community_clerk":
        user = make_clerk(AssignmentKind.community_clerk, places["wenhuali"])
    else:
        user = make_user(role=Role(role))
    headers = bearer(user)
    for url in (
        PARTNERS,
        f"{PARTNERS}/{partner.id}",
        f"{PARTNERS}/{partner.id}/staff",
        BENEFITS,
        f"{BENEFITS}/{benefit.id}",
    ):
        response = client.get(url, headers=headers)
        assert response.status_code in (403, 404), (url, response.status_code)
        assert CONTACT_PHONE not in response.text


def test_anonymous_is_asked_to_sign_in(client, app):
    assert client.get(PARTNERS).status_code == 401
    assert client.get(BENEFITS).status_code == 401


def test_the_office_offers_and_changes_a_benefit_in_yuan(client, bearer, office):
    a, b = make_partner(name="甲中心"), make_partner(name="乙中心")
    headers = bearer(office)
    made = client.post(
        BENEFITS, json=benefit_body(a, b, value_yuan="12.5", area="health"), headers=headers
    )
    assert made.status_code == 201, made.text
    assert (made.json["value_fen"], made.json["value_yuan"], made.json["is_shared"]) == (
        1250,
        "12.50",
        True,
    )
    assert [p["name"] for p in made.json["partners"]] == ["甲中心", "乙中心"]
    url = f"{BENEFITS}/{made.json['id']}"
    changed = client.put(
        url,
        json=benefit_body(a, kind="discount", discount_percent=80, value_yuan="0.08"),
        headers=headers,
    )
    assert changed.status_code == 200, changed.text
    assert (changed.json["kind"], changed.json["discount_percent"], changed.json["value_fen"]) == (
        "discount",
        80,
        8,
    )
    assert client.get(url, headers=headers).json["partners"] == [{"id": a.id, "name": "甲中心"}]
    listed = client.get(BENEFITS, query_string={"partner_id": b.id}, headers=headers)
    assert listed.json == []


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"value_yuan": "12.345"}, "value_yuan"),
        ({"value_yuan": "-3"}, "value_yuan"),
        ({"value_yuan": "三元"}, "value_yuan"),
        ({"kind": "discount", "discount_percent": 0}, "discount_percent"),
        ({"kind": "discount", "discount_percent": 100}, "discount_percent"),
        ({"kind": "discount"}, "discount_percent"),
        ({"limit_count": 0}, "limit_count"),
        ({"limit_period": None}, "limit_period"),
        ({"partner_ids": []}, "partner_ids"),
        ({"partner_ids": [999_999]}, "partner_ids"),
        ({"area": "moon"}, "area"),
    ],
)
def test_bad_benefits_are_refused_naming_the_field(client, bearer, office, values, field):
    partner = make_partner()
    headers = bearer(office)
    response = client.post(BENEFITS, json=benefit_body(partner, **values), headers=headers)
    assert response.status_code == 422, response.text
    assert field in response.json["errors"], response.json
    # A change refused the same way leaves the benefit as it was.
    benefit = make_benefit(partner, value_fen=500)
    db.session.commit()
    changed = client.put(
        f"{BENEFITS}/{benefit.id}", json=benefit_body(partner, **values), headers=headers
    )
    assert changed.status_code == 422
    db.session.expire_all()
    assert db.session.get(Benefit, benefit.id).value_fen == 500
    assert count(Benefit) == 1


def test_a_float_value_is_not_taken(client, bearer, office):
    response = client.post(
        BENEFITS, json=benefit_body(make_partner(), value_yuan=12.5), headers=bearer(office)
    )
    assert response.status_code == 422
    assert "value_yuan" in response.json["errors"]


def test_the_api_document_names_the_operations(client, app):
    paths = client.get("/api/v1/openapi.json").json["paths"]
    for path in (
        "/api/v1/card-partners",
        "/api/v1/card-partners/{partner_id}",
        "/api/v1/card-partners/{partner_id}/approval",
        "/api/v1/card-partners/{partner_id}/suspension",
        "/api/v1/card-partners/{partner_id}/staff",
        "/api/v1/card-partners/{partner_id}/staff/{assignment_id}",
        "/api/v1/card-benefits",
        "/api/v1/card-benefits/{benefit_id}",
    ):
        assert path in paths, path


def test_the_assignments_api_names_the_partner(client, bearer, office):
    partner = make_partner()
    staff = make_partner_staff(partner)
    listed = client.get(f"/api/v1/office/users/{staff.id}/assignments", headers=bearer(office))
    assert listed.status_code == 200
    assert [(a["kind"], a["partner_id"]) for a in listed.json] == [("partner_staff", partner.id)]
    assert db.session.query(RoleAssignment).count() == 1
    assert partner.status is PartnerStatus.approved
