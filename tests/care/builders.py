"""Builders for the care tests: a winter visits campaign with budgets, people on its list and
visits through the services. They add and flush, and never commit."""

from __future__ import annotations

from datetime import date, datetime

from care.models import CareCampaign, CareKind, FundSource, ListRule, VisitPlace
from care.services import budgets, campaigns, visits
from core.auth.models import User
from events import services as events
from events.models import Season
from honours.models import HonourLevel, Person
from tests.honours.builders import NOW, make_office

VISITORS = "市文明办 王主任、海港区文明办 李科长"


def make_season(office: User, *, season: Season = Season.winter, year: int = 2026):
    """The seasonal campaign a care campaign is made from."""
    starts_on, ends_on = {
        Season.spring: (date(year, 3, 1), date(year, 3, 31)),
        Season.tourist_season: (date(year, 6, 1), date(year, 8, 31)),
        Season.autumn_harvest: (date(year, 9, 1), date(year, 11, 30)),
        Season.winter: (date(year, 12, 1), date(year + 1, 2, 28)),
    }[season]
    return events.create_campaign(
        office,
        name=f"{year}年善行四季·{season.label}",
        season=season,
        year=year,
        starts_on=starts_on,
        ends_on=ends_on,
    )


def make_care_campaign(
    office: User | None = None,
    *,
    kind: CareKind = CareKind.visits,
    rule: ListRule = ListRule.honour_level,
    min_level: HonourLevel | None = HonourLevel.city,
    budget: dict[FundSource, int] | None = None,
    season: Season = Season.winter,
    now: datetime = NOW,
) -> CareCampaign:
    """A care campaign (winter visits to good people by default) with its budgets in fen
    (10,000 yuan from the city budget unless told otherwise)."""
    office = office or make_office()
    care = campaigns.create_care_campaign(
        office,
        campaigns.CampaignDetails(
            campaign_id=make_season(office, season=season).id,
            kind=kind,
            name="2026年元旦春节走访慰问道德模范和好人",
            rule=rule,
            plan="元旦春节前走访慰问全市道德模范、身边好人，每人慰问金1000元及慰问品。",
            min_level=min_level if rule is ListRule.honour_level else None,
        ),
        now=now,
    )
    for source, fen in (
        budget if budget is not None else {FundSource.city_budget: 1_000_000}
    ).items():
        budgets.set_budget(office, care.id, source, fen, reason="年度预算", now=now)
    return care


def details(**values) -> visits.VisitDetails:
    """A visit at home with 1,000 yuan from the city budget and a box of goods, unless told."""
    fields = {
        "visit_on": date(2026, 1, 20),
        "place": VisitPlace.home,
        "visitors": VISITORS,
        "cash_fen": 100_000,
        "fund_source": FundSource.city_budget,
        "needs": "冬季取暖费用较高",
        "follow_up": "协调街道落实取暖补贴",
        "goods": (visits.GoodLine("米面油礼包", 1, 20_000),),
        **values,
    }
    return visits.VisitDetails(**fields)


def make_visit(
    actor: User,
    care: CareCampaign,
    person: Person,
    *,
    done: bool = True,
    now: datetime = NOW,
    off_list_reason: str | None = None,
    **values,
):
    """A visit of `person` recorded by `actor` (paid already unless `done` is False)."""
    return visits.record_visit(
        actor,
        care.id,
        person.id,
        details(**values),
        now=now,
        done=done,
        off_list_reason=off_list_reason,
    )
