"""A volunteer who forgot the password, on a phone: signs in with an SMS code instead, and sets
a new password with another; the demo's page shows the code that would have come by SMS."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from core.auth.sms import current_gateway
from core.extensions import db
from tests.builders import make_user

pytestmark = pytest.mark.browser

NEW_PASSWORD = "spring-2027-new"


def assert_fits_the_screen(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"page is {width}px wide"


def shown_code(page: Page) -> str:
    """The code on the page: 演示环境：验证码 123456."""
    notice = page.get_by_test_id("demo-code")
    expect(notice).to_contain_text("演示环境：验证码")
    return notice.inner_text().rsplit(" ", 1)[1]


def volunteer(name: str) -> str:
    phone = make_user(display_name=name).phone
    db.session.commit()
    return phone


def test_a_volunteer_who_forgot_the_password_signs_in_with_a_code(page: Page, live_server, app):
    phone = volunteer("忘了密码的李阿姨")

    page.goto(live_server + "/login")
    page.get_by_role("link", name="短信验证码登录").click()
    expect(page.get_by_role("heading", name="短信验证码登录")).to_be_visible()
    page.get_by_label("手机号码").fill(phone)
    assert_fits_the_screen(page)
    page.get_by_role("button", name="获取验证码").click()

    expect(
        page.get_by_text("如果该号码已注册，验证码已通过短信发出，5 分钟内有效。")
    ).to_be_visible()
    expect(
        page.get_by_text(f"验证码已通过短信发送至 {phone[:3]}****{phone[-4:]}。")
    ).to_be_visible()
    code = shown_code(page)
    # What the page shows is what the development adapter "sent".
    assert code == current_gateway().last_code(phone, "sign_in")
    expect(page.get_by_label("手机号码")).to_have_value(phone)
    assert_fits_the_screen(page)

    page.get_by_label("验证码", exact=True).fill("000000" if code != "000000" else "111111")
    page.get_by_role("button", name="登录", exact=True).click()
    expect(page.get_by_text("验证码错误，还可以再试 4 次。")).to_be_visible()
    assert_fits_the_screen(page)

    page.get_by_label("验证码", exact=True).fill(code)
    page.get_by_role("button", name="登录", exact=True).click()
    expect(page.get_by_role("heading", name="你好，忘了密码的李阿姨")).to_be_visible()
    assert_fits_the_screen(page)


def test_a_volunteer_sets_a_new_password_with_a_code(page: Page, live_server, app):
    phone = volunteer("换密码的王大爷")

    page.goto(live_server + "/login")
    page.get_by_role("link", name="忘记密码").click()
    page.get_by_label("手机号码").fill(phone)
    page.get_by_role("button", name="获取验证码").click()
    code = shown_code(page)
    page.get_by_label("验证码", exact=True).fill(code)
    page.get_by_label("新密码", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("再次输入新密码").fill(NEW_PASSWORD)
    assert_fits_the_screen(page)
    page.get_by_role("button", name="设置新密码").click()

    expect(page.get_by_text("密码已修改，请用新密码登录。")).to_be_visible()
    page.get_by_label("手机号码").fill(phone)
    page.get_by_label("密码").fill(NEW_PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("heading", name="你好，换密码的王大爷")).to_be_visible()
