"""Card verification through the services: a check answers valid or invalid only (a forged or
altered code, a mistyped number, a card not handed over, lost, replaced, expired or revoked
are all just invalid) and is recorded; a use takes one from the holder's counter for the
period and is refused, recorded, for a card no longer valid, a benefit the level does not
give and a used-up limit; a mismatch is recorded and ends the check; the partner's uses; the
alert of a lost, replaced or revoked card reaches its district's clerks once."""

from __future__ import annotations

import base64
import io
import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest
from PIL import Image
from sqlalchemy import func, select

from core.auth.assignments import AssignmentKind, RoleAssignment
from core.auth.models import User
from core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from core.extensions import db
from core.rows import Window
from core.settings import current_settings
from honours import services as register
from honours.card_models import (
    BenefitCounter,
    BenefitKind,
    CardCheck,
    CardStatus,
    CardUse,
    CheckOutcome,
    CourtesyCard,
    LimitPeriod,
    Partner,
    PartnerStatus,
)
from honours.models import Honour, HonourLevel, Person
from honours.services import verification
from honours.services.card_codes import card_code
from reminders import services as reminders
from reminders.messages import render
from reminders.models import Notification, NotificationKind
from tests.builders import make_user
from tests.honours.builders import NOW, make_clerk, make_office, make_places, scope
from tests.honours.card_builders import make_card, make_honoured
from tests.honours.verification_builders import (
    make_benefit,
    make_partner,
    make_staff,
    wrong_check_digit,
)


@dataclass
class Ground:
    places: dict
    office: User
    partner: Partner
    staff: User
    holder: Person
    card: CourtesyCard


@pytest.fixture
def ground(app) -> Ground:
    places = make_places()
    office = make_office()
    partner = make_partner(office, name="老龙头景区")
    staff = make_staff(partner)
    holder = make_honoured(places["wenhuali"], office, name="李秀英")
    card = make_card(holder, office)
    return Ground(places, office, partner, staff, holder, card)


def check(g: Ground, *, staff=None, now=NOW, **how) -> verification.CheckAnswer:
    if not how:
        how = {"number": g.card.number}
    return verification.check_card(staff or g.staff, **how, now=now, settings=current_settings())


def use(g: Ground, benefit, *, staff=None, card=None, now=NOW):
    return verification.record_use(
        staff or g.staff,
        card_id=(card or g.card).id,
        benefit_id=benefit.id,
        now=now,
        settings=current_settings(),
    )


def checks(outcome: CheckOutcome | None = None) -> list[CardCheck]:
    query = select(CardCheck).order_by(CardCheck.id)
    if outcome is not None:
        query = query.where(CardCheck.outcome == outcome)
    return list(db.session.scalars(query))


def altered(code: str, payload: list) -> str:
    """The code with another payload under its original signature."""
    _, signature = code.rsplit(".", 1)
    body = base64.urlsafe_b64encode(json.dumps(payload, separators=(",", ":")).encode())
    return body.decode().rstrip("=") + "." + signature


def png() -> io.BytesIO:
    image = io.BytesIO()
    Image.new("RGB", (8, 8), (30, 90, 200)).save(image, format="PNG")
    image.seek(0)
    return image


# Checks ----------------------------------------------------------------------------------------


def test_a_typed_valid_number_answers_the_holder_and_is_recorded(ground):
    benefit = make_benefit(ground.office, [ground.partner], name="免费游览老龙头")

    found = check(ground, number=" ".join([ground.card.number[:4], ground.card.number[4:]]))

    assert found.is_valid and found.card_id == ground.card.id
    assert found.name == "李秀英"
    assert found.id_last4 == ground.holder.id_number[-4:]
    assert not found.has_photo
    assert [(b.benefit.id, b.left) for b in found.benefits] == [(benefit.id, 2)]
    (recorded,) = checks()
    assert (recorded.card_id, recorded.scanned, recorded.outcome) == (
        ground.card.id,
        False,
        CheckOutcome.valid,
    )
    assert (recorded.partner_id, recorded.staff_id, recorded.checked_at) == (
        ground.partner.id,
        ground.staff.id,
        NOW,
    )


def test_a_scanned_code_is_recorded_as_scanned(ground):
    code = card_code(ground.card, secret=current_settings().check_in_secret)

    assert check(ground, code=code).is_valid
    assert checks()[0].scanned


@pytest.mark.parametrize(
    "forge",
    [
        lambda card, secret: card_code(card, secret="another-site's-secret"),
        lambda card, secret: card_code(card, secret=secret)[:-2] + "AA",
        lambda card, secret: altered(card_code(card, secret=secret), ["1000000008", card.id]),
        lambda card, secret: altered(card_code(card, secret=secret), [card.number, card.id + 1]),
        lambda card, secret: "not a code at all",
        lambda card, secret: card.number,
    ],
    ids=[
        "other-secret",
        "altered-signature",
        "altered-number",
        "altered-id",
        "garbage",
        "bare-number",
    ],
)
def test_a_forged_or_altered_code_answers_only_invalid(ground, forge):
    code = forge(ground.card, current_settings().check_in_secret)

    found = check(ground, code=code)

    assert found == verification.CheckAnswer(
        check_id=found.check_id, is_valid=False, partner_id=ground.partner.id
    )
    (recorded,) = checks()
    assert recorded.outcome is CheckOutcome.unknown and recorded.card_id is None
    assert recorded.scanned


def test_a_typed_number_with_a_wrong_check_digit_is_invalid(ground):
    found = check(ground, number=wrong_check_digit(ground.card.number))

    assert not found.is_valid and found.name is None and found.benefits == ()
    assert checks()[0].outcome is CheckOutcome.unknown


@pytest.mark.parametrize(
    ("status", "valid_until", "outcome"),
    [
        (CardStatus.revoked, None, CheckOutcome.revoked),
        (CardStatus.lost, None, CheckOutcome.lost),
        (CardStatus.expired, date(2026, 5, 1), CheckOutcome.expired),
        (CardStatus.active, date(2026, 5, 31), CheckOutcome.expired),
        (CardStatus.issued, None, CheckOutcome.not_active),
        (CardStatus.to_print, None, CheckOutcome.not_active),
    ],
)
def test_a_card_not_in_force_answers_only_invalid(ground, status, valid_until, outcome):
    other = make_honoured(ground.places["hongqilu"], ground.office, name="王芳")
    card = make_card(other, ground.office, status=status, valid_until=valid_until)

    found = check(ground, number=card.number)

    assert found == verification.CheckAnswer(
        check_id=found.check_id, is_valid=False, partner_id=ground.partner.id
    )
    assert checks()[0].outcome is outcome and checks()[0].card_id == card.id


def test_a_lost_cards_number_after_its_replacement_is_invalid_and_the_new_one_valid(ground):
    ground.card.status = CardStatus.lost
    new = make_card(ground.holder, ground.office, replaces=ground.card)

    assert not check(ground, number=ground.card.number).is_valid
    assert check(ground, number=new.number).is_valid
    assert [c.outcome for c in checks()] == [CheckOutcome.replaced, CheckOutcome.valid]


def test_the_card_is_valid_on_its_last_day_in_local_time(ground):
    ground.card.valid_until = date(2026, 6, 1)
    # 23:30 in Qinhuangdao on 1 June is still the card's last day; 00:30 on 2 June is not.
    assert check(ground, now=datetime(2026, 6, 1, 15, 30, tzinfo=UTC)).is_valid
    assert not check(ground, now=datetime(2026, 6, 1, 16, 30, tzinfo=UTC)).is_valid


def test_only_an_approved_partners_staff_may_check(ground):
    volunteer = make_user()
    with pytest.raises(Forbidden):
        check(ground, staff=volunteer)
    ground.partner.status = PartnerStatus.suspended
    with pytest.raises(Forbidden):
        check(ground)
    assert checks() == []


def test_a_check_wants_a_code_or_a_number_not_both(ground):
    with pytest.raises(ValidationFailed):
        check(ground, code="", number="  ")
    with pytest.raises(ValidationFailed):
        check(ground, code="x", number=ground.card.number)


def test_the_benefits_left_are_this_partners_for_the_holders_level(ground):
    office, partner = ground.office, ground.partner
    elsewhere = make_partner(office, name="北戴河体检中心")
    here = make_benefit(office, [partner], name="A 免费游览", limit=2)
    make_benefit(office, [elsewhere], name="B 别处的体检")
    make_benefit(office, [partner], name="C 省级以上", lowest=HonourLevel.provincial)
    make_benefit(office, [partner], name="D 停用", is_active=False)
    make_benefit(office, [partner], name="E 申请办理", kind=BenefitKind.application, limit=None)
    unlimited = make_benefit(office, [partner], name="F 优先通道", limit=None)
    db.session.add(
        BenefitCounter(
            person_id=ground.holder.id, benefit_id=here.id, period_start=date(2026, 1, 1), used=1
        )
    )
    # Last year's uses do not count this year.
    db.session.add(
        BenefitCounter(
            person_id=ground.holder.id, benefit_id=unlimited.id, period_start=date(2025, 1, 1)
        )
    )

    found = check(ground)

    assert [(b.benefit.name, b.left) for b in found.benefits] == [
        ("A 免费游览", 1),
        ("F 优先通道", None),
    ]


def test_a_holder_whose_honours_are_revoked_has_no_benefits(ground):
    make_benefit(ground.office, [ground.partner])
    for honour in db.session.scalars(select(Honour).where(Honour.person_id == ground.holder.id)):
        honour.revoked_at = NOW - timedelta(days=1)

    assert check(ground).benefits == ()


# Uses ------------------------------------------------------------------------------------------


def test_a_use_takes_one_from_the_years_counter_and_records_its_value(ground):
    benefit = make_benefit(ground.office, [ground.partner], limit=2, value_fen=6000)
    check(ground)

    recorded = use(ground, benefit)

    assert (recorded.card_id, recorded.person_id, recorded.benefit_id) == (
        ground.card.id,
        ground.holder.id,
        benefit.id,
    )
    assert (recorded.partner_id, recorded.staff_id, recorded.used_at) == (
        ground.partner.id,
        ground.staff.id,
        NOW,
    )
    assert recorded.value_fen == 6000 and recorded.period_start == date(2026, 1, 1)
    counter = db.session.scalar(select(BenefitCounter))
    assert (counter.person_id, counter.period_start, counter.used) == (
        ground.holder.id,
        date(2026, 1, 1),
        1,
    )
    assert [b.left for b in check(ground).benefits] == [1]


def test_the_limit_refuses_the_use_beyond_it_and_records_the_refusal(ground):
    benefit = make_benefit(ground.office, [ground.partner], limit=2)
    check(ground)
    use(ground, benefit)
    use(ground, benefit)

    with pytest.raises(Conflict) as refused:
        use(ground, benefit, now=NOW + timedelta(minutes=1))
    assert refused.value.code == "limit_reached" and refused.value.keeps_changes
    db.session.commit()  # as the request's end does for this refusal

    assert db.session.scalar(select(func.count()).select_from(CardUse)) == 2
    assert db.session.scalar(select(BenefitCounter.used)) == 2
    (refusal,) = checks(CheckOutcome.limit_reached)
    assert refusal.benefit_id == benefit.id and refusal.card_id == ground.card.id


def test_a_monthly_limit_starts_again_on_the_first_of_the_local_month(ground):
    benefit = make_benefit(ground.office, [ground.partner], limit=1, period=LimitPeriod.month)
    # 23:00 on 30 June in Qinhuangdao, then 00:30 on 1 July (16:30 UTC on 30 June).
    end_of_june = datetime(2026, 6, 30, 15, 0, tzinfo=UTC)
    july = datetime(2026, 6, 30, 16, 30, tzinfo=UTC)
    check(ground, now=end_of_june)
    assert use(ground, benefit, now=end_of_june).period_start == date(2026, 6, 1)
    with pytest.raises(Conflict):
        use(ground, benefit, now=end_of_june + timedelta(minutes=5))

    check(ground, now=july)
    assert use(ground, benefit, now=july).period_start == date(2026, 7, 1)


def test_the_year_starts_on_the_local_new_year(ground):
    benefit = make_benefit(ground.office, [ground.partner], limit=1)
    ground.card.valid_until = date(2027, 6, 1)
    new_year = datetime(2026, 12, 31, 16, 30, tzinfo=UTC)  # 00:30 on 1 January 2027
    check(ground, now=new_year)

    assert use(ground, benefit, now=new_year).period_start == date(2027, 1, 1)


def test_an_unlimited_benefit_needs_no_counter(ground):
    benefit = make_benefit(ground.office, [ground.partner], limit=None, value_fen=0)
    check(ground)

    for minute in range(3):
        assert use(ground, benefit, now=NOW + timedelta(minutes=minute)).period_start is None
    assert db.session.scalar(select(func.count()).select_from(BenefitCounter)) == 0


def test_a_shared_benefit_counts_once_for_all_its_partners(ground):
    other = make_partner(ground.office, name="山海关体检中心")
    other_staff = make_staff(other, name="另一验卡员")
    shared = make_benefit(ground.office, [ground.partner, other], name="免费体检", limit=1)
    check(ground)
    check(ground, staff=other_staff)
    use(ground, shared)

    with pytest.raises(Conflict) as refused:
        use(ground, shared, staff=other_staff)
    assert refused.value.code == "limit_reached"
    assert check(ground, staff=other_staff).benefits[0].left == 0


def test_a_benefit_the_level_does_not_give_is_refused_and_recorded(ground):
    high = make_benefit(ground.office, [ground.partner], lowest=HonourLevel.provincial)
    check(ground)

    with pytest.raises(ValidationFailed) as refused:
        use(ground, high)
    assert refused.value.code == "not_for_level" and refused.value.keeps_changes
    db.session.commit()

    assert db.session.scalar(select(func.count()).select_from(CardUse)) == 0
    assert [c.benefit_id for c in checks(CheckOutcome.not_for_level)] == [high.id]


def test_a_benefit_not_given_here_is_refused_and_nothing_is_recorded(ground):
    elsewhere = make_partner(ground.office, name="北戴河体检中心")
    theirs = make_benefit(ground.office, [elsewhere])
    by_application = make_benefit(
        ground.office, [ground.partner], kind=BenefitKind.application, limit=None
    )
    check(ground)

    for benefit in (theirs, by_application):
        with pytest.raises(ValidationFailed) as refused:
            use(ground, benefit)
        assert "benefit_id" in refused.value.errors and not refused.value.keeps_changes
    assert len(checks()) == 1


def test_a_use_needs_a_recent_valid_check_by_the_same_staff_here(ground):
    benefit = make_benefit(ground.office, [ground.partner])
    colleague = make_staff(ground.partner, name="同事")
    with pytest.raises(Conflict) as refused:
        use(ground, benefit)
    assert refused.value.code == "check_first"

    check(ground)
    with pytest.raises(Conflict):
        use(ground, benefit, staff=colleague)
    with pytest.raises(Conflict):
        use(ground, benefit, now=NOW + verification.CHECK_CONTEXT + timedelta(seconds=1))
    assert use(ground, benefit, now=NOW + verification.CHECK_CONTEXT).id


def test_a_card_revoked_after_its_check_refuses_the_use_and_records_it(ground):
    benefit = make_benefit(ground.office, [ground.partner])
    check(ground)
    ground.card.status = CardStatus.revoked

    with pytest.raises(Conflict) as refused:
        use(ground, benefit)
    assert refused.value.code == "card_invalid"
    assert str(refused.value.message) == str(verification.CARD_INVALID)
    db.session.commit()

    assert [c.outcome for c in checks()] == [CheckOutcome.valid, CheckOutcome.revoked]
    assert db.session.scalar(select(func.count()).select_from(CardUse)) == 0


def test_a_mismatch_is_recorded_and_ends_the_check(ground):
    benefit = make_benefit(ground.office, [ground.partner])
    with pytest.raises(Conflict):
        verification.report_mismatch(ground.staff, card_id=ground.card.id, now=NOW)
    check(ground)

    reported = verification.report_mismatch(ground.staff, card_id=ground.card.id, now=NOW)

    assert reported.outcome is CheckOutcome.identity_mismatch
    assert reported.card_id == ground.card.id and reported.benefit_id is None
    with pytest.raises(Conflict) as refused:
        use(ground, benefit, now=NOW + timedelta(seconds=1))
    assert refused.value.code == "check_first"
    assert db.session.scalar(select(func.count()).select_from(CardUse)) == 0
    # A new check, and the use may be recorded.
    check(ground, now=NOW + timedelta(minutes=1))
    assert use(ground, benefit, now=NOW + timedelta(minutes=2)).id


# The photo and the answer again ----------------------------------------------------------------


def test_the_photo_is_for_the_staff_member_of_the_check_while_it_lasts(ground):
    register.set_person_photo(
        ground.office,
        scope(ground.office),
        ground.holder.id,
        stream=png(),
        filename="p.png",
        now=NOW,
        settings=current_settings().uploads,
    )
    colleague = make_staff(ground.partner, name="同事")
    found = check(ground)
    assert found.has_photo

    photo = verification.get_check_photo(ground.staff, found.check_id, now=NOW)
    assert photo.id == ground.holder.photo_upload_id
    for staff, now in (
        (colleague, NOW),
        (ground.staff, NOW + verification.CHECK_CONTEXT + timedelta(seconds=1)),
    ):
        with pytest.raises(NotFound):
            verification.get_check_photo(staff, found.check_id, now=now)
    invalid = check(ground, number=wrong_check_digit(ground.card.number))
    with pytest.raises(NotFound):
        verification.get_check_photo(ground.staff, invalid.check_id, now=NOW)
    ground.card.status = CardStatus.revoked
    with pytest.raises(NotFound):
        verification.get_check_photo(ground.staff, found.check_id, now=NOW)


def test_the_answer_again_shows_the_benefits_left_now(ground):
    benefit = make_benefit(ground.office, [ground.partner], limit=2)
    found = check(ground)
    use(ground, benefit)

    again = verification.get_check_answer(ground.staff, found.check_id, now=NOW)

    assert again.check_id == found.check_id and again.benefits[0].left == 1
    assert len(checks()) == 1


# The partner's uses ----------------------------------------------------------------------------


def test_the_partner_lists_its_own_uses_by_month_with_their_value(ground):
    other = make_partner(ground.office, name="北戴河体检中心")
    other_staff = make_staff(other, name="另一验卡员")
    mine = make_benefit(ground.office, [ground.partner], limit=None, value_fen=2550)
    theirs = make_benefit(ground.office, [other], limit=None, value_fen=9900)
    july = datetime(2026, 7, 2, 2, 0, tzinfo=UTC)
    for moment in (NOW, NOW + timedelta(minutes=1), july):
        check(ground, now=moment)
        use(ground, mine, now=moment)
    check(ground, staff=other_staff)
    use(ground, theirs, staff=other_staff)

    june = verification.list_uses(
        ground.staff, month=date(2026, 6, 1), window=Window(size=10), now=july
    )

    assert june.partner.id == ground.partner.id
    assert june.uses.total == 2 and june.value_fen == 5100
    assert [u.used_at for u in june.uses.items] == [NOW + timedelta(minutes=1), NOW]
    july_uses = verification.list_uses(
        ground.staff, month=date(2026, 7, 1), window=Window(size=10), now=july
    )
    assert july_uses.uses.total == 1 and july_uses.value_fen == 2550
    with pytest.raises(Forbidden):
        verification.list_uses(
            make_user(), month=date(2026, 6, 1), window=Window(size=10), now=july
        )


def test_a_month_is_given_as_year_and_month():
    assert verification.month_of("2026-02", NOW) == date(2026, 2, 1)
    # A month the calendar cannot step past (9999-12) or back from (0001-01) is refused too.
    for wrong in ("2026-13", "June", "2026-02-01", "9999-12", "0001-01"):
        with pytest.raises(ValidationFailed):
            verification.month_of(wrong, NOW)


# Alerts to the district ------------------------------------------------------------------------


def remind(now):
    return reminders.create_due_notifications(now=now, settings=current_settings().reminders)


def alerts() -> list[Notification]:
    return list(
        db.session.scalars(
            select(Notification)
            .where(Notification.kind == NotificationKind.card_alert)
            .order_by(Notification.id)
        )
    )


@pytest.mark.parametrize("status", [CardStatus.revoked, CardStatus.lost])
def test_a_lost_or_revoked_card_presented_alerts_its_districts_clerks_once(app, ground, status):
    places = ground.places
    clerk = make_clerk(AssignmentKind.district_clerk, places["haigang"], name="海港区干事")
    make_clerk(AssignmentKind.district_clerk, places["shanhaiguan"], name="山海关区干事")
    make_clerk(AssignmentKind.street_clerk, places["wenhualu"], name="街道干事")
    ground.card.status = status
    check(ground)
    check(ground, number=wrong_check_digit(ground.card.number))  # no alert: unknown

    remind(NOW + timedelta(minutes=5))
    remind(NOW + timedelta(minutes=10))

    (told,) = alerts()
    assert told.user_id == clerk.id and told.subject == f"card_check:{checks()[0].id}"
    assert told.params["name"] == "李秀英" and told.params["partner"] == "老龙头景区"
    assert checks()[0].alerted_at == NOW + timedelta(minutes=5)
    assert checks()[1].alerted_at is None
    with app.test_request_context("/", headers={"Accept-Language": "zh-CN"}):
        shown = render(told)
    assert "李秀英" in shown.title and "老龙头景区" in " ".join(shown.lines)
    assert shown.url == f"/honours/register/persons/{ground.holder.id}"


def test_a_replaced_cards_check_alerts_and_a_district_without_clerks_alerts_the_city(ground):
    ground.card.status = CardStatus.lost
    make_card(ground.holder, ground.office, replaces=ground.card)
    withdrawn = make_clerk(AssignmentKind.district_clerk, ground.places["haigang"])
    db.session.execute(
        RoleAssignment.__table__.update()
        .where(RoleAssignment.__table__.c.user_id == withdrawn.id)
        .values(withdrawn_at=NOW - timedelta(hours=1))
    )
    check(ground)

    remind(NOW + timedelta(minutes=5))

    told = {n.user_id for n in alerts()}
    assert told == {ground.office.id} | {
        u.id for u in db.session.scalars(select(User).where(User.role == ground.office.role))
    }
    assert withdrawn.id not in told
    assert checks()[0].outcome is CheckOutcome.replaced


def test_claiming_alerts_twice_claims_each_check_once(ground):
    ground.card.status = CardStatus.revoked
    check(ground)

    first = verification.claim_card_alerts(NOW + timedelta(minutes=1), NOW - timedelta(days=1))
    second = verification.claim_card_alerts(NOW + timedelta(minutes=2), NOW - timedelta(days=1))

    assert [a.check_id for a in first] == [checks()[0].id] and second == []
