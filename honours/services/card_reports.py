"""The office's figures of the courtesy card (好人卡统计): cards by status and district, uses by
partner, month and benefit with their value, refused checks by partner and outcome, and the
settlement with each partner for a month (结算), line by line. The city reads everything; a
clerk reads the cards, uses and refusals of the persons of their regions; a partner's staff
read their own partner's settlement only.

Every figure is counted by the database (GROUP BY), in fen (integer), over local (Asia/Shanghai)
days: a use at 23:30 local on the last day of a month counts in that month."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import String, and_, case, exists, func, select, true, type_coerce
from sqlalchemy.orm import aliased, joinedload

from core.auth.models import User
from core.clock import local_day, local_moment
from core.districts import District
from core.errors import Forbidden, NotFound, ValidationFailed
from core.extensions import db
from core.rows import Slice, Window, read_slice
from honours.card_models import (
    CARD_STATUS_LABELS,
    Benefit,
    CardCheck,
    CardStatus,
    CardUse,
    CheckOutcome,
    CourtesyCard,
    Partner,
)
from honours.models import Person
from honours.services.benefits import yuan_text
from honours.services.partner_staff import NOT_PARTNER_STAFF, partners_of
from honours.services.scope import Scope, require_city, require_clerk, scope_of

# The dates a period may run between, and its longest span: the months are counted by one
# expression per month, and a moment outside these years has no local time to compare with.
EARLIEST = date(2000, 1, 1)
LATEST = date(2100, 12, 31)
MAX_MONTHS = 36

OUT_OF_RANGE = _l("Give a date between 2000-01-01 and 2100-12-31.")
END_BEFORE_START = _l("The end of the period is before its start.")
TOO_LONG = _l("A period may be at most 36 months.")
MONTH_FORMAT = _l("Give the month as YYYY-MM, between 2000-01 and 2100-12.")
CHOOSE_PARTNER = _l("Choose a partner.")
NO_SUCH_PARTNER = _l("No such partner.")


# The period -------------------------------------------------------------------------------------


def _first_of_next(month: date) -> date:
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


@dataclass(frozen=True)
class Period:
    """Local days from `start` to `end`, both included."""

    start: date
    end: date

    @property
    def since(self) -> datetime:
        """The first moment of the period, in UTC."""
        return local_moment(self.start)

    @property
    def until(self) -> datetime:
        """The first moment after the period, in UTC."""
        return local_moment(self.end + timedelta(days=1))

    @property
    def months(self) -> list[date]:
        """The first day of each month the period touches, in order."""
        found, month = [], self.start.replace(day=1)
        while month <= self.end:
            found.append(month)
            month = _first_of_next(month)
        return found

    @property
    def is_year(self) -> bool:
        return (
            self.start.year == self.end.year
            and (self.start.month, self.start.day) == (1, 1)
            and (self.end.month, self.end.day) == (12, 31)
        )


def period_of(
    *, year: int | None = None, start: date | None = None, end: date | None = None, today: date
) -> Period:
    """The period asked for: from `start` to `end` when either is given (a missing start is
    the first day of the end's year, a missing end the last day of the start's year), else the
    calendar year `year`, else this year.

    Raises ValidationFailed naming `year`, `from` or `to`: a date outside 2000–2100, the end
    before the start, more than MAX_MONTHS months."""
    errors: dict[str, list[str]] = {}
    if year is not None and not EARLIEST.year <= year <= LATEST.year:
        errors["year"] = [str(OUT_OF_RANGE)]
    for name, day in (("from", start), ("to", end)):
        if day is not None and not EARLIEST <= day <= LATEST:
            errors[name] = [str(OUT_OF_RANGE)]
    if errors:
        raise ValidationFailed(errors=errors)
    if start is None and end is None:
        year = year or today.year
        return Period(date(year, 1, 1), date(year, 12, 31))
    start = start or date(end.year, 1, 1)
    end = end or date(start.year, 12, 31)
    if end < start:
        raise ValidationFailed(END_BEFORE_START, errors={"to": [str(END_BEFORE_START)]})
    period = Period(start, end)
    if len(period.months) > MAX_MONTHS:
        raise ValidationFailed(TOO_LONG, errors={"to": [str(TOO_LONG)]})
    return period


def parse_month(value: str) -> date:
    """The first day of the month named "YYYY-MM", between 2000-01 and 2100-12 (a month the
    calendar could not step past or back from is never asked about). Raises ValidationFailed
    naming `month`."""
    try:
        year, month = (int(part) for part in value.strip().split("-"))
        first = date(year, month, 1)
    except (ValueError, TypeError):
        first = None
    if first is None or not EARLIEST <= first <= LATEST:
        raise ValidationFailed(MONTH_FORMAT, errors={"month": [str(MONTH_FORMAT)]})
    return first


def month_of(value: str | None, today: date) -> date:
    """The first day of the month named "YYYY-MM"; last month when none is given (the last
    whole month, the one a settlement is usually made for). Raises ValidationFailed."""
    if not value:
        return (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    return parse_month(value)


def _in_period(column, period: Period):
    return and_(column >= period.since, column < period.until)


def _month_index(column, months: list[date]):
    """Which of `months` (0, 1, …) the moment falls in, by comparing it with each month's first
    local moment: portable, and right across any zone's midnight."""
    if len(months) == 1:
        return db.literal(0)
    return case(
        *((column < local_moment(_first_of_next(month)), n) for n, month in enumerate(months[:-1])),
        else_=len(months) - 1,
    )


# Who reads what ---------------------------------------------------------------------------------


def report_scope(user: User, now: datetime) -> Scope:
    """The reader's scope for the cards, uses and refusals: the city everywhere, a clerk in
    their regions. Raises NotFound for anyone else."""
    scope = scope_of(user, now)
    require_clerk(scope)
    return scope


def _persons_in(scope: Scope, person_id_column):
    """Limit to the persons of the reader's regions (nothing to limit for the city)."""
    if scope.is_city:
        return true()
    regions = select(Person.id).where(Person.region_id.in_(sorted(scope.regions) or [-1]))
    return person_id_column.in_(regions)


# Cards by status --------------------------------------------------------------------------------


class CardState(enum.Enum):
    """A card's status as the report counts it: the stored one, except that an active card
    past its validity date is expired and a lost card with a replacement is replaced."""

    to_print = "to_print"
    issued = "issued"
    active = "active"
    lost = "lost"
    replaced = "replaced"
    expired = "expired"
    revoked = "revoked"

    @property
    def label(self) -> str:
        if self is CardState.replaced:
            return str(_l("Lost and replaced"))
        return str(CARD_STATUS_LABELS[CardStatus(self.value)])


@dataclass(frozen=True)
class DistrictCards:
    """The cards of one district's persons by state today, and how many were issued in the
    period."""

    district: District
    counts: dict[CardState, int]
    issued_in_period: int

    def at(self, state: CardState) -> int:
        return self.counts.get(state, 0)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass(frozen=True)
class CardsReport:
    period: Period
    today: date
    is_whole: bool
    districts: list[DistrictCards]
    states: tuple[CardState, ...] = tuple(CardState)

    def total_at(self, state: CardState) -> int:
        return sum(line.at(state) for line in self.districts)

    @property
    def total(self) -> int:
        return sum(line.total for line in self.districts)

    @property
    def issued_in_period(self) -> int:
        return sum(line.issued_in_period for line in self.districts)


def cards_report(user: User, period: Period, *, now: datetime) -> CardsReport:
    """The cards of the reader's persons by state as they stand today, by district, with how
    many were issued in the period. Raises NotFound for a non-clerk."""
    scope = report_scope(user, now)
    today = local_day(now)
    replacement = aliased(CourtesyCard)
    state = case(
        (
            and_(CourtesyCard.status == CardStatus.active, CourtesyCard.valid_until < today),
            CardStatus.expired.value,
        ),
        (
            and_(
                CourtesyCard.status == CardStatus.lost,
                exists().where(replacement.replaces_id == CourtesyCard.id),
            ),
            CardState.replaced.value,
        ),
        # Read as its stored text, as the other branches are.
        else_=type_coerce(CourtesyCard.status, String),
    )
    new = case((_in_period(CourtesyCard.created_at, period), 1), else_=0)
    # Labelled in a subquery: PostgreSQL groups by an expression with bound values only when
    # the grouping names the very same column.
    cards = (
        select(Person.district_id, state.label("state"), new.label("new"))
        .join(Person, Person.id == CourtesyCard.person_id)
        .where(_persons_in(scope, CourtesyCard.person_id))
        .subquery()
    )
    rows = db.session.execute(
        select(cards.c.district_id, cards.c.state, func.count(), func.sum(cards.c.new)).group_by(
            cards.c.district_id, cards.c.state
        )
    ).all()
    counts: dict[int, dict[CardState, int]] = {}
    issued: dict[int, int] = {}
    for district_id, value, count, new_count in rows:
        counts.setdefault(district_id, {})[CardState(value)] = count
        issued[district_id] = issued.get(district_id, 0) + int(new_count or 0)
    districts = db.session.scalars(
        select(District).where(District.id.in_(list(counts) or [-1])).order_by(District.position)
    )
    return CardsReport(
        period=period,
        today=today,
        is_whole=scope.is_city,
        districts=[DistrictCards(d, counts[d.id], issued[d.id]) for d in districts],
    )


# Uses -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Figure:
    """How many uses and what they are worth, in fen."""

    uses: int = 0
    value_fen: int = 0

    @property
    def value_yuan(self) -> str:
        return yuan_text(self.value_fen)

    def __add__(self, other: Figure) -> Figure:
        return Figure(self.uses + other.uses, self.value_fen + other.value_fen)


@dataclass(frozen=True)
class PartnerMonths:
    """One partner's uses in each month of the period."""

    partner: Partner
    by_month: dict[date, Figure]

    def at(self, month: date) -> Figure:
        return self.by_month.get(month, Figure())

    @property
    def total(self) -> Figure:
        return sum(self.by_month.values(), Figure())


@dataclass(frozen=True)
class BenefitUses:
    benefit: Benefit
    figure: Figure


@dataclass(frozen=True)
class UsesReport:
    period: Period
    is_whole: bool
    months: list[date]
    partners: list[PartnerMonths]
    benefits: list[BenefitUses]

    def month_total(self, month: date) -> Figure:
        return sum((line.at(month) for line in self.partners), Figure())

    @property
    def total(self) -> Figure:
        return sum((line.total for line in self.partners), Figure())


def uses_report(user: User, period: Period, *, now: datetime) -> UsesReport:
    """The uses of the reader's persons' cards in the period: by partner and local month, and
    by benefit, each with its count and value in fen. Raises NotFound for a non-clerk."""
    scope = report_scope(user, now)
    months = period.months
    where = (_in_period(CardUse.used_at, period), _persons_in(scope, CardUse.person_id))
    used = (
        select(
            CardUse.partner_id,
            _month_index(CardUse.used_at, months).label("month"),
            CardUse.value_fen,
        )
        .where(*where)
        .subquery()
    )
    by_month = db.session.execute(
        select(used.c.partner_id, used.c.month, func.count(), func.sum(used.c.value_fen)).group_by(
            used.c.partner_id, used.c.month
        )
    ).all()
    by_benefit = db.session.execute(
        select(CardUse.benefit_id, func.count(), func.sum(CardUse.value_fen))
        .where(*where)
        .group_by(CardUse.benefit_id)
    ).all()
    partners = _by_id(Partner, {row[0] for row in by_month})
    benefits = _by_id(Benefit, {row[0] for row in by_benefit})
    table: dict[int, dict[date, Figure]] = {}
    for partner_id, index, count, value in by_month:
        table.setdefault(partner_id, {})[months[index]] = Figure(count, int(value))
    return UsesReport(
        period=period,
        is_whole=scope.is_city,
        months=months,
        partners=sorted(
            (PartnerMonths(partners[pid], figures) for pid, figures in table.items()),
            key=lambda line: line.partner.name,
        ),
        benefits=sorted(
            (
                BenefitUses(benefits[bid], Figure(count, int(value)))
                for bid, count, value in by_benefit
            ),
            key=lambda line: (-line.figure.uses, line.benefit.name),
        ),
    )


def _by_id(model, ids: set[int]) -> dict:
    if not ids:
        return {}
    return {row.id: row for row in db.session.scalars(select(model).where(model.id.in_(ids)))}


# Refusals ---------------------------------------------------------------------------------------

REFUSALS = tuple(outcome for outcome in CheckOutcome if outcome is not CheckOutcome.valid)


@dataclass(frozen=True)
class PartnerRefusals:
    partner: Partner
    counts: dict[CheckOutcome, int]

    def at(self, outcome: CheckOutcome) -> int:
        return self.counts.get(outcome, 0)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass(frozen=True)
class RefusalsReport:
    """Refused checks (every outcome but valid) by partner and outcome. A clerk's part counts
    only checks of their persons' cards; an unknown number belongs to no one, so only the city
    sees those."""

    period: Period
    is_whole: bool
    partners: list[PartnerRefusals]
    outcomes: tuple[CheckOutcome, ...] = REFUSALS

    def total_at(self, outcome: CheckOutcome) -> int:
        return sum(line.at(outcome) for line in self.partners)

    @property
    def total(self) -> int:
        return sum(line.total for line in self.partners)


def refusals_report(user: User, period: Period, *, now: datetime) -> RefusalsReport:
    """The checks in the period that answered anything but valid (unknown, not handed over,
    lost, replaced, expired, revoked, limit reached, not for the level, identity mismatch),
    by partner and outcome. Raises NotFound for a non-clerk."""
    scope = report_scope(user, now)
    query = (
        select(CardCheck.partner_id, CardCheck.outcome, func.count())
        .where(_in_period(CardCheck.checked_at, period), CardCheck.outcome != CheckOutcome.valid)
        .group_by(CardCheck.partner_id, CardCheck.outcome)
    )
    if not scope.is_city:
        query = query.join(CourtesyCard, CourtesyCard.id == CardCheck.card_id).where(
            _persons_in(scope, CourtesyCard.person_id)
        )
    rows = db.session.execute(query).all()
    partners = _by_id(Partner, {row[0] for row in rows})
    table: dict[int, dict[CheckOutcome, int]] = {}
    for partner_id, outcome, count in rows:
        table.setdefault(partner_id, {})[outcome] = count
    return RefusalsReport(
        period=period,
        is_whole=scope.is_city,
        partners=sorted(
            (PartnerRefusals(partners[pid], counts) for pid, counts in table.items()),
            key=lambda line: line.partner.name,
        ),
    )


# Settlement -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PartnerSettlement:
    """What one partner is due for a month: its uses by benefit, each counted and valued."""

    partner: Partner
    benefits: list[BenefitUses] = field(default_factory=list)

    @property
    def total(self) -> Figure:
        return sum((line.figure for line in self.benefits), Figure())


@dataclass(frozen=True)
class Settlement:
    month: date
    is_whole: bool
    partners: list[PartnerSettlement]

    @property
    def period(self) -> Period:
        return Period(self.month, _first_of_next(self.month) - timedelta(days=1))

    @property
    def total(self) -> Figure:
        return sum((line.total for line in self.partners), Figure())


def _readable_partners(user: User, partner_id: int | None, now: datetime):
    """Whose settlement the user reads: (True, [the partner named] or None for all) for the
    city; (False, the partners they work for, or the one named of them) for a partner's staff.
    Raises NotFound (the city naming no partner of ours; neither a clerk nor a partner's
    staff), Forbidden (a clerk below the city; staff naming a partner not theirs)."""
    scope = scope_of(user, now)
    if scope.is_city:
        if partner_id is None:
            return True, None
        partner = db.session.get(Partner, partner_id)
        if partner is None:
            raise NotFound(NO_SUCH_PARTNER)
        return True, [partner]
    mine = partners_of(user, now)
    if not mine:
        if scope.is_clerk:
            require_city(scope, _l("Settlement with the partners is the city's."))
        # Neither a clerk nor a partner's staff: there is nothing here for them to know of.
        raise NotFound(NO_SUCH_PARTNER)
    if partner_id is not None:
        mine = [partner for partner in mine if partner.id == partner_id]
        if not mine:
            raise Forbidden(NOT_PARTNER_STAFF)
    return False, mine


def settlement(
    user: User, *, month: date, partner_id: int | None = None, now: datetime
) -> Settlement:
    """The settlement (结算) for a local month: for each partner, its uses by benefit with their
    count and value in fen. The city reads every partner with uses that month, or the one
    named; a partner's staff read their own partner (or partners) only, uses or not.

    Raises Forbidden (a clerk below the city; staff naming another partner), NotFound (the
    city naming no such partner; neither a clerk nor a partner's staff)."""
    is_whole, chosen = _readable_partners(user, partner_id, now)
    period = Period(month, _first_of_next(month) - timedelta(days=1))
    query = (
        select(CardUse.partner_id, CardUse.benefit_id, func.count(), func.sum(CardUse.value_fen))
        .where(_in_period(CardUse.used_at, period))
        .group_by(CardUse.partner_id, CardUse.benefit_id)
    )
    if chosen is not None:
        query = query.where(CardUse.partner_id.in_([partner.id for partner in chosen]))
    rows = db.session.execute(query).all()
    benefits = _by_id(Benefit, {row[1] for row in rows})
    partners = (
        {partner.id: partner for partner in chosen}
        if chosen is not None
        else _by_id(Partner, {row[0] for row in rows})
    )
    lines: dict[int, list[BenefitUses]] = {pid: [] for pid in partners}
    for partner_id_, benefit_id, count, value in rows:
        lines[partner_id_].append(BenefitUses(benefits[benefit_id], Figure(count, int(value))))
    return Settlement(
        month=month,
        is_whole=is_whole,
        partners=[
            PartnerSettlement(partners[pid], sorted(lines[pid], key=lambda line: line.benefit.name))
            for pid in sorted(partners, key=lambda pid: partners[pid].name)
        ],
    )


@dataclass(frozen=True)
class SettlementLine:
    """One use as a partner may be sent it: when, the card's last 4 digits, the benefit and
    its value. Nothing more of the holder."""

    used_at: datetime
    card_last4: str
    benefit: str
    value_fen: int

    @property
    def value_yuan(self) -> str:
        return yuan_text(self.value_fen)


def settlement_lines(
    user: User,
    *,
    month: date,
    partner_id: int | None = None,
    window: Window | None = None,
    now: datetime,
) -> tuple[Partner, Slice[SettlementLine]]:
    """One partner's uses in a local month, oldest first, line by line (all of them without
    a window, for an export). The city names the partner; a partner's staff read their own
    (their only one unless they name it).

    Raises ValidationFailed (the city naming no partner, `partner_id`), Forbidden and
    NotFound as `settlement`."""
    _, chosen = _readable_partners(user, partner_id, now)
    if chosen is None or len(chosen) != 1:
        raise ValidationFailed(CHOOSE_PARTNER, errors={"partner_id": [str(CHOOSE_PARTNER)]})
    (partner,) = chosen
    period = Period(month, _first_of_next(month) - timedelta(days=1))
    where = (CardUse.partner_id == partner.id, _in_period(CardUse.used_at, period))
    query = (
        select(CardUse)
        .where(*where)
        .options(joinedload(CardUse.benefit), joinedload(CardUse.card))
        .order_by(CardUse.used_at, CardUse.id)
    )
    if window is None:
        uses = list(db.session.scalars(query))
        found = Slice(uses, len(uses))
    else:
        found = read_slice(query, window, count=select(CardUse.id).where(*where))
    lines = [
        SettlementLine(use.used_at, use.card.number[-4:], use.benefit.name, use.value_fen)
        for use in found.items
    ]
    return partner, Slice(lines, found.total)
