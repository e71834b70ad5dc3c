"""Flowers on Lei Feng day through the services: one task per living person on the list, who
sees whose address, delivered with a photo, failed with a reason and planned again."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine
from sqlalchemy import select

from care.flower_models import AttemptOutcome, DeliveryStatus, FailReason, FlowerDelivery
from care.services import flowers, reports
from core.errors import Conflict, NotFound, ValidationFailed
from core.extensions import db
from core.rows import Window
from honours.models import PersonStatus, SensitiveView, ViewChannel
from tests.builders import make_activity, make_shift, make_team, make_user
from tests.care.flower_builders import make_courier, make_flowers_campaign, photo_of
from tests.conftest import sign_in
from tests.honours.builders import NOW, make_office, make_places
from tests.honours.card_builders import make_honoured

pytestmark = pytest.mark.usefixtures("app")
DAY = date(2026, 3, 5)


@pytest.fixture
def world():
    places = make_places()
    office = make_office()
    alive = make_honoured(places["wenhuali"], office, name="送花甲", address="文化里3号楼2单元101")
    other = make_honoured(places["nanguan"], office, name="送花乙", address="南关街8号")
    gone = make_honoured(
        places["nanguan"], office, name="已故者", status=PersonStatus.deceased, died_on=NOW.date()
    )
    care = make_flowers_campaign(office)
    by_person = {
        d.target.person_id: d
        for d in db.session.scalars(
            select(FlowerDelivery).where(FlowerDelivery.care_campaign_id == care.id)
        )
    }
    return office, care, by_person, alive, other, gone


def _tasks(user):
    return flowers.my_tasks(user, Window(), now=NOW, place="test", channel=ViewChannel.page).items


def test_a_task_for_each_living_person_on_the_list_made_once(world):
    office, care, by_person, alive, other, _gone = world
    assert set(by_person) == {alive.id, other.id}
    assert flowers.make_deliveries(office, care.id, now=NOW) == 0


def test_a_courier_sees_its_own_tasks_with_the_address_logged_and_no_other_courier_does(world):
    office, _care, by_person, alive, _other, _ = world
    courier, staff = make_courier()
    _, rival = make_courier("秦皇岛市花语快送有限公司")
    flowers.plan_delivery(
        office, by_person[alive.id].id, deliver_on=DAY, courier_id=courier.id, now=NOW
    )

    (task,) = _tasks(staff)
    assert (task.name, task.address) == ("送花甲", "文化里3号楼2单元101")
    assert _tasks(rival) == []
    with pytest.raises(NotFound):
        flowers.get_delivery(rival, by_person[alive.id].id, now=NOW)
    with pytest.raises(NotFound):
        flowers.record_delivered(rival, by_person[alive.id].id, photo_of(rival), now=NOW)
    logged = db.session.scalars(
        select(SensitiveView).where(SensitiveView.viewer_id == staff.id)
    ).all()
    assert [(v.person_id, sorted(v.field_names)) for v in logged] == [
        (alive.id, ["address", "phone"])
    ]


def test_delivered_with_a_photo_or_failed_and_planned_again_to_a_shift(world):
    office, _care, by_person, alive, _other, _ = world
    courier, staff = make_courier()
    delivery = by_person[alive.id]
    flowers.plan_delivery(office, delivery.id, deliver_on=DAY, courier_id=courier.id, now=NOW)

    with pytest.raises(ValidationFailed):
        flowers.record_failed(staff, delivery.id, FailReason.other, now=NOW)
    flowers.record_failed(staff, delivery.id, FailReason.nobody_home, now=NOW)
    with pytest.raises(Conflict):
        flowers.record_failed(staff, delivery.id, FailReason.nobody_home, now=NOW)

    team = make_team()
    shift = make_shift(make_activity(team))
    flowers.plan_delivery(office, delivery.id, deliver_on=DAY, shift_id=shift.id, now=NOW)
    assert _tasks(staff) == []
    leader = team.founder
    flowers.record_delivered(leader, delivery.id, photo_of(leader), now=NOW)

    assert (delivery.status, delivery.attempt) == (DeliveryStatus.delivered, 2)
    assert [a.outcome for a in delivery.attempts] == [
        AttemptOutcome.planned,
        AttemptOutcome.failed,
        AttemptOutcome.planned,
        AttemptOutcome.delivered,
    ]
    with pytest.raises(Conflict):
        flowers.plan_delivery(office, delivery.id, deliver_on=DAY, courier_id=courier.id, now=NOW)


def test_a_photo_not_of_the_deliverer_or_a_deliverer_of_neither_is_refused(world):
    office, _care, by_person, alive, *_ = world
    courier, staff = make_courier()
    flowers.plan_delivery(
        office, by_person[alive.id].id, deliver_on=DAY, courier_id=courier.id, now=NOW
    )
    with pytest.raises(ValidationFailed):
        flowers.record_delivered(staff, by_person[alive.id].id, photo_of(make_user()), now=NOW)
    with pytest.raises(ValidationFailed):
        flowers.plan_delivery(office, by_person[alive.id].id, deliver_on=DAY, now=NOW)


def test_the_campaign_report_counts_the_flowers_by_courier_and_team(world):
    office, care, by_person, alive, other, _ = world
    courier, staff = make_courier()
    team = make_team(name="雷锋车队")
    shift = make_shift(make_activity(team))
    flowers.plan_delivery(
        office, by_person[alive.id].id, deliver_on=DAY, courier_id=courier.id, now=NOW
    )
    flowers.plan_delivery(
        office, by_person[other.id].id, deliver_on=DAY, shift_id=shift.id, now=NOW
    )
    flowers.record_failed(staff, by_person[alive.id].id, FailReason.declined, now=NOW)

    found = reports.campaign_report(office, care.id, now=NOW).flowers

    assert [(f.deliverer, f.is_courier, f.planned, f.delivered, f.failed) for f in found] == [
        (courier.name, True, 0, 0, 1),
        ("雷锋车队", False, 1, 0, 0),
    ]


def test_the_report_page_and_its_download_show_the_flowers_by_deliverer(app, world):
    office, care, by_person, alive, *_ = world
    courier, _staff = make_courier()
    flowers.plan_delivery(
        office, by_person[alive.id].id, deliver_on=DAY, courier_id=courier.id, now=NOW
    )
    with time_machine.travel(NOW, tick=False):
        client = sign_in(app.test_client(), office)
        page = client.get(f"/care/campaigns/{care.id}/report")
        download = client.get(f"/care/campaigns/{care.id}/report.csv?part=flowers")

    assert page.status_code == 200 and courier.name in page.get_data(as_text=True)
    assert download.status_code == 200 and courier.name in download.get_data().decode("utf-8-sig")
