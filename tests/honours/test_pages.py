"""The register's pages: the list with its filters and exports, a person's page (whole for the
district and the city, logged; masked below), entering, correcting, merging, recording honours
and the log of whole views."""

from __future__ import annotations

import csv
import io
from datetime import date

import openpyxl
import pytest
from sqlalchemy import func, select

from core.auth.assignments import AssignmentKind
from core.extensions import db
from honours import services
from honours.models import Honour, Person, SensitiveView, ViewChannel
from tests.builders import make_team, make_user
from tests.conftest import sign_in
from tests.honours.builders import (
    NOW,
    honour_type,
    id_number,
    make_clerk,
    make_office,
    make_person,
    make_places,
    scope,
)

PAGES = "/honours/register"


@pytest.fixture
def places(app):
    return make_places()


@pytest.fixture
def honoured(places):
    """An office account and a person of Haigang holding a city honour."""
    office = make_office()
    person = make_person(places["wenhuali"], office)
    services.award_honour(
        office,
        scope(office),
        {
            "person_id": person.id,
            "honour_type_id": honour_type("good_person_city").id,
            "awarded_on": date(2025, 12, 1),
        },
        now=NOW,
    )
    return office, person


def client_of(app, user):
    db.session.commit()
    return sign_in(app.test_client(), user)


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_the_register_lists_honours_in_chinese_with_filters(app, honoured):
    office, person = honoured
    client = client_of(app, office)

    page = client.get(PAGES)
    text = page.get_data(as_text=True)

    assert page.status_code == 200
    assert "好人库" in text
    assert "秦皇岛好人" in text and person.name in text
    assert person.name not in client.get(PAGES, query_string={"year": 2024}).text


def test_the_person_page_is_whole_and_logged_for_the_office(app, honoured):
    office, person = honoured
    number = person.id_number
    client = client_of(app, office)

    text = client.get(f"{PAGES}/persons/{person.id}").get_data(as_text=True)

    assert number in text and "独居，腿脚不便" in text
    (view,) = db.session.scalars(select(SensitiveView)).all()
    assert (view.channel, view.place) == (ViewChannel.page, "honours.person")
    log = client.get(f"{PAGES}/sensitive-views").get_data(as_text=True)
    assert person.name in log


def test_the_person_page_is_masked_for_a_community_clerk(app, places, honoured):
    _, person = honoured
    number = person.id_number
    clerk = make_clerk(AssignmentKind.community_clerk, places["wenhuali"])
    client = client_of(app, clerk)

    text = client.get(f"{PAGES}/persons/{person.id}").get_data(as_text=True)
    form = client.get(f"{PAGES}/persons/{person.id}/edit").get_data(as_text=True)

    assert number not in text and number not in form
    assert number[-4:] in text
    assert "独居" not in text
    assert count(SensitiveView) == 0


def test_exports_are_whole_for_the_city_masked_below_and_logged(app, places, honoured):
    office, person = honoured
    number = person.id_number
    office_client = client_of(app, office)

    whole = office_client.get(f"{PAGES}/export.csv")
    rows = list(csv.reader(io.StringIO(whole.data.decode("utf-8-sig"))))
    assert whole.mimetype == "text/csv"
    assert number in [cell for row in rows for cell in row]
    (view,) = db.session.scalars(select(SensitiveView)).all()
    assert view.channel is ViewChannel.export

    clerk = make_clerk(AssignmentKind.street_clerk, places["wenhualu"])
    book = client_of(app, clerk).get(f"{PAGES}/export.xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(book.data)).active
    cells = [str(c) for row in sheet.iter_rows(values_only=True) for c in row if c]
    assert person.name in cells
    assert number not in cells
    assert count(SensitiveView) == 1


def test_a_clerk_enters_a_person_and_a_duplicate_is_named_on_the_form(app, places):
    clerk = make_clerk(AssignmentKind.community_clerk, places["wenhuali"])
    client = client_of(app, clerk)
    number = id_number(date(1950, 1, 2))
    data = {"name": "王德厚", "id_number": number, "region_id": places["wenhuali"].id}

    entered = client.post(f"{PAGES}/persons/new", data={**data, "life_status": "active"})
    again = client.post(f"{PAGES}/persons/new", data={**data, "life_status": "active"})

    assert entered.status_code == 302
    person = db.session.scalar(select(Person))
    assert again.status_code == 409
    assert f"{person.id}号" in again.text
    assert count(Person) == 1


def test_entering_outside_ones_region_is_refused_on_the_form(app, places):
    clerk = make_clerk(AssignmentKind.community_clerk, places["wenhuali"])
    client = client_of(app, clerk)

    response = client.post(
        f"{PAGES}/persons/new",
        data={"name": "王德厚", "region_id": places["nanguan"].id, "life_status": "active"},
    )

    assert response.status_code == 403
    assert count(Person) == 0


def test_a_correction_needs_a_reason_and_keeps_the_history(app, honoured, places):
    office, person = honoured
    client = client_of(app, office)
    form = {
        "name": "张好人",
        "id_number": person.id_number,
        "phone": "13803356666",
        "region_id": places["wenhuali"].id,
        "address": person.address,
        "hardship_notes": person.hardship_notes,
        "life_status": "active",
    }

    refused = client.post(f"{PAGES}/persons/{person.id}/edit", data=form)
    done = client.post(f"{PAGES}/persons/{person.id}/edit", data={**form, "reason": "更正电话"})

    assert refused.status_code == 422
    assert done.status_code == 302
    db.session.expire_all()
    assert db.session.get(Person, person.id).phone == "13803356666"
    history = services.list_person_history(scope(office), person.id)
    assert history[-1].changes == {"phone": ["13803350001", "13803356666"]}


def test_merging_on_the_page(app, honoured, places):
    office, person = honoured
    duplicate = make_person(places["wenhuali"], office, id_number=None)
    client = client_of(app, office)

    page = client.get(f"{PAGES}/persons/{person.id}/merge")
    assert f"{duplicate.id}" in page.text
    done = client.post(
        f"{PAGES}/persons/{person.id}/merge",
        data={"duplicate_id": duplicate.id, "reason": "同一人"},
    )

    assert done.status_code == 302
    db.session.expire_all()
    assert db.session.get(Person, duplicate.id).merged_into_id == person.id


def test_recording_an_honour_on_the_page(app, honoured):
    office, person = honoured
    client = client_of(app, office)

    done = client.post(
        f"{PAGES}/persons/{person.id}/honours/new",
        data={
            "honour_type_id": honour_type("good_person_china").id,
            "category": "bravery",
            "awarded_on": "2024-09-20",
            "source": "external",
            "source_url": "https://www.wenming.cn/sbhr_pd/",
        },
    )
    no_link = client.post(
        f"{PAGES}/persons/{person.id}/honours/new",
        data={
            "honour_type_id": honour_type("good_person_hebei").id,
            "awarded_on": "2024-09-20",
            "source": "external",
        },
    )

    assert done.status_code == 302
    assert no_link.status_code == 422
    assert count(Honour) == 2


def test_pages_are_english_on_request(app, honoured):
    office, person = honoured
    client = client_of(app, office)
    client.post("/language", data={"locale": "en"})

    text = client.get(f"{PAGES}/persons/{person.id}").get_data(as_text=True)

    assert "Consent to publication" in text
    assert "Good Person of Qinhuangdao" in text


def test_a_community_clerk_corrects_without_seeing_or_touching_the_sensitive_fields(
    app, places, honoured
):
    _, person = honoured
    number, phone = person.id_number, person.phone
    clerk = make_clerk(AssignmentKind.community_clerk, places["wenhuali"])
    client = client_of(app, clerk)

    done = client.post(
        f"{PAGES}/persons/{person.id}/edit",
        data={
            "name": "张好仁",
            "region_id": places["wenhuali"].id,
            "birth_date": person.birth_date.isoformat(),
            "life_status": "active",
            # Sent anyway: the form has no such fields for this clerk, so they are ignored.
            "id_number": "",
            "phone": "",
            "reason": "名字错一字",
        },
    )

    assert done.status_code == 302
    db.session.expire_all()
    corrected = db.session.get(Person, person.id)
    assert (corrected.name, corrected.id_number, corrected.phone) == ("张好仁", number, phone)


def test_the_register_reads_a_fixed_number_of_statements_however_many_lines(
    app, honoured, places, count_queries
):
    office, _ = honoured
    client = client_of(app, office)
    client.get(PAGES)
    with count_queries() as few:
        client.get(PAGES)
    for n in range(5):
        person = make_person(places["nanguan"], office, name=f"赵{n}")
        services.award_honour(
            office,
            scope(office),
            {
                "person_id": person.id,
                "honour_type_id": honour_type("good_person_city").id,
                "awarded_on": date(2025, 12, 1),
            },
            now=NOW,
        )
    db.session.commit()
    with count_queries() as many:
        page = client.get(PAGES)

    assert "赵4" in page.text
    assert len(many) == len(few), str(many)


def test_the_city_records_a_teams_honour_on_the_page(app, honoured):
    office, _ = honoured
    team = make_team()
    client = client_of(app, office)

    form = client.get(f"{PAGES}/teams/honours/new")
    done = client.post(
        f"{PAGES}/teams/honours/new",
        data={
            "team_id": team.id,
            "honour_type_id": honour_type("outstanding_team").id,
            "awarded_on": "2025-12-05",
            "source": "archive",
            "decision_number": "秦文明委〔2025〕9号",
        },
    )

    assert team.name in form.text
    assert done.status_code == 302
    honour = db.session.scalar(select(Honour).where(Honour.team_id == team.id))
    assert honour.decision_number == "秦文明委〔2025〕9号"
    assert team.name in client.get(PAGES).text


def test_clerks_and_the_office_find_the_register_and_volunteers_do_not(app, places):
    clerk = make_clerk(AssignmentKind.community_clerk, places["wenhuali"])
    office = make_office()
    volunteer = make_user(display_name="普通志愿者")

    clerk_profile = client_of(app, clerk).get("/profile").get_data(as_text=True)
    office_pages = client_of(app, office).get("/").get_data(as_text=True)
    volunteer_profile = client_of(app, volunteer).get("/profile").get_data(as_text=True)

    assert 'data-testid="register-link"' in clerk_profile
    assert f'href="{PAGES}"' in office_pages
    assert 'data-testid="register-link"' not in volunteer_profile
