"""The inbox and the choices per kind, as pages and as API: each user sees and changes only
their own; bad input changes nothing."""

from __future__ import annotations

import json
from datetime import timedelta

from sqlalchemy import select

from core.auth.models import Role
from core.clock import utcnow
from core.extensions import db
from reminders import services
from reminders.models import DeliveryChoice, Notification, NotificationKind, NotificationPreference
from tests.builders import make_team, make_user
from tests.conftest import sign_in

K = NotificationKind


def tell(user, n: int = 1, *, amount: int = 30) -> list[Notification]:
    """Store `n` points-earned notifications for the user."""
    now = utcnow()
    dues = [
        services.Due(
            user.id, K.points_earned, f"test:{user.id}:{i}", {"amount": amount, "memo": "清洁"}
        )
        for i in range(n)
    ]
    services.store(dues, now=now, mail_enabled=False)
    db.session.commit()
    return list(db.session.scalars(select(Notification).where(Notification.user_id == user.id)))


def test_the_navigation_shows_the_unread_count_and_the_inbox_lists_them(
    volunteer_client, volunteer
):
    before = volunteer_client.get("/")
    assert 'data-testid="unread-count"' not in before.text

    tell(volunteer, 3)
    page = volunteer_client.get("/notifications")

    assert page.status_code == 200
    assert '<span class="position-absolute' in page.text
    assert ">3</span>" in page.text
    assert page.text.count('data-testid="notification"') == 3
    assert "您获得了 30 积分" in page.text


def test_opening_a_notification_marks_it_read_and_leads_to_its_page(volunteer_client, volunteer):
    (row,) = tell(volunteer)

    response = volunteer_client.post(f"/notifications/{row.id}/open")

    assert response.status_code == 302
    assert response.headers["Location"].endswith("/points")
    db.session.expire_all()
    assert db.session.get(Notification, row.id).read_at is not None
    assert services.unread_count(volunteer) == 0


def test_another_users_notification_cannot_be_opened(volunteer_client, volunteer):
    (theirs,) = tell(make_user(display_name="别人"))

    response = volunteer_client.post(f"/notifications/{theirs.id}/open")

    assert response.status_code == 404
    db.session.expire_all()
    assert db.session.get(Notification, theirs.id).read_at is None


def test_mark_all_read_touches_only_my_own(volunteer_client, volunteer):
    tell(volunteer, 2)
    other = make_user()
    tell(other, 2)

    response = volunteer_client.post("/notifications/read-all", follow_redirects=True)

    assert "已将 2 条标为已读" in response.text
    assert services.unread_count(volunteer) == 0
    assert services.unread_count(other) == 2


def test_the_inbox_is_paginated_newest_first(volunteer_client, volunteer):
    tell(volunteer, 25)

    first = volunteer_client.get("/notifications")
    second = volunteer_client.get("/notifications?page=2")
    beyond = volunteer_client.get("/notifications?page=99")
    bad = volunteer_client.get("/notifications?page=abc")

    assert first.text.count('data-testid="notification"') == 20
    assert second.text.count('data-testid="notification"') == 5
    assert beyond.status_code == 200 and 'data-testid="notification"' not in beyond.text
    assert bad.status_code == 200


def test_signed_out_visitors_are_sent_to_sign_in(client):
    assert client.get("/notifications").status_code == 302
    assert client.get("/notifications/settings").status_code == 302


def test_a_volunteer_chooses_per_kind_and_the_choice_is_kept(volunteer_client, volunteer):
    page = volunteer_client.get("/notifications/settings")
    assert page.status_code == 200
    assert 'data-testid="kind-shift_soon"' in page.text
    assert 'data-testid="kind-weekly_digest"' not in page.text  # not a leader

    choices = {kind.value: "inbox_and_email" for kind in services.VOLUNTEER_KINDS}
    choices["shift_soon"] = "off"
    choices["points_earned"] = "inbox"
    response = volunteer_client.post("/notifications/settings", data=choices)

    assert response.status_code == 302
    saved = services.preferences(volunteer)
    assert saved[K.shift_soon] is DeliveryChoice.off
    assert saved[K.points_earned] is DeliveryChoice.inbox
    assert saved[K.shift_tomorrow] is DeliveryChoice.inbox_and_email


def test_a_bad_choice_shows_the_form_with_an_error_and_changes_nothing(volunteer_client, volunteer):
    choices = {kind.value: "inbox" for kind in services.VOLUNTEER_KINDS}
    choices["shift_soon"] = "sms"

    response = volunteer_client.post("/notifications/settings", data=choices)

    assert response.status_code == 200
    assert "is-invalid" in response.text
    assert db.session.scalar(select(NotificationPreference.id)) is None


def test_a_leader_also_gets_the_leaders_kinds_and_the_office_its_own(app, office_client):
    team = make_team()
    db.session.commit()
    leader_client = sign_in(app.test_client(), team.founder)

    leader_page = leader_client.get("/notifications/settings")
    office_page = office_client.get("/notifications/settings")

    assert 'data-testid="kind-weekly_digest"' in leader_page.text
    assert 'data-testid="kind-shift_soon"' in leader_page.text
    assert 'data-testid="kind-campaign_unplanned_teams"' in office_page.text
    assert 'data-testid="kind-shift_soon"' not in office_page.text


def test_merchant_staff_have_no_reminders_to_choose(merchant_client):
    page = merchant_client.get("/notifications/settings")
    assert page.status_code == 200
    assert "没有可设置的提醒" in page.text


# The API -----------------------------------------------------------------------------------


def test_the_api_lists_my_notifications_in_the_language_asked(app, volunteer, bearer):
    tell(volunteer, 2, amount=1)
    tell(make_user(), 1)
    headers = bearer(volunteer) | {"Accept-Language": "en"}
    client = app.test_client()

    listed = client.get("/api/v1/me/notifications", headers=headers)
    items = listed.get_json()
    unread = client.get("/api/v1/me/notifications/unread", headers=headers).get_json()

    assert json.loads(listed.headers["X-Pagination"])["total"] == 2 and unread["unread"] == 2
    assert items[0]["title"] == "You earned 1 point"
    assert items[0]["kind"] == "points_earned"
    assert items[0]["url"] == "/points"


def test_the_api_marks_read_and_refuses_others(app, volunteer, bearer):
    (mine,) = tell(volunteer)
    (theirs,) = tell(make_user())
    headers = bearer(volunteer)
    client = app.test_client()

    read = client.post(f"/api/v1/me/notifications/{mine.id}/read", headers=headers)
    again = client.post(f"/api/v1/me/notifications/{mine.id}/read", headers=headers)
    other = client.post(f"/api/v1/me/notifications/{theirs.id}/read", headers=headers)

    assert read.status_code == 200 and read.get_json()["read_at"]
    assert again.get_json()["read_at"] == read.get_json()["read_at"]
    assert other.status_code == 404 and other.get_json()["code"] == "not_found"
    db.session.expire_all()
    assert db.session.get(Notification, theirs.id).read_at is None


def test_the_api_marks_all_read(app, volunteer, bearer):
    tell(volunteer, 4)
    response = app.test_client().post(
        "/api/v1/me/notifications/read-all", headers=bearer(volunteer)
    )
    assert response.get_json() == {"marked": 4}
    assert services.unread_count(volunteer) == 0


def test_the_api_reads_and_changes_preferences(app, volunteer, bearer):
    headers = bearer(volunteer)
    client = app.test_client()

    listed = client.get("/api/v1/me/notification-preferences", headers=headers).get_json()
    changed = client.put(
        "/api/v1/me/notification-preferences",
        json={"preferences": [{"kind": "shift_tomorrow", "choice": "inbox"}]},
        headers=headers,
    )

    assert {line["kind"] for line in listed} == {k.value for k in services.VOLUNTEER_KINDS}
    assert changed.status_code == 200
    assert {"kind": "shift_tomorrow", "choice": "inbox"} in changed.get_json()


def test_the_api_refuses_unknown_and_foreign_kinds_and_changes_nothing(app, volunteer, bearer):
    headers = bearer(volunteer)
    client = app.test_client()

    unknown = client.put(
        "/api/v1/me/notification-preferences",
        json={"preferences": [{"kind": "shift_soon", "choice": "pigeon"}]},
        headers=headers,
    )
    leaders_only = client.put(
        "/api/v1/me/notification-preferences",
        json={
            "preferences": [
                {"kind": "shift_soon", "choice": "off"},
                {"kind": "weekly_digest", "choice": "off"},
            ]
        },
        headers=headers,
    )
    anonymous = client.get("/api/v1/me/notifications")

    assert unknown.status_code == 422
    assert leaders_only.status_code == 422
    assert "weekly_digest" in leaders_only.get_json()["errors"]
    assert db.session.scalar(select(NotificationPreference.id)) is None
    assert anonymous.status_code == 401


def test_stored_notifications_render_for_every_kind_in_both_languages(app, office_user):
    """Every kind has words in Chinese and English (a missing key would be a 500)."""
    from flask_babel import force_locale

    from reminders.messages import render

    now = utcnow()
    shift = {
        "shift_id": 1,
        "activity_id": 1,
        "title": "清洁",
        "starts_at": now.isoformat(),
        "seats_taken": 1,
        "capacity": 3,
    }
    params = {
        K.shift_tomorrow: shift | {"address": "广场"},
        K.shift_soon: shift | {"address": "广场"},
        K.waiting_list_promoted: shift,
        K.shift_message: shift
        | {"address": "广场", "team": "队", "template": "meeting_point", "body": "东门"},
        K.activity_cancelled: {"activity_id": 1, "title": "清洁", "starts_at": None, "message": ""},
        K.activity_changed: {
            "activity_id": 1,
            "title": "清洁",
            "starts_at": now.isoformat(),
            "message": "地点改为码头",
        },
        K.points_earned: {"amount": 5, "memo": ""},
        K.points_expiring: {
            "amount": 30,
            "first_on": now.date().isoformat(),
            "expires_on": now.date().isoformat(),
        },
        K.free_places_tomorrow: {"day": now.date().isoformat(), "shifts": [shift]},
        K.attendance_unconfirmed: {
            "shift_id": 1,
            "title": "清洁",
            "starts_at": now.isoformat(),
            "pending": 2,
        },
        K.join_request_waiting: {
            "team_id": 1,
            "team": "队",
            "name": "甲",
            "requested_at": (now - timedelta(days=2)).isoformat(),
        },
        K.weekly_digest: {"week_starts": now.date().isoformat(), "shifts": [], "more": 0},
        K.campaign_unplanned_teams: {
            "campaign": "春季",
            "starts_on": now.date().isoformat(),
            "count": 3,
            "teams": ["甲队"],
        },
        K.nomination_overdue: {
            "nomination_id": 1,
            "name": "李秀英",
            "stage": "street",
            "due_at": now.isoformat(),
            "round": "2026年12月“秦皇岛好人”月评",
        },
        K.card_alert: {
            "person_id": 1,
            "name": "李秀英",
            "partner": "老龙头景区",
            "outcome": "revoked",
            "checked_at": now.isoformat(),
        },
        K.application_step: {
            "application_id": 1,
            "benefit": "子女入学协调",
            "status": "closed",
            "result": "granted",
        },
        K.breach_case_overdue: {
            "case_id": 1,
            "name": "李秀英",
            "stage": "investigating",
            "due_at": now.isoformat(),
        },
        K.breach_statement_ended: {"case_id": 1, "name": "李秀英", "due_at": now.isoformat()},
    }
    assert set(params) == set(K)
    user = make_user(role=Role.volunteer)
    with app.test_request_context("/"):
        for kind, p in params.items():
            row = Notification(user_id=user.id, kind=kind, subject="x", params=p, created_at=now)
            for locale in ("zh_CN", "en"):
                with force_locale(locale):
                    text = render(row)
                assert text.title and text.url.startswith("/")
