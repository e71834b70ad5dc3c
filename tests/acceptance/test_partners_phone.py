"""Card partners' pages on a 360 px phone: a partner's own page for its staff, and the office's
pages of partners and benefits (made for a desktop, but not broken on a phone), none wider
than the screen."""

from __future__ import annotations

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from core.extensions import db
from honours.card_models import BenefitArea, BenefitKind, PartnerKind
from tests.acceptance.test_csp import sign_in_as
from tests.builders import make_merchant, make_user
from tests.honours.builders import make_office
from tests.honours.partner_builders import make_benefit, make_partner, make_partner_staff

pytestmark = pytest.mark.browser

LONG_NAME = "秦皇岛市北戴河区新时代文明实践中心爱心健康体检服务合作单位"


def _too_wide(page: Page) -> int | None:
    width = page.evaluate("document.documentElement.scrollWidth")
    return width if width > page.viewport_size["width"] else None


def test_the_partner_pages_fit_the_phone(page: Page, context: BrowserContext, live_server, app):
    merchant, _counter, _items = make_merchant(name="爱心超市")
    partner = make_partner(name=LONG_NAME, kind=PartnerKind.health)
    linked = make_partner(name="爱心超市合作点", merchant=merchant)
    benefit = make_benefit(
        partner,
        linked,
        name="每年一次免费健康体检（全市任一合作体检中心）",
        area=BenefitArea.health,
        kind=BenefitKind.discount,
        discount_percent=80,
        value_fen=15050,
    )
    staff = make_partner_staff(partner, name="体检中心前台")
    office = make_office()
    user = make_user(display_name="待添加的员工")
    phones = {"staff": staff.phone, "office": office.phone}
    ids = {"partner": partner.id, "benefit": benefit.id, "user": user.id}
    db.session.commit()

    too_wide = []
    sign_in_as(page, context, live_server, phones["staff"])
    page.goto(live_server + "/partner")
    expect(page.get_by_test_id("partner-name")).to_have_text(LONG_NAME)
    expect(page.get_by_test_id("own-benefits")).to_be_visible()
    if width := _too_wide(page):
        too_wide.append(("/partner", width))

    sign_in_as(page, context, live_server, phones["office"])
    for path, shows in (
        ("/office/card-partners", "partners"),
        (f"/office/card-partners/{ids['partner']}", "partner-staff"),
        ("/office/card-partners/new", "partner-form"),
        ("/office/card-benefits", "benefits"),
        (f"/office/card-benefits/{ids['benefit']}", "benefit-form"),
    ):
        response = page.goto(live_server + path)
        assert response.status == 200, (path, response.status)
        expect(page.get_by_test_id(shows)).to_be_visible()
        if width := _too_wide(page):
            too_wide.append((path, width))
    assert too_wide == []
