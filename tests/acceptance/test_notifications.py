"""A volunteer on a phone sees the unread count, opens a reminder and turns one kind off."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect

from core.settings import current_settings
from tests.acceptance.test_first_visit import assert_fits_the_screen

pytestmark = pytest.mark.browser


def test_a_volunteer_reads_a_reminder_and_changes_a_choice(page: Page, live_server, app):
    from core.clock import utcnow
    from core.extensions import db
    from events import services as events
    from reminders import services
    from tests.builders import DEFAULT_PASSWORD, make_activity, make_user
    from tests.events.builders import make_shift_at

    now = utcnow()
    activity = make_activity()
    shift = make_shift_at(activity, now + timedelta(hours=1), now + timedelta(hours=3))
    volunteer = make_user(display_name="海边志愿者")
    events.sign_up(volunteer, shift.id, now=now)
    services.create_due_notifications(now=now, settings=current_settings().reminders)
    db.session.commit()
    phone, title, activity_id = volunteer.phone, activity.title, activity.id
    # SQLite: no transaction of the test may stay open while the server works.
    db.session.close()

    page.goto(live_server + "/login")
    page.get_by_label("手机号码").fill(phone)
    page.get_by_label("密码").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="登录").click()

    # The bell stays outside the collapsed menu, so the count is seen on a phone.
    expect(page.get_by_test_id("unread-count")).to_have_text("1")
    page.get_by_test_id("inbox-link").click()
    expect(page.get_by_role("heading", name="通知")).to_be_visible()
    assert_fits_the_screen(page)
    page.get_by_text(f"即将开始：{title}").click()
    expect(page).to_have_url(f"{live_server}/activities/{activity_id}")
    expect(page.get_by_test_id("unread-count")).to_have_count(0)

    page.goto(live_server + "/notifications/settings")
    assert_fits_the_screen(page)
    page.get_by_test_id("kind-shift_soon").get_by_label("不提醒").check()
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_text("通知设置已保存")).to_be_visible()
    expect(page.get_by_test_id("kind-shift_soon").get_by_label("不提醒")).to_be_checked()
