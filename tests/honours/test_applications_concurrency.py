"""Applications made or moved at the same moment, each a request of its own (meaningful on
PostgreSQL, where the partial unique index of open applications and the conditional update of
the status decide; SQLite's writers take turns): the person and two clerks applying for one
benefit at once make one application; two city clerks approving at once take one step."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from core.auth.models import User
from core.errors import Conflict
from core.extensions import db
from honours.application_models import ApplicationStatus, ApplicationStep, BenefitApplication
from honours.services import applications
from tests.concurrency import run_at_once
from tests.honours.application_builders import application_ground, make_application
from tests.honours.builders import NOW, make_office, scope


@pytest.mark.postgres
def test_three_applying_for_one_benefit_at_once_make_one_application(app):
    g = application_ground()
    person_id, details = g.person.id, g.details()
    actors = [g.holder.id, g.community.id, g.district.id]

    def apply(i: int):
        actor = db.session.get(User, actors[i])
        if i == 0:
            return applications.apply_mine(actor, details, now=NOW).id
        return applications.apply_for(actor, scope(actor), person_id, details, now=NOW).id

    results = run_at_once(app, 3, apply)

    made = [r for r in results if isinstance(r, int)]
    assert len(made) == 1, results
    assert all(isinstance(r, Conflict) for r in results if r not in made), results
    count = select(func.count()).select_from(BenefitApplication)
    assert db.session.scalar(count) == 1
    assert db.session.scalar(select(func.count()).select_from(ApplicationStep)) == 1


@pytest.mark.postgres
def test_two_city_clerks_approving_at_once_take_one_step(app):
    g = application_ground()
    number = make_application(g, ApplicationStatus.proposed).id
    city = [g.office.id, make_office().id]

    def approve(i: int):
        actor = db.session.get(User, city[i])
        return applications.approve(actor, scope(actor), number, opinion="同意", now=NOW).status

    results = run_at_once(app, 2, approve)

    assert sorted(map(type, results), key=str) == sorted([ApplicationStatus, Conflict], key=str)
    steps = select(func.count()).where(ApplicationStep.application_id == number)
    assert db.session.scalar(steps) == 3
