"""A clerk on a 360 px phone undoes a sale from the statement: the button opens a page naming
the sale, which asks why; then the volunteer's history tells the purchase from its reversal."""

from __future__ import annotations

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from core.clock import utcnow
from core.extensions import db
from points import services
from tests.acceptance import test_csp
from tests.acceptance.test_check_in import assert_fits_the_screen
from tests.acceptance.test_csp import sign_in_as, visit
from tests.builders import give_points, make_merchant, make_user

pytestmark = pytest.mark.browser
# Chromium's reports of the Content-Security-Policy, as the CSP tests hear them.
violations = test_csp.violations

LONG_NAME = "欧阳志愿者小明同学"


def test_a_clerk_reverses_a_sale_after_naming_why(
    page: Page, context: BrowserContext, live_server, app, violations
):
    _merchant, staff, (item,) = make_merchant(
        name="海港区文化路新时代文明实践积分超市", items=(("环保购物袋（大号加厚款）", 10, 20),)
    )
    person = make_user(display_name=LONG_NAME)
    give_points(person, 50)
    code = services.issue_redeem_code(person, now=utcnow(), lifetime_minutes=5)
    sold, _ = services.redeem(staff, code=code.code, lines=[(item.id, 2)], key="k", now=utcnow())
    staff_phone, person_phone, sold_id = staff.phone, person.phone, sold.id
    db.session.commit()
    db.session.close()

    sign_in_as(page, context, live_server, staff_phone)
    visit(page, live_server + "/statement")
    assert_fits_the_screen(page)
    page.get_by_test_id(f"redemption-{sold_id}").get_by_role("link", name="撤销").click()

    expect(page.get_by_test_id("volunteer")).to_have_text(LONG_NAME)
    expect(page.get_by_test_id("points")).to_have_text("20")
    expect(page.get_by_test_id("redemption")).to_contain_text("环保购物袋（大号加厚款） × 2")
    assert_fits_the_screen(page)
    page.get_by_role("button", name="确认撤销").click()
    expect(page.locator(".invalid-feedback")).to_have_text("请填写原因。")

    page.get_by_label("原因").fill("扫错了顾客的码")
    page.get_by_role("button", name="确认撤销").click()

    expect(page).to_have_url(f"{live_server}/statement")
    expect(page.get_by_test_id(f"reversal-{sold_id}")).to_contain_text("扫错了顾客的码")
    assert_fits_the_screen(page)

    sign_in_as(page, context, live_server, person_phone)
    visit(page, live_server + "/points")
    movements = page.get_by_test_id("movement")
    expect(movements).to_have_text(["撤销兑换", "兑换", "文明办调整"])
    assert_fits_the_screen(page)
    assert violations == []
