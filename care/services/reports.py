"""The figures of care (关爱统计): for a care campaign, its coverage (who was on the list and was
visited, planned, not reached with the reason, or not yet), cash by fund source against the
budget, the goods given and the follow-ups still open; across the years, persons visited, cash
and goods by year and district; and the running total of condolence funds since records began
(the past years' totals from the office's books and the cash of every visit since).

A reversed visit counts nowhere. Cash and goods count every visit not reversed, planned ones
too, as the budgets do (cash is charged when a visit is recorded), so that a campaign's cash
is what its budgets have spent; persons visited count only visits paid (done, verified or
locked). Each figure is counted by the database, in fen. The city reads everything; a clerk
reads the part of their regions' persons (a district clerk, their districts'); the running
total is the city's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import case, exists, func, select
from sqlalchemy.orm import joinedload

from care.models import (
    CareBudget,
    CareCampaign,
    CareKind,
    CareTarget,
    FundSource,
    PastCareTotal,
    Visit,
    VisitGood,
    VisitReversal,
    VisitStatus,
)
from care.services.campaigns import get_care_campaign, in_scope
from care.services.flower_report import DelivererLine, flowers_by_deliverer
from core.auth.models import User
from core.districts import District
from core.extensions import db
from events.models import Campaign
from honours.models import Person
from honours.services.benefits import yuan_text
from honours.services.scope import Scope, require_clerk, scope_of

# The states of a visit paid: it counts as the person visited.
PAID = (VisitStatus.done, VisitStatus.verified, VisitStatus.locked)


def report_scope(user: User, now: datetime) -> Scope:
    """The reader's scope: the city everywhere, a clerk in their regions. Raises NotFound for
    anyone else."""
    scope = scope_of(user, now)
    require_clerk(scope)
    return scope


def _not_reversed():
    return ~exists().where(VisitReversal.visit_id == Visit.id)


def _districts(ids: set[int]) -> dict[int, District]:
    if not ids:
        return {}
    return {d.id: d for d in db.session.scalars(select(District).where(District.id.in_(ids)))}


# A campaign -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class NotReached:
    """A person on the list not reached, and why (未走访原因)."""

    person: Person
    district: District
    reason: str


@dataclass(frozen=True)
class Coverage:
    """Who on the list (of the reader's part) was visited, has a visit planned, was not
    reached with a reason, or not yet; and how many persons were visited off the list. Each
    person on the list is in one of the four: visited first, then not reached, then planned."""

    listed: int
    visited: int
    planned: int
    not_reached: list[NotReached]
    not_yet: int
    off_list: int

    @property
    def not_reached_count(self) -> int:
        return len(self.not_reached)

    @property
    def visited_percent(self) -> int:
        """The share of the list visited, in whole percent (rounded down)."""
        return self.visited * 100 // self.listed if self.listed else 0


@dataclass(frozen=True)
class FundLine:
    """One fund source of a campaign: its budget, what its visits have spent, what is left
    (the whole campaign's), and the cash of the reader's part of the visits."""

    fund_source: FundSource
    budget_fen: int
    spent_fen: int
    part_fen: int

    @property
    def left_fen(self) -> int:
        return self.budget_fen - self.spent_fen

    @property
    def budget_yuan(self) -> str:
        return yuan_text(self.budget_fen)

    @property
    def spent_yuan(self) -> str:
        return yuan_text(self.spent_fen)

    @property
    def left_yuan(self) -> str:
        return yuan_text(self.left_fen)

    @property
    def part_yuan(self) -> str:
        return yuan_text(self.part_fen)


@dataclass(frozen=True)
class GoodsLine:
    """One item given on the campaign's visits: how many in all and what they were worth."""

    item: str
    quantity: int
    value_fen: int

    @property
    def value_yuan(self) -> str:
        return yuan_text(self.value_fen)


@dataclass(frozen=True)
class FollowUp:
    """A visit paid whose follow-up is not done yet: whom, where, the needs found and what
    is to be done. Only the clerks of the person's region and the city read it."""

    visit_id: int
    visit_on: date
    person: Person
    district: District
    needs: str
    follow_up: str


@dataclass(frozen=True)
class CampaignReport:
    care: CareCampaign
    is_whole: bool
    coverage: Coverage
    funds: list[FundLine]
    goods: list[GoodsLine]
    follow_ups: list[FollowUp]
    # A flowers campaign's deliveries by courier or team (empty for visits).
    flowers: list[DelivererLine]

    @property
    def budget_fen(self) -> int:
        return sum(line.budget_fen for line in self.funds)

    @property
    def spent_fen(self) -> int:
        return sum(line.spent_fen for line in self.funds)

    @property
    def left_fen(self) -> int:
        return sum(line.left_fen for line in self.funds)

    @property
    def part_fen(self) -> int:
        return sum(line.part_fen for line in self.funds)

    @property
    def goods_quantity(self) -> int:
        return sum(line.quantity for line in self.goods)

    @property
    def goods_fen(self) -> int:
        return sum(line.value_fen for line in self.goods)


def _coverage(care_campaign_id: int, scope: Scope) -> Coverage:
    def has_visit(*statuses: VisitStatus):
        return (
            exists()
            .where(
                Visit.care_campaign_id == care_campaign_id,
                Visit.person_id == CareTarget.person_id,
                Visit.status.in_(statuses),
            )
            .where(_not_reversed())
        )

    visited, planned = has_visit(*PAID), has_visit(VisitStatus.planned)
    reached = case(
        (visited, "visited"),
        (CareTarget.skip_reason.is_not(None), "not_reached"),
        (planned, "planned"),
        else_="not_yet",
    )
    mine = (
        CareTarget.care_campaign_id == care_campaign_id,
        in_scope(scope, Person.region_id),
    )
    # Labelled in a subquery: PostgreSQL groups by an expression only when it is one column.
    states = (
        select(reached.label("state")).select_from(CareTarget).join(Person).where(*mine)
    ).subquery()
    counts = dict(
        db.session.execute(select(states.c.state, func.count()).group_by(states.c.state)).all()
    )
    skipped = db.session.execute(
        select(CareTarget, Person.district_id)
        .join(Person)
        .options(joinedload(CareTarget.person))
        .where(*mine, CareTarget.skip_reason.is_not(None), ~visited)
        .order_by(Person.district_id, Person.name, CareTarget.id)
    ).all()
    districts = _districts({district_id for _, district_id in skipped})
    off_list = db.session.scalar(
        select(func.count(func.distinct(Visit.person_id)))
        .join(Person, Person.id == Visit.person_id)
        .where(
            Visit.care_campaign_id == care_campaign_id,
            Visit.target_id.is_(None),
            Visit.status.in_(PAID),
            _not_reversed(),
            in_scope(scope, Person.region_id),
        )
    )
    return Coverage(
        listed=sum(counts.values()),
        visited=counts.get("visited", 0),
        planned=counts.get("planned", 0),
        not_reached=[
            NotReached(target.person, districts[district_id], target.skip_reason or "")
            for target, district_id in skipped
        ],
        not_yet=counts.get("not_yet", 0),
        off_list=off_list or 0,
    )


def _visits_of(care_campaign_id: int, scope: Scope) -> tuple:
    return (
        Visit.care_campaign_id == care_campaign_id,
        _not_reversed(),
        in_scope(scope, Person.region_id),
    )


def _funds(care: CareCampaign, scope: Scope) -> list[FundLine]:
    parts = dict(
        db.session.execute(
            select(Visit.fund_source, func.sum(Visit.cash_fen))
            .join(Person, Person.id == Visit.person_id)
            .where(*_visits_of(care.id, scope), Visit.cash_fen > 0)
            .group_by(Visit.fund_source)
        ).all()
    )
    budgets = db.session.scalars(
        select(CareBudget)
        .where(CareBudget.care_campaign_id == care.id)
        .execution_options(populate_existing=True)
    )
    lines = [
        FundLine(b.fund_source, b.budget_fen, b.spent_fen, int(parts.get(b.fund_source) or 0))
        for b in budgets
    ]
    return sorted(lines, key=lambda line: list(FundSource).index(line.fund_source))


def _goods(care_campaign_id: int, scope: Scope) -> list[GoodsLine]:
    rows = db.session.execute(
        select(VisitGood.item, func.sum(VisitGood.quantity), func.sum(VisitGood.value_fen))
        .join(Visit, Visit.id == VisitGood.visit_id)
        .join(Person, Person.id == Visit.person_id)
        .where(*_visits_of(care_campaign_id, scope))
        .group_by(VisitGood.item)
    ).all()
    lines = [GoodsLine(item, int(quantity), int(value)) for item, quantity, value in rows]
    return sorted(lines, key=lambda line: (-line.value_fen, line.item))


def _follow_ups(care_campaign_id: int, scope: Scope) -> list[FollowUp]:
    found = list(
        db.session.scalars(
            select(Visit)
            .join(Person, Person.id == Visit.person_id)
            .options(joinedload(Visit.person))
            .where(
                *_visits_of(care_campaign_id, scope),
                Visit.status.in_(PAID),
                Visit.follow_up != "",
                Visit.follow_up_done_at.is_(None),
            )
            .order_by(Visit.visit_on, Visit.id)
        )
    )
    districts = _districts({visit.person.district_id for visit in found})
    return [
        FollowUp(
            visit_id=visit.id,
            visit_on=visit.visit_on,
            person=visit.person,
            district=districts[visit.person.district_id],
            needs=visit.needs,
            follow_up=visit.follow_up,
        )
        for visit in found
    ]


def campaign_report(actor: User, care_campaign_id: int, *, now: datetime) -> CampaignReport:
    """A care campaign's figures for the reader's part (the city: all; a clerk: their
    regions' persons): coverage of its list, cash by fund source against the budget, goods by
    item, the follow-ups of visits paid that are not done yet, and for flowers the deliveries
    by courier or team. Raises NotFound (not a
    clerk; no such campaign)."""
    scope = report_scope(actor, now)
    care = get_care_campaign(actor, care_campaign_id, now=now)
    return CampaignReport(
        care=care,
        is_whole=scope.is_city,
        coverage=_coverage(care.id, scope),
        funds=_funds(care, scope),
        goods=_goods(care.id, scope),
        follow_ups=_follow_ups(care.id, scope),
        flowers=flowers_by_deliverer(care.id, scope) if care.kind is CareKind.flowers else [],
    )


# Years and districts ----------------------------------------------------------------------------


@dataclass(frozen=True)
class DistrictFigures:
    """One district's visits in a year: persons visited, cash and goods value."""

    district: District
    persons: int
    cash_fen: int
    goods_fen: int

    @property
    def cash_yuan(self) -> str:
        return yuan_text(self.cash_fen)

    @property
    def goods_yuan(self) -> str:
        return yuan_text(self.goods_fen)


@dataclass(frozen=True)
class YearFigures:
    """A year's visits (of the visit campaigns of that year's seasons), by district."""

    year: int
    districts: list[DistrictFigures]

    @property
    def persons(self) -> int:
        return sum(line.persons for line in self.districts)

    @property
    def cash_fen(self) -> int:
        return sum(line.cash_fen for line in self.districts)

    @property
    def goods_fen(self) -> int:
        return sum(line.goods_fen for line in self.districts)

    @property
    def cash_yuan(self) -> str:
        return yuan_text(self.cash_fen)

    @property
    def goods_yuan(self) -> str:
        return yuan_text(self.goods_fen)


@dataclass(frozen=True)
class RunningYear:
    """One year of the running total: the past total entered for it, the cash of its visits,
    and the running total to the end of it."""

    year: int
    past_fen: int
    visits_fen: int
    running_fen: int

    @property
    def year_fen(self) -> int:
        return self.past_fen + self.visits_fen

    @property
    def past_yuan(self) -> str:
        return yuan_text(self.past_fen)

    @property
    def visits_yuan(self) -> str:
        return yuan_text(self.visits_fen)

    @property
    def year_yuan(self) -> str:
        return yuan_text(self.year_fen)

    @property
    def running_yuan(self) -> str:
        return yuan_text(self.running_fen)


@dataclass(frozen=True)
class RunningTotal:
    """The condolence funds since records began (累计发放慰问金), year by year without gaps."""

    years: list[RunningYear]

    @property
    def total_fen(self) -> int:
        return self.years[-1].running_fen if self.years else 0

    @property
    def total_yuan(self) -> str:
        return yuan_text(self.total_fen)


@dataclass(frozen=True)
class CareReport:
    """The care figures across the years: by year and district (the reader's part), and the
    running total (the city only, else None)."""

    is_whole: bool
    years: list[YearFigures]
    running: RunningTotal | None


def _by_year_and_district(scope: Scope) -> list[YearFigures]:
    where = (
        CareCampaign.kind == CareKind.visits,
        _not_reversed(),
        in_scope(scope, Person.region_id),
    )

    def grouped(*columns):
        return (
            select(Campaign.year, Person.district_id, *columns)
            .select_from(Visit)
            .join(CareCampaign, CareCampaign.id == Visit.care_campaign_id)
            .join(Campaign, Campaign.id == CareCampaign.campaign_id)
            .join(Person, Person.id == Visit.person_id)
            .where(*where)
            .group_by(Campaign.year, Person.district_id)
        )

    cash = db.session.execute(grouped(func.sum(Visit.cash_fen))).all()
    goods = db.session.execute(
        grouped(func.sum(VisitGood.value_fen)).join(VisitGood, VisitGood.visit_id == Visit.id)
    ).all()
    persons = db.session.execute(
        grouped(func.count(func.distinct(Visit.person_id))).where(Visit.status.in_(PAID))
    ).all()
    table: dict[tuple[int, int], list[int]] = {}
    for n, rows in enumerate((persons, cash, goods)):
        for year, district_id, value in rows:
            table.setdefault((year, district_id), [0, 0, 0])[n] = int(value or 0)
    districts = _districts({district_id for _, district_id in table})
    years: dict[int, list[DistrictFigures]] = {}
    for (year, district_id), (n_persons, cash_fen, goods_fen) in table.items():
        years.setdefault(year, []).append(
            DistrictFigures(districts[district_id], n_persons, cash_fen, goods_fen)
        )
    return [
        YearFigures(
            year,
            sorted(lines, key=lambda line: (line.district.position, line.district.id)),
        )
        for year, lines in sorted(years.items(), reverse=True)
    ]


def _running_total() -> RunningTotal:
    past = dict(
        db.session.execute(
            select(PastCareTotal.year, func.sum(PastCareTotal.cash_fen)).group_by(
                PastCareTotal.year
            )
        ).all()
    )
    visited = dict(
        db.session.execute(
            select(Campaign.year, func.sum(Visit.cash_fen))
            .select_from(Visit)
            .join(CareCampaign, CareCampaign.id == Visit.care_campaign_id)
            .join(Campaign, Campaign.id == CareCampaign.campaign_id)
            .where(CareCampaign.kind == CareKind.visits, _not_reversed())
            .group_by(Campaign.year)
        ).all()
    )
    known = set(past) | set(visited)
    if not known:
        return RunningTotal([])
    years, running = [], 0
    for year in range(min(known), max(known) + 1):
        past_fen, visits_fen = int(past.get(year) or 0), int(visited.get(year) or 0)
        running += past_fen + visits_fen
        years.append(RunningYear(year, past_fen, visits_fen, running))
    return RunningTotal(years)


def care_report(actor: User, *, now: datetime) -> CareReport:
    """Persons visited, cash and goods value by year and district for the reader's part (the
    city: all; a clerk: their regions' persons), and for the city the running total of
    condolence funds year by year. Raises NotFound for a non-clerk."""
    scope = report_scope(actor, now)
    return CareReport(
        is_whole=scope.is_city,
        years=_by_year_and_district(scope),
        running=_running_total() if scope.is_city else None,
    )


# The office dashboard ---------------------------------------------------------------------------


@dataclass(frozen=True)
class DashboardCare:
    """What the office dashboard draws of care: the running total by year, and the coverage
    of the latest visit campaign (None before there is one)."""

    running: RunningTotal
    latest: CareCampaign | None
    coverage: Coverage | None


def dashboard_care(actor: User, *, now: datetime) -> DashboardCare | None:
    """The care charts of the office dashboard, for the city; None for anyone else (a team
    leader reads the dashboard too, and care is not theirs to read)."""
    scope = scope_of(actor, now)
    if not scope.is_city:
        return None
    latest = db.session.scalar(
        select(CareCampaign)
        .join(Campaign)
        .where(CareCampaign.kind == CareKind.visits)
        .order_by(Campaign.starts_on.desc(), CareCampaign.id.desc())
        .limit(1)
    )
    return DashboardCare(
        running=_running_total(),
        latest=latest,
        coverage=_coverage(latest.id, scope) if latest is not None else None,
    )
