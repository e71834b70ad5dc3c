"""Review under concurrent clerks (meaningful on PostgreSQL; SQLite's writers take turns
anyway): two district clerks forwarding at the same moment for the last place of their
district's quota, and one nomination forwarded by two clerks at once."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from core.auth.assignments import AssignmentKind
from core.auth.models import User
from core.errors import Conflict, Forbidden
from core.extensions import db
from honours.nomination_models import Agency, Nomination, ReviewStep, Stage
from honours.services import background, review
from honours.services.review import CheckItem
from tests.concurrency import run_at_once
from tests.honours.builders import NOW, make_clerk, make_places
from tests.honours.nomination_builders import make_nomination, open_round

TICKED = [item.value for item in CheckItem]


def _at_the_district(round_, place, clerk, name):
    nomination = make_nomination(round_, place, stage=Stage.district, name=name)
    for agency in Agency:
        values = {"sent_on": date(2026, 5, 20), "answered_on": date(2026, 5, 28), "result": "clear"}
        background.record_check(clerk, nomination.id, agency, values, now=NOW)
    return nomination


def _forward(user_id: int, nomination_id: int):
    user = db.session.get(User, user_id)
    return review.review(
        user,
        nomination_id,
        "forward",
        checklist=TICKED,
        declared_no_conflict=True,
        now=NOW,
    ).id


def test_two_forwards_at_once_cannot_both_take_the_last_place(app):
    places = make_places()
    round_ = open_round(quota=1)
    clerks = [
        make_clerk(AssignmentKind.district_clerk, places["haigang"], name=f"区干事{i}")
        for i in range(2)
    ]
    nominations = [
        _at_the_district(round_, places[place], clerks[0], name)
        for place, name in (("wenhuali", "李秀英"), ("hongqilu", "王芳"))
    ]
    clerk_ids = [clerk.id for clerk in clerks]
    nomination_ids = [nomination.id for nomination in nominations]

    results = run_at_once(app, 2, lambda i: _forward(clerk_ids[i], nomination_ids[i]))

    forwarded = [r for r in results if isinstance(r, int)]
    assert len(forwarded) == 1, results
    refused = [r for r in results if r not in forwarded]
    assert all(isinstance(r, Conflict) and r.code == "quota" for r in refused), results
    stages = db.session.scalars(select(Nomination.stage).where(Nomination.id.in_(nomination_ids)))
    assert sorted(stage.value for stage in stages) == ["city", "district"]


def test_one_nomination_forwarded_by_two_clerks_at_once_moves_once(app):
    places = make_places()
    round_ = open_round(quota=2)
    clerks = [
        make_clerk(AssignmentKind.district_clerk, places["haigang"], name=f"区干事{i}")
        for i in range(2)
    ]
    nomination = _at_the_district(round_, places["wenhuali"], clerks[0], "李秀英")
    clerk_ids, nomination_id = [clerk.id for clerk in clerks], nomination.id

    results = run_at_once(app, 2, lambda i: _forward(clerk_ids[i], nomination_id))

    assert len([r for r in results if isinstance(r, int)]) == 1, results
    # The second finds it moved on to the city's level, which is not theirs.
    assert all(isinstance(r, Forbidden) for r in results if not isinstance(r, int)), results
    steps = db.session.scalar(select(func.count()).where(ReviewStep.nomination_id == nomination_id))
    assert steps == 1
    assert db.session.get(Nomination, nomination_id).stage is Stage.city
