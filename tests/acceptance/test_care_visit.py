"""A community clerk on a 360 px phone records a care visit to a good person on the list: the
recipient signs with a finger on the screen (here the mouse), a photo comes from the camera
(here a file), and the visit's page shows the signed receipt and the photo."""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image
from playwright.sync_api import BrowserContext, Page, expect
from sqlalchemy import select

from care.models import ReceiptKind, Visit
from care.services import campaigns
from core.auth.assignments import AssignmentKind
from core.extensions import db
from tests.acceptance import test_csp
from tests.acceptance.test_check_in import assert_fits_the_screen
from tests.acceptance.test_csp import sign_in_as, visit
from tests.care.builders import VISITORS, make_care_campaign
from tests.honours.builders import NOW, make_clerk, make_office, make_places
from tests.honours.card_builders import make_honoured

pytestmark = pytest.mark.browser
# Chromium's reports of the Content-Security-Policy, as the CSP tests hear them.
violations = test_csp.violations


def _photo() -> bytes:
    data = io.BytesIO()
    Image.new("RGB", (64, 48), "orange").save(data, "JPEG")
    return data.getvalue()


def _visit_saved() -> tuple[ReceiptKind | None, int, int]:
    """The receipt's kind, the photos and the cash of the visit; the read is ended at once."""
    db.session.expire_all()
    found = db.session.scalar(select(Visit))
    answer = (found.receipt_kind, len(found.photos), found.cash_fen)
    db.session.rollback()
    return answer


def test_a_clerk_records_a_visit_with_a_signature_drawn_on_the_phone(
    page: Page, context: BrowserContext, live_server, app, violations
):
    places = make_places()
    office = make_office()
    person = make_honoured(places["wenhuali"], office, name="王德厚")
    care = make_care_campaign(office)
    campaigns.make_list(office, care.id, now=NOW)
    clerk = make_clerk(AssignmentKind.community_clerk, places["wenhuali"])
    phone, care_id, name = clerk.phone, care.id, person.name
    db.session.commit()
    db.session.close()

    sign_in_as(page, context, live_server, phone)
    visit(page, f"{live_server}/care/campaigns/{care_id}")
    assert_fits_the_screen(page)
    page.get_by_test_id("record-visit").click()

    expect(page.get_by_test_id("subject")).to_contain_text(name)
    assert_fits_the_screen(page)
    page.get_by_label("走访人员").fill(VISITORS)
    page.get_by_label("慰问金（元）").fill("1000")
    page.get_by_label("资金来源").select_option("city_budget")
    page.get_by_label("物品 1").fill("米面油礼包")
    page.get_by_label("数量 1").fill("1")

    canvas = page.get_by_test_id("signature-canvas")
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    assert box["width"] >= 250, box  # room to sign on a phone
    page.mouse.move(box["x"] + 30, box["y"] + 40)
    page.mouse.down()
    for step in range(1, 9):
        page.mouse.move(box["x"] + 30 + step * 25, box["y"] + 40 + (step % 3) * 25, steps=3)
    page.mouse.up()
    expect(page.locator("#signature")).to_have_value(re.compile(r"^data:image/png;base64,"))
    page.get_by_test_id("photos").set_input_files(
        files=[{"name": "门口合影.jpg", "mimeType": "image/jpeg", "buffer": _photo()}]
    )
    page.get_by_role("button", name="保存走访记录").click()

    expect(page).to_have_url(re.compile(r"/care/visits/\d+$"))
    expect(page.get_by_test_id("visit-status")).to_have_text("已走访")
    receipt = page.get_by_test_id("receipt-shown").locator("img")
    expect(receipt).to_be_visible()
    assert page.evaluate("(img) => img.naturalWidth", receipt.element_handle()) > 0
    expect(page.get_by_test_id("photos-shown").locator("img")).to_have_count(1)
    assert_fits_the_screen(page)
    assert _visit_saved() == (ReceiptKind.signature, 1, 100_000)
    assert violations == []
