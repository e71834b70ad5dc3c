"""A volunteer on site with a phone: scans the leader's code, signs in, checks in; and a
geofenced activity that refuses a phone far from the place."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import url_for
from flask_babel import gettext
from playwright.sync_api import BrowserContext, Page, expect
from sqlalchemy import select

from core.clock import utcnow
from core.extensions import db
from core.settings import current_settings
from events import services
from events.models import CheckIn, CheckInMethod
from tests.builders import DEFAULT_PASSWORD, make_activity, make_shift, make_user

pytestmark = pytest.mark.browser

# 海港区人民广场, roughly, and a point in Beijing some 270 km away.
PLACE = {"latitude": 39.9355, "longitude": 119.6005}
FAR_AWAY = {"latitude": 39.9042, "longitude": 116.4074}
RADIUS_M = 200


def assert_fits_the_screen(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"page is {width}px wide"


def signed_up_volunteer_and_code(app, live_server, activity=None) -> tuple[int, int, str, str]:
    """A volunteer signed up for a shift starting now: the shift's and volunteer's ids, the
    volunteer's mobile number and the URL of the shift's current code, all read before the
    commit (on SQLite a later read would open a transaction holding the write lock the server
    needs)."""
    shift = make_shift(activity, starts_in_hours=0)
    person = make_user(display_name="志愿者小周")
    services.sign_up(person, shift.id, now=shift.starts_at - timedelta(hours=1))
    token, _ = services.check_in_code(
        shift.activity.team.founder,
        shift.id,
        now=utcnow(),
        secret=current_settings().check_in_secret,
    )
    with app.test_request_context():
        url = live_server + url_for("events.check_in_page", token=token)
    built = (shift.id, person.id, person.phone, url)
    db.session.commit()
    return built


def sign_in_through_the_page(page: Page, phone: str) -> None:
    page.get_by_label("手机号码").fill(phone)
    page.get_by_label("密码").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="登录").click()


def check_ins() -> list[tuple[int, int, CheckInMethod]]:
    """(user id, shift id, method) of every check-in; the read transaction is ended at once."""
    db.session.expire_all()
    rows = db.session.execute(select(CheckIn.user_id, CheckIn.shift_id, CheckIn.method)).all()
    db.session.rollback()
    return [tuple(row) for row in rows]


def test_a_volunteer_scans_signs_in_and_checks_in_on_a_phone(page: Page, live_server, app):
    shift_id, person_id, phone, check_in_url = signed_up_volunteer_and_code(app, live_server)

    page.goto(check_in_url)
    expect(page).to_have_url(f"{live_server}/login?next=" + check_in_url.removeprefix(live_server))
    sign_in_through_the_page(page, phone)

    expect(page).to_have_url(check_in_url)
    form = page.locator("#check-in-form")
    expect(form).to_be_visible()
    assert_fits_the_screen(page)
    form.locator("button[type=submit]").click()

    expect(page.get_by_test_id("checked-in")).to_be_visible()
    expect(page.get_by_test_id("check-in-errors")).to_have_count(0)
    assert_fits_the_screen(page)
    assert check_ins() == [(person_id, shift_id, CheckInMethod.qr)]


def test_a_geofenced_check_in_far_from_the_place_is_refused(
    context: BrowserContext, page: Page, live_server, app
):
    place = services.Place("海港区人民广场", checkin_radius_m=RADIUS_M, **PLACE)
    activity = make_activity(place=place)
    _, _, phone, check_in_url = signed_up_volunteer_and_code(app, live_server, activity)
    context.grant_permissions(["geolocation"], origin=live_server)
    context.set_geolocation(FAR_AWAY)

    page.goto(live_server + "/login")
    sign_in_through_the_page(page, phone)
    expect(page).to_have_url(live_server + "/")
    page.goto(check_in_url)
    # The location consent comes first, on the same page, at 360 px as the rest.
    consent = page.get_by_test_id("location-consent")
    expect(consent).to_be_visible()
    assert_fits_the_screen(page)
    consent.get_by_role("button").click()
    expect(page).to_have_url(check_in_url)
    form = page.locator("#check-in-form")
    expect(form).to_have_attribute("data-geofence", "1")
    form.locator("button[type=submit]").click()

    errors = page.get_by_test_id("check-in-errors")
    expect(errors).to_be_visible()
    away = services.distance_m(
        FAR_AWAY["latitude"], FAR_AWAY["longitude"], PLACE["latitude"], PLACE["longitude"]
    )
    refusal = gettext(
        "You are %(away)d m from the place; check-in works within %(radius)d m. "
        "Ask the leader to check you in.",
        away=round(away),
        radius=RADIUS_M,
    )
    expect(errors).to_contain_text(refusal)
    expect(page.get_by_test_id("checked-in")).to_have_count(0)
    # The refused page offers the button again, to try once closer.
    expect(page.locator("#check-in-form")).to_be_visible()
    assert_fits_the_screen(page)
    assert check_ins() == []
