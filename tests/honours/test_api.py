"""The register's API: persons entered, read and corrected within one's region, whole views
logged, duplicates answered 409 naming the record, honours recorded and filtered, merging, and
the log of whole views."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from core.auth.assignments import AssignmentKind
from core.extensions import db
from honours.models import Honour, Person, SensitiveView
from tests.builders import make_user
from tests.honours.builders import (
    honour_type,
    id_number,
    make_clerk,
    make_office,
    make_person,
    make_places,
)

API = "/api/v1/honours"
LINK = "https://www.wenming.cn/sbhr_pd/hr2024/"


@pytest.fixture
def places(app):
    return make_places()


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def body(place, **values):
    birth = date(1958, 3, 5)
    return {
        "name": "李秀兰",
        "birth_date": birth.isoformat(),
        "id_number": id_number(birth, male=False),
        "phone": "13803350009",
        "address": "红旗路8号",
        "region_id": place.id,
        **values,
    }


def test_a_community_clerk_enters_a_person_and_sees_the_sensitive_fields_masked(
    client, bearer, places
):
    clerk = make_clerk(AssignmentKind.community_clerk, places["wenhuali"])
    sent = body(places["wenhuali"])

    response = client.post(f"{API}/persons", json=sent, headers=bearer(clerk))

    assert response.status_code == 201, response.json
    answer = response.json
    assert answer["name"] == "李秀兰"
    assert answer["is_whole"] is False
    assert answer["id_number"] != sent["id_number"]
    assert answer["id_number"].endswith(sent["id_number"][-4:])
    assert answer["phone"] == "138****0009"
    assert answer["address"] == "****"
    assert count(SensitiveView) == 0


def test_the_district_reads_a_person_whole_and_the_view_is_logged(client, bearer, places):
    district = make_clerk(AssignmentKind.district_clerk, places["haigang"])
    person = make_person(places["wenhuali"])
    number = person.id_number

    response = client.get(f"{API}/persons/{person.id}", headers=bearer(district))

    assert response.status_code == 200
    assert response.json["id_number"] == number
    assert response.json["hardship_notes"] == "独居，腿脚不便"
    (view,) = db.session.scalars(select(SensitiveView)).all()
    assert (view.viewer_id, view.person_id, view.channel.value, view.place) == (
        district.id,
        person.id,
        "api",
        "api.honours.person",
    )
    log = client.get(f"{API}/sensitive-views", headers=bearer(district)).json
    assert [(v["person"]["id"], v["fields"]) for v in log] == [
        (person.id, ["id_number", "phone", "address", "hardship"])
    ]


def test_reading_a_whole_id_number_without_the_right_is_refused_and_not_logged(
    client, bearer, places
):
    person = make_person(places["wenhuali"])
    number = person.id_number
    outsider = make_clerk(AssignmentKind.district_clerk, places["shanhaiguan"])
    volunteer = make_user()

    refused = client.get(f"{API}/persons/{person.id}", headers=bearer(outsider))
    unknown = client.get(f"{API}/persons/{person.id}", headers=bearer(volunteer))

    assert refused.status_code == 403
    assert "不在您负责的地区内" in refused.json["message"]
    assert unknown.status_code == 404
    assert number not in refused.get_data(as_text=True) + unknown.get_data(as_text=True)
    assert count(SensitiveView) == 0


def test_a_person_entered_twice_is_answered_409_naming_the_record(client, bearer, places):
    office = make_office()
    first = make_person(places["wenhuali"], office)

    response = client.post(
        f"{API}/persons",
        json=body(
            places["hongqilu"], name="张好人", id_number=first.id_number, birth_date="1960-05-04"
        ),
        headers=bearer(office),
    )

    assert response.status_code == 409
    assert f"{first.id}号" in response.json["message"]
    assert "id_number" in response.json["errors"]
    assert count(Person) == 1


def test_a_clerk_outside_their_region_changes_nothing(client, bearer, places):
    clerk = make_clerk(AssignmentKind.community_clerk, places["wenhuali"])
    person = make_person(places["nanguan"])

    entered = client.post(f"{API}/persons", json=body(places["nanguan"]), headers=bearer(clerk))
    corrected = client.patch(
        f"{API}/persons/{person.id}", json={"name": "改", "reason": "错字"}, headers=bearer(clerk)
    )

    assert entered.status_code == corrected.status_code == 403
    assert count(Person) == 1
    assert person.name == "张好人"


def test_a_correction_and_its_history(client, bearer, places):
    office = make_office()
    person = make_person(places["wenhuali"], office)
    headers = bearer(office)

    response = client.patch(
        f"{API}/persons/{person.id}",
        json={"phone": "13803358888", "reason": "本人来电更正"},
        headers=headers,
    )
    assert response.status_code == 200
    assert response.json["phone"] == "13803358888"
    missing = client.patch(f"{API}/persons/{person.id}", json={"phone": "1"}, headers=headers)
    assert missing.status_code == 422

    history = client.get(f"{API}/persons/{person.id}/history", headers=headers).json
    assert [h["action"] for h in history] == ["created", "corrected"]
    assert history[1]["changes"] == {"phone": ["13803350001", "13803358888"]}
    community = make_clerk(AssignmentKind.community_clerk, places["wenhuali"])
    masked = client.get(f"{API}/persons/{person.id}/history", headers=bearer(community)).json
    assert masked[1]["changes"] == {"phone": ["138****0001", "138****8888"]}
    # The office saw the history whole (and the person once on the PATCH): both logged.
    places_logged = db.session.scalars(
        select(SensitiveView.place).where(SensitiveView.viewer_id == office.id)
    ).all()
    assert sorted(places_logged) == ["api.honours.person.history", "api.honours.person.patch"]
    assert not db.session.scalar(
        select(func.count()).where(SensitiveView.viewer_id == community.id)
    )


def test_honours_are_recorded_listed_by_filters_and_corrected(client, bearer, places):
    office = make_office()
    person = make_person(places["wenhuali"], office)
    headers = bearer(office)

    created = client.post(
        API,
        json={
            "person_id": person.id,
            "honour_type_id": honour_type("good_person_china").id,
            "category": "bravery",
            "awarded_on": "2024-09-20",
            "source": "external",
            "source_url": LINK,
        },
        headers=headers,
    )
    assert created.status_code == 201, created.json
    assert created.json["honour_type"]["level"] == "national"
    assert created.json["district"]["id"] == places["haigang"].district_id

    listed = client.get(API, query_string={"level": "national", "year": 2024}, headers=headers)
    assert [h["id"] for h in listed.json] == [created.json["id"]]
    assert "X-Pagination" in listed.headers
    assert client.get(API, query_string={"year": 2023}, headers=headers).json == []

    corrected = client.patch(
        f"{API}/{created.json['id']}",
        json={"certificate_number": "ZGHR-2024-09", "reason": "补录"},
        headers=headers,
    )
    assert corrected.json["certificate_number"] == "ZGHR-2024-09"
    history = client.get(f"{API}/{created.json['id']}/history", headers=headers).json
    assert history[-1]["changes"] == {"certificate_number": [None, "ZGHR-2024-09"]}


def test_an_external_listing_by_a_district_clerk_is_refused(client, bearer, places):
    district = make_clerk(AssignmentKind.district_clerk, places["haigang"])
    person = make_person(places["wenhuali"])

    response = client.post(
        API,
        json={
            "person_id": person.id,
            "honour_type_id": honour_type("good_person_hebei").id,
            "awarded_on": "2024-05-01",
            "source": "external",
            "source_url": LINK,
        },
        headers=bearer(district),
    )

    assert response.status_code == 403
    assert count(Honour) == 0


def test_consent_and_merge(client, bearer, places):
    office = make_office()
    survivor = make_person(places["wenhuali"], office, id_number=None)
    duplicate = make_person(places["wenhuali"], office)
    headers = bearer(office)

    consent = client.post(
        f"{API}/persons/{duplicate.id}/consent", json={"is_given": True}, headers=headers
    )
    assert consent.json["has_publication_consent"] is True
    merged = client.post(
        f"{API}/persons/{survivor.id}/merge",
        json={"duplicate_id": duplicate.id, "reason": "重复录入"},
        headers=headers,
    )

    assert merged.status_code == 200
    assert merged.json["has_publication_consent"] is True
    assert client.get(f"{API}/persons/{duplicate.id}", headers=headers).json["merged_into_id"] == (
        survivor.id
    )
    listed = client.get(f"{API}/persons", headers=headers).json
    assert [p["id"] for p in listed] == [survivor.id]


def test_the_honour_types(client, bearer, places):
    response = client.get(f"{API}/types", headers=bearer(make_office()))
    names = [t["name"] for t in response.json]
    assert names[:2] == ["全国道德模范", "中国好人"]
    assert "优秀志愿服务团队" in names
