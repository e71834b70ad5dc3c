"""A message to everyone on a shift: each audience reaches the right volunteers, each recipient's
choice for the kind holds, the leader's page shows what became of every copy, only the shift's
leaders and the office may send, bad input and a seventh message within the hour change nothing."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import func, select

from core.auth.models import Role, User
from core.errors import Forbidden, ValidationFailed
from core.extensions import db
from core.settings import current_settings
from events import services as events
from events.models import Shift
from reminders import jobs, services
from reminders.message_models import ShiftAudience, ShiftMessage, ShiftMessageTemplate
from reminders.models import DeliveryChoice, EmailStatus, Notification, NotificationKind
from tests.builders import make_activity, make_shift, make_team, make_user
from tests.conftest import sign_in

NOW = datetime(2030, 6, 3, 2, 0, tzinfo=UTC)
A = ShiftAudience
T = ShiftMessageTemplate


@dataclass
class Crew:
    """A shift that started an hour ago: 王 checked in, 李 and 张 hold a place and have not come,
    孙 waits for one, 赵 cancelled."""

    leader: User
    shift: Shift
    wang: User
    li: User
    zhang: User
    sun: User
    zhao: User


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def make_crew() -> Crew:
    leader = make_user(display_name="队长老周")
    activity = make_activity(make_team(leader, name="海港志愿服务队"), leader=leader)
    shift = make_shift(activity, starts_in_hours=-1, hours=4, capacity=3)
    before = shift.starts_at - timedelta(hours=5)
    people = {
        name: make_user(display_name=name) for name in ("王芳", "李强", "张敏", "孙丽", "赵磊")
    }
    for person in people.values():
        person.email = f"{person.phone}@example.org"
    events.sign_up(people["赵磊"], shift.id, now=before)
    events.cancel_sign_up(people["赵磊"], shift.id, now=before, cutoff_hours=2)
    for name in ("王芳", "李强", "张敏"):
        events.sign_up(people[name], shift.id, now=before)
    events.sign_up(people["孙丽"], shift.id, now=before, join_waiting_list=True)
    events.check_in_by_leader(
        leader, shift.id, phone=people["王芳"].phone, now=NOW - timedelta(minutes=50), leader_days=7
    )
    return Crew(leader, shift, *(people[n] for n in ("王芳", "李强", "张敏", "孙丽", "赵磊")))


def send(
    author, crew: Crew, *, audience=A.signed_up, template=T.meeting_point, body="东门", now=NOW
):
    settings = current_settings().reminders
    return services.send_shift_message(
        author,
        crew.shift.id,
        audience=audience,
        template=template,
        body=body,
        now=now,
        settings=settings,
    )


def copies(message_id: int) -> dict[int, Notification]:
    rows = db.session.scalars(
        select(Notification).where(
            Notification.kind == NotificationKind.shift_message,
            Notification.subject == f"shift_message:{message_id}",
        )
    )
    return {row.user_id: row for row in rows}


def ids(*people: User) -> list[int]:
    return sorted(p.id for p in people)


def stored() -> tuple[int, int]:
    """How many messages and how many copies of them there are."""
    messages = db.session.scalar(select(func.count()).select_from(ShiftMessage))
    notes = db.session.scalar(
        select(func.count()).where(Notification.kind == NotificationKind.shift_message)
    )
    return messages, notes


def test_each_audience_reaches_its_volunteers(app, clock):
    crew = make_crew()

    assert services.audience_of(crew.shift, A.signed_up) == ids(crew.wang, crew.li, crew.zhang)
    assert services.audience_of(crew.shift, A.checked_in) == ids(crew.wang)
    assert services.audience_of(crew.shift, A.not_checked_in) == ids(crew.li, crew.zhang)
    assert services.audience_of(crew.shift, A.waiting) == ids(crew.sun)

    message = send(
        crew.leader, crew, audience=A.not_checked_in, template=T.time_changed, body="10:30"
    )

    assert sorted(copies(message.id)) == ids(crew.li, crew.zhang)
    assert (message.audience_size, message.told_count) == (2, 2)


def test_a_volunteer_who_turned_it_off_gets_nothing_and_inbox_only_gets_no_email(app, clock):
    crew = make_crew()
    services.set_preferences(crew.li, {NotificationKind.shift_message: DeliveryChoice.off}, now=NOW)
    services.set_preferences(
        crew.zhang, {NotificationKind.shift_message: DeliveryChoice.inbox}, now=NOW
    )
    settings = current_settings().reminders
    mail_on = replace(settings, mail_enabled=True)

    message = services.send_shift_message(
        crew.leader,
        crew.shift.id,
        audience=A.signed_up,
        template=T.meeting_point,
        body="东门",
        now=NOW,
        settings=mail_on,
    )

    got = copies(message.id)
    assert crew.li.id not in got
    assert got[crew.zhang.id].email_status is EmailStatus.not_wanted
    assert got[crew.wang.id].email_status is EmailStatus.pending
    assert (message.audience_size, message.told_count) == (3, 2)


def test_the_leaders_page_shows_each_copy_read_and_emailed(mail_app, smtp_server, clock):
    crew = make_crew()
    db.session.commit()
    leader = sign_in(mail_app.test_client(), crew.leader)

    attendance = leader.get(f"/shifts/{crew.shift.id}/attendance")
    assert f'href="/shifts/{crew.shift.id}/messages"' in attendance.text
    form = leader.get(f"/shifts/{crew.shift.id}/messages")
    assert "已报名、尚未签到（2 人）" in form.text
    response = leader.post(
        f"/shifts/{crew.shift.id}/messages",
        data={"audience": "checked_in", "template": "thanks", "body": "辛苦了，明天见"},
    )
    assert response.status_code == 302

    assert jobs.send_email().sent == 1
    (mail,) = smtp_server.handler.messages
    assert mail["To"] == crew.wang.email
    assert mail["Subject"] == f"感谢参与：{crew.shift.activity.title}"
    assert "辛苦了，明天见" in mail.get_content()
    (row,) = copies(db.session.scalar(select(ShiftMessage.id))).values()
    services.mark_read(crew.wang, row.id, now=NOW)
    db.session.commit()

    page = leader.get(f"/shifts/{crew.shift.id}/messages")
    assert page.status_code == 200
    assert page.text.count('data-testid="sent-message"') == 1
    recipient = page.text.split(f'data-testid="recipient-{crew.wang.id}"')[1].split("</li>")[0]
    assert "王芳" in recipient
    assert 'data-testid="read"' in recipient and 'data-testid="email-sent"' in recipient


def test_the_volunteer_reads_it_in_the_inbox(app, clock):
    crew = make_crew()
    send(crew.leader, crew, audience=A.waiting, template=T.free, body="如有空位会第一时间通知您")
    db.session.commit()

    inbox = sign_in(app.test_client(), crew.sun).get("/notifications")

    assert crew.shift.activity.title in inbox.text
    assert "如有空位会第一时间通知您" in inbox.text
    assert "海港志愿服务队" in inbox.text


def test_another_teams_leader_and_a_volunteer_are_refused_and_nothing_is_stored(app, clock, bearer):
    crew = make_crew()
    stranger = make_team(make_user(display_name="别队队长")).founder
    db.session.commit()
    body = {"audience": "signed_up", "template": "free", "body": "来我们队吧"}

    for user in (stranger, crew.wang):
        page = sign_in(app.test_client(), user)
        assert page.get(f"/shifts/{crew.shift.id}/messages").status_code == 403
        assert page.post(f"/shifts/{crew.shift.id}/messages", data=body).status_code == 403
        api = app.test_client().post(
            f"/api/v1/shifts/{crew.shift.id}/messages", json=body, headers=bearer(user)
        )
        assert api.status_code == 403
        with pytest.raises(Forbidden):
            send(user, crew)
        db.session.rollback()

    assert stored() == (0, 0)


def test_words_are_needed_for_free_text_and_a_group_must_hold_someone(app, clock):
    crew = make_crew()
    db.session.commit()
    leader = sign_in(app.test_client(), crew.leader)

    page = leader.post(
        f"/shifts/{crew.shift.id}/messages",
        data={"audience": "signed_up", "template": "free", "body": "   "},
    )
    assert page.status_code == 422
    assert "请写下您要说的话" in page.text
    with pytest.raises(ValidationFailed) as no_time:
        send(crew.leader, crew, template=T.time_changed, body="")
    assert list(no_time.value.errors) == ["body"]
    events.check_in_by_leader(
        crew.leader, crew.shift.id, phone=crew.li.phone, now=NOW, leader_days=7
    )
    events.check_in_by_leader(
        crew.leader, crew.shift.id, phone=crew.zhang.phone, now=NOW, leader_days=7
    )
    with pytest.raises(ValidationFailed) as nobody:
        send(crew.leader, crew, audience=A.not_checked_in)
    assert list(nobody.value.errors) == ["audience"]
    db.session.rollback()

    assert stored() == (0, 0)


def test_the_sixth_message_in_an_hour_is_refused_and_the_next_hour_allows_it(app, clock):
    crew = make_crew()
    for minute in range(0, 50, 10):
        send(crew.leader, crew, now=NOW + timedelta(minutes=minute))
    db.session.commit()

    with pytest.raises(services.TooManyMessages):
        send(crew.leader, crew, now=NOW + timedelta(minutes=59))
    db.session.rollback()
    assert stored() == (5, 15)

    # The first falls out of the hour; another author was never limited by this one.
    send(crew.leader, crew, now=NOW + timedelta(minutes=60, seconds=1))
    send(make_user(role=Role.office, display_name="文明办"), crew, now=NOW + timedelta(minutes=59))
    assert stored() == (7, 21)


def test_the_api_sends_and_lists_with_each_recipients_copy(app, clock, bearer):
    crew = make_crew()
    office = make_user(role=Role.office, display_name="文明办小刘")
    headers = bearer(office)
    url = f"/api/v1/shifts/{crew.shift.id}/messages"

    created = app.test_client().post(
        url,
        json={"audience": "signed_up", "template": "weather_cancelled"},
        headers=headers,
    )
    listed = app.test_client().get(url, headers=headers)

    assert created.status_code == 201, created.text
    assert created.json["author_name"] == "文明办小刘"
    assert (created.json["audience_size"], created.json["told_count"]) == (3, 3)
    assert {r["name"] for r in created.json["recipients"]} == {"王芳", "李强", "张敏"}
    assert all(
        r["read_at"] is None and r["email_status"] == "not_wanted"
        for r in created.json["recipients"]
    )
    assert listed.status_code == 200
    assert [m["id"] for m in listed.json] == [created.json["id"]]
    inbox = app.test_client().get("/api/v1/me/notifications", headers=bearer(crew.li)).json
    assert inbox[0]["title"] == f"因天气取消：{crew.shift.activity.title}"
    assert "来自文明办" in inbox[0]["lines"]


@pytest.mark.parametrize(
    "body",
    [
        {"audience": "everyone", "template": "free", "body": "好"},
        {"audience": "signed_up", "template": "free", "body": "长" * 501},
        {"audience": "signed_up", "template": "meeting_point", "body": ""},
        {"template": "thanks"},
    ],
    ids=["unknown-audience", "too-long", "meeting-point-without-one", "no-audience"],
)
def test_the_api_refuses_bad_input_and_stores_nothing(app, clock, bearer, body):
    crew = make_crew()

    response = app.test_client().post(
        f"/api/v1/shifts/{crew.shift.id}/messages", json=body, headers=bearer(crew.leader)
    )

    assert response.status_code == 422
    assert response.json["code"] == "validation_failed"
    assert set(response.json["errors"]) & {"audience", "body"}
    assert stored() == (0, 0)
