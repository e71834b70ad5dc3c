"""Numbers under concurrent issuing: each thread is a request of its own, with its own
connection and transaction. On PostgreSQL the issuers really overlap and take turns on the
year's counter row; on SQLite write transactions queue."""

from __future__ import annotations

from sqlalchemy import select

from certificates import services
from certificates.models import IssuedDocument
from core.auth.models import Role, User
from core.clock import local_day, utcnow
from core.extensions import db
from tests.builders import make_user
from tests.certificates.builders import certificate_settings, serve
from tests.concurrency import run_at_once


class Abandoned(Exception):
    """A request that failed after taking its number: its transaction rolls back."""


def _serials() -> list[int]:
    return list(db.session.scalars(select(IssuedDocument.serial).order_by(IssuedDocument.serial)))


def test_twelve_concurrent_issues_get_twelve_numbers_without_gaps(app):
    office = make_user(role=Role.office)
    volunteers = [make_user(display_name=f"志愿者{i}") for i in range(12)]
    activity = serve(volunteers[0])
    for volunteer in volunteers[1:]:
        serve(volunteer, activity=activity)
    actor_ids = [office.id if i % 2 else v.id for i, v in enumerate(volunteers)]
    volunteer_ids = [v.id for v in volunteers]
    settings = certificate_settings()

    def issue(i):
        actor = db.session.get(User, actor_ids[i])
        document = services.issue_service_certificate(
            actor, volunteer_ids[i], now=utcnow(), settings=settings
        )
        return document.number

    numbers = run_at_once(app, 12, issue)

    year = local_day(utcnow()).year
    assert sorted(numbers) == [f"QHD-ZYFW-{year}-{n:06d}" for n in range(1, 13)]
    assert _serials() == list(range(1, 13))


def test_numbers_taken_by_failed_requests_leave_no_gap(app):
    office = make_user(role=Role.office)
    volunteer = make_user()
    serve(volunteer)
    office_id, volunteer_id = office.id, volunteer.id
    settings = certificate_settings()

    def issue(i):
        actor = db.session.get(User, office_id)
        document = services.issue_service_certificate(
            actor, volunteer_id, now=utcnow(), settings=settings
        )
        if i % 3 == 0:
            raise Abandoned(document.number)
        return document.serial

    outcomes = run_at_once(app, 12, issue)

    assert sum(isinstance(o, Abandoned) for o in outcomes) == 4
    assert sorted(o for o in outcomes if isinstance(o, int)) == list(range(1, 9))
    assert _serials() == list(range(1, 9))
    # The next one continues the series.
    document = services.issue_service_certificate(
        db.session.get(User, office_id), volunteer_id, now=utcnow(), settings=settings
    )
    assert document.serial == 9
