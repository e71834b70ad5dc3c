"""A courier's staff member on a 360 px phone opens their flower deliveries, finds the address
and a call button, takes a photo of the flowers handed over (here a file) and sees the task
delivered; the clerk's task page then shows the photo."""

from __future__ import annotations

import io
import re
from datetime import date

import pytest
from PIL import Image
from playwright.sync_api import BrowserContext, Page, expect
from sqlalchemy import select

from care.flower_models import DeliveryStatus, FlowerDelivery
from care.services import flowers
from core.extensions import db
from tests.acceptance import test_csp
from tests.acceptance.test_check_in import assert_fits_the_screen
from tests.acceptance.test_csp import sign_in_as, visit
from tests.care.flower_builders import make_courier, make_flowers_campaign
from tests.honours.builders import NOW, make_office, make_places
from tests.honours.card_builders import make_honoured

pytestmark = pytest.mark.browser
# Chromium's reports of the Content-Security-Policy, as the CSP tests hear them.
violations = test_csp.violations


def _photo() -> bytes:
    data = io.BytesIO()
    Image.new("RGB", (64, 48), (220, 60, 90)).save(data, "JPEG")
    return data.getvalue()


def _saved() -> tuple[DeliveryStatus, bool]:
    """The task's status and whether it holds a photo; the read is ended at once."""
    db.session.expire_all()
    found = db.session.scalar(select(FlowerDelivery))
    answer = (found.status, found.photo_upload_id is not None)
    db.session.rollback()
    return answer


def test_a_courier_marks_a_delivery_done_with_a_photo_on_the_phone(
    page: Page, context: BrowserContext, live_server, app, violations
):
    places = make_places()
    office = make_office()
    make_honoured(places["wenhuali"], office, name="送花甲", address="文化里3号楼2单元101")
    care = make_flowers_campaign(office)
    courier, staff = make_courier()
    (task,) = db.session.scalars(
        select(FlowerDelivery).where(FlowerDelivery.care_campaign_id == care.id)
    ).all()
    flowers.plan_delivery(
        office, task.id, deliver_on=date(2026, 3, 5), courier_id=courier.id, now=NOW
    )
    phone, office_phone, task_id = staff.phone, office.phone, task.id
    db.session.commit()
    db.session.close()

    sign_in_as(page, context, live_server, phone)
    page.get_by_test_id("my-deliveries-link").click()
    expect(page).to_have_url(re.compile(r"/care/my-deliveries$"))
    card = page.get_by_test_id(f"task-{task_id}")
    expect(card.get_by_test_id("address")).to_contain_text("文化里3号楼2单元101")
    expect(card.get_by_test_id("call")).to_have_attribute("href", re.compile(r"^tel:"))
    assert_fits_the_screen(page)

    card.get_by_label("鲜花送达照片").set_input_files(
        files=[{"name": "送达.jpg", "mimeType": "image/jpeg", "buffer": _photo()}]
    )
    card.get_by_role("button", name="已送达").click()

    expect(page.get_by_text("已送达送花甲，谢谢！")).to_be_visible()
    expect(card.get_by_test_id("status")).to_have_text("已送达")
    expect(card.get_by_test_id("address")).to_have_count(0)
    assert_fits_the_screen(page)
    assert _saved() == (DeliveryStatus.delivered, True)

    sign_in_as(page, context, live_server, office_phone)
    visit(page, f"{live_server}/care/deliveries/{task_id}")
    shown = page.get_by_test_id("photo")
    expect(shown).to_be_visible()
    assert page.evaluate("(img) => img.naturalWidth", shown.element_handle()) > 0
    assert_fits_the_screen(page)
    assert violations == []
