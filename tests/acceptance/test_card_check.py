"""A partner's staff member on a 360 px phone scans a valid card's QR code, sees 有效 with the
holder, records a use of a benefit and sees it left no more; then scans a revoked card's code
and sees only 无效, nothing of its holder; typing the valid card's number answers as the scan
did."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import BrowserContext, Page, expect
from sqlalchemy import select

from core.clock import local_day, utcnow
from core.extensions import db
from core.settings import current_settings
from honours.card_models import CardCheck, CardStatus, CheckOutcome
from honours.services.card_codes import card_code
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

# What static/js/scan.js does once the camera has read a QR code: the text goes into the input
# the scan button names, and the form is sent. A headless browser has no camera to read one.
SCANNED = """code => {
  const button = document.querySelector("[data-scan-into]");
  const input = document.getElementById(button.dataset.scanInto);
  input.value = code;
  input.form.requestSubmit();
}"""


def scan(page: Page, code: str) -> None:
    page.evaluate(SCANNED, code)


def test_staff_scan_a_valid_card_record_a_use_and_see_only_invalid_for_a_revoked_one(
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
    secret = current_settings().check_in_secret
    code, revoked_code = card_code(card, secret=secret), card_code(revoked, secret=secret)
    phone, number = staff.phone, card.number
    last4, benefit_id = holder.id_number[-4:], benefit.id
    db.session.commit()
    db.session.close()

    sign_in_as(page, context, live_server, phone)
    visit(page, live_server + "/partner/check")
    assert_fits_the_screen(page)
    expect(page.get_by_test_id("scan-button")).to_be_visible()
    scan(page, code)

    expect(page.get_by_test_id("verdict")).to_have_text("有效")
    expect(page.get_by_test_id("holder-name")).to_have_text("欧阳秀英")
    expect(page.get_by_test_id("id-last4")).to_have_text(last4)
    assert_fits_the_screen(page)
    page.get_by_test_id(f"benefit-{benefit_id}").get_by_role("button", name="记录使用").click()

    expect(page.locator(".alert-success").first).to_contain_text("已记录")
    expect(page.get_by_test_id(f"benefit-{benefit_id}")).to_contain_text("已用完")
    assert_fits_the_screen(page)

    page.get_by_role("link", name="验下一张卡").click()
    scan(page, revoked_code)

    expect(page.get_by_test_id("verdict")).to_have_text("无效")
    expect(page.locator("body")).not_to_contain_text("王撤销")
    expect(page.locator("body")).not_to_contain_text("撤销")
    assert_fits_the_screen(page)

    # A card whose code will not scan (a scratched print) is checked by its typed number.
    page.get_by_role("link", name="验下一张卡").click()
    page.get_by_label("卡号").fill(number)
    page.get_by_role("button", name="验卡").click()

    expect(page.get_by_test_id("holder-name")).to_have_text("欧阳秀英")
    expect(page.get_by_test_id(f"benefit-{benefit_id}")).to_contain_text("已用完")
    assert violations == []
    # The first two were read from the code, as a scan sends them; the last from the number.
    checks = db.session.execute(select(CardCheck.scanned, CardCheck.outcome).order_by(CardCheck.id))
    assert checks.all() == [
        (True, CheckOutcome.valid),
        (True, CheckOutcome.revoked),
        (False, CheckOutcome.valid),
    ]
