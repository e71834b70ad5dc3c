"""Verification of courtesy cards by a partner's staff (验卡) and the uses they record (礼遇使用):
a check answers only valid or invalid (the reason is kept for the office), a valid one with
what the staff need to compare with the ID card and the benefits left at their partner; a use
takes one from the holder's counter for the period by a conditional update; refusals are
recorded as checks; a lost, replaced or revoked card presented somewhere is told to the
person's district by the reminders (`claim_card_alerts`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from core.auth.models import User
from core.clock import local_day, local_moment
from core.errors import Conflict, NotFound, ValidationFailed
from core.extensions import db
from core.rows import Slice, Window, read_slice
from core.settings import Settings
from core.uploads.models import Upload
from honours.card_models import (
    Benefit,
    BenefitCounter,
    BenefitKind,
    BenefitPartner,
    CardCheck,
    CardUse,
    CheckOutcome,
    CourtesyCard,
    LimitPeriod,
    Partner,
)
from honours.models import Person
from honours.services import card_codes
from honours.services.card_reports import parse_month
from honours.services.partner_staff import partners_of, staff_partner
from honours.services.scope import city_user_ids, district_clerk_ids

# A use, a reported mismatch or the holder's photo belongs to a check the staff member made of
# the card within this time: they have the card and its holder before them.
CHECK_CONTEXT = timedelta(minutes=30)
ALERTING = tuple(outcome for outcome in CheckOutcome if outcome.alerts)

CHECK_FIRST = _l("Check the card first, then record the use.")
CARD_INVALID = _l("The card is not valid.")
NOT_GIVEN_HERE = _l("This benefit is not given here.")
ONE_WAY = _l("Scan the card's QR code or type its number.")


class CardRefused(Conflict):
    """A use refused because of the card or its limit: the check that records the refusal is
    kept (what the service wrote before raising is committed, not rolled back)."""

    keeps_changes = True


class LevelRefused(ValidationFailed):
    """A use of a benefit the holder's honour level does not give; the check is kept."""

    keeps_changes = True


@dataclass(frozen=True)
class BenefitLeft:
    """A benefit the holder may use at this partner, and how many uses are left this period
    (None: no limit)."""

    benefit: Benefit
    left: int | None

    @property
    def is_used_up(self) -> bool:
        return self.left == 0


@dataclass(frozen=True)
class CheckAnswer:
    """What a check tells the staff: valid or not and, only for a valid card, the holder's
    name, whether there is a photo, the last 4 characters of the ID number, and the benefits
    left here. Nothing else leaves the service."""

    check_id: int
    is_valid: bool
    partner_id: int
    card_id: int | None = None
    name: str | None = None
    id_last4: str | None = None
    has_photo: bool = False
    benefits: tuple[BenefitLeft, ...] = ()


def period_start(period: LimitPeriod | None, now: datetime) -> date | None:
    """The first day of the local year or month that `now` falls in (None: no limit)."""
    if period is None:
        return None
    today = local_day(now)
    return today.replace(month=1, day=1) if period is LimitPeriod.year else today.replace(day=1)


def _record(
    partner: Partner,
    staff: User,
    card: CourtesyCard | None,
    outcome: CheckOutcome,
    now: datetime,
    *,
    scanned: bool = False,
    benefit_id: int | None = None,
) -> CardCheck:
    check = CardCheck(
        partner_id=partner.id,
        staff_id=staff.id,
        card_id=card.id if card is not None else None,
        benefit_id=benefit_id,
        scanned=scanned,
        outcome=outcome,
        checked_at=now,
    )
    db.session.add(check)
    db.session.flush()
    return check


def _given_here(partner: Partner):
    """The active benefits the partner gives that are used at its counter (those by
    application go through the application process instead)."""
    return (
        select(Benefit)
        .join(BenefitPartner, BenefitPartner.benefit_id == Benefit.id)
        .where(
            BenefitPartner.partner_id == partner.id,
            Benefit.is_active.is_(True),
            Benefit.kind != BenefitKind.application,
        )
    )


def benefits_left(person_id: int, partner: Partner, now: datetime) -> list[BenefitLeft]:
    """The benefits the partner gives for the person's honour level, each with the uses left
    this period, by name."""
    level = card_codes.highest_level(person_id)
    if level is None:
        return []
    benefits = [
        benefit
        for benefit in db.session.scalars(_given_here(partner).order_by(Benefit.name, Benefit.id))
        if card_codes.level_reaches(level, benefit.lowest_level)
    ]
    limited = [b for b in benefits if b.limit_count is not None]
    used: dict[tuple[int, date], int] = {}
    if limited:
        rows = db.session.execute(
            select(
                BenefitCounter.benefit_id, BenefitCounter.period_start, BenefitCounter.used
            ).where(
                BenefitCounter.person_id == person_id,
                BenefitCounter.benefit_id.in_([b.id for b in limited]),
            )
        )
        used = {(benefit_id, start): count for benefit_id, start, count in rows}
    found = []
    for benefit in benefits:
        left = None
        if benefit.limit_count is not None:
            start = period_start(benefit.limit_period, now)
            left = max(0, benefit.limit_count - used.get((benefit.id, start), 0))
        found.append(BenefitLeft(benefit, left))
    return found


def check_card(
    staff: User,
    *,
    code: str | None = None,
    number: str | None = None,
    partner_id: int | None = None,
    now: datetime,
    settings: Settings,
) -> CheckAnswer:
    """Check a card by its scanned QR code or its typed number, for the partner the staff
    member works for, and record the check. Answers valid or invalid only: a code that is not
    ours or was altered, an unknown or mistyped number, a card not handed over, lost,
    replaced, expired or revoked are all just invalid.

    Raises Forbidden (not the staff of an approved partner, or of several and none named),
    ValidationFailed (neither a code nor a number, or both)."""
    partner = staff_partner(staff, now, partner_id)
    code, number = (code or "").strip(), (number or "").strip()
    if bool(code) == bool(number):
        field = "number" if not code else "code"
        raise ValidationFailed(ONE_WAY, errors={field: [str(ONE_WAY)]})
    if code:
        card = card_codes.card_from_code(code, secret=settings.check_in_secret)
    else:
        card = card_codes.card_from_number(number)
    outcome = card_codes.check_outcome(card, local_day(now))
    check = _record(partner, staff, card, outcome, now, scanned=bool(code))
    if outcome is not CheckOutcome.valid:
        return CheckAnswer(check_id=check.id, is_valid=False, partner_id=partner.id)
    return _valid_answer(check, card, partner, now)


def _valid_answer(
    check: CardCheck, card: CourtesyCard, partner: Partner, now: datetime
) -> CheckAnswer:
    person = db.session.get(Person, card.person_id)
    id_number = person.id_number or ""
    return CheckAnswer(
        check_id=check.id,
        is_valid=True,
        partner_id=partner.id,
        card_id=card.id,
        name=person.name,
        id_last4=id_number[-4:] or None,
        has_photo=person.photo_upload_id is not None,
        benefits=tuple(benefits_left(person.id, partner, now)),
    )


def _recent_valid_check(staff: User, check_id: int, now: datetime) -> CardCheck:
    """The staff member's own valid check, made within CHECK_CONTEXT at a partner they still
    work for, of a card still valid. Raises NotFound."""
    check = db.session.get(CardCheck, check_id)
    if (
        check is None
        or check.staff_id != staff.id
        or check.outcome is not CheckOutcome.valid
        or not now - CHECK_CONTEXT <= check.checked_at <= now
        or check.partner_id not in {p.id for p in partners_of(staff, now)}
        or card_codes.check_outcome(check.card, local_day(now)) is not CheckOutcome.valid
    ):
        raise NotFound(_l("This check is over: check the card again."))
    return check


def get_check_answer(staff: User, check_id: int, *, now: datetime) -> CheckAnswer:
    """The answer of one of the staff member's recent valid checks again (after a use, or a
    refused one), with the benefits left now; nothing is recorded.

    Raises NotFound (not their check, not valid, older than CHECK_CONTEXT, the card no longer
    valid)."""
    check = _recent_valid_check(staff, check_id, now)
    return _valid_answer(check, check.card, check.partner, now)


def _checked_here(staff: User, partner: Partner, card_id: int, now: datetime) -> CourtesyCard:
    """The card, which the staff member found valid at this partner within CHECK_CONTEXT and
    did not report as not matching since. Raises Conflict (no such check)."""
    since = now - CHECK_CONTEXT
    valid_at = db.session.scalar(
        select(func.max(CardCheck.checked_at)).where(
            CardCheck.card_id == card_id,
            CardCheck.staff_id == staff.id,
            CardCheck.partner_id == partner.id,
            CardCheck.outcome == CheckOutcome.valid,
            CardCheck.checked_at >= since,
            CardCheck.checked_at <= now,
        )
    )
    mismatch = (
        valid_at is not None
        and db.session.scalar(
            select(CardCheck.id)
            .where(
                CardCheck.card_id == card_id,
                CardCheck.staff_id == staff.id,
                CardCheck.partner_id == partner.id,
                CardCheck.outcome == CheckOutcome.identity_mismatch,
                CardCheck.checked_at >= valid_at,
            )
            .limit(1)
        )
        is not None
    )
    if valid_at is None or mismatch:
        raise Conflict(CHECK_FIRST, code="check_first")
    return db.session.get(CourtesyCard, card_id)


def _take_one(person_id: int, benefit: Benefit, start: date) -> bool:
    """Take one use from the person's counter of the benefit for the period starting `start`:
    a conditional UPDATE (used < limit), so that of two partners at one instant with one use
    left only one gets it. The row is created first if missing (in a savepoint: another
    request creating it at the same moment is no error)."""

    def take() -> bool:
        taken = db.session.execute(
            update(BenefitCounter)
            .where(
                BenefitCounter.person_id == person_id,
                BenefitCounter.benefit_id == benefit.id,
                BenefitCounter.period_start == start,
                BenefitCounter.used < benefit.limit_count,
            )
            .values(used=BenefitCounter.used + 1)
            .execution_options(synchronize_session=False)
        )
        return taken.rowcount == 1

    if take():
        return True
    present = db.session.scalar(
        select(BenefitCounter.id).where(
            BenefitCounter.person_id == person_id,
            BenefitCounter.benefit_id == benefit.id,
            BenefitCounter.period_start == start,
        )
    )
    if present is not None:
        return False
    try:
        with db.session.begin_nested():
            db.session.add(
                BenefitCounter(
                    person_id=person_id, benefit_id=benefit.id, period_start=start, used=0
                )
            )
    except IntegrityError:
        pass  # another request created it meanwhile; the update below decides
    return take()


def record_use(
    staff: User,
    *,
    card_id: int,
    benefit_id: int,
    partner_id: int | None = None,
    now: datetime,
    settings: Settings,
) -> CardUse:
    """Record a use of a benefit on a card the staff member checked here within the last
    CHECK_CONTEXT: the card must still be valid, the benefit given by this partner and for the
    holder's honour level, with a use left this period (taken from the holder's counter,
    shared by every partner of a city-wide benefit). A refusal for the card or the holder is
    recorded as a check with the benefit, and kept.

    Raises Forbidden (not the partner's staff), Conflict (not checked here lately; the card is
    no longer valid, code `card_invalid`; no use left, code `limit_reached`), ValidationFailed
    (a benefit not given here, `benefit_id`; not for the holder's level, code
    `not_for_level`)."""
    partner = staff_partner(staff, now, partner_id)
    card = _checked_here(staff, partner, card_id, now)
    outcome = card_codes.check_outcome(card, local_day(now))
    if outcome is not CheckOutcome.valid:
        _record(partner, staff, card, outcome, now, benefit_id=None)
        raise CardRefused(CARD_INVALID, code="card_invalid")
    benefit = db.session.scalar(_given_here(partner).where(Benefit.id == benefit_id))
    if benefit is None:
        raise ValidationFailed(NOT_GIVEN_HERE, errors={"benefit_id": [str(NOT_GIVEN_HERE)]})
    if not card_codes.level_reaches(card_codes.highest_level(card.person_id), benefit.lowest_level):
        _record(partner, staff, card, CheckOutcome.not_for_level, now, benefit_id=benefit.id)
        message = _l(
            "“%(benefit)s” is not given for the holder's honour level.", benefit=benefit.name
        )
        raise LevelRefused(message, errors={"benefit_id": [str(message)]}, code="not_for_level")
    start = period_start(benefit.limit_period, now)
    if start is not None and not _take_one(card.person_id, benefit, start):
        _record(partner, staff, card, CheckOutcome.limit_reached, now, benefit_id=benefit.id)
        if benefit.limit_period is LimitPeriod.year:
            message = _l("No use of “%(benefit)s” is left this year.", benefit=benefit.name)
        else:
            message = _l("No use of “%(benefit)s” is left this month.", benefit=benefit.name)
        raise CardRefused(message, code="limit_reached")
    use = CardUse(
        card_id=card.id,
        person_id=card.person_id,
        benefit_id=benefit.id,
        partner_id=partner.id,
        staff_id=staff.id,
        used_at=now,
        value_fen=benefit.value_fen,
        period_start=start,
    )
    db.session.add(use)
    db.session.flush()
    return use


def report_mismatch(
    staff: User, *, card_id: int, partner_id: int | None = None, now: datetime
) -> CardCheck:
    """Record that the ID card shown did not match the holder of a card the staff member
    checked here lately: no use is recorded, and a use needs a new check.

    Raises Forbidden (not the partner's staff), Conflict (not checked here lately)."""
    partner = staff_partner(staff, now, partner_id)
    card = _checked_here(staff, partner, card_id, now)
    return _record(partner, staff, card, CheckOutcome.identity_mismatch, now)


def get_check_photo(staff: User, check_id: int, *, now: datetime) -> Upload:
    """The photo of the holder of a card the staff member found valid in this check, while
    the check is recent (CHECK_CONTEXT) and the card still valid; for no one else.

    Raises NotFound (not their check, not valid, too old, no photo)."""
    photo = _recent_valid_check(staff, check_id, now).card.person.photo
    if photo is None:
        raise NotFound(_l("No such photo."))
    return photo


# The partner's own uses -------------------------------------------------------------------------


@dataclass(frozen=True)
class MonthOfUses:
    """A page of a partner's uses in one local month, and the month's count and value."""

    partner: Partner
    month: date
    uses: Slice
    value_fen: int


def month_of(value: str | None, now: datetime) -> date:
    """The first day of the month named "YYYY-MM" (this local month when none is given).
    Raises ValidationFailed."""
    return parse_month(value) if value else local_day(now).replace(day=1)


def list_uses(
    staff: User, *, month: date, window: Window, now: datetime, partner_id: int | None = None
) -> MonthOfUses:
    """The uses recorded at the staff member's partner in the local month starting `month`,
    newest first, with the month's total value in fen. Only their own partner's.

    Raises Forbidden (not the partner's staff)."""
    partner = staff_partner(staff, now, partner_id)
    following = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    where = (
        CardUse.partner_id == partner.id,
        CardUse.used_at >= local_moment(month),
        CardUse.used_at < local_moment(following),
    )
    query = (
        select(CardUse)
        .where(*where)
        .options(joinedload(CardUse.benefit), joinedload(CardUse.card), joinedload(CardUse.staff))
        .order_by(CardUse.used_at.desc(), CardUse.id.desc())
    )
    uses = read_slice(query, window, count=select(CardUse.id).where(*where))
    value = db.session.scalar(select(func.coalesce(func.sum(CardUse.value_fen), 0)).where(*where))
    return MonthOfUses(partner=partner, month=month, uses=uses, value_fen=int(value))


# Alerts to the district ------------------------------------------------------------------------


@dataclass(frozen=True)
class CardAlert:
    """A lost, replaced or revoked card presented at a partner: the district clerks of the
    holder's district to tell (the city's office when the district has none)."""

    check_id: int
    subject: str
    person_id: int
    person_name: str
    partner_name: str
    outcome: CheckOutcome
    checked_at: datetime
    clerk_ids: frozenset[int]


def claim_card_alerts(now: datetime, since: datetime) -> list[CardAlert]:
    """The checks since `since` of a lost, replaced or revoked card not alerted yet, stamped
    alerted now by a conditional UPDATE (alerted_at IS NULL), so that of two schedulers only
    one claims each; with whom to tell, for the reminders (in the same unit of work as the
    notifications: if that fails, the stamps roll back with it)."""
    candidates = select(CardCheck.id).where(
        CardCheck.checked_at >= since,
        CardCheck.outcome.in_(ALERTING),
        CardCheck.alerted_at.is_(None),
    )
    ids = list(db.session.scalars(candidates))
    if not ids:
        return []
    claimed = list(
        db.session.scalars(
            update(CardCheck)
            .where(CardCheck.id.in_(ids), CardCheck.alerted_at.is_(None))
            .values(alerted_at=now)
            .returning(CardCheck.id)
            .execution_options(synchronize_session=False)
        )
    )
    if not claimed:
        return []
    rows = db.session.execute(
        select(CardCheck, Person, Partner.name)
        .join(CourtesyCard, CourtesyCard.id == CardCheck.card_id)
        .join(Person, Person.id == CourtesyCard.person_id)
        .join(Partner, Partner.id == CardCheck.partner_id)
        .where(CardCheck.id.in_(claimed))
        .order_by(CardCheck.id)
    ).all()
    clerks = district_clerk_ids({person.district_id for _, person, _ in rows}, now)
    city = None
    alerts = []
    for check, person, partner_name in rows:
        told = clerks.get(person.district_id)
        if not told:
            city = city_user_ids(now) if city is None else city
            told = city
        alerts.append(
            CardAlert(
                check_id=check.id,
                subject=f"card_check:{check.id}",
                person_id=person.id,
                person_name=person.name,
                partner_name=partner_name,
                outcome=check.outcome,
                checked_at=check.checked_at,
                clerk_ids=frozenset(told),
            )
        )
    return alerts
