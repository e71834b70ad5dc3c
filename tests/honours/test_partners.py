"""Courtesy-card partners through the services: registering (the office, a district's clerk
for their district), the name and the merchant link held unique, approval and suspension, the
staff, and who reads a partner and its contact phone."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from core.auth.assignments import AssignmentKind, RoleAssignment, assignment_history
from core.auth.models import Role
from core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from core.extensions import db
from honours.card_models import Partner, PartnerKind, PartnerStatus
from honours.services import partners
from honours.services.partner_staff import partners_of
from honours.services.partners import PartnerDetails
from tests.builders import make_merchant, make_user
from tests.honours.builders import NOW, make_clerk, make_office, make_places
from tests.honours.partner_builders import (
    CONTACT_PHONE,
    district,
    make_partner,
    make_partner_staff,
)

SCENIC = PartnerDetails(
    name="祖山景区",
    kind=PartnerKind.scenic,
    address="青龙满族自治县祖山",
    contact_name="李经理",
    contact_phone="0335-7651234",
)


def errors_of(raised) -> dict:
    return raised.value.errors


def test_the_office_registers_a_partner_that_waits_for_approval(app):
    office = make_office()
    partner = partners.register_partner(
        office, replace(SCENIC, district_id=district("qinglong").id), now=NOW
    )
    assert partner.status is PartnerStatus.pending
    assert partner.registered_by_id == office.id
    assert partner.registered_at == NOW
    assert partner.decided_at is None
    assert partner.district.code == "qinglong"
    assert partner.contact_phone == "0335-7651234"


def test_a_name_is_taken_once_whatever_its_case(app):
    office = make_office()
    partners.register_partner(office, replace(SCENIC, name="Zushan Scenic"), now=NOW)
    with pytest.raises(ValidationFailed) as raised:
        partners.register_partner(office, replace(SCENIC, name=" zushan scenic "), now=NOW)
    assert errors_of(raised)["name"]
    assert db.session.query(Partner).count() == 1


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"name": "  "}, "name"),
        ({"name": "名" * 121}, "name"),
        ({"contact_phone": "call me"}, "contact_phone"),
        ({"address": "路" * 201}, "address"),
        ({"district_id": 999_999}, "district_id"),
        ({"kind": PartnerKind.merchant}, "merchant_id"),
        ({"merchant_id": 999_999}, "merchant_id"),
    ],
)
def test_bad_details_are_refused_naming_the_field(app, changes, field):
    with pytest.raises(ValidationFailed) as raised:
        partners.register_partner(make_office(), replace(SCENIC, **changes), now=NOW)
    assert field in errors_of(raised)
    assert db.session.query(Partner).count() == 0


def test_a_caring_merchant_is_linked_once_and_is_of_the_merchant_kind(app):
    merchant, _staff, _items = make_merchant(name="爱心超市")
    office = make_office()
    partner = partners.register_partner(
        office,
        PartnerDetails(name="爱心超市", kind=PartnerKind.other, merchant_id=merchant.id),
        now=NOW,
    )
    assert partner.kind is PartnerKind.merchant
    assert partner.merchant_id == merchant.id
    # Its district is the merchant's when none is named.
    assert partner.district_id == merchant.district_id
    with pytest.raises(ValidationFailed) as raised:
        partners.register_partner(
            office,
            PartnerDetails(name="另一家", kind=PartnerKind.merchant, merchant_id=merchant.id),
            now=NOW,
        )
    assert errors_of(raised)["merchant_id"]
    assert [m.id for m in partners.linkable_merchants()] == []
    assert [m.id for m in partners.linkable_merchants(partner)] == [merchant.id]


def test_a_district_clerk_registers_only_in_their_district(app):
    places = make_places()
    clerk = make_clerk(AssignmentKind.district_clerk, places["haigang"])
    partner = partners.register_partner(
        clerk, replace(SCENIC, district_id=district("haigang").id), now=NOW
    )
    assert partner.status is PartnerStatus.pending
    for elsewhere in (None, district("shanhaiguan").id):
        with pytest.raises(ValidationFailed) as raised:
            partners.register_partner(
                clerk, replace(SCENIC, name=f"别处{elsewhere}", district_id=elsewhere), now=NOW
            )
        assert "district_id" in errors_of(raised)
    # A clerk below the district, or a volunteer, registers none.
    street = make_clerk(AssignmentKind.street_clerk, places["wenhualu"])
    for user in (street, make_user()):
        with pytest.raises(Forbidden):
            partners.register_partner(
                user, replace(SCENIC, name="又一个", district_id=district("haigang").id), now=NOW
            )
    # Nor does the clerk approve.
    with pytest.raises(Forbidden):
        partners.approve_partner(clerk, partner.id, now=NOW)


def test_approval_and_suspension_go_back_and_forth_and_say_who_decided(app):
    office = make_office()
    partner = partners.register_partner(office, SCENIC, now=NOW)
    staff = make_partner_staff(partner)
    assert partners_of(staff, NOW) == []

    later = NOW + timedelta(hours=1)
    partners.approve_partner(office, partner.id, now=later)
    assert (partner.status, partner.decided_at, partner.decided_by_id) == (
        PartnerStatus.approved,
        later,
        office.id,
    )
    assert partners_of(staff, later) == [partner]
    with pytest.raises(Conflict):
        partners.approve_partner(office, partner.id, now=later)

    partners.suspend_partner(office, partner.id, now=later + timedelta(days=1))
    assert partner.status is PartnerStatus.suspended
    assert partners_of(staff, later + timedelta(days=1)) == []
    with pytest.raises(Conflict):
        partners.suspend_partner(office, partner.id, now=later + timedelta(days=1))

    partners.approve_partner(office, partner.id, now=later + timedelta(days=2))
    assert partner.status is PartnerStatus.approved
    with pytest.raises(NotFound):
        partners.approve_partner(office, 999_999, now=later)


def test_a_waiting_partner_cannot_be_suspended(app):
    partner = make_partner(status=PartnerStatus.pending)
    with pytest.raises(Conflict):
        partners.suspend_partner(make_office(), partner.id, now=NOW)
    assert partner.status is PartnerStatus.pending


def test_the_office_changes_a_partners_details_but_not_its_status(app):
    office = make_office()
    partner = make_partner(name="老名字")
    make_partner(name="别家")
    changed = partners.update_partner(
        office, partner.id, replace(SCENIC, name="新名字", district_id=None), now=NOW
    )
    assert (changed.name, changed.status, changed.district_id) == (
        "新名字",
        PartnerStatus.approved,
        None,
    )
    with pytest.raises(ValidationFailed):
        partners.update_partner(office, partner.id, replace(SCENIC, name="别家"), now=NOW)
    # Its own name again is no clash.
    partners.update_partner(office, partner.id, replace(SCENIC, name="新名字"), now=NOW)
    with pytest.raises(Forbidden):
        partners.update_partner(make_partner_staff(partner), partner.id, SCENIC, now=NOW)


# Staff ------------------------------------------------------------------------------------------


def test_the_office_adds_staff_by_mobile_number_and_withdraws_them(app):
    office = make_office()
    partner = make_partner()
    user = make_user(display_name="检票员")
    assignment = partners.add_partner_staff(office, partner.id, phone=user.phone, now=NOW)
    assert (assignment.kind, assignment.partner_id, assignment.user_id) == (
        AssignmentKind.partner_staff,
        partner.id,
        user.id,
    )
    assert partners_of(user, NOW) == [partner]
    assert [m.user.id for m in partners.list_partner_staff(office, partner.id, now=NOW)] == [
        user.id
    ]
    with pytest.raises(Conflict):
        partners.add_partner_staff(office, partner.id, phone=user.phone, now=NOW)

    later = NOW + timedelta(hours=1)
    partners.withdraw_partner_staff(office, partner.id, assignment.id, now=later)
    assert partners_of(user, later) == []
    assert partners.list_partner_staff(office, partner.id, now=later) == []
    # It stays in the account's history.
    assert [a.id for a in assignment_history(office, user.id)] == [assignment.id]
    with pytest.raises(Conflict):
        partners.withdraw_partner_staff(office, partner.id, assignment.id, now=later)


def test_staff_refusals(app):
    office = make_office()
    partner, other = make_partner(), make_partner()
    with pytest.raises(ValidationFailed) as raised:
        partners.add_partner_staff(office, partner.id, phone="13999999999", now=NOW)
    assert "phone" in errors_of(raised)
    with pytest.raises(ValidationFailed):
        partners.add_partner_staff(office, partner.id, phone="12345", now=NOW)
    with pytest.raises(ValidationFailed):
        partners.add_partner_staff(office, partner.id, phone=make_office().phone, now=NOW)
    disabled = make_user()
    disabled.is_enabled = False
    with pytest.raises(Conflict):
        partners.add_partner_staff(office, partner.id, phone=disabled.phone, now=NOW)
    with pytest.raises(NotFound):
        partners.add_partner_staff(office, 999_999, phone=make_user().phone, now=NOW)
    with pytest.raises(Forbidden):
        partners.add_partner_staff(make_user(), partner.id, phone=make_user().phone, now=NOW)
    # An assignment of another partner is not withdrawn through this one.
    theirs = db.session.query(RoleAssignment).filter_by(user_id=make_partner_staff(other).id).one()
    with pytest.raises(NotFound):
        partners.withdraw_partner_staff(office, partner.id, theirs.id, now=NOW)
    assert theirs.withdrawn_at is None
    assert db.session.query(RoleAssignment).filter_by(partner_id=partner.id).count() == 0


def test_a_linked_merchants_staff_are_on_the_partners_staff(app):
    merchant, counter, _items = make_merchant()
    partner = make_partner(merchant=merchant)
    added = make_partner_staff(partner, name="甲")
    office = make_office()
    members = partners.list_partner_staff(office, partner.id, now=NOW)
    assert [(m.user.id, m.via_merchant) for m in members] == [(added.id, False), (counter.id, True)]
    assert partners_of(counter, NOW) == [partner]
    # They read their own partner's staff too; another partner's staff read none of it.
    assert len(partners.list_partner_staff(counter, partner.id, now=NOW)) == 2
    with pytest.raises(NotFound):
        partners.list_partner_staff(make_partner_staff(make_partner()), partner.id, now=NOW)


# Reading ----------------------------------------------------------------------------------------


def test_the_contact_phone_is_whole_for_the_office_only(app):
    places = make_places()
    partner = make_partner(district_code="haigang")
    office = make_office()
    assert partners.get_partner(office, partner.id, now=NOW).contact_phone == CONTACT_PHONE
    clerk = make_clerk(AssignmentKind.district_clerk, places["haigang"])
    for reader in (clerk, make_partner_staff(partner)):
        shown = partners.get_partner(reader, partner.id, now=NOW).contact_phone
        assert shown == "138****1234"


def test_nobody_else_reads_a_partner(app):
    places = make_places()
    partner = make_partner(district_code="haigang")
    other = make_partner(district_code="shanhaiguan")
    readers = [
        make_user(),
        make_user(role=Role.merchant_staff),
        make_clerk(AssignmentKind.district_clerk, places["shanhaiguan"]),
        make_clerk(AssignmentKind.community_clerk, places["wenhuali"]),
        make_partner_staff(other),
    ]
    for reader in readers:
        with pytest.raises(NotFound):
            partners.get_partner(reader, partner.id, now=NOW)


def test_each_lists_the_partners_they_may_read(app):
    places = make_places()
    mine = make_partner(name="甲单位", district_code="haigang")
    theirs = make_partner(name="乙单位", district_code="shanhaiguan")
    waiting = make_partner(name="丙单位", status=PartnerStatus.pending, district_code=None)
    office = make_office()

    def names(user, **filters):
        return [v.partner.name for v in partners.list_partners(user, now=NOW, **filters).items]

    assert names(office) == sorted([mine.name, theirs.name, waiting.name])
    assert names(office, status=PartnerStatus.pending) == [waiting.name]
    assert names(make_clerk(AssignmentKind.district_clerk, places["haigang"])) == [mine.name]
    assert names(make_partner_staff(mine)) == [mine.name]
    for nobody in (make_user(), make_user(role=Role.merchant_staff)):
        with pytest.raises(Forbidden):
            partners.list_partners(nobody, now=NOW)


def test_partner_names_for_the_user_administration(app):
    partner = make_partner(name="北戴河体检中心", kind=PartnerKind.health)
    assert partners.partner_names([partner.id, None]) == {partner.id: "北戴河体检中心"}
    assert partners.partner_names([]) == {}
