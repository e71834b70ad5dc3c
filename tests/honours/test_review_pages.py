"""The review on the pages: the nomination's page offers its reviewer the step of the level
(and nothing to anyone else), a declared conflict, and the background checks to the district
and the city only; the forms post to the review's routes and come back with what was done or
why not; the review queue puts the overdue first."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from core.auth.assignments import AssignmentKind
from core.extensions import db
from honours.nomination_models import (
    BackgroundCheck,
    CheckResult,
    ConflictDeclaration,
    Nomination,
    ReviewStep,
    Stage,
)
from tests.builders import make_user
from tests.conftest import sign_in
from tests.honours.builders import NOW, make_clerk, make_office, make_places
from tests.honours.nomination_builders import make_nomination, open_round


@pytest.fixture
def places(app):
    return make_places()


@pytest.fixture
def round_(places):
    return open_round()


@pytest.fixture
def clerks(places):
    return {
        "community": make_clerk(AssignmentKind.community_clerk, places["wenhuali"], name="站"),
        "street": make_clerk(AssignmentKind.street_clerk, places["wenhualu"], name="所"),
        "district": make_clerk(AssignmentKind.district_clerk, places["haigang"], name="区"),
    }


def page_of(nomination) -> str:
    return f"/honours/nominations/{nomination.id}"


def signed_in(app, user):
    """A client of the user, the sign-in's own flash read already."""
    client = sign_in(app.test_client(), user)
    flashes(client)
    return client


def flashes(client) -> list[tuple[str, str]]:
    with client.session_transaction() as session:
        return session.pop("_flashes", [])


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_the_page_offers_the_step_to_the_levels_reviewer_only(app, places, round_, clerks):
    nomination = make_nomination(round_, places["wenhuali"], stage=Stage.street)

    street = sign_in(app.test_client(), clerks["street"]).get(page_of(nomination))
    community = sign_in(app.test_client(), clerks["community"]).get(page_of(nomination))

    assert street.status_code == 200, street.text
    assert 'data-testid="review"' in street.text
    assert 'value="forward"' in street.text and 'value="return"' in street.text
    assert 'value="send_down"' not in street.text
    assert 'value="deeds_verified"' in street.text
    assert 'value="background_checked"' not in street.text
    assert community.status_code == 200
    assert 'name="action"' not in community.text
    # The community clerk is a reviewer of the region and may still declare a conflict.
    assert "/conflict" in community.text


def test_a_forward_through_the_page_moves_it_and_says_so(app, places, round_, clerks):
    nomination = make_nomination(round_, places["wenhuali"], stage=Stage.street)
    client = signed_in(app, clerks["street"])

    answer = client.post(
        f"{page_of(nomination)}/review",
        data={
            "action": "forward",
            "opinion": "经入户走访，事迹属实",
            "checklist": ["identity_confirmed", "deeds_verified", "not_honoured"],
            "declared_no_conflict": "y",
            "next": page_of(nomination),
        },
    )

    assert answer.status_code == 302 and answer.headers["Location"] == page_of(nomination)
    assert [category for category, _ in flashes(client)] == ["success"]
    db.session.expire_all()
    assert db.session.get(Nomination, nomination.id).stage is Stage.district
    step = db.session.scalar(select(ReviewStep))
    assert (step.opinion, step.declared_no_conflict) == ("经入户走访，事迹属实", True)


def test_a_step_the_service_refuses_comes_back_with_why_and_changes_nothing(
    app, places, round_, clerks
):
    nomination = make_nomination(round_, places["wenhuali"], stage=Stage.street)
    client = signed_in(app, clerks["street"])

    no_reason = client.post(f"{page_of(nomination)}/review", data={"action": "return"})
    said = flashes(client)
    no_action = client.post(f"{page_of(nomination)}/review", data={"opinion": "退回"})

    assert no_reason.status_code == 302 and no_reason.headers["Location"] == page_of(nomination)
    assert [category for category, _ in said] == ["danger"]
    assert no_action.status_code == 302
    assert [category for category, _ in flashes(client)] == ["danger"]
    db.session.expire_all()
    assert db.session.get(Nomination, nomination.id).stage is Stage.street
    assert count(ReviewStep) == 0


def test_one_who_may_not_read_the_nomination_is_answered_not_found(app, places, round_, clerks):
    nomination = make_nomination(round_, places["nanguan"], stage=Stage.street)
    client = signed_in(app, clerks["street"])

    for action in ("review", "conflict", "background-checks"):
        answer = client.post(f"{page_of(nomination)}/{action}", data={"action": "reject"})
        assert answer.status_code == 404, action
    assert count(ReviewStep) == 0 and count(ConflictDeclaration) == 0


def test_a_conflict_is_declared_from_the_page_and_the_step_is_offered_no_more(
    app, places, round_, clerks
):
    nomination = make_nomination(round_, places["wenhuali"], stage=Stage.street)
    client = signed_in(app, clerks["street"])

    answer = client.post(
        f"{page_of(nomination)}/conflict",
        data={"reason": "被推荐人是我的邻居", "next": page_of(nomination)},
    )
    page = client.get(page_of(nomination))

    assert answer.status_code == 302
    assert count(ConflictDeclaration) == 1
    assert 'data-testid="declared"' in page.text and "被推荐人是我的邻居" in page.text
    assert 'name="action"' not in page.text


def test_background_checks_show_to_the_district_and_are_recorded_from_the_page(
    app, places, round_, clerks
):
    nomination = make_nomination(round_, places["wenhuali"], stage=Stage.district)
    district = signed_in(app, clerks["district"])
    street = sign_in(app.test_client(), clerks["street"])

    answer = district.post(
        f"{page_of(nomination)}/background-checks",
        data={
            "agency": "tax",
            "sent_on": "2026-05-20",
            "answered_on": "2026-05-27",
            "result": "clear",
            "notes": "无欠税记录",
            "next": page_of(nomination),
        },
    )
    said = flashes(district)
    shown = district.get(page_of(nomination))
    hidden = street.get(page_of(nomination))

    assert answer.status_code == 302
    assert [category for category, _ in said] == ["success"]
    check = db.session.scalar(select(BackgroundCheck))
    assert (check.result, check.notes) == (CheckResult.clear, "无欠税记录")
    assert 'data-testid="background-checks"' in shown.text and "无欠税记录" in shown.text
    assert 'data-testid="check-police"' in shown.text
    assert hidden.status_code == 200
    assert 'data-testid="background-checks"' not in hidden.text and "无欠税记录" not in hidden.text
    # The street clerk's post is refused as if there were nothing to record.
    street.post(f"{page_of(nomination)}/background-checks", data={"agency": "police"})
    assert count(BackgroundCheck) == 1


def test_the_queue_puts_the_overdue_first_with_the_working_days_over(app, places, round_, clerks):
    late = make_nomination(
        round_, places["wenhuali"], stage=Stage.street, at=NOW - timedelta(days=30), name="李秀英"
    )
    fresh = make_nomination(round_, places["hongqilu"], stage=Stage.street, name="王芳")
    office = make_office()

    page = sign_in(app.test_client(), clerks["street"]).get("/honours/review")
    empty = sign_in(app.test_client(), office).get("/honours/review")
    refused = sign_in(app.test_client(), make_user()).get("/honours/review")

    assert page.status_code == 200
    assert page.text.index(f'data-testid="waiting-{late.id}"') < page.text.index(
        f'data-testid="waiting-{fresh.id}"'
    )
    assert page.text.count('data-testid="overdue"') >= 1
    assert f"/honours/nominations/{late.id}" in page.text
    assert empty.status_code == 200 and 'data-testid="waiting-' not in empty.text
    assert refused.status_code == 404
