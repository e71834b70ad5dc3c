"""The holder's courtesy card on a 360 px phone, in either language: the number, the QR code
a partner scans and the uses, none wider than the screen."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from playwright.sync_api import BrowserContext, Page, expect

from core.extensions import db
from tests.acceptance.test_csp import sign_in_as, visit
from tests.builders import make_user
from tests.honours.builders import NOW, make_office, make_places
from tests.honours.card_builders import make_card, make_honoured, make_use

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("language", ["zh", "en"])
def test_the_holders_card_fits_the_phone(
    page: Page, context: BrowserContext, live_server, app, language
):
    with time_machine.travel(NOW + timedelta(hours=1), tick=True):
        places = make_places()
        office = make_office()
        holder = make_user(display_name="李秀兰")
        person = make_honoured(places["wenhuali"], office, user=holder, name="李秀兰")
        card = make_card(person, office)
        make_use(card, office, partner_name="山海关景区（天下第一关）", benefit_name="景区免票游览")
        phone, number = holder.phone, card.number
        db.session.commit()

        sign_in_as(page, context, live_server, phone)
        if language == "en":
            page.locator(".navbar-toggler").click()
            page.get_by_test_id("language-en").click()
            expect(page.locator("html")).to_have_attribute("lang", re.compile("en"))
        visit(page, live_server + "/me/card")

        expect(page.get_by_test_id("card-number")).to_contain_text(number[:3])
        qr = page.get_by_test_id("card-qr")
        expect(qr).to_be_visible()
        box = qr.bounding_box()
        assert box["width"] >= 150, box  # big enough for a partner's camera
        expect(page.get_by_test_id("uses")).to_contain_text("景区免票游览")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= page.viewport_size["width"], width
