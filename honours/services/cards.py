"""The courtesy card's life (好人卡): who is due a card, issuing it (one by one or for everyone
due in one's district), printing a sheet, handing it over, a card reported lost and its
replacement, expiry and renewal in bulk, and the holder's own card with its uses.

A district clerk keeps the cards of their district's persons, the city everyone's; the street
and community clerks read the list of their regions. The pages show a card's name and number
and the ID number masked only, so no whole view of a sensitive field happens here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import case, exists, func, literal, null, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased, joinedload

from core.auth.models import User
from core.clock import local_day
from core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from core.extensions import db
from core.rows import Slice, Window, read_slice
from core.settings import UploadSettings
from core.uploads.services import read_upload
from core.uploads.storage import StorageMissing
from honours.card_models import CardStatus, CardUse, CourtesyCard
from honours.models import HonourLevel, Person, PersonStatus
from honours.services import card_codes, card_sheet
from honours.services.card_codes import (
    LIVE,
    carries_card,
    effective_status,
    highest_level,
    live_card,
)
from honours.services.privacy import mask_id_number
from honours.services.scope import Scope, require_acts_in, require_city, require_clerk

NOTE_MAX = 500
# How far ahead a validity date may lie: a card is renewed every year or two, and a date
# decades ahead is a slip of the keyboard.
MAX_YEARS_AHEAD = 5
# How many cards one sheet prints at most (a print run of the whole city is a few of them).
PRINT_MAX = 200
NUMBER_TRIES = 5

NO_CARD = _l("No such courtesy card.")
NOT_KEEPER = _l("Cards are issued and kept by the district of the person and by the city.")
NOT_HOLDER = _l("You hold no courtesy card.")


# Who may -----------------------------------------------------------------------------------------


def may_keep(scope: Scope, region_id: int) -> bool:
    """Whether the user issues, prints, hands over and cancels the cards of persons of the
    region: the city, and the district clerk of the region (who sees the register whole)."""
    return scope.sees_whole(region_id)


def keeps_any(scope: Scope) -> bool:
    """Whether the user keeps the cards of some region (the list offers the actions)."""
    return scope.is_city or bool(scope.whole_regions)


def require_keeper(scope: Scope) -> None:
    """Raise NotFound for a non-clerk, Forbidden for a clerk below the district."""
    require_clerk(scope)
    if not keeps_any(scope):
        raise Forbidden(NOT_KEEPER)


def _require_keeps(scope: Scope, region_id: int) -> None:
    require_acts_in(scope, region_id)
    if not may_keep(scope, region_id):
        raise Forbidden(NOT_KEEPER)


def _in_regions(column, regions: frozenset[int]):
    return column.in_(sorted(regions) or [-1])


# Validity ----------------------------------------------------------------------------------------


def default_valid_until(today: date) -> date:
    """The validity a new card gets unless the clerk gives one: the end of the next year."""
    return date(today.year + 1, 12, 31)


def checked_valid_until(value: date | None, today: date, *, field: str = "valid_until") -> date:
    """The validity date given (or the default), which must lie after today and within
    MAX_YEARS_AHEAD years. Raises ValidationFailed under `field`."""
    if value is None:
        return default_valid_until(today)
    if value <= today:
        raise ValidationFailed(
            errors={field: [str(_l("The validity date must lie in the future."))]}
        )
    if value.year > today.year + MAX_YEARS_AHEAD:
        raise ValidationFailed(
            errors={
                field: [str(_l("At most %(n)d years ahead.", n=MAX_YEARS_AHEAD))],
            }
        )
    return value


def _checked_note(note: str | None) -> str | None:
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise ValidationFailed(errors={"note": [str(_l("At most %(n)d characters.", n=NOTE_MAX))]})
    return note or None


# Who is due a card -------------------------------------------------------------------------------


def _has_live_card(person_id_column):
    other = aliased(CourtesyCard)
    return exists(
        select(other.id).where(other.person_id == person_id_column, other.status.in_(LIVE))
    )


def _eligible_query(scope: Scope):
    query = select(Person).where(
        Person.status == PersonStatus.active,
        Person.merged_into_id.is_(None),
        carries_card(Person.id),
        ~_has_live_card(Person.id),
    )
    if not scope.is_city:
        query = query.where(_in_regions(Person.region_id, scope.whole_regions))
    return query


@dataclass(frozen=True)
class EligiblePerson:
    """A person due a card as the list shows them: the ID number masked."""

    person: Person
    masked_id_number: str | None
    level: HonourLevel | None


def list_eligible(scope: Scope, window: Window) -> Slice[EligiblePerson]:
    """The persons of the user's districts (everyone's for the city) who are due a card: alive,
    not merged, with a non-revoked honour whose type gives a card, and no live card. Raises
    NotFound, Forbidden (below the district)."""
    require_keeper(scope)
    query = _eligible_query(scope).options(joinedload(Person.district))
    found = read_slice(query.order_by(Person.district_id, Person.name, Person.id), window)
    return Slice(
        [EligiblePerson(p, mask_id_number(p.id_number), highest_level(p.id)) for p in found.items],
        found.total,
    )


# Issuing -----------------------------------------------------------------------------------------


def _insert_card(
    person_id: int,
    valid_until: date,
    actor: User,
    now: datetime,
    *,
    replaces_id: int | None = None,
) -> CourtesyCard:
    """Insert a card to print with a new random number, each try in a savepoint: a number
    taken already is tried again with another; a live card of the person that another clerk
    made meanwhile (the partial unique index) is a Conflict."""
    for _attempt in range(NUMBER_TRIES):
        card = CourtesyCard(
            number=card_codes.new_number(),
            person_id=person_id,
            status=CardStatus.to_print,
            valid_until=valid_until,
            replaces_id=replaces_id,
            created_at=now,
            created_by_id=actor.id,
        )
        try:
            with db.session.begin_nested():
                db.session.add(card)
        except IntegrityError:
            if live_card(person_id) is not None:
                raise Conflict(_l("This person has a card already."), code="card_exists") from None
            if replaces_id is not None and db.session.scalar(
                select(CourtesyCard.id).where(CourtesyCard.replaces_id == replaces_id)
            ):
                raise Conflict(
                    _l("This card was replaced already."), code="card_replaced"
                ) from None
            continue
        return card
    raise Conflict(_l("No free card number was found: please try again."))


def _require_eligible(person: Person) -> None:
    if person.status is not PersonStatus.active:
        raise ValidationFailed(
            _l("Cards are issued to living persons of the register only."), code="not_eligible"
        )
    if highest_level(person.id) is None:
        raise ValidationFailed(
            _l("This person holds no honour that gives a courtesy card."), code="not_eligible"
        )


def issue_card(
    actor: User, scope: Scope, person_id: int, *, valid_until: date | None, now: datetime
) -> CourtesyCard:
    """Issue the person a card to print, valid until `valid_until` (by default the end of the
    next year). Raises NotFound, Forbidden (outside one's district), ValidationFailed (a merged,
    deceased or moved-away person; no honour giving a card; a validity date not in the future),
    Conflict (the person has a live card, also one another clerk issued at the same moment)."""
    person = db.session.get(Person, person_id)
    if person is None:
        require_clerk(scope)
        raise NotFound(_l("No such record in the register."))
    _require_keeps(scope, person.region_id)
    if person.is_merged:
        raise ValidationFailed(
            _l("This record was merged into No. %(id)d: change that one.", id=person.merged_into_id)
        )
    _require_eligible(person)
    until = checked_valid_until(valid_until, local_day(now))
    if live_card(person.id) is not None:
        raise Conflict(_l("This person has a card already."), code="card_exists")
    return _insert_card(person.id, until, actor, now)


@dataclass(frozen=True)
class IssueRun:
    """What issuing in bulk did: how many cards were issued, and how many persons were passed
    over because another clerk issued theirs meanwhile."""

    issued: int
    skipped: int
    valid_until: date


def issue_all(
    actor: User,
    scope: Scope,
    *,
    valid_until: date | None,
    now: datetime,
    district_id: int | None = None,
) -> IssueRun:
    """Issue a card to print to every person due one in the user's districts (the city: all,
    or those of `district_id`). Raises NotFound, Forbidden, ValidationFailed (the date)."""
    require_keeper(scope)
    until = checked_valid_until(valid_until, local_day(now))
    query = _eligible_query(scope)
    if district_id is not None:
        query = query.where(Person.district_id == district_id)
    person_ids = list(db.session.scalars(query.with_only_columns(Person.id).order_by(Person.id)))
    issued = skipped = 0
    for person_id in person_ids:
        try:
            _insert_card(person_id, until, actor, now)
        except Conflict:
            skipped += 1
        else:
            issued += 1
    return IssueRun(issued, skipped, until)


# Reading -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CardFilter:
    status: CardStatus | None = None
    district_id: int | None = None
    q: str | None = None
    valid_year: int | None = None


@dataclass(frozen=True)
class CardRow:
    """A card as the clerks' pages show it: the holder's name and masked ID number, the status
    on the day, and what the reader may do with it."""

    card: CourtesyCard
    status: CardStatus
    masked_id_number: str | None
    may_keep: bool
    replaced_by: CourtesyCard | None = None

    @property
    def may_hand_over(self) -> bool:
        return self.may_keep and self.card.status is CardStatus.issued

    @property
    def may_report_lost(self) -> bool:
        return self.may_keep and self.status in (CardStatus.issued, CardStatus.active)


def _row(card: CourtesyCard, scope: Scope, today: date, replaced_by=None) -> CardRow:
    return CardRow(
        card,
        effective_status(card, today),
        mask_id_number(card.person.id_number),
        may_keep(scope, card.person.region_id),
        replaced_by,
    )


def list_cards(
    scope: Scope, filters: CardFilter, window: Window, *, now: datetime
) -> Slice[CardRow]:
    """The cards of the persons of the user's regions (all for the city), newest first, by
    status, district, name or number, and validity year. Raises NotFound for a non-clerk."""
    require_clerk(scope)
    query = select(CourtesyCard).join(Person, Person.id == CourtesyCard.person_id)
    if not scope.is_city:
        query = query.where(_in_regions(Person.region_id, scope.regions))
    if filters.status is not None:
        query = query.where(CourtesyCard.status == filters.status)
    if filters.district_id is not None:
        query = query.where(Person.district_id == filters.district_id)
    if filters.valid_year is not None:
        query = query.where(
            CourtesyCard.valid_until.between(
                date(filters.valid_year, 1, 1), date(filters.valid_year, 12, 31)
            )
        )
    if filters.q:
        words = filters.q.strip()
        number = card_codes.normalize_number(words) or words.replace(" ", "")
        query = query.where(or_(Person.name.contains(words), CourtesyCard.number == number))
    found = read_slice(
        query.options(joinedload(CourtesyCard.person).joinedload(Person.district)).order_by(
            CourtesyCard.id.desc()
        ),
        window,
    )
    today = local_day(now)
    return Slice([_row(card, scope, today) for card in found.items], found.total)


def status_counts(scope: Scope) -> dict[CardStatus, int]:
    """How many cards of the user's regions are in each stored status."""
    require_clerk(scope)
    query = (
        select(CourtesyCard.status, func.count())
        .join(Person, Person.id == CourtesyCard.person_id)
        .group_by(CourtesyCard.status)
    )
    if not scope.is_city:
        query = query.where(_in_regions(Person.region_id, scope.regions))
    counts = {status: n for status, n in db.session.execute(query)}
    return {status: counts.get(status, 0) for status in CardStatus}


def _get(card_id: int, *, lock: bool = False) -> CourtesyCard:
    card = db.session.get(
        CourtesyCard,
        card_id,
        options=[joinedload(CourtesyCard.person)],
        with_for_update=lock,
        populate_existing=lock,
    )
    if card is None:
        raise NotFound(NO_CARD)
    return card


def get_card(scope: Scope, card_id: int, *, now: datetime) -> CardRow:
    """A card of a person of the user's regions, with the card that replaced it. Raises
    NotFound, Forbidden."""
    require_clerk(scope)
    card = _get(card_id)
    require_acts_in(scope, card.person.region_id)
    replaced_by = db.session.scalar(select(CourtesyCard).where(CourtesyCard.replaces_id == card.id))
    return _row(card, scope, local_day(now), replaced_by)


# Printing and handing over -----------------------------------------------------------------------


@dataclass(frozen=True)
class PrintRun:
    cards: list[CourtesyCard]
    pdf: bytes


def mark_printed(
    actor: User, scope: Scope, *, card_ids: list[int] | None, now: datetime
) -> list[CourtesyCard]:
    """Mark cards printed: without `card_ids`, the cards to print of the user's districts, the
    oldest first, at most PRINT_MAX; with them, those cards, to print or printed already
    (printed again, after a jam). `print_cards` does this and makes the sheet. Raises NotFound,
    Forbidden, ValidationFailed (nothing to print; a card named that is not to print or
    printed)."""
    require_keeper(scope)
    query = (
        select(CourtesyCard)
        .join(Person, Person.id == CourtesyCard.person_id)
        .options(joinedload(CourtesyCard.person).joinedload(Person.photo))
        .order_by(CourtesyCard.id)
    )
    if not scope.is_city:
        query = query.where(_in_regions(Person.region_id, scope.whole_regions))
    if card_ids:
        wanted = sorted(set(card_ids))
        if len(wanted) > PRINT_MAX:
            raise ValidationFailed(
                errors={"card_ids": [str(_l("At most %(n)d cards a sheet.", n=PRINT_MAX))]}
            )
        cards = list(db.session.scalars(query.where(CourtesyCard.id.in_(wanted))).unique())
        printable = {CardStatus.to_print, CardStatus.issued}
        if len(cards) != len(wanted) or any(c.status not in printable for c in cards):
            raise ValidationFailed(
                errors={
                    "card_ids": [
                        str(_l("Only cards to print or printed of your district can be printed."))
                    ]
                }
            )
    else:
        cards = list(
            db.session.scalars(
                query.where(CourtesyCard.status == CardStatus.to_print).limit(PRINT_MAX)
            ).unique()
        )
    if not cards:
        raise ValidationFailed(_l("There is no card to print."), code="nothing_to_print")
    for card in cards:
        if card.status is CardStatus.to_print:
            card.status = CardStatus.issued
        card.printed_at = now
    db.session.flush()
    return cards


def print_cards(
    actor: User,
    scope: Scope,
    *,
    card_ids: list[int] | None,
    now: datetime,
    secret: str,
    uploads: UploadSettings,
) -> PrintRun:
    """A PDF sheet of cards (A4, ten a page: name, number, validity, photo, QR code), and the
    cards marked printed (`mark_printed`, which says what is printed and what it raises)."""
    cards = mark_printed(actor, scope, card_ids=card_ids, now=now)
    sheet = [
        card_sheet.PrintedCard(
            name=card.person.name,
            number=card.number,
            valid_until=card.valid_until,
            code=card_codes.card_code(card, secret=secret),
            photo=_photo_bytes(card.person, uploads),
        )
        for card in cards
    ]
    return PrintRun(cards, card_sheet.render(sheet, printed_at=now))


def _photo_bytes(person: Person, uploads: UploadSettings) -> bytes | None:
    if person.photo is None:
        return None
    try:
        return read_upload(person.photo, uploads)
    except StorageMissing:
        # The card prints with an empty frame; the file's absence is `flask uploads verify`'s.
        return None


def hand_over(actor: User, scope: Scope, card_id: int, *, now: datetime) -> CourtesyCard:
    """The printed card is in the holder's hands: it becomes active. Raises NotFound,
    Forbidden, Conflict (not a printed card waiting, also when handed over meanwhile)."""
    require_clerk(scope)
    card = _get(card_id)
    _require_keeps(scope, card.person.region_id)
    done = db.session.execute(
        update(CourtesyCard)
        .where(CourtesyCard.id == card.id, CourtesyCard.status == CardStatus.issued)
        .values(status=CardStatus.active, activated_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not done:
        raise Conflict(_l("Only a printed card waiting to be handed over can be handed over."))
    db.session.refresh(card)
    return card


# Lost --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Replacement:
    lost: CourtesyCard
    replacement: CourtesyCard


def _report_lost(card: CourtesyCard, by: User, note: str | None, now: datetime) -> Replacement:
    note = _checked_note(note)
    if effective_status(card, local_day(now)) is CardStatus.expired:
        raise Conflict(
            _l("This card has expired: it is renewed or a new one issued, not replaced."),
            code="card_expired",
        )
    # Conditional: of two reports at one moment, one finds the card still in hand.
    done = db.session.execute(
        update(CourtesyCard)
        .where(
            CourtesyCard.id == card.id,
            CourtesyCard.status.in_((CardStatus.issued, CardStatus.active)),
        )
        .values(status=CardStatus.lost, ended_at=now, ended_by_id=by.id, end_note=note)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not done:
        raise Conflict(
            _l("Only a printed or active card can be reported lost; this one is not."),
            code="not_in_hand",
        )
    db.session.refresh(card)
    replacement = _insert_card(card.person_id, card.valid_until, by, now, replaces_id=card.id)
    return Replacement(card, replacement)


def report_lost(
    actor: User, scope: Scope, card_id: int, *, note: str | None, now: datetime
) -> Replacement:
    """The card is lost: cancelled at once, and a replacement with a new number and the same
    validity is made to print, in the same unit of work. Raises NotFound, Forbidden,
    ValidationFailed (the note), Conflict (not printed or active: to print, lost already,
    expired, revoked)."""
    require_clerk(scope)
    card = _get(card_id)
    _require_keeps(scope, card.person.region_id)
    return _report_lost(card, actor, note, now)


# Expiry and renewal ------------------------------------------------------------------------------


def expire_cards(now: datetime) -> int:
    """Mark the active cards whose validity date has passed as expired (a check answers
    expired for them already: this is the record). Returns how many."""
    return db.session.execute(
        update(CourtesyCard)
        .where(
            CourtesyCard.status == CardStatus.active,
            CourtesyCard.valid_until < local_day(now),
        )
        .values(status=CardStatus.expired, ended_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount


def renew_cards(actor: User, scope: Scope, *, year: int, valid_until: date, now: datetime) -> int:
    """The city renews the cards valid until a day of `year` (at the Spring Festival
    gathering): every active, expired (active again), to print or printed card of a holder who
    is still due a card gets the new validity date, in one UPDATE. An expired card whose holder
    has a new card meanwhile stays as it is. Returns how many. Raises NotFound, Forbidden (not
    the city), ValidationFailed (the year, or a date not after today or not after the year),
    Conflict (a card issued to such a holder at the same moment: try again)."""
    require_city(scope)
    today = local_day(now)
    if not 2000 <= year <= today.year + MAX_YEARS_AHEAD:
        raise ValidationFailed(
            errors={"year": [str(_l("Enter the year the cards are valid until."))]}
        )
    until = checked_valid_until(valid_until, today)
    if until.year <= year:
        raise ValidationFailed(
            errors={"valid_until": [str(_l("The new date must lie after the year renewed."))]}
        )
    card = CourtesyCard.__table__
    statuses = (CardStatus.active, CardStatus.expired, CardStatus.to_print, CardStatus.issued)
    holder_due = exists(
        select(Person.id).where(
            Person.id == card.c.person_id,
            Person.status == PersonStatus.active,
            Person.merged_into_id.is_(None),
        )
    )
    other = aliased(CourtesyCard)
    no_newer = ~exists(
        select(other.id).where(
            other.person_id == card.c.person_id,
            other.id != card.c.id,
            other.status.in_(LIVE),
        )
    )
    statement = (
        update(CourtesyCard)
        .where(
            CourtesyCard.status.in_(statuses),
            CourtesyCard.valid_until.between(date(year, 1, 1), date(year, 12, 31)),
            holder_due,
            carries_card(CourtesyCard.person_id),
            or_(CourtesyCard.status != CardStatus.expired, no_newer),
        )
        .values(
            valid_until=until,
            status=case(
                (
                    CourtesyCard.status == CardStatus.expired,
                    literal(CardStatus.active, card.c.status.type),
                ),
                else_=CourtesyCard.status,
            ),
            ended_at=case(
                (CourtesyCard.status == CardStatus.expired, null()), else_=CourtesyCard.ended_at
            ),
        )
        .execution_options(synchronize_session=False)
    )
    try:
        with db.session.begin_nested():
            renewed = db.session.execute(statement).rowcount
    except IntegrityError:
        raise Conflict(
            _l("A card was issued to one of these holders meanwhile: please renew again.")
        ) from None
    return renewed


# The holder --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MyCard:
    """The holder's card as their page shows it: the card, its status on the day, the QR
    code's payload (only while it is active), the honour level that decides the benefits, and
    a window of the uses of their cards, the newest first."""

    card: CourtesyCard
    status: CardStatus
    code: str | None
    level: HonourLevel | None
    uses: Slice[CardUse]
    masked_id_number: str | None

    @property
    def may_report_lost(self) -> bool:
        return self.status in (CardStatus.issued, CardStatus.active)


def _holder(user: User) -> Person | None:
    return db.session.scalar(
        select(Person).where(Person.user_id == user.id, Person.merged_into_id.is_(None))
    )


def find_my_card(user: User) -> CourtesyCard | None:
    """The signed-in person's newest card, or None (no linked person, or no card)."""
    person = _holder(user)
    if person is None:
        return None
    return db.session.scalar(
        select(CourtesyCard)
        .where(CourtesyCard.person_id == person.id)
        .order_by(CourtesyCard.id.desc())
        .limit(1)
    )


def my_card(user: User, window: Window, *, now: datetime, secret: str) -> MyCard:
    """The card of the person whose account this is, and the uses of their cards. Raises
    NotFound when they hold none."""
    card = find_my_card(user)
    if card is None:
        raise NotFound(NOT_HOLDER)
    status = effective_status(card, local_day(now))
    uses = read_slice(
        select(CardUse)
        .where(CardUse.person_id == card.person_id)
        .options(joinedload(CardUse.partner), joinedload(CardUse.benefit))
        .order_by(CardUse.used_at.desc(), CardUse.id.desc()),
        window,
    )
    return MyCard(
        card,
        status,
        card_codes.card_code(card, secret=secret) if status is CardStatus.active else None,
        highest_level(card.person_id),
        uses,
        mask_id_number(card.person.id_number),
    )


def report_my_card_lost(user: User, *, note: str | None, now: datetime) -> Replacement:
    """The holder reports their card lost from their page: as a clerk's report. Raises
    NotFound (no card), ValidationFailed, Conflict (not printed or active)."""
    card = find_my_card(user)
    if card is None:
        raise NotFound(NOT_HOLDER)
    return _report_lost(card, user, note, now)
