"""The card's life through its services: who is due a card, issuing (one, all), printing,
handing over, a lost card and its replacement, expiry, renewal, and the holder's own card."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
import time_machine
from pypdf import PdfReader
from sqlalchemy import func, select

from core.auth.assignments import AssignmentKind
from core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from core.extensions import db
from core.rows import Window
from core.settings import current_settings
from honours.card_models import CardStatus, CourtesyCard
from honours.models import HonourLevel, PersonStatus
from honours.services import card_codes, cards
from tests.builders import make_user
from tests.honours.builders import NOW, make_clerk, make_office, make_places, scope
from tests.honours.card_builders import make_card, make_honoured, make_use

TODAY = NOW.date()


@pytest.fixture
def places(app):
    return make_places()


@pytest.fixture
def office(app):
    return make_office()


@pytest.fixture
def district(places):
    return make_clerk(AssignmentKind.district_clerk, places["haigang"], name="海港区文明办")


def _issue(actor, person, valid_until=None):
    return cards.issue_card(actor, scope(actor), person.id, valid_until=valid_until, now=NOW)


def _settings():
    settings = current_settings()
    return settings.check_in_secret, settings.uploads


# Who is due a card -------------------------------------------------------------------------------


def test_the_eligible_are_the_living_honoured_with_a_card_type_and_no_live_card(places, office):
    due = make_honoured(places["wenhuali"], office, name="甲")
    make_honoured(places["wenhuali"], office, name="乙", code="good_person_county")
    with_card = make_honoured(places["wenhuali"], office, name="丙")
    make_card(with_card, office)
    expired = make_honoured(places["wenhuali"], office, name="丁")
    make_card(expired, office, status=CardStatus.expired, valid_until=TODAY - timedelta(days=1))
    gone = make_honoured(places["wenhuali"], office, name="戊")
    gone.status, gone.died_on = PersonStatus.deceased, date(2026, 1, 1)
    revoked = make_honoured(places["wenhuali"], office, name="己")
    revoked.honours[0].revoked_at = NOW
    db.session.flush()

    found = cards.list_eligible(scope(office), Window())

    assert sorted(e.person.name for e in found.items) == sorted([due.name, expired.name])
    assert found.items[0].level is HonourLevel.city
    assert "*" in found.items[0].masked_id_number


def test_a_district_clerk_sees_the_eligible_of_their_district_only(places, office, district):
    make_honoured(places["wenhuali"], office, name="海港人")
    make_honoured(places["nanguan"], office, name="山海关人")

    found = cards.list_eligible(scope(district), Window())

    assert [e.person.name for e in found.items] == ["海港人"]


def test_clerks_below_the_district_issue_nothing(places, office):
    street = make_clerk(AssignmentKind.street_clerk, places["wenhualu"])
    person = make_honoured(places["wenhuali"], office)
    with pytest.raises(Forbidden):
        cards.list_eligible(scope(street), Window())
    with pytest.raises(Forbidden):
        _issue(street, person)
    with pytest.raises(NotFound):
        _issue(make_user(), person)


# Issuing -----------------------------------------------------------------------------------------


def test_issue_makes_a_card_to_print_valid_to_the_end_of_next_year(places, office, district):
    person = make_honoured(places["wenhuali"], office)

    card = _issue(district, person)

    assert card.status is CardStatus.to_print
    assert card.valid_until == date(2027, 12, 31)
    assert card_codes.normalize_number(card.number) == card.number
    assert card.created_by_id == district.id
    assert card_codes.live_card(person.id) is card


def test_issue_takes_the_clerks_date_which_must_lie_ahead(places, office, district):
    person = make_honoured(places["wenhuali"], office)
    for past in (TODAY, TODAY - timedelta(days=3), date(2040, 1, 1)):
        with pytest.raises(ValidationFailed) as refused:
            _issue(district, person, past)
        assert "valid_until" in refused.value.errors
    assert _issue(district, person, date(2028, 6, 30)).valid_until == date(2028, 6, 30)


def test_issue_refuses_a_second_live_card(places, office, district):
    person = make_honoured(places["wenhuali"], office)
    _issue(district, person)
    with pytest.raises(Conflict):
        _issue(office, person)
    assert db.session.scalar(select(func.count()).select_from(CourtesyCard)) == 1


def test_issue_refuses_one_not_due_a_card(places, office, district):
    county = make_honoured(places["wenhuali"], office, code="good_person_county")
    gone = make_honoured(places["wenhuali"], office, name="故人")
    gone.status, gone.died_on = PersonStatus.deceased, date(2026, 1, 1)
    db.session.flush()
    for person in (county, gone):
        with pytest.raises(ValidationFailed):
            _issue(district, person)
    with pytest.raises(NotFound):
        cards.issue_card(district, scope(district), 999_999, valid_until=None, now=NOW)


def test_a_district_clerk_is_refused_another_districts_person(places, office, district):
    person = make_honoured(places["nanguan"], office)
    with pytest.raises(Forbidden):
        _issue(district, person)


def test_issue_retries_a_number_that_is_taken(places, office, district, monkeypatch):
    taken = make_card(make_honoured(places["wenhuali"], office, name="旧卡人"), office)
    person = make_honoured(places["wenhuali"], office)
    numbers = iter([taken.number, taken.number, "1000000008"])
    monkeypatch.setattr(card_codes, "new_number", lambda: next(numbers))

    card = _issue(district, person)

    assert card.number == "1000000008"


def test_issue_all_issues_to_everyone_due_in_scope(places, office, district):
    make_honoured(places["wenhuali"], office, name="甲")
    make_honoured(places["hongqilu"], office, name="乙")
    make_honoured(places["nanguan"], office, name="丙")
    with_card = make_honoured(places["wenhuali"], office, name="丁")
    make_card(with_card, office)

    run = cards.issue_all(district, scope(district), valid_until=None, now=NOW)

    assert (run.issued, run.skipped, run.valid_until) == (2, 0, date(2027, 12, 31))
    assert cards.list_eligible(scope(district), Window()).total == 0
    assert cards.list_eligible(scope(office), Window()).total == 1
    assert cards.issue_all(office, scope(office), valid_until=None, now=NOW).issued == 1


# Reading -----------------------------------------------------------------------------------------


def test_the_list_filters_and_keeps_to_the_readers_regions(places, office, district):
    a = make_card(make_honoured(places["wenhuali"], office, name="文化里"), office)
    make_card(
        make_honoured(places["hongqilu"], office, name="红旗路"),
        office,
        status=CardStatus.to_print,
    )
    make_card(make_honoured(places["nanguan"], office, name="南关"), office)
    community = make_clerk(AssignmentKind.community_clerk, places["wenhuali"])

    def names(user, **filters):
        found = cards.list_cards(scope(user), cards.CardFilter(**filters), Window(), now=NOW)
        return sorted(row.card.person.name for row in found.items)

    assert names(office) == ["南关", "文化里", "红旗路"]
    assert names(district) == ["文化里", "红旗路"]
    assert names(community) == ["文化里"]
    assert names(office, status=CardStatus.to_print) == ["红旗路"]
    assert names(office, q="南") == ["南关"]
    assert names(office, q=a.number[:4] + " " + a.number[4:]) == ["文化里"]
    assert names(office, valid_year=TODAY.year + 1) == ["南关", "文化里", "红旗路"]
    assert names(office, valid_year=TODAY.year) == []
    row = cards.get_card(scope(community), a.id, now=NOW)
    assert not row.may_keep and not row.may_report_lost
    assert cards.get_card(scope(district), a.id, now=NOW).may_report_lost
    with pytest.raises(NotFound):
        cards.list_cards(scope(make_user()), cards.CardFilter(), Window(), now=NOW)


def test_the_list_shows_an_active_card_past_its_date_as_expired(places, office):
    card = make_card(make_honoured(places["wenhuali"], office), office, valid_until=TODAY)
    tomorrow = NOW + timedelta(days=1)
    (row,) = cards.list_cards(scope(office), cards.CardFilter(), Window(), now=tomorrow).items
    assert row.card is card and row.status is CardStatus.expired


# Printing and handing over -----------------------------------------------------------------------


def test_printing_makes_a_sheet_of_the_cards_to_print_and_marks_them_printed(
    places, office, district
):
    people = [make_honoured(places["wenhuali"], office, name=f"好人{n}") for n in range(12)]
    made = [_issue(district, person) for person in people]
    other = _issue(office, make_honoured(places["nanguan"], office, name="山海关好人"))
    secret, uploads = _settings()

    run = cards.print_cards(
        district, scope(district), card_ids=None, now=NOW, secret=secret, uploads=uploads
    )

    assert [c.id for c in run.cards] == [c.id for c in made]
    assert all(c.status is CardStatus.issued and c.printed_at == NOW for c in made)
    assert other.status is CardStatus.to_print
    reader = PdfReader(io.BytesIO(run.pdf))
    assert len(reader.pages) == 2
    text = "".join(page.extract_text() for page in reader.pages)
    assert "好人卡" in text and "好人0" in text and "好人11" in text
    assert "2027年12月31日" in text
    first = made[0].number
    assert f"{first[:4]} {first[4:8]} {first[8:]}" in text


def test_printing_named_cards_prints_them_again_but_nothing_else(places, office, district):
    card = _issue(district, make_honoured(places["wenhuali"], office))
    active = make_card(make_honoured(places["wenhuali"], office, name="已激活"), office)
    secret, uploads = _settings()

    def print_(ids):
        return cards.print_cards(
            district, scope(district), card_ids=ids, now=NOW, secret=secret, uploads=uploads
        )

    print_([card.id])
    assert print_([card.id]).cards == [card]
    assert card.status is CardStatus.issued
    with pytest.raises(ValidationFailed):
        print_([active.id])
    with pytest.raises(ValidationFailed):
        print_([999_999])
    with pytest.raises(ValidationFailed):
        print_(None)  # nothing left to print


def test_hand_over_activates_a_printed_card_once(places, office, district):
    card = make_card(make_honoured(places["wenhuali"], office), office, status=CardStatus.issued)
    later = NOW + timedelta(hours=2)

    done = cards.hand_over(district, scope(district), card.id, now=later)

    assert done.status is CardStatus.active and done.activated_at == later
    assert card_codes.check_outcome(done, TODAY).value == "valid"
    with pytest.raises(Conflict):
        cards.hand_over(district, scope(district), card.id, now=later)


def test_hand_over_is_refused_outside_the_district(places, office, district):
    card = make_card(make_honoured(places["nanguan"], office), office, status=CardStatus.issued)
    with pytest.raises(Forbidden):
        cards.hand_over(district, scope(district), card.id, now=NOW)
    with pytest.raises(NotFound):
        cards.hand_over(district, scope(district), 999_999, now=NOW)
    assert card.status is CardStatus.issued


# Lost --------------------------------------------------------------------------------------------


def test_a_lost_card_is_cancelled_at_once_and_replaced_with_a_new_number(places, office, district):
    card = make_card(
        make_honoured(places["wenhuali"], office), office, valid_until=date(2027, 6, 30)
    )
    later = NOW + timedelta(hours=1)

    done = cards.report_lost(district, scope(district), card.id, note=" 公交上丢失 ", now=later)

    assert done.lost is card
    assert (card.status, card.ended_at, card.ended_by_id, card.end_note) == (
        CardStatus.lost,
        later,
        district.id,
        "公交上丢失",
    )
    new = done.replacement
    assert new.replaces_id == card.id and new.number != card.number
    assert (new.status, new.valid_until) == (CardStatus.to_print, date(2027, 6, 30))
    assert card_codes.check_outcome(card, TODAY).value == "replaced"
    with pytest.raises(Conflict):
        cards.report_lost(district, scope(district), card.id, note=None, now=later)
    assert db.session.scalar(select(func.count()).select_from(CourtesyCard)) == 2


def test_only_a_card_in_hand_can_be_reported_lost(places, office, district):
    to_print = make_card(
        make_honoured(places["wenhuali"], office, name="甲"), office, status=CardStatus.to_print
    )
    expired = make_card(
        make_honoured(places["wenhuali"], office, name="乙"), office, valid_until=TODAY
    )
    with pytest.raises(Conflict):
        cards.report_lost(district, scope(district), to_print.id, note=None, now=NOW)
    with pytest.raises(Conflict):
        cards.report_lost(
            district, scope(district), expired.id, note=None, now=NOW + timedelta(days=1)
        )
    with pytest.raises(ValidationFailed):
        cards.report_lost(district, scope(district), expired.id, note="长" * 501, now=NOW)
    assert expired.status is CardStatus.active


# Expiry and renewal ------------------------------------------------------------------------------


def test_expire_cards_marks_the_active_cards_past_their_date(places, office):
    old = make_card(make_honoured(places["wenhuali"], office, name="甲"), office, valid_until=TODAY)
    current = make_card(
        make_honoured(places["wenhuali"], office, name="乙"),
        office,
        valid_until=TODAY + timedelta(days=1),
    )
    printed = make_card(
        make_honoured(places["wenhuali"], office, name="丙"),
        office,
        status=CardStatus.issued,
        valid_until=TODAY - timedelta(days=5),
    )
    tomorrow = NOW + timedelta(days=1)

    assert cards.expire_cards(NOW) == 0
    assert cards.expire_cards(tomorrow) == 1
    db.session.expire_all()
    assert (old.status, old.ended_at) == (CardStatus.expired, tomorrow)
    assert current.status is CardStatus.active
    assert printed.status is CardStatus.issued
    assert cards.expire_cards(tomorrow) == 0


def test_renewal_gives_the_years_cards_a_new_date_and_activates_the_expired(places, office):
    end = date(2026, 12, 31)
    active = make_card(
        make_honoured(places["wenhuali"], office, name="甲"), office, valid_until=end
    )
    expired = make_card(
        make_honoured(places["wenhuali"], office, name="乙"),
        office,
        status=CardStatus.expired,
        valid_until=date(2026, 3, 1),
        ended_at=NOW,
    )
    later_year = make_card(
        make_honoured(places["wenhuali"], office, name="丙"), office, valid_until=date(2027, 5, 1)
    )
    lost = make_card(
        make_honoured(places["wenhuali"], office, name="丁"),
        office,
        status=CardStatus.lost,
        valid_until=end,
    )
    moved = make_honoured(places["wenhuali"], office, name="戊")
    make_card(moved, office, status=CardStatus.expired, valid_until=date(2026, 3, 1))
    make_card(moved, office, status=CardStatus.to_print, valid_until=date(2027, 12, 31))
    gone_person = make_honoured(places["wenhuali"], office, name="己")
    gone = make_card(gone_person, office, valid_until=end)
    gone_person.status, gone_person.died_on = PersonStatus.deceased, date(2026, 5, 1)
    db.session.flush()

    renewed = cards.renew_cards(
        office, scope(office), year=2026, valid_until=date(2027, 12, 31), now=NOW
    )

    assert renewed == 2
    db.session.expire_all()
    assert (active.status, active.valid_until) == (CardStatus.active, date(2027, 12, 31))
    assert (expired.status, expired.valid_until, expired.ended_at) == (
        CardStatus.active,
        date(2027, 12, 31),
        None,
    )
    assert later_year.valid_until == date(2027, 5, 1)
    assert lost.status is CardStatus.lost and lost.valid_until == end
    assert gone.valid_until == end


def test_renewal_is_the_citys_and_checks_its_dates(places, office, district):
    with pytest.raises(Forbidden):
        cards.renew_cards(
            district, scope(district), year=2026, valid_until=date(2027, 12, 31), now=NOW
        )
    for year, until, field in (
        (1999, date(2027, 12, 31), "year"),
        (2026, date(2026, 12, 31), "valid_until"),
        (2026, TODAY, "valid_until"),
    ):
        with pytest.raises(ValidationFailed) as refused:
            cards.renew_cards(office, scope(office), year=year, valid_until=until, now=NOW)
        assert field in refused.value.errors


# The holder --------------------------------------------------------------------------------------


def test_the_holder_reads_their_card_code_level_and_uses_newest_first(places, office):
    user = make_user(display_name="张好人")
    person = make_honoured(places["wenhuali"], office, user=user)
    card = make_card(person, office)
    make_use(card, office, partner_name="老龙头景区", benefit_name="免费游览", at=NOW)
    make_use(
        card, office, partner_name="体检中心", benefit_name="免费体检", at=NOW + timedelta(days=1)
    )
    secret, _ = _settings()

    mine = cards.my_card(user, Window(), now=NOW + timedelta(days=2), secret=secret)

    assert mine.card is card and mine.status is CardStatus.active
    assert card_codes.card_from_code(mine.code, secret=secret) is card
    assert mine.level is HonourLevel.city
    assert [u.partner.name for u in mine.uses.items] == ["体检中心", "老龙头景区"]
    with pytest.raises(NotFound):
        cards.my_card(make_user(), Window(), now=NOW, secret=secret)


def test_the_holder_gets_no_code_for_a_card_not_active(places, office):
    user = make_user()
    person = make_honoured(places["wenhuali"], office, user=user)
    make_card(person, office, status=CardStatus.issued)
    secret, _ = _settings()
    mine = cards.my_card(user, Window(), now=NOW, secret=secret)
    assert mine.status is CardStatus.issued and mine.code is None


def test_the_holder_reports_their_card_lost_and_sees_the_replacement(places, office):
    user = make_user()
    person = make_honoured(places["wenhuali"], office, user=user)
    card = make_card(person, office)
    secret, _ = _settings()

    done = cards.report_my_card_lost(user, note="丢了", now=NOW)

    assert done.lost is card and card.ended_by_id == user.id
    assert cards.find_my_card(user) is done.replacement
    assert cards.my_card(user, Window(), now=NOW, secret=secret).status is CardStatus.to_print
    with pytest.raises(Conflict):
        cards.report_my_card_lost(user, note=None, now=NOW)
    with pytest.raises(NotFound):
        cards.report_my_card_lost(make_user(), note=None, now=NOW)


# The nightly job and the command -----------------------------------------------------------------


def test_the_command_and_the_nightly_job_mark_expired_cards(app, places, office):
    from reminders import jobs

    first = make_card(
        make_honoured(places["wenhuali"], office, name="甲"), office, valid_until=TODAY
    )
    second = make_card(
        make_honoured(places["wenhuali"], office, name="乙"), office, valid_until=TODAY
    )
    assert ("expire_cards", "reminders.jobs:expire_cards", 1440) in jobs.JOBS
    db.session.commit()

    with time_machine.travel(NOW + timedelta(days=1), tick=False):
        result = app.test_cli_runner().invoke(args=["honours", "expire-cards"])
        assert result.exit_code == 0, result.output
        assert "2 cards expired." in result.output
        assert jobs.expire_cards() == 0
    db.session.expire_all()
    assert first.status is CardStatus.expired and second.status is CardStatus.expired


def test_the_sheet_prints_the_persons_photo(places, office, district):
    from PIL import Image

    from honours.services import set_person_photo

    person = make_honoured(places["wenhuali"], office)
    image = io.BytesIO()
    Image.new("RGB", (120, 160), (200, 30, 40)).save(image, format="PNG")
    image.seek(0)
    secret, uploads = _settings()
    set_person_photo(
        office,
        scope(office),
        person.id,
        stream=image,
        filename="photo.png",
        now=NOW,
        settings=uploads,
    )
    _issue(district, person)

    run = cards.print_cards(
        district, scope(district), card_ids=None, now=NOW, secret=secret, uploads=uploads
    )

    assert len(PdfReader(io.BytesIO(run.pdf)).pages[0].images) == 1
