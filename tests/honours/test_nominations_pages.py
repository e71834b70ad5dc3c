"""The nominations' pages: the clerk's list with its filters, a community's draft entered,
matched to the register and submitted from its page, the public form (with the office's email
and hotline, and the way to verify a phone), a media case and a hotline lead, files added and
removed, a duplicate merged and a nomination withdrawn, "my nominations", the ways in from the
profile; refusals said on the page and nothing changed. The round is open on the day the test
runs."""

from __future__ import annotations

import io
import re
from datetime import date, timedelta

import pytest
from PIL import Image
from sqlalchemy import func, select

from core.auth.assignments import AssignmentKind
from core.clock import local_day, utcnow
from core.extensions import db
from honours.nomination_models import Channel, Nomination, NominationFile, Stage
from honours.services import nominations, rounds
from tests.builders import make_user
from tests.conftest import sign_in
from tests.honours.builders import make_clerk, make_office, make_places, make_round
from tests.honours.nomination_builders import DEEDS

STORY = (DEEDS * 2)[:900]


@pytest.fixture
def places(app):
    return make_places()


@pytest.fixture
def round_(places):
    office = make_office()
    today = local_day(utcnow())
    made = make_round(
        office, opens_on=today - timedelta(days=1), closes_on=today + timedelta(days=20)
    )
    return rounds.open_round(office, made.id, now=utcnow())


@pytest.fixture
def clerk(places):
    return make_clerk(AssignmentKind.community_clerk, places["wenhuali"], name="文化里社区专干")


def client_of(app, user):
    db.session.commit()
    return sign_in(app.test_client(), user)


def count(model=Nomination) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def form(round_, place, **values):
    return {
        "round_id": round_.id,
        "nominee_name": "王秀兰",
        "nominee_gender": "female",
        "nominee_birth_date": "1958-03-12",
        "nominee_phone": "13803357788",
        "region_id": place.id,
        "category": "filial_piety",
        "summary": "三十年如一日照顾瘫痪婆婆的好儿媳",
        "deeds": STORY,
        **values,
    }


def verified(name="热心市民"):
    user = make_user(display_name=name)
    user.phone_verified_at = utcnow() - timedelta(days=1)
    db.session.flush()
    return user


def png() -> io.BytesIO:
    image = io.BytesIO()
    Image.new("RGB", (8, 8), (20, 120, 40)).save(image, format="PNG")
    image.seek(0)
    return image


def lead_of(user, round_, place, **values):
    sent = {**form(round_, place, **values), "nominee_birth_date": date(1958, 3, 12)}
    return nominations.nominate(user, sent, now=utcnow())


def test_a_community_clerk_drafts_matches_and_submits_from_the_pages(app, places, round_, clerk):
    browser = client_of(app, clerk)

    blank = browser.get("/honours/nominations/new")
    assert blank.status_code == 200
    assert "文化里" in blank.text and "南关" not in blank.text
    short = browser.post(
        "/honours/nominations/new", data=form(round_, places["wenhuali"], deeds="太短")
    )
    assert short.status_code == 422 and "800" in short.text
    assert count() == 0

    saved = browser.post("/honours/nominations/new", data=form(round_, places["wenhuali"]))
    assert saved.status_code == 302
    page = browser.get(saved.headers["Location"])
    assert page.status_code == 200
    assert "138****7788" in page.text and 'data-testid="match-link"' in page.text
    nomination = db.session.scalars(select(Nomination)).one()

    matching = browser.get(f"/honours/nominations/{nomination.id}/match")
    assert matching.status_code == 200
    entered = browser.post(
        f"/honours/nominations/{nomination.id}/match", data={"address": "文化路3号"}
    )
    assert entered.status_code == 302
    db.session.refresh(nomination)
    assert nomination.person_id is not None

    submitted = browser.post(f"/honours/nominations/{nomination.id}/submit")
    assert submitted.status_code == 302
    db.session.refresh(nomination)
    assert nomination.stage is Stage.street
    shown = browser.get(f"/honours/nominations/{nomination.id}")
    assert "文化里社区专干" in shown.text and 'data-testid="submit"' not in shown.text


def test_the_list_shows_the_clerks_region_with_its_filters(app, places, round_, clerk):
    here = lead_of(verified(), round_, places["wenhuali"])
    lead_of(verified("另一位"), round_, places["nanguan"], nominee_name="李四")
    browser = client_of(app, clerk)

    listed = browser.get("/honours/nominations")
    assert listed.status_code == 200
    assert f'data-testid="nomination-{here.id}"' in listed.text and "李四" not in listed.text
    assert 'data-testid="new-territorial"' in listed.text
    drafts = browser.get("/honours/nominations", query_string={"stage": "draft"})
    assert f'data-testid="nomination-{here.id}"' not in drafts.text
    odd = browser.get("/honours/nominations", query_string={"stage": "nonsense"})
    assert odd.status_code == 200

    assert client_of(app, verified("路人")).get("/honours/nominations").status_code == 404


def test_the_public_form_shows_the_office_and_asks_for_a_verified_phone(app, places, round_):
    unverified = client_of(app, make_user(display_name="新用户"))

    page = unverified.get("/honours/nominate")
    assert page.status_code == 200
    assert 'data-testid="verify-phone"' in page.text
    assert 'href="/login/sms?next=/honours/nominate"' in page.text
    assert app.config["HONOURS_EMAIL"] in page.text and app.config["HONOURS_HOTLINE"] in page.text
    ignored = unverified.post("/honours/nominate", data=form(round_, places["wenhuali"]))
    assert ignored.status_code == 200 and count() == 0

    user = verified()
    browser = client_of(app, user)
    sent = browser.post(
        "/honours/nominate",
        data={
            **form(round_, places["wenhuali"]),
            "is_self": "other",
            "life_photo": [(png(), "生活照1.png"), (png(), "生活照2.png")],
            "id_photo": (png(), "证件照.png"),
        },
        content_type="multipart/form-data",
    )
    assert sent.status_code == 302, sent.text
    nomination = db.session.scalars(select(Nomination)).one()
    assert (nomination.channel, nomination.stage) == (Channel.public, Stage.community)
    assert count(NominationFile) == 2 and nomination.id_photo_upload_id is not None
    mine = browser.get("/honours/nominations/mine")
    assert f'data-testid="nomination-{nomination.id}"' in mine.text


def test_a_media_editor_files_a_case_and_others_find_no_such_page(app, places, round_, clerk):
    assert client_of(app, clerk).get("/honours/nominations/new/media").status_code == 404
    editor = make_clerk(AssignmentKind.media_editor, name="秦皇岛日报编辑")
    browser = client_of(app, editor)
    assert browser.get("/honours/nominations/new/media").status_code == 200

    sent = browser.post(
        "/honours/nominations/new/media",
        data=form(
            round_,
            places["wenhualu"],
            media_url="https://www.qhdnews.com/2026/haoren.html",
            media_discovery="editing",
        ),
    )
    assert sent.status_code == 302, sent.text
    nomination = db.session.scalars(select(Nomination)).one()
    assert nomination.stage is Stage.city and nomination.person_id is not None
    shown = browser.get(sent.headers["Location"])
    assert "https://www.qhdnews.com/2026/haoren.html" in shown.text


def test_a_clerk_enters_a_hotline_lead(app, places, round_, clerk):
    browser = client_of(app, clerk)
    assert browser.get("/honours/nominations/new/lead").status_code == 200
    sent = browser.post(
        "/honours/nominations/new/lead",
        data=form(round_, places["wenhuali"], lead_source="hotline", caller_name="张大爷"),
    )
    assert sent.status_code == 302, sent.text
    assert db.session.scalars(select(Nomination)).one().stage is Stage.community
    assert client_of(app, verified()).get("/honours/nominations/new/lead").status_code == 404


def test_files_are_added_and_removed_on_the_page_of_a_fresh_lead(app, places, round_, clerk):
    user = verified()
    nomination = lead_of(user, round_, places["wenhuali"])
    browser = client_of(app, user)
    page = f"/honours/nominations/{nomination.id}"

    added = browser.post(
        f"{page}/files",
        data={"kind": "evidence", "file": (png(), "证明.png")},
        content_type="multipart/form-data",
    )
    assert added.status_code == 302
    (row,) = db.session.scalars(select(NominationFile)).all()
    key = row.upload.public_key
    shown = browser.get(page)
    assert "证明.png" in shown.text and f"/uploads/{key}" in shown.text
    assert browser.get(f"/uploads/{key}").status_code == 200
    assert client_of(app, verified("路人")).get(f"/uploads/{key}").status_code == 404

    removed = browser.post(f"{page}/files/{key}/remove")
    assert removed.status_code == 302
    assert count(NominationFile) == 0


def test_a_duplicate_is_merged_and_the_nominator_withdraws(app, places, round_, clerk):
    sent = {**form(round_, places["wenhuali"]), "nominee_birth_date": date(1958, 3, 12)}
    first = nominations.draft_nomination(clerk, sent, now=utcnow())
    user = verified()
    lead = lead_of(user, round_, places["wenhuali"])
    browser = client_of(app, clerk)

    flagged = browser.get(f"/honours/nominations/{lead.id}")
    assert 'data-testid="flag-duplicate"' in flagged.text and 'data-testid="merge"' in flagged.text
    merged = browser.post(f"/honours/nominations/{lead.id}/merge", data={"reason": "同一人"})
    assert merged.headers["Location"].endswith(f"/honours/nominations/{first.id}")
    page = browser.get(merged.headers["Location"])
    assert 'data-testid="merged-from"' in page.text and "热心市民" in page.text

    nominator = client_of(app, user)
    refused = nominator.post(f"/honours/nominations/{first.id}/withdraw", data={})
    assert refused.status_code == 302
    db.session.refresh(first)
    assert first.stage is Stage.draft
    withdrawn = browser.post(f"/honours/nominations/{first.id}/withdraw", data={"reason": "另推"})
    assert withdrawn.status_code == 302
    db.session.refresh(first)
    assert first.stage is Stage.withdrawn


def test_the_profile_leads_to_nominations(app, places, clerk):
    plain = client_of(app, make_user()).get("/profile")
    assert 'data-testid="nominate-link"' in plain.text
    assert 'data-testid="nominations-link"' not in plain.text
    assert 'data-testid="nominations-link"' in client_of(app, clerk).get("/profile").text


def test_the_pages_speak_chinese(app, places, round_, clerk):
    page = client_of(app, verified()).get("/honours/nominate")
    assert re.search(r"推荐", page.text) and "Nominate a good person" not in page.text
