"""A care world for the reports: a winter visits campaign of 2026 with two budgets, six
honoured people on its list in two districts (visited, one reversed and recorded anew, planned,
not reached, not yet), one visited off the list, and past totals from the office's books.
Built through the services; adds and flushes, never commits."""

from __future__ import annotations

from care.models import FundSource, Visit, VisitStatus
from care.services import campaigns, visits
from care.services.past_totals import record_past_total
from core.auth.assignments import AssignmentKind
from core.extensions import db
from tests.care.builders import details, make_care_campaign, make_visit
from tests.honours.builders import NOW, make_clerk, make_office, make_person, make_places
from tests.honours.card_builders import make_honoured

RICE = "米面油礼包"
QUILT = "棉被"


def lock(visit: Visit, office) -> Visit:
    """The visit verified and locked as the district and the city would (its receipt aside)."""
    visit.status = VisitStatus.locked
    visit.verified_by_id = visit.locked_by_id = office.id
    visit.verified_at = visit.locked_at = NOW
    db.session.flush()
    return visit


def report_world() -> dict:
    """The world the figures of tests/care/test_reports*.py are counted from.

    City budget 10,000.00 yuan, moral fund 5,000.00 yuan. Haigang: A visited with 1,000.00,
    locked, reversed and recorded anew with 800.00 and a bag of rice (20.00 yuan); B visited
    with 500.50 from the moral fund, 2 bags of rice (300.00) and a quilt (123.45), no
    follow-up; D not reached (declined); G off the list with 200.00 and a bag of rice.
    Shanhaiguan: C visited with 1,000.00 and a bag of rice; E planned with 300.00 and a bag
    of rice; F not yet. Past totals: 2022 donations 50.00, 2024 city budget 100,000.00 and
    moral fund 1,234.56."""
    places = make_places()
    office = make_office()
    people = {
        "a": make_honoured(places["wenhuali"], office, name="甲"),
        "b": make_honoured(places["hongqilu"], office, name="乙"),
        "d": make_honoured(places["hongqilu"], office, name="丁"),
        "c": make_honoured(places["nanguan"], office, name="丙"),
        "e": make_honoured(places["nanguan"], office, name="戊"),
        "f": make_honoured(places["nanguan"], office, name="己"),
        "g": make_person(places["wenhuali"], office, name="庚"),
    }
    care = make_care_campaign(
        office, budget={FundSource.city_budget: 1_000_000, FundSource.moral_fund: 500_000}
    )
    campaigns.make_list(office, care.id, now=NOW)
    rice = visits.GoodLine(RICE, 1, 2_000)
    first = lock(make_visit(office, care, people["a"], cash_fen=100_000, goods=(rice,)), office)
    visits.reverse_visit(office, first.id, "慰问金额登记错误", now=NOW)
    anew = visits.record_visit(
        office,
        care.id,
        people["a"].id,
        details(cash_fen=80_000, goods=(rice,), needs="独居，冬季取暖困难"),
        now=NOW,
        done=True,
        corrects_id=first.id,
    )
    make_visit(
        office,
        care,
        people["b"],
        cash_fen=50_050,
        fund_source=FundSource.moral_fund,
        goods=(visits.GoodLine(RICE, 2, 30_000), visits.GoodLine(QUILT, 1, 12_345)),
        follow_up="",
    )
    campaigns.skip_target(
        office, campaigns.target_of(care.id, people["d"].id).id, "本人婉拒", now=NOW
    )
    make_visit(
        office,
        care,
        people["g"],
        cash_fen=20_000,
        goods=(rice,),
        off_list_reason="群众反映生活困难",
    )
    make_visit(office, care, people["c"], goods=(rice,), needs="行动不便，需要轮椅")
    make_visit(office, care, people["e"], done=False, cash_fen=30_000, goods=(rice,))
    for year, source, fen in (
        (2022, FundSource.donations, 5_000),
        (2024, FundSource.city_budget, 10_000_000),
        (2024, FundSource.moral_fund, 123_456),
    ):
        record_past_total(
            office, year=year, fund_source=source, cash_fen=fen, persons=3, note="台账", now=NOW
        )
    return {
        "office": office,
        "care": care,
        "people": people,
        "first": first,
        "anew": anew,
        "haigang": make_clerk(AssignmentKind.district_clerk, places["haigang"], name="海港区"),
        "shanhaiguan": make_clerk(
            AssignmentKind.district_clerk, places["shanhaiguan"], name="山海关区"
        ),
        "community": make_clerk(AssignmentKind.community_clerk, places["nanguan"]),
    }
