"""Two deliverers recording one task at the same moment, each a request of its own (meaningful
on PostgreSQL, where the conditional update of the task's status decides; SQLite's writers
take turns): the task is settled once, with one attempt appended, whether both say delivered
or one says delivered and the other not."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from care.flower_models import AttemptOutcome, DeliveryStatus, FailReason, FlowerAttempt
from care.services import flowers
from core.auth.models import User
from core.errors import Conflict
from core.extensions import db
from core.rows import Window
from core.uploads.models import Upload
from honours.card_models import Partner
from tests.care.flower_builders import make_courier, make_flowers_campaign, photo_of
from tests.concurrency import run_at_once
from tests.honours.builders import NOW, make_office, make_places
from tests.honours.card_builders import make_honoured
from tests.honours.partner_builders import make_partner_staff

DAY = date(2026, 3, 5)


def _ground():
    """A task planned to a courier with two staff, each holding a photo they took."""
    places = make_places()
    office = make_office()
    make_honoured(places["wenhuali"], office, name="送花甲", address="文化里3号楼2单元101")
    care = make_flowers_campaign(office)
    courier, first = make_courier()
    second = make_partner_staff(db.session.get(Partner, courier.id), name="配送员二")
    (task,) = flowers.list_deliveries(office, care.id, Window(), now=NOW).items
    flowers.plan_delivery(office, task.id, deliver_on=DAY, courier_id=courier.id, now=NOW)
    staff = [first, second]
    photos = [photo_of(user).id for user in staff]
    return task.id, [user.id for user in staff], photos


def _settled(task_id: int) -> list[AttemptOutcome]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(FlowerAttempt.outcome)
            .where(FlowerAttempt.delivery_id == task_id)
            .order_by(FlowerAttempt.id)
        )
    )


@pytest.mark.postgres
def test_two_deliverers_recording_delivered_at_once_settle_it_once(app):
    task_id, staff, photos = _ground()

    def deliver(i: int):
        actor = db.session.get(User, staff[i])
        photo = db.session.get(Upload, photos[i])
        return flowers.record_delivered(actor, task_id, photo, now=NOW).photo_upload_id

    results = run_at_once(app, 2, deliver)

    done = [r for r in results if isinstance(r, int)]
    assert len(done) == 1, results
    assert all(isinstance(r, Conflict) for r in results if r not in done), results
    assert _settled(task_id) == [AttemptOutcome.planned, AttemptOutcome.delivered]
    task = flowers.get_delivery(make_office(), task_id, now=NOW)
    assert (task.status, task.photo_upload_id) == (DeliveryStatus.delivered, done[0])


@pytest.mark.postgres
def test_delivered_and_not_delivered_at_once_settle_it_once(app):
    task_id, staff, photos = _ground()

    def record(i: int):
        actor = db.session.get(User, staff[i])
        if i == 0:
            photo = db.session.get(Upload, photos[0])
            return flowers.record_delivered(actor, task_id, photo, now=NOW).status
        return flowers.record_failed(actor, task_id, FailReason.nobody_home, now=NOW).status

    results = run_at_once(app, 2, record)

    settled = [r for r in results if isinstance(r, DeliveryStatus)]
    assert len(settled) == 1, results
    assert all(isinstance(r, Conflict) for r in results if r not in settled), results
    outcomes = _settled(task_id)
    assert len(outcomes) == 2 and outcomes[0] is AttemptOutcome.planned
    assert db.session.scalar(select(func.count()).select_from(FlowerAttempt)) == 2
