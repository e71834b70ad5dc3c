"""The office's figures of breach cases: cases by clause cited, by outcome, and the time taken
from receipt to closing in working days (median and mean), with the cases as rows for export.
The city reads every district's; a district clerk their own."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from statistics import mean, median

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from core.auth.models import User
from core.clock import local_day
from core.extensions import db
from core.spreadsheets import Table
from core.workdays import WorkCalendar, working_days_between
from honours.conduct_models import BreachCase, CaseOutcome, ClauseVersion
from honours.models import Person
from honours.services.breach_cases import in_regions, require_handler_anywhere
from honours.services.scope import scope_of


@dataclass(frozen=True)
class CaseLine:
    case: BreachCase
    clause_codes: str
    working_days: int | None


@dataclass(frozen=True)
class CaseReport:
    """What the report shows: counts by clause (code, title, cases) and by outcome (label,
    cases; open cases counted as such), the time taken by closed cases, and every case."""

    by_clause: list[tuple[str, str, int]]
    by_outcome: list[tuple[str, int]]
    closed: int
    median_days: float | None
    mean_days: float | None
    lines: list[CaseLine]


def case_report(actor: User, *, now: datetime, calendar: WorkCalendar) -> CaseReport:
    """The figures of the cases the actor handles (the city: all). Raises NotFound (not a
    clerk), Forbidden (a clerk below the district)."""
    scope = scope_of(actor, now)
    require_handler_anywhere(scope)
    query = select(BreachCase).join(Person, Person.id == BreachCase.person_id)
    if not scope.is_city:
        query = query.where(in_regions(Person.region_id, scope.whole_regions))
    cases = list(
        db.session.scalars(
            query.options(
                joinedload(BreachCase.person),
                joinedload(BreachCase.district),
                selectinload(BreachCase.clause_versions).joinedload(ClauseVersion.clause),
            ).order_by(BreachCase.received_at, BreachCase.id)
        ).unique()
    )
    by_clause: Counter[int] = Counter()
    titles: dict[int, tuple[str, str, tuple]] = {}
    by_outcome: Counter[str] = Counter()
    lines = []
    for case in cases:
        for version in case.clause_versions:
            clause = version.clause
            by_clause[clause.id] += 1
            titles.setdefault(
                clause.id,
                (clause.code, version.title, (clause.kind.value != "prohibition", clause.position)),
            )
        by_outcome[case.outcome.label if case.outcome else str(_l("Open"))] += 1
        days = None
        if case.closed_at is not None:
            days = working_days_between(
                local_day(case.received_at), local_day(case.closed_at), calendar
            )
        codes = "、".join(v.clause.code for v in case.clause_versions)
        lines.append(CaseLine(case, codes, days))
    taken = [line.working_days for line in lines if line.working_days is not None]
    ordered = sorted(by_clause, key=lambda cid: titles[cid][2])
    outcomes = [str(o.label) for o in CaseOutcome] + [str(_l("Open"))]
    return CaseReport(
        by_clause=[(titles[cid][0], titles[cid][1], by_clause[cid]) for cid in ordered],
        by_outcome=[(label, by_outcome[label]) for label in outcomes if by_outcome[label]],
        closed=len(taken),
        median_days=median(taken) if taken else None,
        mean_days=round(mean(taken), 1) if taken else None,
        lines=lines,
    )


def report_tables(report: CaseReport) -> list[Table]:
    """The report as tables for export: the cases (first: the CSV holds it), by clause, by
    outcome."""
    cases = Table(
        title=str(_l("Breach cases")),
        headers=[
            str(_l("Case")),
            str(_l("Person")),
            str(_l("District")),
            str(_l("Received")),
            str(_l("Clauses")),
            str(_l("Stage")),
            str(_l("Outcome")),
            str(_l("Working days to close")),
        ],
        rows=[
            [
                line.case.id,
                line.case.person.name,
                line.case.district.label,
                local_day(line.case.received_at).isoformat(),
                line.clause_codes,
                line.case.stage.label,
                line.case.outcome.label if line.case.outcome else "",
                line.working_days if line.working_days is not None else "",
            ]
            for line in report.lines
        ],
        filters=[
            (str(_l("Closed")), str(report.closed)),
            (
                str(_l("Median working days")),
                "" if report.median_days is None else str(report.median_days),
            ),
            (
                str(_l("Mean working days")),
                "" if report.mean_days is None else str(report.mean_days),
            ),
        ],
    )
    clauses = Table(
        title=str(_l("Cases by clause")),
        headers=[str(_l("Clause")), str(_l("Title")), str(_l("Cases"))],
        rows=[list(row) for row in report.by_clause],
    )
    outcomes = Table(
        title=str(_l("Cases by outcome")),
        headers=[str(_l("Outcome")), str(_l("Cases"))],
        rows=[list(row) for row in report.by_outcome],
    )
    return [cases, clauses, outcomes]
