"""On a phone: an account older than the privacy notice is asked for consent at sign-in, reads
the notice at 360 px, ticks the box and goes on."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from core.extensions import db
from tests.acceptance.test_check_in import assert_fits_the_screen, sign_in_through_the_page
from tests.builders import make_user

pytestmark = pytest.mark.browser


def test_an_account_without_consent_agrees_on_a_phone(page: Page, live_server, app):
    # Read before the commit: reading after it would begin a transaction that holds SQLite.
    phone = make_user(agreed=False, display_name="老志愿者").phone
    db.session.commit()

    page.goto(live_server + "/login")
    sign_in_through_the_page(page, phone)

    expect(page.get_by_role("heading", name="请阅读并同意隐私政策")).to_be_visible()
    expect(page.get_by_text("不保存经纬度")).to_be_visible()
    assert_fits_the_screen(page)
    page.get_by_role("button", name="同意并继续").click()
    expect(page.get_by_text("请勾选表示同意，或者注销账号。")).to_be_visible()

    page.get_by_label("我已阅读并同意隐私政策").check()
    page.get_by_role("button", name="同意并继续").click()
    expect(page.get_by_text("谢谢，您已同意隐私政策。")).to_be_visible()
    expect(page.get_by_role("heading", name="你好，老志愿者")).to_be_visible()
    assert_fits_the_screen(page)

    page.goto(live_server + "/privacy")
    expect(page.get_by_test_id("notice-version")).to_contain_text("版本 1.0")
    assert_fits_the_screen(page)
