"""What a 360 px phone shows: the navigation bar on one row in either language, the
dashboard's team chart naming each team whole, and the pages of nominations a member of the
public, a panel reviewer or a community clerk uses on a phone, in either language, none wider
than the screen."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from playwright.sync_api import BrowserContext, Page, expect

from core.auth.assignments import AssignmentKind
from core.extensions import db
from honours.nomination_models import Channel, Stage
from honours.services import notice, panel
from tests.acceptance.test_csp import sign_in_as, visit
from tests.builders import DEFAULT_PASSWORD, make_user
from tests.honours.builders import NOW, make_clerk, make_office, make_places
from tests.honours.nomination_builders import make_nomination, open_round
from tests.honours.test_notice import agree, on_notice, tallied

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


# Long enough to wrap on a phone; the objection pastes a link, which does not break by itself.
LONG_ROUND_NAME = "2026年6月“秦皇岛好人”（助人为乐、见义勇为、诚实守信、敬业奉献、孝老爱亲）月评"
LONG_SUMMARY = "三十年如一日照顾瘫痪在床的婆婆，每天清晨五点起床为老人翻身、擦洗、喂饭，" * 3
OBJECTION = (
    "报道与事实不符，见 https://www.qhdnews.com/2026/06/01/"
    "haorenhaoshi-jianyiyongwei-diaocha-baogao-0123456789abcdef.html 请核实。"
)
# The pages of nominations used on a phone, by who uses them: (path, what the page shows).
NOMINATION_PAGES = {
    "public": [
        ("/honours/nominate", "public-form"),
        ("/honours/nominations/mine", "nominations"),
        ("/honours/nominations/{waiting}", "nominators"),
        ("/notices", "notices"),
        ("/notices/{round}", "notice-entries"),
        ("/notices/entries/{shown}/objection", "objection-form"),
        ("/me/objections", "my-objections"),
    ],
    "reviewer": [
        ("/honours/rounds/{round}/panel", "ballot"),
        ("/honours/nominations/{voting}/ballot", "vote-form"),
    ],
    "clerk": [
        ("/honours/review", "queue"),
        ("/honours/nominations/{waiting}", "review"),
        ("/honours/nominations/{waiting}/match", "enter-person"),
    ],
    "visitor": [("/notices/{round}", "sign-in-to-act")],
}


def nomination_world(language: str) -> dict:
    """A round with a lead a member of the public filed waiting at the community, a
    nomination before the panel with a reviewer on it, and one on notice that the member of
    the public objected to; everyone reading `language`. Returns the phones and the ids of the
    pages, read before the commit."""
    places = make_places()
    office = make_office()
    round_ = open_round(office, name=LONG_ROUND_NAME)
    public = make_user(display_name="热心市民王大姐")
    public.phone_verified_at = public.created_at = NOW - timedelta(days=400)
    reviewer = make_clerk(AssignmentKind.panel_reviewer, name="评议员甲")
    clerk = make_clerk(AssignmentKind.community_clerk, places["wenhuali"], name="社区专干")
    for user in (office, public, reviewer, clerk):
        user.locale = "en" if language == "en" else None
    waiting = make_nomination(
        round_,
        places["wenhuali"],
        channel=Channel.public,
        by=public,
        name="买买提·艾力·阿不都热合曼",
        summary=LONG_SUMMARY[:140],
        nominee_phone="13903350123",
    )
    voting = make_nomination(
        round_, places["hongqilu"], stage=Stage.panel, name="张建国", summary=LONG_SUMMARY[:140]
    )
    agree(voting)
    panel.assign_member(office, round_.id, reviewer.id, now=NOW)
    shown = tallied(round_, places["nanguan"], name="周海涛", summary=LONG_SUMMARY[:140])
    on_notice(round_, shown, office=office, at=NOW)
    notice.file_objection(
        public, shown.id, OBJECTION, is_name_confirmed=True, now=NOW + timedelta(minutes=30)
    )
    built = {
        "phones": {"public": public.phone, "reviewer": reviewer.phone, "clerk": clerk.phone},
        "ids": {"round": round_.id, "waiting": waiting.id, "voting": voting.id, "shown": shown.id},
    }
    db.session.commit()
    db.session.close()
    return built


@pytest.mark.parametrize("language", ["zh", "en"])
def test_the_pages_of_nominations_fit_the_phone(
    page: Page, context: BrowserContext, live_server, app, language
):
    too_wide = []
    with time_machine.travel(NOW + timedelta(hours=1), tick=True):
        world = nomination_world(language)
        for who, pages in NOMINATION_PAGES.items():
            if who == "visitor":
                context.clear_cookies()
                if language == "en":
                    visit(page, live_server + "/")
                    page.locator(".navbar-toggler").click()
                    page.get_by_test_id("language-en").click()
            else:
                sign_in_as(page, context, live_server, world["phones"][who])
            for path, shows in pages:
                url = live_server + path.format(**world["ids"])
                response = page.goto(url)
                page.wait_for_load_state("networkidle")
                assert response.status == 200, (who, path, response.status)
                expect(page.get_by_test_id(shows)).to_be_visible()
                expect(page.locator("html")).to_have_attribute("lang", re.compile(language))
                width = page.evaluate("document.documentElement.scrollWidth")
                if width > page.viewport_size["width"]:
                    too_wide.append((who, path, width))
    assert too_wide == []
