"""The office's breach-case figures by value: cases by clause and by outcome, and the working
days closed cases took from receipt, counted on the city's calendar (a holiday does not count);
a district clerk of another district gets none of them."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from core.workdays import WorkCalendar
from honours.conduct_models import CaseOutcome, CaseStage
from honours.services import breach_case_steps as steps
from honours.services.breach_case_report import case_report
from tests.honours.builders import NOW
from tests.honours.conduct_builders import DEADLINES, advance, conduct_world, report

# NOW is Monday 1 June 2026; the Dragon Boat Festival, Friday 19 June, is a day off.
CALENDAR = WorkCalendar(days_off=frozenset({date(2026, 6, 19)}))


@pytest.fixture
def world(app):
    return conduct_world()


def test_cases_are_counted_by_clause_and_outcome_with_the_working_days_taken(world):
    p1, p2, e1 = world.clauses["p1"], world.clauses["p2"], world.clauses["e1"]
    clear = report(world.reporter, world.person, [p1])
    advance(clear, world, CaseStage.city_review)
    # Closed on Thursday 4 June: 2, 3 and 4 June, three working days.
    steps.conclude_review(
        world.office,
        clear.id,
        steps.ReviewChoice.no_breach,
        "查无实据",
        now=NOW + timedelta(days=3),
        deadlines=DEADLINES,
    )
    warned = report(world.reporter, world.person, [p2])
    advance(warned, world, CaseStage.city_review)
    steps.conclude_review(
        world.office,
        warned.id,
        steps.ReviewChoice.warning,
        "约谈提醒",
        now=NOW + timedelta(days=3),
        deadlines=DEADLINES,
    )
    # Closed on Monday 22 June: fifteen weekdays after 1 June, less the festival.
    steps.record_talk(
        world.district,
        warned.id,
        talk_on=date(2026, 6, 22),
        talk_by="海港区文明办 张主任",
        summary="本人表示今后注意言行。",
        now=NOW + timedelta(days=21),
    )
    still_open = report(world.reporter, world.person, [p1, e1])

    figures = case_report(world.office, now=NOW + timedelta(days=21), calendar=CALENDAR)

    assert figures.by_clause == [
        (p1.clause.code, p1.title, 2),
        (p2.clause.code, p2.title, 1),
        (e1.clause.code, e1.title, 1),
    ]
    assert figures.by_outcome == [
        (str(CaseOutcome.no_breach.label), 1),
        (str(CaseOutcome.warning.label), 1),
        ("进行中", 1),
    ]
    assert [(line.case.id, line.working_days) for line in figures.lines] == [
        (clear.id, 3),
        (warned.id, 14),
        (still_open.id, None),
    ]
    assert (figures.closed, figures.median_days, figures.mean_days) == (2, 8.5, 8.5)
    elsewhere = case_report(world.other_district, now=NOW + timedelta(days=21), calendar=CALENDAR)
    assert elsewhere.lines == [] and elsewhere.closed == 0
