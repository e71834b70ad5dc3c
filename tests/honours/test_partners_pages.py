"""The pages of card partners and benefits: the office registers, approves and staffs a
partner and offers benefits typed in yuan; a district's clerk registers in their district; a
partner's staff read their own page on a phone; the user administration names the partner of
a staff assignment. Bad input shows the form again with the error beside its field."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from core.auth.assignments import AssignmentKind, RoleAssignment
from core.auth.models import Role
from core.extensions import db
from honours.card_models import Benefit, Partner, PartnerKind, PartnerStatus
from tests.builders import make_merchant, make_user
from tests.conftest import sign_in
from tests.honours.builders import make_clerk, make_office, make_places
from tests.honours.partner_builders import (
    CONTACT_PHONE,
    district,
    make_benefit,
    make_partner,
    make_partner_staff,
)


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def signed_in(app, user):
    db.session.commit()
    return sign_in(app.test_client(), user)


@pytest.fixture
def office(app):
    return make_office()


def test_the_office_registers_approves_and_staffs_a_partner(app, office):
    client = signed_in(app, office)
    assert client.get("/office/card-partners").status_code == 200
    assert client.get("/office/card-partners/new").status_code == 200
    response = client.post(
        "/office/card-partners/new",
        data={
            "name": "山海关景区",
            "kind": "scenic",
            "district_id": district("shanhaiguan").id,
            "address": "山海关区",
            "contact_name": "赵经理",
            "contact_phone": "0335-5051234",
        },
    )
    assert response.status_code == 302, response.text
    partner = db.session.scalar(select(Partner).where(Partner.name == "山海关景区"))
    assert partner.status is PartnerStatus.pending
    page = client.get(response.headers["Location"]).text
    assert "0335-5051234" in page

    assert client.post(f"/office/card-partners/{partner.id}/approve").status_code == 302
    db.session.expire_all()
    assert partner.status is PartnerStatus.approved

    user = make_user(display_name="售票员小王")
    db.session.commit()
    added = client.post(f"/office/card-partners/{partner.id}/staff", data={"phone": user.phone})
    assert added.status_code == 302
    page = client.get(f"/office/card-partners/{partner.id}").text
    assert "售票员小王" in page
    unknown = client.post(
        f"/office/card-partners/{partner.id}/staff", data={"phone": "13999999997"}
    )
    assert unknown.status_code == 422
    assert "is-invalid" in unknown.text

    assignment = db.session.scalar(select(RoleAssignment).where(RoleAssignment.user_id == user.id))
    withdrawn = client.post(f"/office/card-partners/{partner.id}/staff/{assignment.id}/withdraw")
    assert withdrawn.status_code == 302
    db.session.expire_all()
    assert assignment.withdrawn_at is not None

    assert client.post(f"/office/card-partners/{partner.id}/suspend").status_code == 302
    db.session.expire_all()
    assert partner.status is PartnerStatus.suspended


def test_a_taken_name_and_a_merchant_linked_twice_show_beside_their_fields(app, office):
    merchant, _counter, _items = make_merchant(name="爱心便利店")
    make_partner(name="已有的", merchant=merchant)
    client = signed_in(app, office)
    taken = client.post("/office/card-partners/new", data={"name": "已有的", "kind": "other"})
    assert taken.status_code == 422
    assert "is-invalid" in taken.text
    # The merchant linked already is not among the choices.
    linked = client.post(
        "/office/card-partners/new",
        data={"name": "新的", "kind": "merchant", "merchant_id": merchant.id},
    )
    assert linked.status_code == 422
    no_merchant = client.post(
        "/office/card-partners/new", data={"name": "新的", "kind": "merchant"}
    )
    assert no_merchant.status_code == 422
    assert count(Partner) == 1


def test_the_office_edits_a_partner(app, office):
    partner = make_partner(name="旧名", kind=PartnerKind.health)
    client = signed_in(app, office)
    form = client.get(f"/office/card-partners/{partner.id}/edit")
    assert form.status_code == 200 and "旧名" in form.text
    saved = client.post(
        f"/office/card-partners/{partner.id}/edit",
        data={"name": "新名", "kind": "health", "contact_phone": CONTACT_PHONE},
    )
    assert saved.status_code == 302
    db.session.expire_all()
    assert partner.name == "新名"


def test_a_district_clerk_registers_in_their_district_and_reads_it_masked(app):
    places = make_places()
    clerk = make_clerk(AssignmentKind.district_clerk, places["haigang"])
    theirs = make_partner(name="别区的", district_code="shanhaiguan")
    client = signed_in(app, clerk)
    response = client.post(
        "/office/card-partners/new",
        data={
            "name": "海港体检中心",
            "kind": "health",
            "district_id": district("haigang").id,
            "contact_phone": "13803357777",
        },
    )
    assert response.status_code == 302, response.text
    partner = db.session.scalar(select(Partner).where(Partner.name == "海港体检中心"))
    assert partner.status is PartnerStatus.pending
    listed = client.get("/office/card-partners").text
    assert "海港体检中心" in listed and "别区的" not in listed
    page = client.get(f"/office/card-partners/{partner.id}").text
    assert "138****7777" in page and "13803357777" not in page
    assert client.get(f"/office/card-partners/{theirs.id}").status_code == 404
    assert client.post(f"/office/card-partners/{partner.id}/approve").status_code == 403
    assert client.get("/office/card-benefits").status_code == 403


@pytest.mark.parametrize("role", ["volunteer", "merchant_staff"])
def test_others_are_refused_the_office_pages(app, role):
    partner = make_partner()
    client = signed_in(app, make_user(role=Role(role)))
    for url in (
        "/office/card-partners",
        "/office/card-partners/new",
        f"/office/card-partners/{partner.id}",
        "/office/card-benefits",
    ):
        response = client.get(url)
        assert response.status_code in (403, 404), url
        assert CONTACT_PHONE not in response.text


def test_the_office_offers_a_benefit_typed_in_yuan(app, office):
    a, b = make_partner(name="甲中心"), make_partner(name="乙中心")
    client = signed_in(app, office)
    assert client.get("/office/card-benefits/new").status_code == 200
    data = {
        "name": "免费体检",
        "area": "health",
        "kind": "free",
        "value_yuan": "12.345",
        "limit_count": "1",
        "limit_period": "year",
        "lowest_level": "city",
        "partner_ids": [a.id, b.id],
        "is_active": "y",
    }
    three_decimals = client.post("/office/card-benefits/new", data=data)
    assert three_decimals.status_code == 422
    assert "is-invalid" in three_decimals.text
    zero_limit = client.post(
        "/office/card-benefits/new", data={**data, "value_yuan": "150", "limit_count": "0"}
    )
    assert zero_limit.status_code == 422
    no_partner = client.post(
        "/office/card-benefits/new", data={**data, "value_yuan": "150", "partner_ids": []}
    )
    assert no_partner.status_code == 422
    assert count(Benefit) == 0

    saved = client.post("/office/card-benefits/new", data={**data, "value_yuan": "150.5"})
    assert saved.status_code == 302, saved.text
    benefit = db.session.scalar(select(Benefit))
    assert benefit.value_fen == 15050
    assert {p.id for p in benefit.partners} == {a.id, b.id}
    listed = client.get("/office/card-benefits").text
    assert "免费体检" in listed and "150.50" in listed

    edit = client.get(f"/office/card-benefits/{benefit.id}")
    assert edit.status_code == 200 and "150.50" in edit.text
    changed = client.post(
        f"/office/card-benefits/{benefit.id}",
        data={
            **data,
            "value_yuan": "99",
            "kind": "discount",
            "discount_percent": "85",
            "partner_ids": [a.id],
        },
    )
    assert changed.status_code == 302, changed.text
    db.session.expire_all()
    assert (benefit.value_fen, benefit.discount_percent, [p.id for p in benefit.partners]) == (
        9900,
        85,
        [a.id],
    )
    bad_discount = client.post(
        f"/office/card-benefits/{benefit.id}",
        data={**data, "value_yuan": "99", "kind": "discount", "discount_percent": "100"},
    )
    assert bad_discount.status_code == 422
    assert client.get("/office/card-benefits/999999").status_code == 404


def test_a_partners_own_page_shows_it_its_benefits_and_staff(app):
    merchant, counter, _items = make_merchant()
    partner = make_partner(name="爱心超市合作点", merchant=merchant, contact_phone="13803350001")
    make_benefit(partner, name="购物九折")
    make_benefit(partner, name="停用礼遇", is_active=False)
    staff = make_partner_staff(partner, name="收银员")
    for user in (staff, counter):
        page = signed_in(app, user).get("/partner")
        assert page.status_code == 200
        assert "爱心超市合作点" in page.text and "购物九折" in page.text
        assert "停用礼遇" not in page.text
        assert "收银员" in page.text
        assert "13803350001" not in page.text
        assert 'name="viewport"' in page.text


def test_staff_of_two_partners_choose_and_cannot_name_another(app):
    first, second, other = make_partner(name="一号"), make_partner(name="二号"), make_partner()
    staff = make_partner_staff(first)
    db.session.add(
        RoleAssignment(
            user_id=staff.id,
            kind=AssignmentKind.partner_staff,
            partner_id=second.id,
            granted_at=first.registered_at,
        )
    )
    client = signed_in(app, staff)
    chooser = client.get("/partner")
    assert chooser.status_code == 200
    assert "一号" in chooser.text and "二号" in chooser.text
    assert "二号" in client.get(f"/partner?partner_id={second.id}").text
    assert client.get(f"/partner?partner_id={other.id}").status_code == 403


@pytest.mark.parametrize("role", ["volunteer", "merchant_staff"])
def test_the_partner_page_refuses_those_who_work_for_none(app, role):
    make_partner()
    assert signed_in(app, make_user(role=Role(role))).get("/partner").status_code == 403


def test_a_suspended_partners_staff_have_no_page(app):
    partner = make_partner(status=PartnerStatus.suspended)
    assert signed_in(app, make_partner_staff(partner)).get("/partner").status_code == 403


def test_the_user_administration_names_the_partner_of_a_staff_assignment(app, office):
    partner = make_partner(name="秦皇岛公交集团", kind=PartnerKind.bus)
    staff = make_partner_staff(partner)
    page = signed_in(app, office).get(f"/office/users/{staff.id}")
    assert page.status_code == 200
    assert "秦皇岛公交集团" in page.text
    assert f"/office/card-partners/{partner.id}" in page.text


def test_partner_staff_read_their_own_partner_in_the_list_masked(app):
    mine = make_partner(name="我的景区", contact_phone="13803354444")
    theirs = make_partner(name="别人的景区")
    client = signed_in(app, make_partner_staff(mine))
    listed = client.get("/office/card-partners")
    assert listed.status_code == 200
    assert "我的景区" in listed.text and "别人的景区" not in listed.text
    assert "138****4444" in listed.text and "13803354444" not in listed.text
    page = client.get(f"/office/card-partners/{mine.id}")
    assert page.status_code == 200
    assert "13803354444" not in page.text
    assert 'data-testid="add-staff"' not in page.text
    assert client.get(f"/office/card-partners/{theirs.id}").status_code == 404
    assert client.get("/office/card-partners/new").status_code == 403


def test_the_home_page_leads_partner_staff_to_their_partner(app):
    partner = make_partner(name="老龙头景区")
    home = signed_in(app, make_partner_staff(partner)).get("/").text
    assert 'data-testid="my-partner-link"' in home and "老龙头景区" in home
    assert 'data-testid="my-partner-link"' not in signed_in(app, make_user()).get("/").text
    assert 'data-testid="my-partner-link"' not in signed_in(app, make_office()).get("/").text
