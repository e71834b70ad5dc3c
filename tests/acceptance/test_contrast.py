"""What a phone shows can be read: every piece of text on the pages a volunteer uses has a
contrast of at least 4.5:1 against what is behind it (3:1 for large text), as WCAG 2 asks,
checked in Chromium at 360 px; and the menu opens without JavaScript."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from core.extensions import db
from tests.acceptance.test_csp import sign_in_as, visit

pytestmark = pytest.mark.browser

# For each element with text of its own: its colour, the first opaque background behind it, and
# whether it is large text. Colours are blended over what is behind them when translucent.
MEASURE = """
() => {
  const parse = (c) => {
    const m = c.match(/rgba?\\(([^)]+)\\)/);
    if (!m) return null;
    const p = m[1].split(',').map(Number);
    return { r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1 };
  };
  const over = (top, under) => ({
    r: top.r * top.a + under.r * (1 - top.a),
    g: top.g * top.a + under.g * (1 - top.a),
    b: top.b * top.a + under.b * (1 - top.a),
    a: 1,
  });
  const background = (el) => {
    const layers = [];
    for (let e = el; e; e = e.parentElement) {
      const c = parse(getComputedStyle(e).backgroundColor);
      if (c && c.a > 0) {
        layers.push(c);
        if (c.a >= 1) break;
      }
    }
    let colour = { r: 255, g: 255, b: 255, a: 1 };
    for (const layer of layers.reverse()) colour = over(layer, colour);
    return colour;
  };
  const lum = (c) => {
    const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(c.r) + 0.7152 * f(c.g) + 0.0722 * f(c.b);
  };
  const found = [];
  for (const el of document.body.querySelectorAll('*')) {
    const own = [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
    if (!own) continue;
    const style = getComputedStyle(el);
    const box = el.getBoundingClientRect();
    if (style.visibility === 'hidden' || style.display === 'none' || box.width === 0) continue;
    if (el.closest('[aria-hidden="true"], .visually-hidden, option, script, style')) continue;
    const bg = background(el);
    const fg = over(parse(style.color), bg);
    const [hi, lo] = [lum(fg), lum(bg)].sort((a, b) => b - a);
    const size = parseFloat(style.fontSize);
    const large = size >= 24 || (size >= 18.66 && Number(style.fontWeight) >= 700);
    found.push({
      text: el.textContent.trim().slice(0, 40),
      ratio: Math.round(((hi + 0.05) / (lo + 0.05)) * 100) / 100,
      needed: large ? 3 : 4.5,
    });
  }
  return found;
}
"""


def too_faint(page: Page) -> list[dict]:
    return [item for item in page.evaluate(MEASURE) if item["ratio"] < item["needed"]]


def test_the_volunteers_pages_have_enough_contrast(
    page: Page, context: BrowserContext, live_server, app
):
    from tests.builders import make_shift, make_user

    shift = make_shift()
    phone = make_user(display_name="小林").phone
    activity_id = shift.activity_id
    db.session.commit()

    for path in ("/", "/login", "/register", "/activities", f"/activities/{activity_id}"):
        visit(page, live_server + path)
        assert too_faint(page) == [], path
    sign_in_as(page, context, live_server, phone)
    for path in ("/", "/me/shifts", "/me/points", "/notifications"):
        visit(page, live_server + path)
        assert too_faint(page) == [], path
        page.locator(".navbar-toggler").click()
        expect(page.locator("#mainNav")).to_be_visible()
        assert too_faint(page) == [], f"{path} with the menu open"


def test_the_menu_is_open_and_usable_without_javascript(browser: Browser, live_server, app):
    context = browser.new_context(
        java_script_enabled=False, viewport={"width": 360, "height": 740}, is_mobile=True
    )
    try:
        page = context.new_page()
        page.goto(live_server + "/")
        expect(page.locator(".navbar-toggler")).to_be_hidden()
        activities = page.locator("#mainNav").get_by_role("link", name="活动")
        expect(activities).to_be_visible()
        activities.click()
        expect(page).to_have_url(live_server + "/activities")
    finally:
        context.close()
