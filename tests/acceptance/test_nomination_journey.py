"""A nomination's whole way on a 360 px phone: a member of the public with a verified phone
nominates a neighbour on the public form; the community clerk matches her to the register and
forwards, the street forwards, the district records the background checks and forwards, the
city forwards; the city records her consent, puts two reviewers on the panel, who vote, closes
the panel's review and opens the notice, where the public reads the entry; after the notice
closed the city records the committee's decision and the honour roll shows her. Every page of
the way fits the screen and raises no Content-Security-Policy violation."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
import time_machine
from PIL import Image
from playwright.sync_api import BrowserContext, Page, expect
from sqlalchemy import select

from core.auth.assignments import AssignmentKind
from core.clock import local_day
from core.extensions import db
from honours.nomination_models import Agency, RoundNotice, Stage
from tests.acceptance import test_csp
from tests.acceptance.test_check_in import assert_fits_the_screen
from tests.acceptance.test_csp import sign_in_as, visit
from tests.builders import make_user
from tests.honours.builders import NOW, make_clerk, make_office, make_places
from tests.honours.nomination_builders import DEEDS, open_round

pytestmark = pytest.mark.browser
violations = test_csp.violations

# 11:00 on a Monday in Qinhuangdao, the day the round opens; the clock runs on from there.
START = NOW + timedelta(hours=1)
ROUND_NAME = "2026年6月“秦皇岛好人”月评"
NOMINEE = "李秀英"
SUMMARY = "三十年如一日照顾瘫痪婆婆的好儿媳"
DECISION_NUMBER = "秦文明委〔2026〕15号"


def label(app, member) -> str:
    """What a page shows for an enum member (a stage), in the page's language."""
    with app.test_request_context():
        return str(member.label)


def portrait() -> bytes:
    image = io.BytesIO()
    Image.new("RGB", (96, 128), (164, 22, 26)).save(image, format="PNG")
    return image.getvalue()


def signed_form() -> bytes:
    image = io.BytesIO()
    Image.new("RGB", (60, 80), (250, 250, 250)).save(image, format="PNG")
    return image.getvalue()


def build_world() -> dict:
    """The places, the city office, one clerk of each level over 文化里社区, two panel
    reviewers, a member of the public whose phone was verified, and an open round. Returns the
    phones and ids the pages need, read before the commit."""
    places = make_places()
    office = make_office()
    round_ = open_round(office, name=ROUND_NAME)
    community = make_clerk(AssignmentKind.community_clerk, places["wenhuali"], name="社区专干")
    street = make_clerk(AssignmentKind.street_clerk, places["wenhualu"], name="街道专干")
    district = make_clerk(AssignmentKind.district_clerk, places["haigang"], name="区文明办")
    reviewers = [
        make_clerk(AssignmentKind.panel_reviewer, name=name) for name in ("评议员甲", "评议员乙")
    ]
    public = make_user(display_name="热心市民王大姐")
    public.phone_verified_at = NOW - timedelta(days=200)
    db.session.flush()
    built = {
        "round_id": round_.id,
        "community_id": places["wenhuali"].id,
        "office": office.phone,
        "community": community.phone,
        "street": street.phone,
        "district": district.phone,
        "public": public.phone,
        "reviewers": [(reviewer.id, reviewer.phone) for reviewer in reviewers],
    }
    db.session.commit()
    db.session.close()
    return built


def open_from_the_queue(page: Page, live_server: str, nomination_id: int) -> None:
    """The clerk finds the nomination waiting at their level and opens it."""
    visit(page, live_server + "/honours/review")
    assert_fits_the_screen(page)
    page.get_by_test_id(f"waiting-{nomination_id}").get_by_role("link").click()
    expect(page).to_have_url(re.compile(rf"/honours/nominations/{nomination_id}$"))
    assert_fits_the_screen(page)


def forward(page: Page, app, nomination_id: int, to: Stage) -> None:
    """The level's forward on the nomination's page: the decision, the opinion, the whole
    checklist and the declaration of no conflict."""
    step = page.locator(f"form[action$='/honours/nominations/{nomination_id}/review']")
    step.locator("#action-forward").check()
    step.locator("#opinion").fill("经走访核实，事迹属实，同意推荐。")
    for item in step.locator("input[name=checklist]").all():
        item.check()
    step.locator("#declared_no_conflict").check()
    step.locator("button[type=submit]").click()
    expect(page.get_by_test_id("stage")).to_have_text(label(app, to))
    assert_fits_the_screen(page)


def record_checks(page: Page, nomination_id: int) -> None:
    """The district records each agency's answer: asked three days ago, nothing found today."""
    today = local_day(START)
    for agency in Agency:
        checks = page.get_by_test_id("background-checks")
        checks.locator("details summary").click()
        checks.locator("#check-agency").select_option(agency.value)
        checks.locator("#check-sent-on").fill((today - timedelta(days=3)).isoformat())
        checks.locator("#check-answered-on").fill(today.isoformat())
        checks.locator("#check-result").select_option("clear")
        assert_fits_the_screen(page)
        checks.locator("form button[type=submit]").click()
        expect(page).to_have_url(re.compile(rf"/honours/nominations/{nomination_id}$"))
        expect(page.get_by_test_id(f"check-{agency.value}").locator(".badge")).to_have_class(
            re.compile("text-bg-success")
        )


def test_a_public_nomination_climbs_every_level_to_the_notice_and_the_honour_roll(
    page: Page, context: BrowserContext, live_server, app, violations
):
    with time_machine.travel(START, tick=True):
        world = build_world()
        round_id = world["round_id"]

        # A member of the public nominates her neighbour from the profile.
        sign_in_as(page, context, live_server, world["public"])
        visit(page, live_server + "/profile")
        page.get_by_test_id("nominate-link").click()
        form = page.get_by_test_id("public-form")
        expect(form).to_be_visible()
        assert_fits_the_screen(page)
        form.locator("#nominee_name").fill(NOMINEE)
        form.locator("#nominee_gender").select_option("female")
        form.locator("#nominee_birth_date").fill("1958-03-12")
        form.locator("#region_id").select_option(str(world["community_id"]))
        form.locator("#nominee_phone").fill("13903350123")
        form.locator("#category").select_option("filial_piety")
        form.locator("#summary").fill(SUMMARY)
        form.locator("#deeds").fill((DEEDS * 2)[:900])
        form.locator("#id_photo").set_input_files(
            files=[{"name": "李秀英.png", "mimeType": "image/png", "buffer": portrait()}]
        )
        assert_fits_the_screen(page)
        form.locator("button[type=submit]").click()
        expect(page).to_have_url(re.compile(r"/honours/nominations/\d+$"))
        nomination_id = int(page.url.rsplit("/", 1)[1])
        expect(page.get_by_test_id("stage")).to_have_text(label(app, Stage.community))
        assert_fits_the_screen(page)
        visit(page, live_server + "/profile")
        page.get_by_test_id("my-nominations-link").click()
        expect(page.get_by_test_id(f"nomination-{nomination_id}")).to_contain_text(NOMINEE)
        assert_fits_the_screen(page)

        # The community clerk enters her in the register and forwards.
        sign_in_as(page, context, live_server, world["community"])
        open_from_the_queue(page, live_server, nomination_id)
        page.get_by_test_id("match-link").click()
        entered = page.get_by_test_id("enter-person")
        entered.locator("#address").fill("文化路30号1单元202")
        assert_fits_the_screen(page)
        entered.locator("button[type=submit]").click()
        expect(page).to_have_url(re.compile(rf"/honours/nominations/{nomination_id}$"))
        expect(page.get_by_test_id("matched").get_by_role("link")).to_be_visible()
        forward(page, app, nomination_id, Stage.street)

        # The street forwards.
        sign_in_as(page, context, live_server, world["street"])
        open_from_the_queue(page, live_server, nomination_id)
        forward(page, app, nomination_id, Stage.district)

        # The district records the four background checks, then forwards.
        sign_in_as(page, context, live_server, world["district"])
        open_from_the_queue(page, live_server, nomination_id)
        record_checks(page, nomination_id)
        forward(page, app, nomination_id, Stage.city)

        # The city forwards, records her consent on the signed form and seats the panel.
        sign_in_as(page, context, live_server, world["office"])
        open_from_the_queue(page, live_server, nomination_id)
        forward(page, app, nomination_id, Stage.consent)
        page.get_by_test_id("consent").get_by_role("link").click()
        consent = page.get_by_test_id("consent-form")
        consent.locator("input[name=agreed][value=yes]").check()
        consent.locator("input[name=giver][value=nominee]").check()
        consent.locator("input[name=method][value=signed_form]").check()
        consent.locator("input[name=form]").set_input_files(
            files=[{"name": "同意书.png", "mimeType": "image/png", "buffer": signed_form()}]
        )
        assert_fits_the_screen(page)
        consent.locator("button[type=submit]").click()
        expect(page.get_by_test_id("stage")).to_have_text(label(app, Stage.panel))
        expect(page.get_by_test_id("consents").locator("li")).to_have_count(1)
        assert_fits_the_screen(page)

        visit(page, f"{live_server}/honours/rounds/{round_id}")
        assert_fits_the_screen(page)
        page.get_by_test_id("round-panel-link").get_by_role("link").click()
        for reviewer_id, _phone in world["reviewers"]:
            page.locator("select#user_id").select_option(str(reviewer_id))
            page.locator(f"form[action$='/honours/rounds/{round_id}/panel/members'] button").click()
            expect(page.locator(f"form[action$='/members/{reviewer_id}/remove']")).to_be_visible()
        expect(page.get_by_test_id("members").locator("li")).to_have_count(2)
        assert_fits_the_screen(page)

        # Each reviewer votes from their profile.
        for _reviewer_id, phone in world["reviewers"]:
            sign_in_as(page, context, live_server, phone)
            visit(page, live_server + "/profile")
            page.get_by_test_id("my-panels").get_by_role(
                "link", name=re.compile(ROUND_NAME)
            ).click()
            assert_fits_the_screen(page)
            page.get_by_test_id("ballot").get_by_role("link", name=NOMINEE).click()
            expect(page.get_by_test_id("ballot-entry")).to_contain_text(SUMMARY)
            vote = page.get_by_test_id("vote-form")
            vote.locator("input[name=vote][value=approve]").check()
            vote.locator("#score").fill("92")
            assert_fits_the_screen(page)
            vote.locator("button[type=submit]").click()
            expect(page.get_by_test_id("my-vote")).to_be_visible()
            assert_fits_the_screen(page)

        # The city closes the panel's review and opens the round's notice with her entry.
        sign_in_as(page, context, live_server, world["office"])
        visit(page, f"{live_server}/honours/rounds/{round_id}")
        page.get_by_test_id("round-panel-link").get_by_role("link").click()
        page.locator(
            f"form[action$='/honours/nominations/{nomination_id}/panel/close'] button"
        ).click()
        expect(page.get_by_test_id("tallies").get_by_test_id("tally")).to_contain_text("92.0")
        assert_fits_the_screen(page)
        visit(page, f"{live_server}/honours/rounds/{round_id}")
        page.get_by_test_id("round-notice-link").get_by_role("link").click()
        opening = page.get_by_test_id("open-notice")
        opening.locator(f"input[name=nomination_ids][value='{nomination_id}']").check()
        assert_fits_the_screen(page)
        opening.locator("button[type=submit]").click()
        expect(page.get_by_test_id("period")).to_be_visible()
        expect(page.get_by_test_id(f"line-{nomination_id}")).to_contain_text(NOMINEE)
        assert_fits_the_screen(page)

        # Anyone reads the notice, with her photo, and nothing sideways.
        context.clear_cookies()
        visit(page, live_server + "/notices")
        assert_fits_the_screen(page)
        page.get_by_test_id(f"notice-{round_id}").click()
        entry = page.get_by_test_id(f"entry-{nomination_id}")
        expect(entry.get_by_test_id("entry-name")).to_have_text(NOMINEE)
        expect(entry.get_by_test_id("entry-summary")).to_have_text(SUMMARY)
        photo = entry.locator("img.roll-avatar")
        expect(photo).to_be_visible()
        assert photo.evaluate("img => img.naturalWidth") > 0
        assert "13903350123" not in page.content()
        assert_fits_the_screen(page)

        closes_at = db.session.scalar(
            select(RoundNotice.closes_at).where(RoundNotice.round_id == round_id)
        )
        db.session.rollback()

    # The notice closed by itself; the city records the committee's decision.
    after = closes_at + timedelta(hours=2)
    with time_machine.travel(after, tick=True):
        sign_in_as(page, context, live_server, world["office"])
        visit(page, f"{live_server}/honours/rounds/{round_id}")
        page.get_by_test_id("round-decision-links").locator("a[href$='/decision']").click()
        expect(page.get_by_test_id("waiting")).to_contain_text(NOMINEE)
        decided = page.get_by_test_id("decision-form")
        decided.locator("#document_number").fill(DECISION_NUMBER)
        decided.locator("#decided_on").fill(local_day(after).isoformat())
        assert_fits_the_screen(page)
        decided.locator("button[type=submit]").click()
        expect(page.get_by_test_id("document-number")).to_have_text(DECISION_NUMBER)
        made = page.get_by_test_id("honours").locator("li")
        expect(made).to_have_count(1)
        expect(made).to_contain_text(NOMINEE)
        expect(made.get_by_test_id("certificate-number")).not_to_be_empty()
        assert_fits_the_screen(page)

        # The one who nominated her sees it approved; anyone finds her on the honour roll.
        sign_in_as(page, context, live_server, world["public"])
        visit(page, live_server + "/profile")
        page.get_by_test_id("my-nominations-link").click()
        expect(
            page.get_by_test_id(f"nomination-{nomination_id}").get_by_test_id("stage")
        ).to_have_text(label(app, Stage.approved))
        assert_fits_the_screen(page)

        context.clear_cookies()
        visit(page, live_server + "/")
        page.locator(".navbar-toggler").click()
        page.get_by_test_id("nav-roll").click()
        expect(page.get_by_test_id("roll-entries").get_by_test_id("entry-name")).to_contain_text(
            [NOMINEE]
        )
        assert_fits_the_screen(page)
        page.get_by_test_id("roll-entries").get_by_role("link").filter(has_text=NOMINEE).click()
        expect(page.get_by_test_id("story-name")).to_have_text(NOMINEE)
        assert_fits_the_screen(page)
    assert violations == []
