"""Every page works under the Content-Security-Policy: Chromium reports no violation on the
public pages, the office's (reports with charts, Swagger UI), the counter and on site."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from flask import url_for
from playwright.sync_api import BrowserContext, ConsoleMessage, Page, expect

from core.clock import utcnow
from core.extensions import db
from core.settings import current_settings
from tests.acceptance.test_check_in import sign_in_through_the_page

pytestmark = pytest.mark.browser

# Added to every page before its own scripts (Playwright's init scripts are not subject to
# the page's policy); each violation is passed to the test through an exposed function.
WATCH = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.reportCspViolation(
    `${event.effectiveDirective}: ${event.blockedURI || "inline"} at ` +
      `${event.sourceFile}:${event.lineNumber}:${event.columnNumber} ${event.sample}`
  );
});
"""
# What Chromium writes to the console for a refused script, style or image, and for a
# Permissions-Policy feature it does not know.
CONSOLE_WARNINGS = ("Content Security Policy", "Refused to", "Permissions-Policy")


@pytest.fixture
def violations(context: BrowserContext, page: Page) -> list[str]:
    seen: list[str] = []

    def report(text: str) -> None:
        seen.append(text)

    def read_console(message: ConsoleMessage) -> None:
        if any(warning in message.text for warning in CONSOLE_WARNINGS):
            seen.append(message.text)

    context.expose_function("reportCspViolation", report)
    context.add_init_script(WATCH)
    page.on("console", read_console)
    return seen


def visit(page: Page, url: str) -> None:
    page.goto(url)
    # Scripts that run late (charts, Swagger UI's rendering) report before the next step.
    page.wait_for_load_state("networkidle")


def sign_in_as(page: Page, context: BrowserContext, live_server: str, phone: str) -> None:
    context.clear_cookies()
    visit(page, live_server + "/login")
    sign_in_through_the_page(page, phone)
    expect(page).not_to_have_url(re.compile(r"/login"))


def test_the_watch_reports_a_violation(page: Page, live_server, app, violations):
    # Without this, a watch that saw nothing would pass every test below.
    visit(page, live_server + "/")
    page.evaluate("document.body.setAttribute('style', 'color: red')")
    # Both ways of hearing of it: the page's event and Chromium's console message.
    for _ in range(40):
        if len(violations) >= 2:
            break
        page.wait_for_timeout(50)
    assert any(seen.startswith("style-src-attr: inline") for seen in violations), violations
    assert any("Content Security Policy" in seen for seen in violations), violations


def office_world():
    """An office user; a team with a description and a volunteer who served 2 h in it; a
    team waiting for the office's decision. Returns what the pages need, read before commit."""
    from core.auth.models import Role
    from core.districts import District
    from tests.builders import make_activity, make_team, make_user
    from tests.office.test_pages import past_shift, serve
    from volunteer import services as volunteers

    office = make_user(role=Role.office, display_name="文明办")
    team = make_team(name="海港甲队")
    team.description = "每周六清扫海滩。\n欢迎加入！"
    served = make_user(display_name="甲队志愿者")
    serve(past_shift(make_activity(team), days_ago=3), served)
    founder = make_user(display_name="新队长")
    district = db.session.scalars(db.select(District)).first()
    volunteers.apply_for_team(
        founder,
        name="待审核队",
        district_id=district.id,
        categories=["cleaning"],
        description="第一行\n第二行",
        now=utcnow(),
    )
    db.session.flush()
    built = office.phone, team.id, served.id
    db.session.commit()
    db.session.close()
    return built


def test_the_office_pages_raise_no_violation(
    page: Page, context: BrowserContext, live_server, app, violations
):
    office_phone, team_id, served_id = office_world()
    # window.print would open a dialog; count the calls instead.
    context.add_init_script("window.print = () => { window.printed = (window.printed || 0) + 1; };")

    for path in ("/", "/login", "/register", "/activities"):
        visit(page, live_server + path)
    sign_in_as(page, context, live_server, office_phone)

    visit(page, live_server + "/reports")
    expect(page.locator("#chart-districts svg")).to_be_visible()
    expect(page.locator("#chart-weeks svg path").first).to_be_attached()
    # ECharts' own tooltip HTML carries style attributes; ours is built from elements.
    page.locator("#chart-districts").hover()
    expect(page.locator("#chart-districts .chart-tooltip")).to_be_visible()
    expect(page.locator("#chart-districts .chart-tooltip-value")).to_have_text("2")

    visit(page, live_server + "/api/v1/docs")
    expect(page.locator(".opblock").first).to_be_visible()
    # Swagger UI keeps only the operations near the viewport in the page once an API has as
    # many as ours: the last tag appears when scrolled to.
    last_tag = page.locator(".opblock-tag[data-tag='uploads_api']")
    for _ in range(100):
        if last_tag.count():
            break
        page.mouse.wheel(0, 2000)
        page.wait_for_timeout(50)
    expect(last_tag).to_be_visible()
    # The filter box narrows the page to one tag.
    page.evaluate("window.scrollTo(0, 0)")
    page.locator(".operation-filter-input").fill("auth_api")
    expect(page.locator(".opblock-tag")).to_have_count(1)
    # An operation tried out: Swagger UI calls the API and renders the highlighted answer
    # (401: the API takes a bearer token, never the session).
    me = page.locator(".opblock-get", has=page.locator("[data-path='/api/v1/me']"))
    me.locator(".opblock-summary").click()
    me.locator(".try-out__btn").click()
    me.locator(".execute").click()
    expect(me.locator(".live-responses-table tbody .response-col_status")).to_have_text("401")
    expect(me.locator(".live-responses-table .highlight-code")).to_contain_text("not_authenticated")

    visit(page, live_server + "/office/teams")
    expect(page.locator(".team-description")).to_have_css("white-space", "pre-line")
    visit(page, f"{live_server}/teams/{team_id}")
    expect(page.locator(".team-description")).to_have_css("white-space", "pre-line")

    visit(page, f"{live_server}/office/volunteers/{served_id}/service-record")
    page.locator("[data-print]").click()
    assert page.evaluate("window.printed") == 1

    visit(page, live_server + "/office")
    assert violations == []


def test_the_counter_and_the_pages_on_site_raise_no_violation(
    page: Page, context: BrowserContext, live_server, app, violations
):
    from events import services
    from tests.builders import give_points, make_merchant, make_shift, make_user

    _merchant, staff, _items = make_merchant()
    shift = make_shift(starts_in_hours=0)
    person = make_user(display_name="志愿者小周")
    give_points(person, 50)
    services.sign_up(person, shift.id, now=shift.starts_at - timedelta(hours=1))
    token, _ = services.check_in_code(
        shift.activity.team.founder,
        shift.id,
        now=utcnow(),
        secret=current_settings().check_in_secret,
    )
    with app.test_request_context():
        check_in_url = live_server + url_for("events.check_in_page", token=token)
    staff_phone, person_phone = staff.phone, person.phone
    leader_phone, shift_id = shift.activity.team.founder.phone, shift.id
    db.session.commit()
    db.session.close()

    sign_in_as(page, context, live_server, staff_phone)
    visit(page, live_server + "/counter")
    # Shown only when the vendored scanner loaded; there is no camera here, so it says so.
    page.get_by_test_id("scan-button").click()
    expect(page.locator("#scan-failed")).to_be_visible()
    visit(page, live_server + "/statement")

    sign_in_as(page, context, live_server, person_phone)
    visit(page, check_in_url)
    page.locator("#check-in-form button[type=submit]").click()
    expect(page.get_by_test_id("checked-in")).to_be_visible()
    visit(page, live_server + "/points/code")
    page.locator("form[action$='/points/code'] [type=submit]").click()
    expect(page.get_by_test_id("redeem-code")).to_be_visible()
    page.wait_for_load_state("networkidle")

    sign_in_as(page, context, live_server, leader_phone)
    visit(page, f"{live_server}/shifts/{shift_id}/code")
    # htmx asks for the next code, with the CSRF header it reads (as JSON, not by eval) from
    # <body hx-headers>.
    with page.expect_response(lambda response: "/code/fragment" in response.url) as fragment:
        page.evaluate("htmx.trigger(document.getElementById('qr-block'), 'refresh')")
    assert fragment.value.status == 200
    assert fragment.value.request.headers.get("x-csrftoken")
    expect(page.locator("#qr-block svg")).to_be_visible()
    page.wait_for_load_state("networkidle")
    assert violations == []
