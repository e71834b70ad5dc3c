"""The committee's decision on a round: after the notice closed, the city records it once with
a document number of its own; every entry on notice is approved and honoured in the register
with a certificate number of the year's series and a certificate in the register of issued
documents; the roll shows those who agreed. Every refusal says why and changes nothing."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from certificates.models import DocumentKind, IssuedDocument, SubjectKind
from core.auth.assignments import AssignmentKind
from core.clock import local_day, utcnow
from core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from core.extensions import db
from core.rows import Window
from core.settings import current_settings
from honours.models import Honour, HonourSource, Person
from honours.nomination_models import ReviewStep, RoundDecision, Stage, StepAction
from honours.services import decision
from honours.services.roll import RollFilter, search_roll
from personal_data.services.export import gather_personal_data
from tests.builders import make_user
from tests.conftest import sign_in
from tests.honours.builders import NOW, honour_type, make_clerk, make_office, make_places
from tests.honours.decision_builders import give_consent, make_notice, object_to, on_notice
from tests.honours.nomination_builders import make_nomination, open_round

NUMBER = "秦文明委〔2026〕12号"
TODAY = NOW.date()


@pytest.fixture
def places(app):
    return make_places()


def decide(user, round_, *, number=NUMBER, on=TODAY, now=NOW):
    return decision.record_decision(
        user,
        round_.id,
        document_number=number,
        decided_on=on,
        now=now,
        settings=current_settings().certificates,
    )


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def state() -> tuple:
    """What a refused decision must leave as it was."""
    return (
        count(RoundDecision),
        count(Honour),
        count(IssuedDocument),
        count(ReviewStep),
        tuple(db.session.scalars(select(Person.has_publication_consent).order_by(Person.id))),
    )


def on_the_roll():
    return search_roll(RollFilter(), Window(0, 50)).items


def pdf_text(body: bytes) -> str:
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages)
    return re.sub(r"\s+", "", text)


# Services -------------------------------------------------------------------------------------


def test_the_city_records_the_decision_and_every_entry_on_notice_is_honoured(places):
    office = make_office()
    round_ = open_round(office)
    make_notice(round_, office)
    first = on_notice(round_, places["wenhuali"], office, name="李秀英")
    second = on_notice(round_, places["nanguan"], office, name="王建国")
    waiting = make_nomination(round_, places["hongqilu"], stage=Stage.panel, by=office)
    answered = on_notice(round_, places["hongqilu"], office, name="赵春梅")
    object_to(answered, make_user(), answered_by=office)

    made = decide(office, round_)

    assert (made.round_id, made.document_number, made.decided_on) == (round_.id, NUMBER, NOW.date())
    assert (made.recorded_by_id, made.recorded_at) == (office.id, NOW)
    assert waiting.stage is Stage.panel and waiting.honour_id is None
    numbers = []
    for entry in (first, second, answered):
        assert entry.stage is Stage.approved
        step = entry.steps[-1]
        assert (step.action, step.from_stage, step.to_stage) == (
            StepAction.approved,
            Stage.notice,
            Stage.approved,
        )
        assert (step.actor_id, step.opinion, step.acted_at) == (office.id, NUMBER, NOW)
        honour = db.session.get(Honour, entry.honour_id)
        assert honour.person_id == entry.person_id
        assert honour.source is HonourSource.round and honour.round_id == round_.id
        assert honour.honour_type_id == honour_type("good_person_city").id
        assert honour.category is entry.category
        assert (honour.awarded_on, honour.decision_number) == (NOW.date(), NUMBER)
        assert honour.source_name == round_.name
        document = db.session.scalar(
            select(IssuedDocument).where(IssuedDocument.number == honour.certificate_number)
        )
        assert document.kind is DocumentKind.honour_certificate
        assert (document.subject_kind, document.subject_id) == (SubjectKind.person, entry.person_id)
        assert document.snapshot["decision_number"] == NUMBER
        assert entry.person.has_publication_consent
        numbers.append(honour.certificate_number)
    assert numbers == [f"QHD-HR-2026-{n:06d}" for n in (1, 2, 3)]
    assert {entry.name for entry in on_the_roll()} == {"李秀英", "王建国", "赵春梅"}


def test_a_withdrawn_consent_is_honoured_but_kept_off_the_roll(places):
    office = make_office()
    round_ = open_round(office)
    make_notice(round_, office)
    entry = on_notice(round_, places["wenhuali"], office, name="李秀英")
    give_consent(entry, office, agreed=False, at=NOW - timedelta(days=2))

    decide(office, round_)

    assert entry.stage is Stage.approved and entry.honour_id is not None
    assert not entry.person.has_publication_consent
    assert on_the_roll() == []


def test_the_pdf_names_the_person_the_honour_and_the_decision_and_no_id_or_phone(places):
    office = make_office()
    round_ = open_round(office)
    make_notice(round_, office)
    entry = on_notice(round_, places["wenhuali"], office, name="李秀英")
    decide(office, round_)

    document, body = decision.print_honour_certificate(office, entry.honour_id, now=NOW)

    text = pdf_text(body)
    assert "荣誉证书" in text and "李秀英" in text
    assert "秦皇岛好人" in text and "孝老爱亲" in text
    assert NUMBER in text and "2026年6月1日" in text
    assert document.number in text and document.check_code in text
    assert "秦皇岛市精神文明建设委员会办公室" in text and "盖章处" in text
    assert entry.person.id_number not in text and entry.person.phone not in text


# Refusals ------------------------------------------------------------------------------------


def test_only_the_city_records_the_decision(places):
    office = make_office()
    round_ = open_round(office)
    make_notice(round_, office)
    on_notice(round_, places["wenhuali"], office)
    district = make_clerk(AssignmentKind.district_clerk, places["haigang"], name="区文明办")
    before = state()

    with pytest.raises(Forbidden):
        decide(district, round_)
    with pytest.raises(NotFound):
        decide(make_user(), round_)
    assert state() == before


@pytest.mark.parametrize("closes_in", [None, timedelta(hours=1)])
def test_no_decision_before_the_notice_closed(places, closes_in):
    office = make_office()
    round_ = open_round(office)
    if closes_in is not None:
        make_notice(round_, office, closes_at=NOW + closes_in)
    on_notice(round_, places["wenhuali"], office)
    before = state()

    with pytest.raises(Conflict):
        decide(office, round_)
    assert state() == before


def test_an_unanswered_objection_holds_the_decision_and_is_named(places):
    office = make_office()
    round_ = open_round(office)
    make_notice(round_, office)
    on_notice(round_, places["wenhuali"], office, name="李秀英")
    object_to(on_notice(round_, places["nanguan"], office, name="王建国"), make_user())
    before = state()

    with pytest.raises(Conflict, match="王建国") as refused:
        decide(office, round_)
    assert "李秀英" not in str(refused.value)
    assert state() == before


def test_a_round_is_decided_once_and_a_document_number_serves_one_decision(places):
    office = make_office()
    round_ = open_round(office)
    make_notice(round_, office)
    on_notice(round_, places["wenhuali"], office)
    decide(office, round_)
    other = open_round(office, name="2027年1月“秦皇岛好人”月评")
    make_notice(other, office)
    on_notice(other, places["nanguan"], office, name="王建国")
    before = state()

    with pytest.raises(Conflict) as again:
        decide(office, round_, number="秦文明委〔2026〕13号")
    assert again.value.code == "decided"
    with pytest.raises(Conflict) as taken:
        decide(office, other)
    assert "document_number" in taken.value.errors
    assert state() == before


@pytest.mark.parametrize(
    ("number", "on", "field"),
    [
        ("", NOW.date(), "document_number"),
        ("号" * 61, NOW.date(), "document_number"),
        (NUMBER, None, "decided_on"),
        (NUMBER, NOW.date() + timedelta(days=1), "decided_on"),
        (NUMBER, NOW.date() - timedelta(days=1), "decided_on"),
    ],
)
def test_a_wrong_number_or_date_is_named(places, number, on, field):
    office = make_office()
    round_ = open_round(office)
    make_notice(round_, office)
    on_notice(round_, places["wenhuali"], office)
    before = state()

    with pytest.raises(ValidationFailed) as refused:
        decide(office, round_, number=number, on=on)
    assert field in refused.value.errors
    assert state() == before


def test_nothing_on_notice_is_nothing_to_decide(places):
    office = make_office()
    round_ = open_round(office)
    make_notice(round_, office)
    make_nomination(round_, places["wenhuali"], stage=Stage.rejected, by=office)
    before = state()

    with pytest.raises(Conflict) as refused:
        decide(office, round_)
    assert refused.value.code == "nothing_on_notice"
    assert state() == before


def test_a_refusal_of_the_register_names_the_nominee_and_changes_nothing(places):
    office = make_office()
    round_ = open_round(office)
    make_notice(round_, office)
    on_notice(round_, places["wenhuali"], office, name="李秀英")
    twice = on_notice(round_, places["nanguan"], office, name="王建国")
    decision.award_honour(
        office,
        decision.scope_of(office, NOW),
        {
            "person_id": twice.person_id,
            "honour_type_id": round_.honour_type_id,
            "awarded_on": NOW.date(),
            "source": HonourSource.archive,
        },
        now=NOW,
    )
    db.session.commit()
    before = state()

    with pytest.raises(Conflict, match="王建国"):
        decide(office, round_)
    # The edge (a page, the API) rolls the unit of work back whole, the first honour with it.
    db.session.rollback()
    assert state() == before


# The API ------------------------------------------------------------------------------------


def api(round_):
    return f"/api/v1/honours/rounds/{round_.id}/decision"


def closed_round(office, places, **entries):
    """A round whose notice closed an hour ago (by the clock the requests read), with an entry
    on notice for each name given, placed where its value says."""
    round_ = open_round(office)
    make_notice(round_, office, closes_at=utcnow() - timedelta(hours=1))
    made = {
        name: on_notice(round_, places[place], office, name=name) for name, place in entries.items()
    }
    return round_, made


def test_the_city_records_the_decision_through_the_api(client, bearer, places):
    office = make_office()
    round_, _ = closed_round(office, places, 李秀英="wenhuali", 王建国="nanguan")
    headers = bearer(office)
    today = local_day(utcnow()).isoformat()

    waiting = client.get(api(round_), headers=headers)
    recorded = client.post(
        api(round_), json={"document_number": NUMBER, "decided_on": today}, headers=headers
    )
    again = client.post(
        api(round_),
        json={"document_number": "秦文明委〔2026〕99号", "decided_on": today},
        headers=headers,
    )

    assert waiting.status_code == 200, waiting.json
    assert [w["nominee_name"] for w in waiting.json["waiting"]] == ["李秀英", "王建国"]
    assert waiting.json["decision"] is None
    assert recorded.status_code == 201, recorded.json
    assert recorded.json["decision"]["document_number"] == NUMBER
    assert recorded.json["waiting"] == []
    honours = [item["honour"] for item in recorded.json["approved"]]
    assert [h["person"]["name"] for h in honours] == ["李秀英", "王建国"]
    assert all(h["decision_number"] == NUMBER and h["source"] == "round" for h in honours)
    assert all(h["certificate_number"].startswith(f"QHD-HR-{today[:4]}-") for h in honours)
    assert again.status_code == 409 and again.json["code"] == "decided"


def test_the_api_refuses_each_wrong_decision_and_changes_nothing(client, bearer, places):
    office = make_office()
    round_, made = closed_round(office, places, 李秀英="wenhuali", 王建国="nanguan")
    object_to(made["王建国"], make_user())
    early = open_round(office, name="2027年1月“秦皇岛好人”月评")
    make_notice(early, office, closes_at=utcnow() + timedelta(days=1))
    on_notice(early, places["hongqilu"], office, name="赵春梅")
    district = make_clerk(AssignmentKind.district_clerk, places["haigang"], name="区文明办")
    today = local_day(utcnow()).isoformat()
    good = {"document_number": NUMBER, "decided_on": today}
    office_headers = bearer(office)
    before = state()

    objected = client.post(api(round_), json=good, headers=office_headers)
    not_closed = client.post(api(early), json=good, headers=office_headers)
    not_city = client.post(api(round_), json=good, headers=bearer(district))
    stranger = client.post(api(round_), json=good, headers=bearer(make_user()))
    blank = client.post(api(round_), json={**good, "document_number": ""}, headers=office_headers)
    future = client.post(
        api(round_),
        json={**good, "decided_on": (local_day(utcnow()) + timedelta(days=1)).isoformat()},
        headers=office_headers,
    )
    missing = client.post(
        "/api/v1/honours/rounds/999999/decision", json=good, headers=office_headers
    )

    assert objected.status_code == 409 and objected.json["code"] == "objection_pending"
    assert "王建国" in objected.json["message"] and "李秀英" not in objected.json["message"]
    assert not_closed.status_code == 409 and not_closed.json["code"] == "notice_open"
    assert not_city.status_code == 403
    assert stranger.status_code == 404
    assert blank.status_code == 422 and "document_number" in blank.json["errors"]
    assert future.status_code == 422 and "decided_on" in future.json["errors"]
    assert missing.status_code == 404
    db.session.expire_all()
    assert state() == before


def test_a_document_number_taken_by_another_round_is_refused_through_the_api(
    client, bearer, places
):
    office = make_office()
    first, _ = closed_round(office, places, 李秀英="wenhuali")
    second = open_round(office, name="2027年1月“秦皇岛好人”月评")
    make_notice(second, office, closes_at=utcnow() - timedelta(hours=1))
    on_notice(second, places["nanguan"], office, name="王建国")
    headers = bearer(office)
    good = {"document_number": NUMBER, "decided_on": local_day(utcnow()).isoformat()}
    assert client.post(api(first), json=good, headers=headers).status_code == 201
    before = state()

    taken = client.post(api(second), json=good, headers=headers)

    assert taken.status_code == 409 and "document_number" in taken.json["errors"]
    db.session.expire_all()
    assert state() == before


def test_certificates_through_the_api_for_the_office_and_the_person_only(client, bearer, places):
    office = make_office()
    round_, made = closed_round(office, places, 李秀英="wenhuali")
    person_account = make_user(display_name="李秀英")
    made["李秀英"].person.user_id = person_account.id
    headers = bearer(office)
    client.post(
        api(round_),
        json={"document_number": NUMBER, "decided_on": local_day(utcnow()).isoformat()},
        headers=headers,
    )
    honour_id = db.session.get(type(made["李秀英"]), made["李秀英"].id).honour_id
    url = f"/api/v1/honours/{honour_id}/certificate.pdf"
    other_district = make_clerk(
        AssignmentKind.district_clerk, places["shanhaiguan"], name="区文明办"
    )
    own_district = make_clerk(AssignmentKind.district_clerk, places["haigang"], name="海港区文明办")

    by_office = client.get(url, headers=headers)
    by_district = client.get(url, headers=bearer(own_district))
    by_person = client.get(url, headers=bearer(person_account))
    by_other = client.get(url, headers=bearer(other_district))
    by_stranger = client.get(url, headers=bearer(make_user()))
    mine = client.get("/api/v1/me/honour-certificates", headers=bearer(person_account))

    assert by_office.status_code == by_district.status_code == by_person.status_code == 200
    assert by_office.mimetype == "application/pdf" and by_office.data.startswith(b"%PDF-")
    assert "李秀英" in pdf_text(by_person.data)
    assert by_other.status_code == by_stranger.status_code == 404
    assert mine.status_code == 200 and len(mine.json) == 1
    assert mine.json[0]["number"].startswith("QHD-HR-") and mine.json[0]["honour_id"] == honour_id
    assert "X-Pagination" in mine.headers


# Pages ---------------------------------------------------------------------------------------


def test_the_office_records_the_decision_on_its_page_and_downloads_the_certificates(app, places):
    office = make_office()
    round_, made = closed_round(office, places, 李秀英="wenhuali", 王建国="nanguan")
    db.session.commit()
    client = sign_in(app.test_client(), office)
    page = f"/honours/rounds/{round_.id}/decision"

    shown = client.get(page)
    blank = client.post(page, data={"document_number": "", "decided_on": ""})
    done = client.post(
        page, data={"document_number": NUMBER, "decided_on": local_day(utcnow()).isoformat()}
    )
    after = client.get(page)
    round_page = client.get(f"/honours/rounds/{round_.id}")

    assert (
        shown.status_code == 200
        and "李秀英" in shown.text
        and 'data-testid="decision-form"' in shown.text
    )
    assert blank.status_code == 422
    assert done.status_code == 302
    assert NUMBER in after.text and 'data-testid="certificate"' in after.text
    assert f"/honours/rounds/{round_.id}/decision" in round_page.text
    assert f"/honours/rounds/{round_.id}/pipeline" in round_page.text
    db.session.expire_all()
    honour_id = db.session.get(type(made["李秀英"]), made["李秀英"].id).honour_id
    download = client.get(f"/honours/register/honours/{honour_id}/certificate.pdf")
    assert download.status_code == 200 and download.mimetype == "application/pdf"
    assert "attachment" in download.headers["Content-Disposition"]
    person = client.get(f"/honours/register/persons/{made['李秀英'].person_id}")
    assert f'data-testid="certificate-{honour_id}"' in person.text


def test_a_refused_decision_on_the_page_says_why_and_changes_nothing(app, places):
    office = make_office()
    round_, made = closed_round(office, places, 王建国="nanguan")
    object_to(made["王建国"], make_user())
    db.session.commit()
    before = state()
    client = sign_in(app.test_client(), office)
    page = f"/honours/rounds/{round_.id}/decision"

    refused = client.post(
        page,
        data={"document_number": NUMBER, "decided_on": local_day(utcnow()).isoformat()},
        follow_redirects=True,
    )

    assert "王建国" in refused.text and 'data-testid="objected"' in refused.text
    db.session.expire_all()
    assert state() == before


def test_a_district_clerk_reads_the_decision_but_is_not_offered_the_form(app, places):
    office = make_office()
    round_, _ = closed_round(office, places, 李秀英="wenhuali", 王建国="nanguan")
    district = make_clerk(AssignmentKind.district_clerk, places["haigang"], name="区文明办")
    db.session.commit()
    client = sign_in(app.test_client(), district)

    shown = client.get(f"/honours/rounds/{round_.id}/decision")
    refused = client.post(
        f"/honours/rounds/{round_.id}/decision",
        data={"document_number": NUMBER, "decided_on": local_day(utcnow()).isoformat()},
    )

    assert shown.status_code == 200 and "李秀英" in shown.text
    # The nominee of another district is not theirs to know of.
    assert "王建国" not in shown.text
    assert 'data-testid="decision-form"' not in shown.text
    assert refused.status_code == 403
    assert db.session.scalar(select(func.count()).select_from(RoundDecision)) == 0


def test_the_honoured_person_downloads_the_certificate_from_the_profile(app, places):
    office = make_office()
    round_, made = closed_round(office, places, 李秀英="wenhuali")
    account = make_user(display_name="李秀英")
    made["李秀英"].person.user_id = account.id
    decide(office, round_, on=local_day(utcnow()), now=utcnow())
    db.session.commit()
    client = sign_in(app.test_client(), account)

    profile = client.get("/profile")
    link = re.search(r'href="(/honours/register/honours/\d+/certificate\.pdf)"', profile.text)
    download = client.get(link.group(1))

    assert 'data-testid="honour-certificates"' in profile.text
    assert download.status_code == 200 and "李秀英" in pdf_text(download.data)


def test_the_verification_page_shows_the_masked_name_and_no_id_or_phone(app, client, places):
    office = make_office()
    round_, made = closed_round(office, places, 李秀英="wenhuali")
    decide(office, round_, on=local_day(utcnow()), now=utcnow())
    person = made["李秀英"].person
    document = decision.honour_certificate(office, made["李秀英"].honour_id, now=utcnow())
    number, code = document.number, document.check_code
    db.session.commit()

    shown = client.get("/certificates/verify", query_string={"number": number, "code": code})
    wrong = client.get("/certificates/verify", query_string={"number": number, "code": "2345678"})

    assert 'data-testid="genuine"' in shown.text
    assert "李*英" in shown.text and "李秀英" not in shown.text
    assert person.id_number not in shown.text and person.phone not in shown.text
    assert person.id_number[-4:] not in shown.text
    assert "Honour certificate" in shown.text or "荣誉证书" in shown.text
    assert 'data-testid="not-confirmed"' in wrong.text


def test_the_data_export_of_an_honoured_account_lists_the_certificate(places):
    office = make_office()
    round_ = open_round(office)
    make_notice(round_, office)
    entry = on_notice(round_, places["wenhuali"], office, name="李秀英")
    account = make_user(display_name="李秀英")
    entry.person.user_id = account.id
    decide(office, round_)

    sections = {s.key: s for s in gather_personal_data(account, now=NOW).sections}
    recorded = {s.key: s for s in gather_personal_data(office, now=NOW).sections}

    number = db.session.get(Honour, entry.honour_id).certificate_number
    assert [row["number"] for row in sections["certificates"].rows] == [number]
    assert [row["certificate_number"] for row in sections["register_honours"].rows] == [number]
    assert [row["document_number"] for row in recorded["decisions_recorded"].rows] == [NUMBER]


def test_the_nomination_page_shows_the_honour_and_the_certificate_to_whom_may_have_it(app, places):
    office = make_office()
    round_, made = closed_round(office, places, 李秀英="wenhuali")
    entry = made["李秀英"]
    nominator = make_user(display_name="热心群众")
    entry.nominators[0].user_id = nominator.id
    decide(office, round_, on=local_day(utcnow()), now=utcnow())
    number = db.session.get(Honour, entry.honour_id).certificate_number
    db.session.commit()
    page = f"/honours/nominations/{entry.id}"

    by_office = sign_in(app.test_client(), office).get(page)
    by_nominator = sign_in(app.test_client(), nominator).get(page)

    assert by_office.status_code == 200 and 'data-testid="decision"' in by_office.text
    assert number in by_office.text and 'data-testid="certificate"' in by_office.text
    assert by_nominator.status_code == 200 and number in by_nominator.text
    assert 'data-testid="certificate"' not in by_nominator.text
