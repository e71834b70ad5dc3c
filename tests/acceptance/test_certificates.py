"""A volunteer on a 360 px phone issues a service certificate from the service record and
downloads it; someone else verifies it by typing its number and check code; neither page
raises a Content-Security-Policy violation or runs wider than the screen."""

from __future__ import annotations

import io
import re

import pytest
from playwright.sync_api import BrowserContext, Page, expect
from pypdf import PdfReader

from core.extensions import db
from tests.acceptance import test_csp
from tests.acceptance.test_check_in import assert_fits_the_screen
from tests.acceptance.test_csp import sign_in_as, visit
from tests.builders import make_user
from tests.certificates.builders import serve

pytestmark = pytest.mark.browser
violations = test_csp.violations

LONG_NAME = "欧阳志愿者䶮"


def test_a_volunteer_issues_a_certificate_that_a_stranger_verifies(
    page: Page, context: BrowserContext, live_server, app, violations
):
    person = make_user(display_name=LONG_NAME)
    serve(person, hours=3)
    phone = person.phone
    db.session.commit()
    db.session.close()

    sign_in_as(page, context, live_server, phone)
    visit(page, live_server + "/me/service-record")
    page.get_by_test_id("to-certificates").click()
    expect(page).to_have_url(re.compile(r"/me/certificates$"))
    page.get_by_test_id("issue").click()
    number = page.locator("[data-testid=certificates] [data-testid=number]").first
    expect(number).to_have_text(re.compile(r"QHD-ZYFW-\d{4}-000001"))
    assert_fits_the_screen(page)

    with page.expect_download() as download:
        page.get_by_test_id("download").first.click()
    body = download.value.path().read_bytes()
    text = PdfReader(io.BytesIO(body)).pages[0].extract_text()
    assert LONG_NAME in re.sub(r"\s+", "", text)
    code = re.search(r"校验码：([A-Z0-9]{8})", text)[1]

    context.clear_cookies()
    visit(page, live_server + "/certificates/verify")
    page.locator("input[name=number]").fill(_number(text))
    page.locator("input[name=code]").fill(code.lower())
    page.locator("[data-testid=verify-form] button[type=submit]").click()
    expect(page.get_by_test_id("genuine")).to_be_visible()
    expect(page.get_by_test_id("masked-name")).to_have_text("欧****䶮")
    expect(page.get_by_test_id("hours")).to_have_text("3.0")
    assert_fits_the_screen(page)
    assert violations == []


def _number(text: str) -> str:
    return re.search(r"编号：(QHD-ZYFW-\d{4}-\d{6})", text)[1]
