"""A data set for the card reports, with figures known in advance: cards in every state in two
districts, uses at two partners on both sides of month ends (local time), and refused checks.
They add and flush, and never commit.

The figures for 2026 (NOW is 2026-06-01 10:00 local):
- cards today: 海港区 3 active (one a replacement), 1 to print, 1 printed, 1 lost, 1 lost and
  replaced, 2 expired (one only past its date); 山海关区 1 active, 1 revoked.
- uses: 老龙头景区 January 1 (¥60.50, at 23:30 on the 31st), February 1 (¥60.50, at 00:10 on
  the 1st), March 1 (a check-up, ¥300.00); 公交集团 February 2 (¥2.00 each, one at 23:59 on
  the 28th), March 1 (¥2.00, at 00:00 on the 1st, 山海关区's holder); one use on 2025-12-31
  at 23:59 is outside the year.
- refusals: 老龙头景区 unknown 1, limit reached 1, identity mismatch 1; 公交集团 revoked 1; one
  lost card's check on 2025-12-31 is outside the year.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from core.auth.assignments import AssignmentKind
from core.extensions import db
from honours.card_models import CardCheck, CardStatus, CardUse, CheckOutcome, PartnerKind
from tests.honours.builders import NOW, make_clerk, make_office, make_places
from tests.honours.card_builders import make_card, make_honoured
from tests.honours.verification_builders import make_benefit, make_partner, make_staff

CITY = ZoneInfo("Asia/Shanghai")


def local(year: int, month: int, day: int, hour: int = 10, minute: int = 0) -> datetime:
    """A wall-clock time in Qinhuangdao as a UTC moment."""
    return datetime(year, month, day, hour, minute, tzinfo=CITY).astimezone(UTC)


def add_use(card, partner, benefit, staff, at: datetime) -> CardUse:
    use = CardUse(
        card_id=card.id,
        person_id=card.person_id,
        benefit_id=benefit.id,
        partner_id=partner.id,
        staff_id=staff.id,
        used_at=at,
        value_fen=benefit.value_fen,
    )
    db.session.add(use)
    db.session.flush()
    return use


def add_check(partner, staff, card, outcome: CheckOutcome, at: datetime) -> CardCheck:
    check = CardCheck(
        partner_id=partner.id,
        staff_id=staff.id,
        card_id=card.id if card is not None else None,
        outcome=outcome,
        checked_at=at,
    )
    db.session.add(check)
    db.session.flush()
    return check


def report_world() -> dict:
    """The data set above, with the office, a district clerk of each district, a street clerk
    of 文化路, each partner's staff, and the cards and partners by name."""
    places = make_places()
    office = make_office()
    scenic = make_partner(office, name="老龙头景区")
    bus = make_partner(office, name="秦皇岛市公交集团", kind=PartnerKind.bus)
    scenic_staff = make_staff(scenic, name="景区检票员")
    bus_staff = make_staff(bus, name="公交验卡员")
    entry = make_benefit(office, [scenic], name="免费游览老龙头", value_fen=6050)
    ride = make_benefit(office, [bus], name="市内公交免费乘车", limit=None, value_fen=200)
    checkup = make_benefit(office, [scenic, bus], name="免费健康体检", limit=1, value_fen=30000)

    def card(place, name: str, **values):
        return make_card(make_honoured(places[place], office, name=name), office, **values)

    cards = {
        "c1": card("wenhuali", "王德明"),
        "c2": card("hongqilu", "李秀英"),
        "c3": card("nanguan", "张国强"),
        "to_print": card("wenhuali", "赵一", status=CardStatus.to_print),
        "issued": card("wenhuali", "钱二", status=CardStatus.issued),
        "lost": card("hongqilu", "孙三", status=CardStatus.lost),
        "past_date": card("wenhuali", "周五", valid_until=NOW.date() - timedelta(days=1)),
        "expired": card("wenhuali", "吴六", status=CardStatus.expired),
        "revoked": card("nanguan", "郑七", status=CardStatus.revoked),
    }
    replaced_holder = make_honoured(places["wenhuali"], office, name="李四")
    cards["replaced"] = make_card(replaced_holder, office, status=CardStatus.lost)
    cards["replacement"] = make_card(replaced_holder, office, replaces_id=cards["replaced"].id)
    # Made before the year: not issued in the period.
    cards["c3"].created_at = local(2025, 12, 31, 23, 30)
    db.session.flush()

    c1, c2, c3 = cards["c1"], cards["c2"], cards["c3"]
    add_use(c1, scenic, entry, scenic_staff, local(2026, 1, 31, 23, 30))
    add_use(c1, scenic, entry, scenic_staff, local(2026, 2, 1, 0, 10))
    add_use(c2, bus, ride, bus_staff, local(2026, 2, 15, 8))
    add_use(c2, bus, ride, bus_staff, local(2026, 2, 28, 23, 59))
    add_use(c3, bus, ride, bus_staff, local(2026, 3, 1, 0, 0))
    add_use(c3, scenic, checkup, scenic_staff, local(2026, 3, 10))
    add_use(c1, scenic, entry, scenic_staff, local(2025, 12, 31, 23, 59))

    add_check(scenic, scenic_staff, None, CheckOutcome.unknown, local(2026, 2, 3))
    add_check(bus, bus_staff, cards["revoked"], CheckOutcome.revoked, local(2026, 2, 4))
    add_check(scenic, scenic_staff, c1, CheckOutcome.limit_reached, local(2026, 2, 5))
    add_check(scenic, scenic_staff, c1, CheckOutcome.identity_mismatch, local(2026, 2, 6))
    add_check(scenic, scenic_staff, c1, CheckOutcome.valid, local(2026, 2, 6))
    add_check(bus, bus_staff, cards["lost"], CheckOutcome.lost, local(2025, 12, 31, 12))

    return {
        "places": places,
        "office": office,
        "haigang": make_clerk(AssignmentKind.district_clerk, places["haigang"]),
        "shanhaiguan": make_clerk(AssignmentKind.district_clerk, places["shanhaiguan"]),
        "street": make_clerk(AssignmentKind.street_clerk, places["wenhualu"]),
        "scenic": scenic,
        "bus": bus,
        "scenic_staff": scenic_staff,
        "bus_staff": bus_staff,
        "entry": entry,
        "ride": ride,
        "checkup": checkup,
        "cards": cards,
    }
