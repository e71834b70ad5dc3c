"""The bus company's nightly list of card numbers: valid numbers only for active cards within
their date whose holder's honour reaches the partner's free rides; the numbers lost, replaced,
revoked or expired since the partner's previous list; one list per partner and night however
often it runs; only approved bus partners; the older list a system asks from."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from core.clock import local_day
from core.extensions import db
from honours.bus_models import BusListExport, BusListFetch, BusListLine, FetchChannel, ListMaker
from honours.card_models import BenefitArea, CardStatus, PartnerKind, PartnerStatus
from honours.models import HonourLevel
from honours.services import bus_list, cards
from reminders import jobs
from tests.honours.builders import NOW, make_office, make_places, scope
from tests.honours.bus_builders import make_bus_partner, make_export
from tests.honours.card_builders import make_card, make_honoured
from tests.honours.partner_builders import make_benefit, make_partner, make_partner_staff

NIGHT = timedelta(days=1)


@pytest.fixture
def ground(app):
    places = make_places()
    office = make_office()
    return {
        "places": places,
        "office": office,
        "partner": make_bus_partner(
            office=office, name="秦皇岛公交", lowest_level=HonourLevel.city
        ),
    }


def _holder(ground, name: str, *, code: str = "good_person_city", **card):
    person = make_honoured(ground["places"]["wenhuali"], ground["office"], name=name, code=code)
    return make_card(person, ground["office"], **card)


def _lines(export: BusListExport, *, valid: bool) -> set[str]:
    return set(
        db.session.scalars(
            select(BusListLine.number).where(
                BusListLine.export_id == export.id, BusListLine.is_valid.is_(valid)
            )
        )
    )


def _count_exports() -> int:
    return db.session.scalar(select(func.count()).select_from(BusListExport))


def test_only_active_cards_in_date_whose_honour_reaches_the_free_rides_are_valid(ground):
    valid = _holder(ground, "甲")
    _holder(ground, "乙", code="good_person_county")  # a county honour: the rides are for city
    _holder(ground, "丙", valid_until=local_day(NOW) - timedelta(days=1))  # past its date
    _holder(ground, "丁", status=CardStatus.issued)  # printed, not handed over
    _holder(ground, "戊", status=CardStatus.revoked)
    last_day = _holder(ground, "己", valid_until=local_day(NOW))  # valid to the end of today

    export = make_export(ground["partner"])

    assert _lines(export, valid=True) == {valid.number, last_day.number}
    assert _lines(export, valid=False) == set()
    assert (export.valid_count, export.invalid_count) == (2, 0)
    assert export.night == local_day(NOW) and export.previous_id is None


def test_cards_lost_replaced_revoked_or_expired_since_the_last_list_are_listed_invalid(ground):
    office = ground["office"]
    lost = _holder(ground, "甲")
    revoked = _holder(ground, "乙")
    expiring = _holder(ground, "丙", valid_until=local_day(NOW))
    staying = _holder(ground, "丁")
    first = make_export(ground["partner"])

    replacement = cards.report_lost(office, scope(office), lost.id, note=None, now=NOW).replacement
    revoked.status = CardStatus.revoked
    db.session.flush()
    second = make_export(ground["partner"], now=NOW + NIGHT)

    assert second.previous_id == first.id
    assert _lines(second, valid=True) == {staying.number}
    assert _lines(second, valid=False) == {lost.number, revoked.number, expiring.number}
    assert (second.valid_count, second.invalid_count) == (1, 3)

    # The replacement rides once handed over; the numbers told before are not told again.
    cards.mark_printed(office, scope(office), card_ids=[replacement.id], now=NOW + NIGHT)
    cards.hand_over(office, scope(office), replacement.id, now=NOW + NIGHT)
    third = make_export(ground["partner"], now=NOW + 2 * NIGHT)
    assert _lines(third, valid=True) == {staying.number, replacement.number}
    assert _lines(third, valid=False) == set()


def test_rides_no_longer_reached_by_the_honour_make_the_number_invalid(ground):
    partner = make_partner(office=ground["office"], kind=PartnerKind.bus, name="港城公交")
    city = make_benefit(
        partner, area=BenefitArea.transport, limit_count=None, lowest_level=HonourLevel.city
    )
    make_benefit(
        partner, area=BenefitArea.transport, limit_count=None, lowest_level=HonourLevel.national
    )
    card = _holder(ground, "甲")
    assert _lines(make_export(partner), valid=True) == {card.number}

    # The city-level rides end; the national ones stay, which a city honour does not reach.
    city.is_active = False
    db.session.flush()
    later = make_export(partner, now=NOW + NIGHT)

    assert _lines(later, valid=False) == {card.number}
    assert _lines(later, valid=True) == set()


def test_one_list_per_partner_and_night_however_often_it_runs(ground):
    _holder(ground, "甲")
    other = make_bus_partner(office=ground["office"], name="北戴河公交")

    first = bus_list.make_exports(now=NOW, made_by=ListMaker.job)
    again = bus_list.make_exports(now=NOW + timedelta(hours=3), made_by=ListMaker.command)

    assert (first.made, first.existing) == (2, 0)
    assert (again.made, again.existing) == (0, 2)
    assert _count_exports() == 2
    made = db.session.scalars(select(BusListExport).where(BusListExport.partner_id == other.id))
    assert [e.made_by for e in made] == [ListMaker.job]
    nextday = bus_list.make_exports(now=NOW + NIGHT, made_by=ListMaker.job)
    assert nextday.made == 2 and _count_exports() == 4


def test_only_approved_bus_partners_get_a_list(ground):
    _holder(ground, "甲")
    make_bus_partner(office=ground["office"], name="停运公交", status=PartnerStatus.suspended)
    scenic = make_partner(office=ground["office"], kind=PartnerKind.scenic, name="景区")
    make_benefit(scenic, area=BenefitArea.transport, limit_count=None)

    run = bus_list.make_exports(now=NOW, made_by=ListMaker.job)

    assert run.made == 1
    assert db.session.scalars(select(BusListExport.partner_id)).all() == [ground["partner"].id]


def test_a_bus_partner_without_free_rides_lists_no_valid_number(ground):
    _holder(ground, "甲")
    bare = make_partner(office=ground["office"], kind=PartnerKind.bus, name="无礼遇公交")

    export = make_export(bare)

    assert export.valid_count == 0 and _lines(export, valid=True) == set()


def test_the_nightly_job_makes_the_lists(ground):
    _holder(ground, "甲")
    db.session.commit()

    done = jobs.bus_lists()

    assert done.made == 1
    assert jobs.bus_lists().made == 0


def test_a_list_read_since_an_older_one_names_everything_invalid_since(ground):
    office = ground["office"]
    lost = _holder(ground, "甲")
    revoked = _holder(ground, "乙")
    first = make_export(ground["partner"])
    cards.report_lost(office, scope(office), lost.id, note=None, now=NOW)
    make_export(ground["partner"], now=NOW + NIGHT)
    revoked.status = CardStatus.revoked
    db.session.flush()
    latest = make_export(ground["partner"], now=NOW + 2 * NIGHT)
    staff = make_partner_staff(ground["partner"])

    plain = bus_list.read_list(staff, now=NOW + 2 * NIGHT, channel=FetchChannel.api)
    since = bus_list.read_list(
        staff, now=NOW + 2 * NIGHT, channel=FetchChannel.api, since_id=first.id
    )

    assert plain.export.id == latest.id and plain.invalid == [revoked.number]
    assert since.since.id == first.id and since.invalid == sorted([lost.number, revoked.number])
    assert since.valid == plain.valid == []
    fetches = db.session.scalars(select(BusListFetch).order_by(BusListFetch.id)).all()
    assert [(f.export_id, f.since_id, f.user_id) for f in fetches] == [
        (latest.id, None, staff.id),
        (latest.id, first.id, staff.id),
    ]
