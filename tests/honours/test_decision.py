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
from core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from core.extensions import db
from core.rows import Window
from core.settings import current_settings
from honours.models import Honour, HonourSource, Person
from honours.nomination_models import ReviewStep, RoundDecision, Stage, StepAction
from honours.services import decision
from honours.services.roll import RollFilter, search_roll
from tests.builders import make_user
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

    with pytest.raises(Conflict, match="recorded already"):
        decide(office, round_, number="秦文明委〔2026〕13号")
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

    with pytest.raises(Conflict, match="nothing to decide"):
        decide(office, round_)
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
