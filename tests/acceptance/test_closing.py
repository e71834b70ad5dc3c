"""A volunteer on a 360 px phone goes from the profile to "my data", downloads the Excel copy,
then closes the account and is signed out; no page runs wider than the screen or raises a
Content-Security-Policy violation."""

from __future__ import annotations

import io
import re

import openpyxl
import pytest
from playwright.sync_api import BrowserContext, Page, expect

from core.extensions import db
from tests.acceptance import test_csp
from tests.acceptance.test_check_in import assert_fits_the_screen
from tests.acceptance.test_csp import sign_in_as, visit
from tests.builders import DEFAULT_PASSWORD, make_user

pytestmark = pytest.mark.browser
violations = test_csp.violations


def test_a_volunteer_downloads_their_data_and_closes_the_account(
    page: Page, context: BrowserContext, live_server, app, violations
):
    phone = make_user(display_name="欧阳志远").phone
    db.session.commit()
    db.session.close()

    sign_in_as(page, context, live_server, phone)
    visit(page, live_server + "/profile")
    page.get_by_test_id("my-data").click()
    expect(page).to_have_url(re.compile(r"/me/export$"))
    assert_fits_the_screen(page)
    with page.expect_download() as download:
        page.get_by_test_id("export-xlsx").click()
    book = openpyxl.load_workbook(io.BytesIO(download.value.path().read_bytes()))
    cells = [c.value for row in book.worksheets[0].iter_rows() for c in row]
    assert phone in cells

    page.get_by_test_id("close-link").click()
    expect(page).to_have_url(re.compile(r"/me/close$"))
    assert_fits_the_screen(page)
    page.locator("input[name=password]").fill(DEFAULT_PASSWORD)
    page.locator("input[name=understood]").check()
    page.locator("form button.btn-danger[type=submit]").click()
    expect(page.locator(".alert-success")).to_be_visible()
    assert_fits_the_screen(page)
    visit(page, live_server + "/me/export")
    expect(page).to_have_url(re.compile(r"/login"))
    assert violations == []
