"""A partner's staff member on a 360 px phone types a valid card's number, sees 有效 with the
holder, records a use of a benefit and sees it left no more; then types a revoked card's
number and sees only 无效, nothing of its holder."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from core.clock import local_day, utcnow
from core.extensions import db
from honours.card_models import CardStatus
from tests.acceptance import test_csp
from tests.acceptance.test_check_in import assert_fits_the_screen
from tests.acceptance.test_csp import sign_in_as, visit
from tests.honours.builders import make_office, make_places
from tests.honours.card_builders import make_card, make_honoured
from tests.honours.verification_builders import (
    make_benefit,
    make_partner,
    make_staff,
)

pytestmark = pytest.mark.browser
# Chromium's reports of the Content-Security-Policy, as the CSP tests hear them.
violations = test_csp.violations


def test_staff_record_a_use_on_a_valid_card_and_see_only_invalid_for_a_revoked_one(
    page: Page, context: BrowserContext, live_server, app, violations
):
    places = make_places()
    office = make_office()
    partner = make_partner(office, name="秦皇岛老龙头景区（山海关区）游客服务中心")
    staff = make_staff(partner)
    valid_until = local_day(utcnow()) + timedelta(days=300)
    holder = make_honoured(places["wenhuali"], office, name="欧阳秀英")
    card = make_card(holder, office, valid_until=valid_until)
    revoked_holder = make_honoured(places["hongqilu"], office, name="王撤销")
    revoked = make_card(revoked_holder, office, status=CardStatus.revoked, valid_until=valid_until)
    benefit = make_benefit(office, [partner], name="免费游览老龙头景区（含讲解）", limit=1)
    phone, number, revoked_number = staff.phone, card.number, revoked.number
    last4, benefit_id = holder.id_number[-4:], benefit.id
    db.session.commit()
    db.session.close()

    sign_in_as(page, context, live_server, phone)
    visit(page, live_server + "/partner/check")
    assert_fits_the_screen(page)
    page.get_by_label("卡号").fill(number)
    page.get_by_role("button", name="验卡").click()

    expect(page.get_by_test_id("verdict")).to_have_text("有效")
    expect(page.get_by_test_id("holder-name")).to_have_text("欧阳秀英")
    expect(page.get_by_test_id("id-last4")).to_have_text(last4)
    assert_fits_the_screen(page)
    page.get_by_test_id(f"benefit-{benefit_id}").get_by_role("button", name="记录使用").click()

    expect(page.locator(".alert-success").first).to_contain_text("已记录")
    expect(page.get_by_test_id(f"benefit-{benefit_id}")).to_contain_text("已用完")
    assert_fits_the_screen(page)

    page.get_by_role("link", name="验下一张卡").click()
    page.get_by_label("卡号").fill(revoked_number)
    page.get_by_role("button", name="验卡").click()

    expect(page.get_by_test_id("verdict")).to_have_text("无效")
    expect(page.locator("body")).not_to_contain_text("王撤销")
    expect(page.locator("body")).not_to_contain_text("撤销")
    assert_fits_the_screen(page)
    assert violations == []
