"""A newcomer on a phone: registers with an SMS code, signs out, signs in, reads Chinese,
switches to English."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser


def assert_fits_the_screen(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"page is {width}px wide"


def test_register_sign_in_and_switch_language_on_a_phone(page: Page, live_server, app):
    from core.districts import ensure_districts
    from core.extensions import db

    ensure_districts()
    db.session.commit()

    page.goto(live_server + "/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(page.get_by_role("heading", name="善行四季")).to_be_visible()
    assert_fits_the_screen(page)

    page.get_by_role("link", name="成为志愿者").click()
    # The number first: the code sent to it proves it (the demo shows the code on the page).
    page.get_by_label("手机号码").fill("139 1234 5678")
    page.get_by_role("button", name="获取验证码").click()
    code = page.get_by_test_id("demo-code").inner_text().rsplit(" ", 1)[1]
    page.get_by_label("验证码", exact=True).fill(code)
    page.get_by_label("姓名").fill("周小雨")
    page.get_by_label("区县").select_option(label="山海关区")
    page.get_by_label("密码", exact=True).fill("good-password-1")
    page.get_by_label("再次输入密码").fill("good-password-1")
    page.get_by_label("我已阅读并同意隐私政策").check()
    assert_fits_the_screen(page)
    page.get_by_role("button", name="注册").click()
    expect(page.get_by_text("欢迎！您的志愿者账号已开通。")).to_be_visible()
    expect(page.get_by_label("姓名")).to_have_value("周小雨")

    # The menu is collapsed on a narrow screen: open it to reach sign-out.
    page.get_by_role("button", name="菜单").click()
    page.get_by_role("button", name="退出").click()
    expect(page.get_by_text("您已退出登录。")).to_be_visible()

    page.goto(live_server + "/login")
    page.get_by_label("手机号码").fill("13912345678")
    page.get_by_label("密码").fill("wrong-password")
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_text("手机号码或密码错误。")).to_be_visible()
    page.get_by_label("密码").fill("good-password-1")
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("heading", name="你好，周小雨")).to_be_visible()
    assert_fits_the_screen(page)

    page.get_by_role("button", name="菜单").click()
    page.get_by_test_id("language-en").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", name="Good deeds in four seasons")).to_be_visible()
    expect(page.get_by_role("heading", name="Hello, 周小雨")).to_be_visible()
    assert_fits_the_screen(page)
