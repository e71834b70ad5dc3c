"""Overdue review steps (时限提醒): once a nomination waits at a level past its time limit, the
clerks of that level in its region are reminded, and once a further time limit has passed the
clerks of the level above (the city above the district); each reminder once, also when the job
runs twice or at once (PostgreSQL), none for a nomination that has moved on, none for one who
filed it or declared a conflict."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from core.auth.assignments import AssignmentKind
from core.extensions import db
from core.settings import current_settings
from honours.nomination_models import Stage
from honours.services import review
from reminders import services
from reminders.messages import render
from reminders.models import Notification, NotificationKind
from tests.builders import make_user
from tests.concurrency import run_at_once
from tests.conftest import sign_in
from tests.honours.builders import NOW, make_clerk, make_office, make_places
from tests.honours.nomination_builders import make_nomination, open_round

KIND = NotificationKind.nomination_overdue
# Reached on Monday 1 June 2026 (no holiday near; the clerks hold their roles since the day
# before): five working days run out at the end of Monday 8 June, ten at the end of Monday 15
# June (midnight in Qinhuangdao, 16:00 UTC).
REACHED = NOW
DUE = NOW.replace(day=8, hour=16)
ESCALATES = NOW.replace(day=15, hour=16)


@pytest.fixture
def places(app):
    return make_places()


@pytest.fixture
def round_(places):
    return open_round()


def run(now) -> int:
    return services.create_due_notifications(now=now, settings=current_settings().reminders)


def told() -> list[tuple[int, str, bool]]:
    rows = db.session.scalars(select(Notification).where(Notification.kind == KIND))
    return sorted((row.user_id, row.subject, row.params["above"]) for row in rows)


def test_the_levels_clerks_are_reminded_once_and_the_level_above_later(places, round_):
    street = make_clerk(AssignmentKind.street_clerk, places["wenhualu"])
    other_street = make_clerk(AssignmentKind.street_clerk, places["haibinlu"])
    community = make_clerk(AssignmentKind.community_clerk, places["wenhuali"])
    district = make_clerk(AssignmentKind.district_clerk, places["haigang"])
    make_clerk(AssignmentKind.district_clerk, places["shanhaiguan"])
    nomination = make_nomination(round_, places["wenhuali"], stage=Stage.street, at=REACHED)
    subject = f"nomination:{nomination.id}:street:{int(REACHED.timestamp())}"

    assert run(DUE - timedelta(minutes=1)) == 0
    assert run(DUE) == 1
    assert run(DUE + timedelta(hours=1)) == 0
    assert told() == [(street.id, subject, False)]
    assert run(ESCALATES - timedelta(minutes=1)) == 0
    assert run(ESCALATES) == 1
    assert run(ESCALATES + timedelta(days=3)) == 0
    assert told() == [(street.id, subject, False), (district.id, f"{subject}:above", True)]
    assert other_street.id not in {user for user, _, _ in told()}
    assert community.id not in {user for user, _, _ in told()}

    row = db.session.scalar(select(Notification).where(Notification.user_id == street.id))
    assert row.params == {
        "nomination_id": nomination.id,
        "name": "李秀英",
        "round": round_.name,
        "stage": "street",
        "due_at": DUE.isoformat(),
        "above": False,
    }


def test_a_nomination_that_moved_on_is_reminded_of_no_more_and_a_new_wait_is_new(places, round_):
    street = make_clerk(AssignmentKind.street_clerk, places["wenhualu"])
    district = make_clerk(AssignmentKind.district_clerk, places["haigang"])
    moved = make_nomination(round_, places["wenhuali"], stage=Stage.street, at=REACHED)
    moved.stage, moved.stage_entered_at = Stage.district, NOW.replace(day=4)
    db.session.flush()

    assert run(DUE) == 0
    # At the district since Thursday 4 June: its five working days end with Thursday 11 June.
    assert run(NOW.replace(day=11, hour=15)) == 0
    assert run(NOW.replace(day=11, hour=16)) == 1
    assert [user for user, _, _ in told()] == [district.id]
    assert street.id not in [user for user, _, _ in told()]


def test_the_city_is_reminded_of_its_level_and_of_the_districts(places, round_):
    office = make_office()
    staff = make_clerk(AssignmentKind.city_staff, name="市文明办干事")
    disabled = make_office()
    disabled.is_enabled = False
    district = make_clerk(AssignmentKind.district_clerk, places["haigang"])
    at_city = make_nomination(round_, places["wenhuali"], stage=Stage.city, at=REACHED)
    at_district = make_nomination(
        round_, places["nanguan"], stage=Stage.district, at=REACHED, name="王芳"
    )
    db.session.flush()

    run(ESCALATES)

    by_nomination = {}
    for user, subject, above in told():
        by_nomination.setdefault(int(subject.split(":")[1]), set()).add((user, above))
    assert {user for user, _ in by_nomination[at_city.id]} >= {office.id, staff.id}
    assert disabled.id not in {user for user, _ in by_nomination[at_city.id]}
    assert all(not above for _, above in by_nomination[at_city.id])
    # No clerk of 山海关区 exists to remind; the city hears of it once it is late twice.
    assert {(office.id, True), (staff.id, True)} <= by_nomination[at_district.id]
    assert district.id not in {user for user, _ in by_nomination[at_district.id]}


def test_one_who_filed_it_or_declared_a_conflict_is_not_reminded(places, round_):
    filer = make_clerk(AssignmentKind.street_clerk, places["wenhualu"], name="推荐人")
    declared = make_clerk(AssignmentKind.street_clerk, places["wenhualu"], name="回避人")
    reviewer = make_clerk(AssignmentKind.street_clerk, places["wenhualu"], name="审核人")
    nomination = make_nomination(
        round_, places["wenhuali"], stage=Stage.street, at=REACHED, by=filer
    )
    review.declare_conflict(declared, nomination.id, "亲属", now=REACHED)

    run(DUE)

    assert [user for user, _, _ in told()] == [reviewer.id]


def test_the_reminder_reads_in_the_inbox_and_leads_to_the_nomination(places, round_, app):
    street = make_clerk(AssignmentKind.street_clerk, places["wenhualu"])
    make_nomination(round_, places["wenhuali"], stage=Stage.street, at=REACHED)
    run(DUE)
    row = db.session.scalar(select(Notification).where(Notification.kind == KIND))

    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        shown = render(row)
        stage = str(Stage.street.label)
    client = sign_in(app.test_client(), street)
    page = client.get("/notifications")

    assert (
        "李秀英" in shown.title
        and shown.url == f"/honours/nominations/{row.params['nomination_id']}"
    )
    assert any(stage in line for line in shown.lines)
    assert page.status_code == 200 and "李秀英" in page.text
    assert KIND in services.kinds_for(street)
    assert KIND not in services.kinds_for(make_user())


def test_concurrent_runs_remind_each_clerk_once(places, round_, app):
    clerk_ids = {
        make_clerk(AssignmentKind.street_clerk, places["wenhualu"], name=f"干事{i}").id
        for i in range(5)
    }
    for i in range(4):
        make_nomination(round_, places["wenhuali"], stage=Stage.street, at=REACHED, name=f"好人{i}")

    results = run_at_once(app, 4, lambda _: run(DUE))

    assert not [r for r in results if isinstance(r, Exception)], results
    assert sum(results) == 20
    assert len(told()) == 20 and len(set(told())) == 20
    assert {user for user, _, _ in told()} == clerk_ids
