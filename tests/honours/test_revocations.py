"""Revocation of honours (撤销) through the service: its effects in one unit of work, checked
from a second app instance right after the commit; a second revocation refused with nothing
changed; who may revoke; the recall task's closing and who sees it."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from certificates.models import IssuedDocument
from core.auth.assignments import AssignmentKind
from core.auth.models import User
from core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from core.extensions import db
from core.rows import Window
from core.settings import current_settings
from events import services as events
from events.services.browsing import service_totals
from honours import services
from honours.card_models import CardStatus, CourtesyCard
from honours.models import Honour, HonourCategory
from honours.revocation_models import (
    RecallStatus,
    RecallTask,
    Reinstatement,
    Revocation,
    RevocationHonour,
)
from honours.services import card_codes, cards, revocation, verification
from honours.services.scope import scope_of
from points.services.ledger import balance_of
from tests.builders import (
    give_points,
    make_activity,
    make_campaign,
    make_shift,
    make_team,
    make_user,
)
from tests.honours.builders import NOW, honour_type, make_clerk, make_office, make_places
from tests.honours.card_builders import make_card, make_honoured
from tests.honours.revocation_builders import REASON, certify, make_holder, revoke
from tests.honours.verification_builders import make_partner, make_staff

ALL = Window(0, 100)


def _served(volunteer: User) -> None:
    """Two confirmed hours of service, with their points."""
    shift = make_shift(
        make_activity(make_team(district_code="haigang"), make_campaign()),
        starts_in_hours=-48,
        hours=2,
    )
    leader = shift.activity.team.founder
    row = events.check_in_by_leader(
        leader, shift.id, phone=volunteer.phone, now=shift.starts_at, leader_days=7
    )
    events.check_out_by_leader(leader, row.id, now=shift.ends_at)
    events.confirm_attendance(leader, shift.id, now=shift.ends_at + timedelta(minutes=1))


def _rows(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_one_revocation_ends_the_card_everywhere_hides_the_roll_entry_and_keeps_the_points(
    app, make_app, bearer
):
    places, office = make_places(), make_office()
    volunteer = make_user(display_name="赵守信")
    give_points(volunteer, 120)
    _served(volunteer)
    person, honour, card, document = make_holder(
        places["wenhuali"], office, user=volunteer, name="赵守信"
    )
    person.has_publication_consent = True
    staff = make_staff(make_partner(office))
    ids = {"person": person.id, "honour": honour.id, "card": card.id, "document": document.id}
    number, staff_id, office_id = card.number, staff.id, office.id
    balance, totals = balance_of(volunteer), service_totals(volunteer)
    client = app.test_client()
    assert ids["person"] in [e["id"] for e in client.get("/api/v1/honour-roll").json]
    headers = bearer(office)
    other = make_app()

    def check_elsewhere() -> bool:
        # Another server: its own engine and connections, nothing shared with this app's.
        with other.app_context():
            answer = verification.check_card(
                db.session.get(User, staff_id), number=number, now=NOW, settings=current_settings()
            )
            db.session.commit()
            return answer.is_valid

    assert check_elsewhere() is True

    made = client.post(
        f"/api/v1/honours/persons/{ids['person']}/revocations",
        json={
            "honour_ids": [ids["honour"]],
            "reason": REASON,
            "decision_number": "秦文明〔2026〕12号",
        },
        headers=headers,
    )

    assert made.status_code == 201, made.json
    assert check_elsewhere() is False
    db.session.expire_all()
    listed = client.get("/api/v1/honour-roll").json
    assert ids["person"] not in [e["id"] for e in listed]
    assert client.get(f"/api/v1/honour-roll/{ids['person']}").status_code == 404
    card = db.session.get(CourtesyCard, ids["card"])
    assert card.status is CardStatus.revoked
    assert (card.ended_by_id, card.end_note) == (office_id, REASON)
    task = db.session.scalar(select(RecallTask))
    assert (task.status, task.card_id, task.person_id) == (
        RecallStatus.open,
        card.id,
        ids["person"],
    )
    document = db.session.get(IssuedDocument, ids["document"])
    assert document.revoked_at is not None and document.revoked_by_id == office_id
    assert document.revocation_reason.startswith("秦文明〔2026〕12号")
    assert db.session.get(Honour, ids["honour"]).revoked_at is not None
    volunteer = db.session.get(User, volunteer.id)
    assert balance_of(volunteer) == balance and service_totals(volunteer) == totals
    assert made.json["decided_by"]["id"] == office_id
    assert made.json["recall_task"]["status"] == "open"
    history = client.get(f"/api/v1/honours/revocations?person_id={ids['person']}", headers=headers)
    assert [r["reason"] for r in history.json] == [REASON]


def test_the_person_page_history_shows_who_revoked_what_and_when(app, client):
    from tests.conftest import sign_in

    places, office = make_places(), make_office()
    office.display_name = "市文明办王主任"
    person, *_ = make_holder(places["wenhuali"], office, name="钱有信")
    revoke(office, person)
    db.session.commit()

    page = sign_in(client, office).get(f"/honours/register/persons/{person.id}")

    assert page.status_code == 200
    history = page.text.split('data-testid="history"')[1]
    assert "市文明办王主任" in history and REASON in history and "秦文明〔2026〕12号" in history
    assert person.honours[0].honour_type.label in history
    assert 'data-testid="revoke-form"' not in page.text  # nothing left to revoke


def test_revoking_an_honour_twice_is_a_conflict_and_changes_nothing(app):
    places, office = make_places(), make_office()
    person, honour, _card, _ = make_holder(places["wenhuali"], office)
    second = make_honoured(places["wenhuali"], office, name="孙二", code="good_person_hebei")
    revoke(office, person, [honour])
    before = (_rows(Revocation), _rows(RevocationHonour), _rows(RecallTask))

    with pytest.raises(Conflict):
        revoke(office, person, [honour], now=NOW + timedelta(hours=1))
    # Another person's honour beside one revoked already: refused as a whole.
    with pytest.raises((Conflict, ValidationFailed)):
        revoke(office, person, [honour, second.honours[0]])

    assert (_rows(Revocation), _rows(RevocationHonour), _rows(RecallTask)) == before
    assert db.session.get(Honour, honour.id).revoked_at == NOW
    assert second.honours[0].revoked_at is None


def test_only_the_city_revokes(app):
    places, office = make_places(), make_office()
    person, honour, card, _ = make_holder(places["wenhuali"], office)
    district = make_clerk(AssignmentKind.district_clerk, places["haigang"])
    city_staff = make_clerk(AssignmentKind.city_staff)

    for actor in (district, make_user()):
        with pytest.raises((Forbidden, NotFound)):
            revoke(actor, person)
    assert honour.revoked_at is None and card.status is CardStatus.active

    revoke(city_staff, person)
    assert honour.revoked_at is not None


@pytest.mark.parametrize(
    "change",
    [
        {"reason": "  "},
        {"honour_ids": []},
        {"honour_ids": [999_999]},
        {"decision_number": "号" * 61},
    ],
    ids=["empty-reason", "no-honour", "unknown-honour", "long-number"],
)
def test_bad_input_is_refused_with_nothing_changed(app, change):
    places, office = make_places(), make_office()
    person, honour, card, _ = make_holder(places["wenhuali"], office)
    values = {"honour_ids": [honour.id], "reason": REASON, "decision_number": None, **change}

    with pytest.raises(ValidationFailed) as refused:
        revocation.revoke_honours(
            office,
            person.id,
            values["honour_ids"],
            reason=values["reason"],
            decision_number=values["decision_number"],
            now=NOW,
        )

    assert set(refused.value.errors) & {"reason", "honour_ids", "decision_number"}
    assert honour.revoked_at is None and card.status is CardStatus.active
    assert _rows(Revocation) == 0


def test_another_persons_honour_is_refused(app):
    places, office = make_places(), make_office()
    person, *_ = make_holder(places["wenhuali"], office)
    _other, other_honour, *_ = make_holder(places["wenhuali"], office, name="周别人")

    with pytest.raises(ValidationFailed):
        revoke(office, person, [other_honour])
    assert other_honour.revoked_at is None and _rows(Revocation) == 0


def test_a_card_not_printed_is_revoked_but_not_to_be_taken_back(app):
    places, office = make_places(), make_office()
    person = make_honoured(places["wenhuali"], office)
    card = make_card(person, office, status=CardStatus.to_print)

    made = revoke(office, person)

    assert card.status is CardStatus.revoked
    assert made.recall_task.card_id is None


def test_the_certificate_revoked_before_keeps_its_own_revocation(app):
    places, office = make_places(), make_office()
    person, _honour, _card, document = make_holder(places["wenhuali"], office)
    document.revoked_at, document.revoked_by_id = NOW - timedelta(days=3), office.id
    document.revocation_reason = "证书信息有误"

    revoke(office, person)

    assert document.revocation_reason == "证书信息有误"


def test_a_person_without_card_or_certificate_still_gets_a_recall_task(app):
    places, office = make_places(), make_office()
    person = make_honoured(places["wenhuali"], office)

    made = revoke(office, person)

    assert made.recall_task.status is RecallStatus.open
    assert made.recall_task.card_id is None


# Recall tasks ------------------------------------------------------------------------------------


@pytest.fixture
def tasks(app):
    places, office = make_places(), make_office()
    person, *_ = make_holder(places["wenhuali"], office)
    made = revoke(office, person)
    return {
        "office": office,
        "task": made.recall_task,
        "district": make_clerk(AssignmentKind.district_clerk, places["haigang"]),
        "other": make_clerk(AssignmentKind.district_clerk, places["shanhaiguan"]),
        "street": make_clerk(AssignmentKind.street_clerk, places["wenhualu"]),
    }


def test_the_district_clerk_sees_and_closes_their_districts_task(tasks):
    district, task = tasks["district"], tasks["task"]

    listed = revocation.list_recall_tasks(district, now=NOW, window=ALL, status=RecallStatus.open)
    assert [row.task.id for row in listed.items] == [task.id]
    assert listed.items[0].certificate_numbers == (task.revocation.honours[0].certificate_number,)

    closed = revocation.close_recall_task(district, task.id, recovered=True, note=None, now=NOW)

    assert (closed.status, closed.closed_by_id, closed.closed_at) == (
        RecallStatus.done,
        district.id,
        NOW,
    )
    assert (
        revocation.list_recall_tasks(district, now=NOW, window=ALL, status=RecallStatus.open).items
        == []
    )
    with pytest.raises(Conflict):
        revocation.close_recall_task(district, task.id, recovered=False, note="已外出", now=NOW)


def test_another_districts_clerk_neither_sees_nor_closes_the_task(tasks):
    other, task = tasks["other"], tasks["task"]

    assert revocation.list_recall_tasks(other, now=NOW, window=ALL).items == []
    assert revocation.list_revocations(other, now=NOW, window=ALL).items == []
    with pytest.raises(NotFound):
        revocation.close_recall_task(other, task.id, recovered=True, note=None, now=NOW)
    with pytest.raises(NotFound):
        revocation.close_recall_task(make_user(), task.id, recovered=True, note=None, now=NOW)
    with pytest.raises(Forbidden):
        revocation.close_recall_task(tasks["street"], task.id, recovered=True, note=None, now=NOW)
    assert task.status is RecallStatus.open


def test_not_recoverable_needs_a_note(tasks):
    office, task = tasks["office"], tasks["task"]

    with pytest.raises(ValidationFailed) as refused:
        revocation.close_recall_task(office, task.id, recovered=False, note="  ", now=NOW)
    assert "note" in refused.value.errors
    assert task.status is RecallStatus.open

    closed = revocation.close_recall_task(
        office, task.id, recovered=False, note="本人已迁居外省，证书遗失", now=NOW
    )
    assert (closed.status, closed.note) == (
        RecallStatus.not_recoverable,
        "本人已迁居外省，证书遗失",
    )


def test_the_office_lists_every_revocation_newest_first(app):
    places, office = make_places(), make_office()
    first, *_ = make_holder(places["wenhuali"], office, name="甲某")
    second, *_ = make_holder(places["nanguan"], office, name="乙某")
    revoke(office, first)
    revoke(office, second, now=NOW + timedelta(days=1))
    certify(office, first, make_honoured(places["wenhuali"], office).honours[0])

    found = revocation.list_revocations(office, now=NOW, window=ALL)

    assert [r.person.name for r in found.items] == ["乙某", "甲某"]
    assert found.total == 2


def test_a_person_whose_honour_was_revoked_is_due_no_new_card_for_another_honour(app):
    places, office = make_places(), make_office()
    person, honour, _card, _ = make_holder(places["wenhuali"], office)
    # A second honour that gives a card too, kept when the first is revoked.
    services.award_honour(
        office,
        scope_of(office, NOW),
        {
            "person_id": person.id,
            "honour_type_id": honour_type("good_person_hebei").id,
            "category": HonourCategory.helping_others,
            "awarded_on": date(2026, 6, 1),
        },
        now=NOW,
    )
    revoke(office, person, [honour])

    assert person.id not in {
        e.person.id for e in cards.list_eligible(scope_of(office, NOW), ALL).items
    }
    with pytest.raises(ValidationFailed):
        cards.issue_card(office, scope_of(office, NOW), person.id, valid_until=None, now=NOW)
    assert card_codes.highest_level(person.id) is None


def test_a_reinstatement_gives_the_honours_back_once_and_keeps_the_revocation(app, client):
    from tests.conftest import sign_in

    places, office = make_places(), make_office()
    person, honour, card, _ = make_holder(places["wenhuali"], office)
    revoked = revoke(office, person, [honour])
    later = NOW + timedelta(days=30)

    district = make_clerk(AssignmentKind.district_clerk, places["haigang"])
    for actor in (district, make_user()):
        with pytest.raises((Forbidden, NotFound)):
            revocation.reinstate_honours(actor, revoked.id, reason="复核撤销", now=later)
    with pytest.raises(ValidationFailed):
        revocation.reinstate_honours(office, revoked.id, reason=" ", now=later)
    given = revocation.reinstate_honours(office, revoked.id, reason="复核认定证据不足", now=later)

    assert honour.revoked_at is None and given.decided_by_id == office.id
    assert db.session.get(Revocation, revoked.id).reinstatement is given
    # The revoked card stays revoked; the person is due a new one.
    assert card.status is CardStatus.revoked
    eligible = cards.list_eligible(scope_of(office, later), ALL).items
    assert person.id in {each.person.id for each in eligible}
    with pytest.raises(Conflict):
        revocation.reinstate_honours(office, revoked.id, reason="再次", now=later)
    assert _rows(Reinstatement) == 1
    db.session.commit()
    history = sign_in(client, office).get(f"/honours/register/persons/{person.id}").text
    history = history.split('data-testid="history"')[1]
    assert f"revocation-{revoked.id}" in history and f"reinstatement-{given.id}" in history
    assert "复核认定证据不足" in history
