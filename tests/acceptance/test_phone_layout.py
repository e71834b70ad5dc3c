"""What a 360 px phone shows: the navigation bar on one row in either language, and the
dashboard's team chart naming each team whole."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from core.extensions import db
from tests.acceptance.test_csp import sign_in_as, visit
from tests.builders import DEFAULT_PASSWORD

pytestmark = pytest.mark.browser

LONG_TEAM_NAME = "秦皇岛市海港区文化路街道新时代文明实践志愿服务队"


def _bar_row_tops(page: Page) -> list[float]:
    """The top of the brand, the inbox button and the menu button of the navigation bar."""
    return [
        page.locator(selector).bounding_box()["y"]
        for selector in (".app-navbar .navbar-brand", "[data-testid=inbox-link]", ".navbar-toggler")
    ]


@pytest.mark.parametrize("language", ["zh", "en"])
def test_the_navigation_bar_keeps_one_row(
    page: Page, context: BrowserContext, live_server, app, language
):
    from tests.builders import make_user

    phone = make_user(display_name="小林").phone
    db.session.commit()
    visit(page, live_server + "/login")
    if language == "en":
        page.locator(".navbar-toggler").click()
        page.get_by_test_id("language-en").click()
        expect(page.locator("html")).to_have_attribute("lang", "en")
    page.locator("input[name=phone]").fill(phone)
    page.locator("input[name=password]").fill(DEFAULT_PASSWORD)
    page.locator("form button.btn-primary[type=submit]").click()
    expect(page).not_to_have_url(re.compile(r"/login"))
    visit(page, live_server + "/me/shifts")

    tops = _bar_row_tops(page)
    bar = page.locator(".app-navbar").bounding_box()
    assert max(tops) - min(tops) < 24, tops
    assert bar["height"] < 80, bar


def test_the_team_chart_names_a_long_team_whole(
    page: Page, context: BrowserContext, live_server, app
):
    from core.auth.models import Role
    from tests.builders import make_activity, make_team, make_user
    from tests.office.test_pages import past_shift, serve

    office = make_user(role=Role.office, display_name="文明办")
    team = make_team(name=LONG_TEAM_NAME)
    serve(past_shift(make_activity(team), days_ago=3), make_user(display_name="志愿者"))
    phone = office.phone
    db.session.commit()

    sign_in_as(page, context, live_server, phone)
    visit(page, live_server + "/reports")

    expect(page.locator("#chart-teams svg")).to_be_visible()
    shown = "".join(page.locator("#chart-teams svg text").all_text_contents())
    assert LONG_TEAM_NAME in shown.replace("\n", "")
