"""The public honour roll: who is shown (consent, revocation, merged records), the search by
year, level, category and district with its bad values, the story page, the figures and how
they count, the photos made public, the pages and API for a visitor, and the rate limit."""

from __future__ import annotations

import io
import json
from datetime import date, timedelta

import pytest
from flask import current_app
from PIL import Image

from core.errors import NotFound, ValidationFailed
from core.extensions import db
from core.rows import Window
from core.settings import current_settings
from core.uploads.models import Upload
from honours import services
from honours.models import HonourCategory, HonourLevel, HonourSource
from honours.services import roll, statistics
from tests.honours.builders import NOW, honour_type, make_office, make_person, make_places, scope

ALL = Window(0, 50)


@pytest.fixture
def places(app):
    return make_places()


@pytest.fixture
def office(places):
    return make_office()


def award(office, person, code, day, category=HonourCategory.helping_others):
    return services.award_honour(
        office,
        scope(office),
        {
            "person_id": person.id,
            "honour_type_id": honour_type(code).id,
            "category": category,
            "awarded_on": day,
            "source": HonourSource.archive,
            "decision_number": "秦文明委〔2024〕12号",
        },
        now=NOW,
    )


def shown(office, place, name, code="good_person_city", day=date(2024, 3, 5), **values):
    """A person with one honour who agreed to be shown on the roll."""
    person = make_person(place, office, name=name, **values)
    award(office, person, code, day)
    services.record_consent(office, scope(office), person.id, is_given=True, now=NOW)
    return person


def names(found) -> list[str]:
    return sorted(entry.name for entry in found.items)


# Who is shown ------------------------------------------------------------------------------


def test_the_roll_shows_only_persons_who_consented_hold_an_honour_and_lost_none(places, office):
    shown(office, places["wenhuali"], "周有德")
    quiet = make_person(places["wenhuali"], office, name="吴不愿")
    award(office, quiet, "good_person_city", date(2024, 3, 5))
    withdrawn = shown(office, places["nanguan"], "郑撤回")
    services.record_consent(office, scope(office), withdrawn.id, is_given=False, now=NOW)
    revoked = shown(office, places["haigang"], "冯撤销")
    award(office, revoked, "good_person_hebei", date(2023, 5, 1)).revoked_at = NOW
    nothing = make_person(places["haigang"], office, name="陈无荣誉")
    services.record_consent(office, scope(office), nothing.id, is_given=True, now=NOW)
    db.session.flush()

    found = roll.search_roll(roll.RollFilter(), ALL)

    assert names(found) == ["周有德"]
    assert found.total == 1
    for hidden in (quiet, withdrawn, revoked, nothing):
        with pytest.raises(NotFound):
            roll.get_roll_entry(hidden.id)


def test_a_merged_duplicate_is_not_shown_twice(places, office):
    first = shown(office, places["wenhuali"], "褚两份", birth_date=date(1950, 1, 1))
    second = shown(office, places["wenhuali"], "褚两份", birth_date=date(1950, 1, 2))

    services.merge_persons(
        office, scope(office), first.id, second.id, reason="同一人录入两次", now=NOW
    )

    found = roll.search_roll(roll.RollFilter(), ALL)
    assert [e.person_id for e in found.items] == [first.id]
    assert len(found.items[0].honours) == 2


def test_the_search_narrows_by_year_level_category_and_district(places, office):
    china = shown(office, places["wenhuali"], "蒋国家", code="good_person_china")
    hebei = shown(
        office, places["nanguan"], "沈省级", code="good_person_hebei", day=date(2022, 9, 1)
    )
    youth = shown(
        office, places["hongqilu"], "韩少年", code="youth_new_era", birth_date=date(2012, 6, 1),
        guardian_name="韩父", guardian_relation="父亲",
    )  # fmt: skip
    award(office, youth, "good_person_county", date(2023, 1, 10), HonourCategory.filial_piety)
    shanhaiguan = places["shanhaiguan"].district_id

    def search(**filters):
        return names(roll.search_roll(roll.RollFilter(**filters), ALL))

    assert search(level=HonourLevel.national) == [china.name]
    assert search(level=HonourLevel.provincial) == [hebei.name]
    assert search(year=2022) == [hebei.name]
    assert search(year=2023) == [youth.name]
    assert search(category=HonourCategory.filial_piety) == [youth.name]
    assert search(district_id=shanhaiguan) == [hebei.name]
    # One honour must match every filter given: the youth's 2023 honour is the county's.
    assert search(year=2023, level=HonourLevel.city) == []
    assert search(year=2024, level=HonourLevel.city) == [youth.name]


def test_a_search_by_a_year_out_of_range_or_an_unknown_district_is_refused_by_name(places):
    with pytest.raises(ValidationFailed) as refused:
        roll.search_roll(roll.RollFilter(year=1800, district_id=999_999), ALL)

    assert set(refused.value.errors) == {"year", "district_id"}


def test_an_entry_carries_the_street_and_no_sensitive_field(places, office):
    person = shown(office, places["wenhuali"], "秦讲述", story="他二十年如一日照顾孤寡老人。")

    entry = roll.get_roll_entry(person.id)

    assert entry.district.id == places["haigang"].district_id
    assert entry.town.id == places["wenhualu"].id
    assert entry.story == "他二十年如一日照顾孤寡老人。"
    assert not {"phone", "id_number", "address", "birth_date", "hardship_notes"} & set(vars(entry))


# The figures ------------------------------------------------------------------------------


def test_the_figures_count_every_honour_held_also_of_persons_not_shown(places, office):
    shown(office, places["wenhuali"], "孔甲", code="good_person_china")
    quiet = make_person(places["nanguan"], office, name="曹乙")
    award(office, quiet, "good_person_china", date(2021, 4, 1), HonourCategory.bravery)
    revoked = shown(office, places["haigang"], "严丙", code="good_person_hebei")
    award(office, revoked, "moral_model_city", date(2020, 1, 1)).revoked_at = NOW
    db.session.flush()

    figures = statistics.roll_figures()

    assert figures.count_of("good_person_china") == 2
    assert figures.count_of("good_person_hebei") == 1
    assert figures.count_of("moral_model_city") == 0
    assert figures.total == 3
    assert figures.persons_shown == 1
    national = next(f for f in figures.levels if f.level is HonourLevel.national)
    assert national.count == 2
    bravery = next(f for f in figures.categories if f.category is HonourCategory.bravery)
    assert bravery.count == 1
    by_district = {f.district.id: f.count for f in figures.districts}
    assert by_district[places["shanhaiguan"].district_id] == 1
    assert statistics.roll_figures(2021).total == 1


# Photos ------------------------------------------------------------------------------------


def _png() -> io.BytesIO:
    data = io.BytesIO()
    Image.new("RGB", (16, 16), (180, 20, 20)).save(data, format="PNG")
    data.seek(0)
    return data


def client_of_the_public_sees(photo: Upload) -> bool:
    db.session.commit()
    return current_app.test_client().get(f"/uploads/{photo.public_key}").status_code == 200


def test_a_photo_is_public_while_its_person_is_on_the_roll(places, office):
    person = shown(office, places["wenhuali"], "杨照片")
    services.set_person_photo(
        office,
        scope(office),
        person.id,
        stream=_png(),
        filename="a.png",
        now=NOW,
        settings=current_settings().uploads,
    )
    photo = db.session.get(Upload, person.photo_upload_id)

    # The services that change the roll keep the photo's visibility with it, by themselves.
    assert photo.is_public
    assert roll.get_roll_entry(person.id).photo_key == photo.public_key
    assert client_of_the_public_sees(photo)

    services.record_consent(office, scope(office), person.id, is_given=False, now=NOW)
    db.session.refresh(photo)
    assert not photo.is_public
    assert not client_of_the_public_sees(photo)

    services.record_consent(office, scope(office), person.id, is_given=True, now=NOW)
    db.session.refresh(photo)
    assert photo.is_public


# Pages and API -----------------------------------------------------------------------------


def test_a_visitor_searches_the_roll_in_chinese_and_opens_a_story(client, places, office):
    person = shown(office, places["wenhuali"], "朱好人", story="见义勇为，勇救落水儿童。")
    db.session.commit()

    page = client.get(f"/honour-roll?district_id={places['haigang'].district_id}&level=city")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "好人榜" in text and "朱好人" in text
    story = client.get(f"/honour-roll/{person.id}").get_data(as_text=True)
    assert "勇救落水儿童" in story
    assert person.phone not in story and person.id_number not in story
    assert client.get("/honour-roll/statistics").status_code == 200


@pytest.mark.parametrize(
    "query", ["year=abc", "year=1700", "level=galactic", "category=x", "district_id=99999"]
)
def test_a_bad_search_on_the_page_says_what_is_wrong(client, places, query):
    page = client.get(f"/honour-roll?{query}")

    assert page.status_code == 200
    assert 'data-testid="roll-invalid"' in page.get_data(as_text=True)


def test_a_hidden_person_is_not_found_on_the_page_or_the_api(client, places, office):
    quiet = make_person(places["wenhuali"], office, name="许不公开")
    award(office, quiet, "good_person_city", date(2024, 3, 5))
    db.session.commit()

    assert client.get(f"/honour-roll/{quiet.id}").status_code == 404
    answer = client.get(f"/api/v1/honour-roll/{quiet.id}")
    assert answer.status_code == 404
    assert answer.json["code"] == "not_found"


def test_the_api_pages_the_roll_and_refuses_bad_values(client, places, office):
    for n in range(3):
        shown(office, places["wenhuali"], f"何{n}号", day=date(2024, 3, 5) - timedelta(days=n))
    db.session.commit()

    first = client.get("/api/v1/honour-roll?page_size=2&level=city")
    assert first.status_code == 200
    assert [e["name"] for e in first.json] == ["何0号", "何1号"]
    assert json.loads(first.headers["X-Pagination"])["total"] == 3
    assert set(first.json[0]) == {
        "id", "name", "district", "town", "is_deceased", "honours", "photo_url",
    }  # fmt: skip
    bad = client.get("/api/v1/honour-roll?level=galactic&year=3000")
    assert bad.status_code == 422
    assert set(bad.json["errors"]) == {"level", "year"}
    unknown = client.get("/api/v1/honour-roll?district_id=99999")
    assert unknown.status_code == 422
    figures = client.get("/api/v1/honour-roll/statistics").json
    assert figures["total"] == 3 and figures["persons_shown"] == 3


def test_the_roll_is_rate_limited_per_address_across_pages_and_api(make_app):
    app = make_app(RATELIMIT_ENABLED=True, HONOUR_ROLL_REQUESTS_PER_ADDRESS="3 per minute")
    with app.app_context():
        make_places()
        db.session.commit()
    client = app.test_client()

    answers = [
        client.get("/honour-roll").status_code,
        client.get("/api/v1/honour-roll").status_code,
        client.get("/honour-roll/statistics").status_code,
        client.get("/api/v1/honour-roll/statistics").status_code,
    ]

    assert answers == [200, 200, 200, 429]


def test_the_search_page_asks_the_same_statements_for_few_entries_or_many(
    client, places, office, count_queries
):
    def statements() -> int:
        with count_queries() as sent:
            assert client.get("/honour-roll").status_code == 200
        return len(sent)

    for n in range(2):
        shown(office, places["wenhuali"], f"吕{n}号")
    db.session.commit()
    few = statements()
    for n in range(2, 7):
        shown(office, places["nanguan"], f"吕{n}号", code="good_person_hebei")
    db.session.commit()

    assert statements() == few
