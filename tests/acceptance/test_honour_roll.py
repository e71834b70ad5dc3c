"""A visitor on a 360 px phone finds the honour roll in the menu, searches it by district and
level, opens a story with its photo, and sees neither a phone nor an ID number; no page runs
wider than the screen or raises a Content-Security-Policy violation."""

from __future__ import annotations

import io
import re
from datetime import date

import pytest
from PIL import Image
from playwright.sync_api import Page, expect

from core.extensions import db
from core.settings import current_settings
from honours import services
from honours.models import HonourCategory, HonourSource
from honours.services.privacy import mask_id_number, mask_phone
from honours.services.publication import sync_roll_photos
from tests.acceptance import test_csp
from tests.acceptance.test_check_in import assert_fits_the_screen
from tests.acceptance.test_csp import visit
from tests.honours.builders import NOW, honour_type, make_office, make_person, make_places, scope

pytestmark = pytest.mark.browser
violations = test_csp.violations


def _on_roll(office, place, name, code, **values):
    person = make_person(place, office, name=name, **values)
    services.award_honour(
        office,
        scope(office),
        {
            "person_id": person.id,
            "honour_type_id": honour_type(code).id,
            "category": HonourCategory.bravery,
            "awarded_on": date(2024, 5, 20),
            "source": HonourSource.archive,
        },
        now=NOW,
    )
    services.record_consent(office, scope(office), person.id, is_given=True, now=NOW)
    return person


def _photo() -> io.BytesIO:
    data = io.BytesIO()
    Image.new("RGB", (64, 64), (164, 22, 26)).save(data, format="PNG")
    data.seek(0)
    return data


def test_a_visitor_finds_a_good_person_by_district_and_level(
    page: Page, live_server, app, violations
):
    places = make_places()
    office = make_office()
    hero = _on_roll(
        office,
        places["nanguan"],
        "关山勇",
        "good_person_hebei",
        story="寒冬里他跳进冰窟窿，救起了落水的孩子。",
    )
    services.set_person_photo(
        office,
        scope(office),
        hero.id,
        stream=_photo(),
        filename="photo.png",
        now=NOW,
        settings=current_settings().uploads,
    )
    _on_roll(office, places["nanguan"], "关城好", "good_person_city")
    _on_roll(office, places["wenhuali"], "海港勇", "good_person_hebei")
    sync_roll_photos()
    hero_id, phone, id_number = hero.id, hero.phone, hero.id_number
    district_id = places["shanhaiguan"].district_id
    db.session.commit()
    db.session.close()

    visit(page, live_server + "/")
    page.locator(".navbar-toggler").click()
    page.get_by_test_id("nav-roll").click()
    expect(page).to_have_url(re.compile(r"/honour-roll$"))
    expect(page.locator("h1")).to_have_text("好人榜")
    assert_fits_the_screen(page)

    page.locator("select[name=district_id]").select_option(str(district_id))
    page.locator("select[name=level]").select_option("provincial")
    page.get_by_test_id("roll-submit").click()
    expect(page.get_by_test_id("entry-name")).to_have_text(["关山勇"])
    assert_fits_the_screen(page)

    page.get_by_test_id(f"entry-{hero_id}").click()
    expect(page.get_by_test_id("story-name")).to_have_text("关山勇")
    expect(page.get_by_test_id("story-text")).to_contain_text("救起了落水的孩子")
    expect(page.get_by_test_id("story-place")).to_contain_text("山海关区")
    photo = page.locator("article img.roll-avatar")
    expect(photo).to_be_visible()
    assert photo.evaluate("img => img.naturalWidth") > 0
    text = page.locator("body").inner_text()
    html = page.content()
    for secret in (phone, id_number, mask_phone(phone), mask_id_number(id_number)):
        assert secret not in text and secret not in html
    assert_fits_the_screen(page)
    assert violations == []
