"""Benefits on the card through the services: yuan typed and kept as integer fen, the rules of
a benefit's kind, limit and partners, a shared benefit, edits that leave past uses as they
were, what a partner gives now, and who reads which benefits."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest

from core.auth.models import Role
from core.errors import Forbidden, NotFound, ValidationFailed
from core.extensions import db
from honours.card_models import (
    Benefit,
    BenefitArea,
    BenefitKind,
    CardUse,
    CourtesyCard,
    LimitPeriod,
    PartnerStatus,
)
from honours.models import HonourLevel
from honours.services import benefits
from honours.services.benefits import BenefitDetails, parse_yuan, yuan_text
from tests.builders import make_user
from tests.honours.builders import NOW, make_office, make_person, make_places
from tests.honours.partner_builders import make_benefit, make_partner, make_partner_staff


@pytest.mark.parametrize(
    ("typed", "fen"),
    [
        ("35", 3500),
        ("12.5", 1250),
        ("12.50", 1250),
        ("0.08", 8),
        (" 1,200.00 ", 120000),
        ("0", 0),
        ("100000", 10_000_000),
    ],
)
def test_yuan_are_read_as_decimals_into_fen(typed, fen):
    assert parse_yuan(typed) == fen
    assert parse_yuan(yuan_text(fen)) == fen


@pytest.mark.parametrize(
    "typed",
    [
        "12.345",
        "0.001",
        "-1",
        "-0.01",
        "abc",
        "",
        "NaN",
        "Infinity",
        "100000.01",
        "1e9",
        "1e999999",
    ],
)
def test_anything_else_is_refused_naming_the_value(typed):
    with pytest.raises(ValidationFailed) as raised:
        parse_yuan(typed)
    assert "value_yuan" in raised.value.errors


def test_yuan_text_has_two_decimals():
    assert [yuan_text(f) for f in (0, 8, 1250, 3500)] == ["0.00", "0.08", "12.50", "35.00"]


def details(*partners, **values) -> BenefitDetails:
    base = BenefitDetails(
        name="景区免费游览",
        area=BenefitArea.scenic,
        kind=BenefitKind.free,
        partner_ids=tuple(p.id for p in partners),
        value_fen=8000,
        limit_count=2,
        limit_period=LimitPeriod.year,
        lowest_level=HonourLevel.city,
    )
    return replace(base, **values)


def test_the_office_offers_a_benefit(app):
    office = make_office()
    partner = make_partner()
    benefit = benefits.create_benefit(office, details(partner, description="凭卡免票"), now=NOW)
    assert (benefit.name, benefit.area, benefit.kind, benefit.value_fen) == (
        "景区免费游览",
        BenefitArea.scenic,
        BenefitKind.free,
        8000,
    )
    assert (benefit.limit_count, benefit.limit_period, benefit.lowest_level) == (
        2,
        LimitPeriod.year,
        HonourLevel.city,
    )
    assert benefit.partners == [partner]
    assert not benefit.is_shared
    assert (benefit.created_at, benefit.created_by_id) == (NOW, office.id)


def test_a_city_wide_benefit_is_shared_by_several_partners(app):
    centres = [make_partner(name=f"体检中心{i}") for i in range(3)]
    benefit = benefits.create_benefit(
        make_office(),
        details(*centres, name="免费体检", area=BenefitArea.health, limit_count=1),
        now=NOW,
    )
    assert benefit.is_shared
    assert {p.id for p in benefit.partners} == {c.id for c in centres}
    for centre in centres:
        assert benefits.benefits_at(centre.id) == [benefit]


def test_a_discount_takes_a_share_from_1_to_99(app):
    partner = make_partner()
    office = make_office()
    made = benefits.create_benefit(
        office, details(partner, kind=BenefitKind.discount, discount_percent=80), now=NOW
    )
    assert made.discount_percent == 80
    for percent in (None, 0, 100, -5):
        with pytest.raises(ValidationFailed) as raised:
            benefits.create_benefit(
                office,
                details(partner, kind=BenefitKind.discount, discount_percent=percent),
                now=NOW,
            )
        assert "discount_percent" in raised.value.errors
    with pytest.raises(ValidationFailed) as raised:
        benefits.create_benefit(office, details(partner, discount_percent=80), now=NOW)
    assert "discount_percent" in raised.value.errors
    assert db.session.query(Benefit).count() == 1


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"limit_count": 0}, "limit_count"),
        ({"limit_count": -1}, "limit_count"),
        ({"limit_count": 1001}, "limit_count"),
        ({"limit_count": 2, "limit_period": None}, "limit_period"),
        ({"limit_count": None, "limit_period": LimitPeriod.month}, "limit_count"),
        ({"value_fen": -1}, "value_yuan"),
        ({"value_fen": 10_000_001}, "value_yuan"),
        ({"name": " "}, "name"),
        ({"description": "长" * 2001}, "description"),
        ({"partner_ids": ()}, "partner_ids"),
        ({"partner_ids": (999_999,)}, "partner_ids"),
    ],
)
def test_bad_benefits_are_refused_naming_the_field(app, values, field):
    partner = make_partner()
    with pytest.raises(ValidationFailed) as raised:
        benefits.create_benefit(make_office(), details(partner, **values), now=NOW)
    assert field in raised.value.errors
    assert db.session.query(Benefit).count() == 0


def test_no_limit_is_no_count_and_no_period(app):
    benefit = benefits.create_benefit(
        make_office(),
        details(make_partner(), kind=BenefitKind.priority, limit_count=None, limit_period=None),
        now=NOW,
    )
    assert (benefit.limit_count, benefit.limit_period) == (None, None)


def test_only_the_office_offers_and_changes_benefits(app):
    partner = make_partner()
    benefit = make_benefit(partner)
    for user in (make_user(), make_partner_staff(partner)):
        with pytest.raises(Forbidden):
            benefits.create_benefit(user, details(partner), now=NOW)
        with pytest.raises(Forbidden):
            benefits.update_benefit(user, benefit.id, details(partner), now=NOW)
    with pytest.raises(NotFound):
        benefits.update_benefit(make_office(), 999_999, details(partner), now=NOW)


def test_a_change_leaves_past_uses_with_their_own_value(app):
    places = make_places()
    office = make_office()
    partner, other = make_partner(), make_partner()
    benefit = make_benefit(partner, value_fen=8000)
    staff = make_partner_staff(partner)
    person = make_person(places["wenhuali"], office)
    card = CourtesyCard(
        number="1000000009",
        person_id=person.id,
        valid_until=date(2027, 12, 31),
        created_by_id=office.id,
    )
    db.session.add(card)
    db.session.flush()
    use = CardUse(
        card_id=card.id,
        person_id=person.id,
        benefit_id=benefit.id,
        partner_id=partner.id,
        staff_id=staff.id,
        used_at=NOW,
        value_fen=8000,
        period_start=date(2026, 1, 1),
    )
    db.session.add(use)
    db.session.flush()

    changed = benefits.update_benefit(
        office,
        benefit.id,
        details(other, value_fen=12050, limit_count=None, limit_period=None, is_active=False),
        now=NOW + timedelta(days=1),
    )
    assert (changed.value_fen, changed.partners, changed.is_active) == (12050, [other], False)
    db.session.expire_all()
    kept = db.session.get(CardUse, use.id)
    assert (kept.value_fen, kept.partner_id, kept.period_start) == (
        8000,
        partner.id,
        date(2026, 1, 1),
    )


def test_a_partner_gives_its_active_benefits_while_approved(app):
    partner = make_partner()
    given = make_benefit(partner, name="乙礼遇")
    first = make_benefit(partner, name="甲礼遇", area=BenefitArea.celebration)
    make_benefit(partner, name="停用的", is_active=False)
    make_benefit(make_partner(), name="别家的")
    # By the city's order of areas, then by name.
    assert benefits.benefits_at(partner.id) == [first, given]

    partner.status = PartnerStatus.suspended
    db.session.flush()
    assert benefits.benefits_at(partner.id) == []
    waiting = make_partner(status=PartnerStatus.pending)
    make_benefit(waiting)
    assert benefits.benefits_at(waiting.id) == []
    assert benefits.benefits_at(999_999) == []


def test_each_reads_the_benefits_they_may(app):
    mine, theirs = make_partner(), make_partner()
    own = make_benefit(mine, name="我家的")
    shared = make_benefit(mine, theirs, name="共享的")
    other = make_benefit(theirs, name="别家的")
    office = make_office()
    staff = make_partner_staff(mine)

    def names(user, **filters):
        return [b.name for b in benefits.list_benefits(user, now=NOW, **filters).items]

    assert names(office) == sorted(["我家的", "共享的", "别家的"])
    assert names(office, partner_id=theirs.id) == sorted(["共享的", "别家的"])
    assert names(staff) == sorted(["我家的", "共享的"])
    assert names(staff, partner_id=mine.id) == sorted(["我家的", "共享的"])
    with pytest.raises(Forbidden):
        benefits.list_benefits(staff, now=NOW, partner_id=theirs.id)
    for nobody in (make_user(), make_user(role=Role.merchant_staff)):
        with pytest.raises(Forbidden):
            benefits.list_benefits(nobody, now=NOW)

    assert benefits.get_benefit(staff, own.id, now=NOW) == own
    assert benefits.get_benefit(staff, shared.id, now=NOW) == shared
    with pytest.raises(NotFound):
        benefits.get_benefit(staff, other.id, now=NOW)
    with pytest.raises(NotFound):
        benefits.get_benefit(make_user(), own.id, now=NOW)
    assert benefits.get_benefit(office, other.id, now=NOW) == other
