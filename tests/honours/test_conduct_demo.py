"""The demo's conduct clauses and breach cases: the ten clauses in the seed's words, a case at
each stage, the revoked one through a revocation, and the district clerk's list of them."""

from __future__ import annotations

from datetime import datetime

import pytest
import time_machine
from sqlalchemy import func, select

from core.demo import DEMO_PASSWORD, OFFICE
from core.extensions import db
from honours.conduct_models import BreachCase, CaseOutcome, CaseStage, Clause, ClauseVersion
from tests.test_demo import CITY, load_demo

# The demo's content is the same on either database: checked on the SQLite pass (conftest).
pytestmark = pytest.mark.demo_content


def test_demo_holds_the_clauses_and_a_breach_case_at_each_stage(app, runner):
    now = datetime(2027, 3, 16, 10, 0, tzinfo=CITY)
    load_demo(runner, now)

    assert db.session.scalar(select(func.count()).select_from(Clause)) == 10
    titles = set(db.session.scalars(select(ClauseVersion.title)))
    assert {"以荣誉称号名义参与营利性活动", "先进事迹造假", "受到党纪政纪处分"} <= titles
    assert db.session.scalar(select(func.count()).select_from(ClauseVersion)) == 11
    cases = list(db.session.scalars(select(BreachCase)))
    stages = {case.stage for case in cases}
    assert {
        CaseStage.assigned,
        CaseStage.investigating,
        CaseStage.city_review,
        CaseStage.warning_talk,
        CaseStage.notifying,
        CaseStage.statement,
        CaseStage.review,
        CaseStage.closed,
    } <= stages
    outcomes = {case.outcome for case in cases if case.stage is CaseStage.closed}
    assert outcomes == {CaseOutcome.no_breach, CaseOutcome.warning, CaseOutcome.revoked}
    assert sum(case.revocation_id is not None for case in cases) == 2
    running = next(case for case in cases if case.stage is CaseStage.statement)
    assert running.statement_due_at > now

    load_demo(runner, now)
    assert db.session.scalar(select(func.count()).select_from(BreachCase)) == len(cases)

    client = app.test_client()
    with time_machine.travel(now, tick=False):
        client.post("/login", data={"phone": "13500000003", "password": DEMO_PASSWORD})
        listed = client.get("/honours/cases")
        client.post("/logout")
        client.post("/login", data={"phone": OFFICE[0], "password": DEMO_PASSWORD})
        figures = client.get("/honours/cases/report")
    assert listed.status_code == 200 and listed.text.count('data-testid="case-') == len(cases)
    assert figures.status_code == 200 and "先进事迹造假" in figures.text
