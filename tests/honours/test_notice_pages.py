"""The public notice's pages: the notices and an entry for everyone (name, place, category,
approved text, photo while shown, likes, how to object) and nothing private; the like button
and the objection form with their refusals; the objector's own objections; the district's list
and answer; the city's page of a round's notice; the public pages limited per address."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
import time_machine
from PIL import Image
from sqlalchemy import func, select

from core.auth.assignments import AssignmentKind
from core.extensions import db
from core.settings import current_settings
from core.uploads import services as uploads
from honours.nomination_models import NominationLike, Objection, Stage
from honours.services import notice
from tests.builders import make_user
from tests.conftest import sign_in
from tests.honours.builders import NOW, make_clerk, make_office, make_places
from tests.honours.nomination_builders import open_round
from tests.honours.test_notice import PHOTO_KIND, agree, on_notice, tallied, verified


@pytest.fixture
def places(app):
    return make_places()


@pytest.fixture
def round_(places):
    return open_round()


@pytest.fixture
def clock():
    with time_machine.travel(NOW + timedelta(hours=1), tick=False) as traveller:
        yield traveller


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _photo(by) -> int:
    image = io.BytesIO()
    Image.new("RGB", (16, 16), (164, 22, 26)).save(image, format="PNG")
    image.seek(0)
    return uploads.store_upload(
        by,
        kind=PHOTO_KIND,
        stream=image,
        filename="证件照.png",
        now=NOW,
        settings=current_settings().uploads,
    ).id


def test_a_visitor_reads_the_notice_with_its_entries_and_how_to_object_and_nothing_private(
    client, places, round_, clock
):
    office = make_office()
    entry = tallied(
        round_,
        places["wenhuali"],
        name="李秀英",
        nominee_phone="13912345678",
        unit_name="文化里社区居委会",
        by=office,
    )
    entry.id_photo_upload_id = _photo(office)
    on_notice(round_, entry)
    db.session.commit()

    listed = client.get("/notices")
    page = client.get(f"/notices/{round_.id}")
    photo = client.get(f"/notices/{round_.id}/photos/{entry.id}")

    assert listed.status_code == 200 and round_.name in listed.text
    assert page.status_code == 200
    for shown in (
        "李秀英",
        "海港区",
        "文化路街道",
        entry.summary,
        entry.deeds[:40],
        "0335-3031717",
    ):
        assert shown in page.text
    assert "qhdhaoren@qhd.gov.cn" in page.text and "登录后点赞或提出异议" in page.text
    assert f"/notices/{round_.id}/photos/{entry.id}" in page.text
    person = entry.person
    for private in (
        "13912345678",
        "文化里社区居委会",
        person.id_number,
        person.phone,
        person.address,
        office.display_name,
        office.phone,
    ):
        assert private not in page.text
    assert photo.status_code == 200 and photo.mimetype == "image/png"
    assert photo.headers["Cache-Control"] == "private, no-cache"

    agree(entry, agreed=False, at=NOW + timedelta(minutes=30))
    db.session.commit()
    assert "李秀英" not in client.get(f"/notices/{round_.id}").text
    assert client.get(f"/notices/{round_.id}/photos/{entry.id}").status_code == 404
    assert client.get(f"/notices/{round_.id + 1}").status_code == 404


def test_a_verified_account_likes_once_a_day_and_an_unverified_one_is_told_why(
    app, places, round_, clock
):
    entry = tallied(round_, places["wenhuali"])
    on_notice(round_, entry)
    fan, unverified = verified(), make_user(display_name="未验证")
    db.session.commit()
    fan_client = sign_in(app.test_client(), fan)
    plain_client = sign_in(app.test_client(), unverified)
    back = f"/notices/{round_.id}"

    page = fan_client.get(back)
    first = fan_client.post(f"/notices/entries/{entry.id}/like", data={"next": back})
    again = fan_client.post(
        f"/notices/entries/{entry.id}/like", data={"next": back}, follow_redirects=True
    )
    refused = plain_client.post(
        f"/notices/entries/{entry.id}/like", data={"next": back}, follow_redirects=True
    )

    assert f'action="/notices/entries/{entry.id}/like"' in page.text
    assert first.status_code == 302 and first.headers["Location"] == back
    assert "今天已经点过赞" in again.text and "1 个赞" in again.text
    assert "验证" in refused.text and 'action="/notices/entries/' not in refused.text
    assert count(NominationLike) == 1


def test_an_objection_is_filed_by_real_name_and_the_objector_reads_its_answer(
    app, places, round_, clock
):
    entry = tallied(round_, places["wenhuali"], name="李秀英")
    on_notice(round_, entry)
    objector = verified("张实名")
    district = make_clerk(AssignmentKind.district_clerk, places["haigang"], name="区文明办")
    db.session.commit()
    client = sign_in(app.test_client(), objector)
    url = f"/notices/entries/{entry.id}/objection"

    form = client.get(url)
    unconfirmed = client.post(url, data={"text": "事迹不实"})
    filed = client.post(url, data={"text": "事迹不实", "is_name_confirmed": "y"})

    assert form.status_code == 200 and "张实名" in form.text and "李秀英" in form.text
    assert unconfirmed.status_code == 422 and "张实名" in unconfirmed.text
    assert filed.status_code == 302 and filed.headers["Location"] == "/me/objections"
    mine = client.get("/me/objections")
    assert "事迹不实" in mine.text and "2026-06-15" in mine.text

    objection = db.session.scalar(select(Objection))
    clerk = sign_in(app.test_client(), district)
    listed = clerk.get("/honours/objections")
    detail = clerk.get(f"/honours/objections/{objection.id}")
    answered = clerk.post(
        f"/honours/objections/{objection.id}",
        data={"outcome": "upheld", "answer": "经核实，情况属实。"},
    )

    assert listed.status_code == 200 and f"/honours/objections/{objection.id}" in listed.text
    assert detail.status_code == 200 and objector.phone in detail.text
    assert answered.status_code == 302
    db.session.refresh(entry)
    assert entry.stage is Stage.rejected
    assert "经核实，情况属实。" in client.get("/me/objections").text
    assert "李秀英" not in app.test_client().get(f"/notices/{round_.id}").text
    # No one else reads it.
    stranger = sign_in(app.test_client(), verified("李旁观"))
    assert stranger.get(f"/honours/objections/{objection.id}").status_code == 404
    assert "事迹不实" not in stranger.get("/me/objections").text


def test_an_unverified_account_is_shown_how_to_verify_instead_of_the_objection_form(
    app, places, round_, clock
):
    entry = tallied(round_, places["wenhuali"])
    on_notice(round_, entry)
    plain = make_user(display_name="未验证")
    db.session.commit()
    client = sign_in(app.test_client(), plain)

    page = client.get(f"/notices/entries/{entry.id}/objection")
    posted = client.post(
        f"/notices/entries/{entry.id}/objection", data={"text": "不实", "is_name_confirmed": "y"}
    )

    assert page.status_code == 200 and 'data-testid="verify-first"' in page.text
    assert "objection-form" not in page.text
    assert posted.status_code == 409 and count(Objection) == 0
    assert app.test_client().get(f"/notices/entries/{entry.id}/objection").status_code == 302


def test_the_district_sees_overdue_objections_marked(app, places, round_, clock):
    entry = tallied(round_, places["wenhuali"])
    on_notice(round_, entry)
    objection_id = notice.file_objection(
        verified(), entry.id, "不实", is_name_confirmed=True, now=NOW
    ).id
    district = make_clerk(AssignmentKind.district_clerk, places["haigang"], name="区文明办")
    db.session.commit()
    clock.move_to(NOW + timedelta(days=15))
    clerk = sign_in(app.test_client(), district)

    listed = clerk.get("/honours/objections?state=open")
    detail = clerk.get(f"/honours/objections/{objection_id}")

    assert 'data-testid="overdue"' in listed.text and 'data-testid="overdue"' in detail.text
    assert 'data-testid="answer-form"' in detail.text


def test_the_city_opens_a_rounds_notice_on_its_page_and_follows_likes_and_flags(
    app, places, round_, clock
):
    chosen = tallied(round_, places["wenhuali"], name="李秀英")
    left_off = tallied(round_, places["hongqilu"], name="孙明")
    office = make_office()
    district = make_clerk(AssignmentKind.district_clerk, places["haigang"], name="区文明办")
    db.session.commit()
    city = sign_in(app.test_client(), office)
    url = f"/honours/rounds/{round_.id}/notice"

    page = city.get(url)
    empty = city.post(url, data={})
    opened = city.post(url, data={"nomination_ids": [str(chosen.id)]})

    assert page.status_code == 200
    assert f'data-testid="candidate-{chosen.id}"' in page.text and "孙明" in page.text
    assert empty.status_code == 422
    assert opened.status_code == 302
    db.session.refresh(left_off)
    assert left_off.stage is Stage.rejected
    # A burst: more than NOTICE_BURST_LIKES (20) likes from accounts made that day.
    for _ in range(21):
        notice.like(verified(made=NOW), chosen.id, now=NOW + timedelta(hours=1))
    db.session.commit()
    following = city.get(url)
    assert f'data-testid="line-{chosen.id}"' in following.text
    assert 'data-testid="burst"' in following.text and ">21 " in following.text
    round_page = city.get(f"/honours/rounds/{round_.id}")
    assert url in round_page.text
    assert sign_in(app.test_client(), district).get(url).status_code == 403


def test_the_public_notice_pages_are_rate_limited_per_address_with_the_api(make_app):
    app = make_app(RATELIMIT_ENABLED=True, NOTICE_REQUESTS_PER_ADDRESS="3 per minute")
    client = app.test_client()

    answers = [
        client.get("/notices").status_code,
        client.get("/api/v1/notices").status_code,
        client.get("/notices/1").status_code,
        client.get("/api/v1/notices/1").status_code,
    ]

    assert answers == [200, 200, 404, 429]


def test_the_notice_page_asks_the_same_statements_for_one_entry_or_many(
    client, places, round_, clock, count_queries
):
    office = make_office()
    first = tallied(round_, places["wenhuali"], by=office)
    first.id_photo_upload_id = _photo(office)
    more = [tallied(round_, places[p], by=office, name=f"好人{p}") for p in ("hongqilu", "nanguan")]
    on_notice(round_, first, *more)
    fan = verified()
    for entry in (first, *more):
        notice.like(fan, entry.id, now=NOW + timedelta(minutes=30))
    db.session.commit()

    def statements(url: str) -> int:
        with count_queries() as sent:
            assert client.get(url).status_code == 200
        return len(sent)

    many = statements(f"/notices/{round_.id}")
    agree(more[0], agreed=False, at=NOW + timedelta(minutes=40))
    agree(more[1], agreed=False, at=NOW + timedelta(minutes=40))
    db.session.commit()
    one = statements(f"/notices/{round_.id}")

    assert one == many


def test_the_nominations_page_shows_its_likes_and_to_its_district_its_objections(
    app, places, round_, clock
):
    entry = tallied(round_, places["wenhuali"])
    on_notice(round_, entry)
    notice.like(verified(), entry.id, now=NOW + timedelta(minutes=10))
    objection = notice.file_objection(
        verified("张实名"),
        entry.id,
        "不实",
        is_name_confirmed=True,
        now=NOW + timedelta(minutes=10),
    )
    district = make_clerk(AssignmentKind.district_clerk, places["haigang"], name="区文明办")
    street = make_clerk(AssignmentKind.street_clerk, places["wenhualu"], name="街道")
    db.session.commit()
    url = f"/honours/nominations/{entry.id}"

    for_district = sign_in(app.test_client(), district).get(url)
    for_street = sign_in(app.test_client(), street).get(url)

    assert for_district.status_code == 200 and 'data-testid="notice-part"' in for_district.text
    assert "1 个赞" in for_district.text
    assert f"/honours/objections/{objection.id}" in for_district.text
    assert for_street.status_code == 200 and "1 个赞" in for_street.text
    assert 'data-testid="notice-objections"' not in for_street.text
