"""The pipeline of a round as the office reads it: how many nominations stand at each stage by
channel and by district, the working days each review level took (from the kept steps), the
nominations past their level's time limit, and the quota each district has used. The city reads
the whole round; a clerk of a region reads the part whose nominees live there."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime, tzinfo
from statistics import median

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from core.auth.models import User
from core.districts import District
from core.extensions import db
from core.regions import Region
from core.rows import get_or_not_found
from core.workdays import WorkCalendar, working_days_between
from honours.models import Round, RoundQuota
from honours.nomination_models import REVIEW_STAGES, Channel, Nomination, Stage
from honours.services import review
from honours.services.scope import Scope, require_clerk, scope_of

STAGES = tuple(Stage)


@dataclass(frozen=True)
class StageCounts:
    """One line of a table by stage: what it is about, and the count at each stage."""

    key: Channel | District
    counts: dict[Stage, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def at(self, stage: Stage) -> int:
        return self.counts.get(stage, 0)

    @property
    def by_value(self) -> dict[str, int]:
        """The count at every stage, by the stage's value."""
        return {stage.value: self.at(stage) for stage in STAGES}


@dataclass(frozen=True)
class LevelTime:
    """The working days nominations spent at one review level before it acted (forwarded,
    returned, rejected ...): how many stays ended there, their median and the longest."""

    stage: Stage
    stays: int
    median_days: float | None
    max_days: int | None


@dataclass(frozen=True)
class Overdue:
    """A nomination waiting at a review level past the round's time limit for it."""

    nomination: Nomination
    due_at: datetime
    days_late: int


@dataclass(frozen=True)
class QuotaUse:
    district: District
    quota: int | None
    used: int

    @property
    def left(self) -> int | None:
        return None if self.quota is None else self.quota - self.used

    @property
    def is_over(self) -> bool:
        return self.quota is not None and self.used > self.quota


@dataclass(frozen=True)
class PipelineReport:
    """A round's pipeline, whole for the city (`is_whole`), else the reader's part."""

    round: Round
    is_whole: bool
    total: int
    by_channel: list[StageCounts]
    by_district: list[StageCounts]
    levels: list[LevelTime]
    overdue: list[Overdue]
    quotas: list[QuotaUse]
    stages: tuple[Stage, ...] = STAGES

    def stage_total(self, stage: Stage) -> int:
        return sum(line.at(stage) for line in self.by_channel)


def _nominations(round_: Round, scope: Scope) -> list[Nomination]:
    query = (
        select(Nomination)
        .where(Nomination.round_id == round_.id)
        .options(
            selectinload(Nomination.steps),
            selectinload(Nomination.district),
        )
        .order_by(Nomination.id)
    )
    if not scope.is_city:
        query = query.where(Nomination.region_id.in_(scope.regions))
    return list(db.session.scalars(query))


def _counts(nominations: list[Nomination], key) -> dict:
    table: dict = defaultdict(Counter)
    for nomination in nominations:
        table[key(nomination)][nomination.stage] += 1
    return table


def stays(nomination: Nomination) -> list[tuple[Stage, datetime, datetime]]:
    """Each stage the nomination left, with when it reached and when it left it, read from its
    steps in order: a step that moves it ends the stay where it stood; a step that leaves it
    where it is (the panel's tally) ends nothing. It starts where its first step found it, on
    the day it was entered."""
    found: list[tuple[Stage, datetime, datetime]] = []
    since = nomination.created_at
    for step in sorted(nomination.steps, key=lambda s: (s.acted_at, s.id)):
        if step.to_stage is step.from_stage:
            continue
        found.append((step.from_stage, since, step.acted_at))
        since = step.acted_at
    return found


def _level_times(
    nominations: list[Nomination], calendar: WorkCalendar, zone: tzinfo
) -> list[LevelTime]:
    days: dict[Stage, list[int]] = defaultdict(list)
    for nomination in nominations:
        for stage, start, end in stays(nomination):
            if stage in REVIEW_STAGES:
                days[stage].append(
                    working_days_between(
                        start.astimezone(zone).date(), end.astimezone(zone).date(), calendar
                    )
                )
    return [
        LevelTime(
            stage=stage,
            stays=len(days[stage]),
            median_days=float(median(days[stage])) if days[stage] else None,
            max_days=max(days[stage]) if days[stage] else None,
        )
        for stage in REVIEW_STAGES
    ]


def _overdue(nominations: list[Nomination], now: datetime, calendar, zone) -> list[Overdue]:
    late = []
    for nomination in nominations:
        if nomination.stage not in REVIEW_STAGES:
            continue
        due = review.due_at(nomination, calendar, zone)
        if due <= now:
            late.append(Overdue(nomination, due, review.days_over(due, now, calendar, zone)))
    return sorted(late, key=lambda item: (item.due_at, item.nomination.id))


def _districts_of(scope: Scope) -> set[int] | None:
    """The districts whose quotas the reader sees: every one for the city (None), else those
    whose district-level region the reader acts in."""
    if scope.is_city:
        return None
    return set(
        db.session.scalars(
            select(Region.district_id).where(
                Region.id.in_(scope.regions), Region.district_id.is_not(None)
            )
        )
    )


def _quotas(round_: Round, nominations: list[Nomination], scope: Scope) -> list[QuotaUse]:
    """The quota of each district the reader sees, and how much of it is used as the district's
    forward counts it (review.quota_used); a district without a quota shows when it forwarded
    nominations all the same (an earlier quota since removed)."""
    seen = _districts_of(scope)
    quotas = {
        row.district_id: row
        for row in db.session.scalars(
            select(RoundQuota)
            .where(RoundQuota.round_id == round_.id)
            .options(selectinload(RoundQuota.district))
        )
    }
    districts = {row.district_id: row.district for row in quotas.values()}
    districts.update(
        {n.district_id: n.district for n in nominations if n.stage in review.QUOTA_STAGES}
    )
    lines = []
    for district_id, district in districts.items():
        if seen is not None and district_id not in seen:
            continue
        used = review.quota_used(round_.id, district_id)
        quota = quotas[district_id].quota if district_id in quotas else None
        if quota is not None or used:
            lines.append(QuotaUse(district=district, quota=quota, used=used))
    return sorted(lines, key=lambda line: (line.district.position, line.district.id))


def pipeline_report(
    user: User, round_id: int, *, now: datetime, calendar: WorkCalendar, zone: tzinfo
) -> PipelineReport:
    """A round's pipeline (any clerk: the city reads all of it, a clerk of a region the
    nominations of their region and the quotas of their district). Working days count by
    `calendar` in the local `zone`. Raises NotFound (no such round; not a clerk)."""
    scope = scope_of(user, now)
    require_clerk(scope)
    round_ = get_or_not_found(Round, round_id, _l("No such round."))
    nominations = _nominations(round_, scope)
    by_channel = _counts(nominations, lambda n: n.channel)
    by_district = _counts(nominations, lambda n: n.district_id)
    districts = {n.district_id: n.district for n in nominations}
    return PipelineReport(
        round=round_,
        is_whole=scope.is_city,
        total=len(nominations),
        by_channel=[StageCounts(channel, dict(by_channel.get(channel, {}))) for channel in Channel],
        by_district=sorted(
            (StageCounts(districts[key], dict(counts)) for key, counts in by_district.items()),
            key=lambda line: (line.key.position, line.key.id),
        ),
        levels=_level_times(nominations, calendar, zone),
        overdue=_overdue(nominations, now, calendar, zone),
        quotas=_quotas(round_, nominations, scope),
    )
