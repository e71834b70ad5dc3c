"""The bus company's list of card numbers (公交免费乘车名单): made each night for each approved
bus partner (the valid numbers, and those valid on its previous list that are not any more),
read by the partner's system through the API or downloaded by its staff, each fetch recorded;
the office reads the lists made and who fetched them.

A number is valid on a night when its card is active and not past its validity date, and the
holder's highest honour (card_codes.highest_level) reaches an active public-transport benefit
the partner gives. Only numbers leave here: no names, no ID numbers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from core.auth.models import User
from core.auth.services import require_office
from core.clock import local_day
from core.errors import Forbidden, NotFound
from core.extensions import db
from core.rows import get_or_not_found
from honours.bus_models import BusListExport, BusListFetch, BusListLine, FetchChannel, ListMaker
from honours.card_models import (
    Benefit,
    BenefitArea,
    BenefitKind,
    BenefitPartner,
    CardStatus,
    CourtesyCard,
    Partner,
    PartnerKind,
    PartnerStatus,
)
from honours.models import HonourLevel
from honours.services.card_codes import highest_level, level_reaches
from honours.services.partner_staff import partners_of
from honours.services.partners import NO_SUCH_PARTNER

NOT_BUS_STAFF = _l("This account does not work for a bus company on the card.")
NO_LIST_YET = _l("No list has been made for your bus company yet.")
NO_SUCH_LIST = _l("No such list of your bus company.")
NOT_BUS = _l("Only a bus company has a list of card numbers.")
# How many of a partner's lists the office's page shows, the newest first.
LISTS_SHOWN = 14


# Making the lists -------------------------------------------------------------------------------


def transport_level(partner_id: int) -> HonourLevel | None:
    """The lowest honour level that rides free with the partner: the most open of the active
    public-transport benefits it gives at its counter (None: it gives none)."""
    levels = db.session.scalars(
        select(Benefit.lowest_level)
        .join(BenefitPartner, BenefitPartner.benefit_id == Benefit.id)
        .where(
            BenefitPartner.partner_id == partner_id,
            Benefit.is_active.is_(True),
            Benefit.area == BenefitArea.transport,
            Benefit.kind != BenefitKind.application,
        )
    ).all()
    return max(levels, key=lambda level: level.rank) if levels else None


def valid_cards(partner_id: int, night: date) -> dict[str, int]:
    """The cards that ride free with the partner on `night`, as {number: card id}."""
    lowest = transport_level(partner_id)
    if lowest is None:
        return {}
    active = db.session.execute(
        select(CourtesyCard.number, CourtesyCard.id, CourtesyCard.person_id).where(
            CourtesyCard.status == CardStatus.active, CourtesyCard.valid_until >= night
        )
    ).all()
    # One person holds at most one active card; the level is the card's own rule.
    return {
        number: card_id
        for number, card_id, person_id in active
        if level_reaches(highest_level(person_id), lowest)
    }


def _valid_lines(export_id: int) -> dict[str, int]:
    rows = db.session.execute(
        select(BusListLine.number, BusListLine.card_id).where(
            BusListLine.export_id == export_id, BusListLine.is_valid.is_(True)
        )
    )
    return dict(rows.all())


def make_export(partner: Partner, *, now: datetime, made_by: ListMaker) -> BusListExport | None:
    """Make the partner's list for the night of `now`: every valid number, and the numbers on
    its previous list that are no longer valid. Returns None when the night's list exists
    already (a second run, or another scheduler at the same moment, made it: the unique
    (partner, night) decides)."""
    night = local_day(now)
    made = select(BusListExport.id).where(
        BusListExport.partner_id == partner.id, BusListExport.night == night
    )
    if db.session.scalar(made) is not None:
        return None
    previous = db.session.scalar(
        select(BusListExport)
        .where(BusListExport.partner_id == partner.id, BusListExport.night < night)
        .order_by(BusListExport.night.desc())
        .limit(1)
    )
    valid = valid_cards(partner.id, night)
    before = _valid_lines(previous.id) if previous is not None else {}
    ended = {number: card_id for number, card_id in before.items() if number not in valid}
    export = BusListExport(
        partner_id=partner.id,
        night=night,
        made_at=now,
        made_by=made_by,
        previous_id=previous.id if previous is not None else None,
        valid_count=len(valid),
        invalid_count=len(ended),
    )
    try:
        with db.session.begin_nested():
            db.session.add(export)
    except IntegrityError:
        return None
    db.session.add_all(
        [
            *(
                BusListLine(export_id=export.id, number=n, card_id=c, is_valid=True)
                for n, c in valid.items()
            ),
            *(
                BusListLine(export_id=export.id, number=n, card_id=c, is_valid=False)
                for n, c in ended.items()
            ),
        ]
    )
    db.session.flush()
    return export


@dataclass(frozen=True)
class ListRun:
    """What one run made: lists made, and partners whose list for the night existed."""

    made: int
    existing: int

    def __str__(self) -> str:
        return f"bus lists made: {self.made}; made already tonight: {self.existing}"


def make_exports(*, now: datetime, made_by: ListMaker) -> ListRun:
    """Make tonight's list of every approved bus partner that has none yet (the nightly job
    and `flask honours bus-list`)."""
    partners = db.session.scalars(
        select(Partner)
        .where(Partner.kind == PartnerKind.bus, Partner.status == PartnerStatus.approved)
        .order_by(Partner.id)
    ).all()
    made = sum(make_export(p, now=now, made_by=made_by) is not None for p in partners)
    return ListRun(made=made, existing=len(partners) - made)


# Reading a list (the partner) -------------------------------------------------------------------


def bus_partner_of(user: User, now: datetime) -> Partner:
    """The approved bus partner the user works for (its service account or its staff). Raises
    Forbidden for anyone else, or for staff of several bus companies."""
    found = [p for p in partners_of(user, now) if p.kind is PartnerKind.bus]
    if len(found) != 1:
        raise Forbidden(NOT_BUS_STAFF)
    return found[0]


def latest_export(partner_id: int) -> BusListExport | None:
    """The partner's newest list, if any."""
    return db.session.scalar(
        select(BusListExport)
        .where(BusListExport.partner_id == partner_id)
        .order_by(BusListExport.night.desc(), BusListExport.id.desc())
        .limit(1)
    )


@dataclass(frozen=True)
class BusList:
    """A list as the bus company reads it: the valid numbers, and those no longer valid since
    `since` (the previous list, or the older one asked for; None for a first list)."""

    export: BusListExport
    since: BusListExport | None
    valid: list[str]
    invalid: list[str]


def read_list(
    user: User,
    *,
    now: datetime,
    channel: FetchChannel,
    since_id: int | None = None,
    token_id: int | None = None,
) -> BusList:
    """The newest list of the user's bus company, with the numbers invalid since its previous
    list, or since the older list `since_id` (for a system that missed some nights); the fetch
    is recorded (who, with which token, when, which list).

    Raises Forbidden (not the staff of a bus company), NotFound (no list yet; `since_id` not a
    list of this partner, or newer than the newest)."""
    partner = bus_partner_of(user, now)
    export = latest_export(partner.id)
    if export is None:
        raise NotFound(NO_LIST_YET)
    valid = _valid_lines(export.id)
    if since_id is None:
        since = db.session.get(BusListExport, export.previous_id) if export.previous_id else None
        invalid = sorted(
            db.session.scalars(
                select(BusListLine.number).where(
                    BusListLine.export_id == export.id, BusListLine.is_valid.is_(False)
                )
            )
        )
    else:
        since = db.session.get(BusListExport, since_id)
        if since is None or since.partner_id != partner.id or since.night > export.night:
            raise NotFound(NO_SUCH_LIST)
        invalid = sorted(n for n in _valid_lines(since.id) if n not in valid)
    db.session.add(
        BusListFetch(
            export_id=export.id,
            since_id=since_id,
            user_id=user.id,
            token_id=token_id,
            channel=channel,
            fetched_at=now,
        )
    )
    db.session.flush()
    return BusList(export, since, sorted(valid), invalid)


# The office ---------------------------------------------------------------------------------------


def office_bus_partner(office: User, partner_id: int) -> Partner:
    """A bus partner, for the office. Raises Forbidden (not the office), NotFound (no such
    partner, or not a bus company)."""
    require_office(office)
    partner = get_or_not_found(Partner, partner_id, NO_SUCH_PARTNER)
    if partner.kind is not PartnerKind.bus:
        raise NotFound(NOT_BUS)
    return partner


@dataclass(frozen=True)
class ExportRow:
    """A list made, with its fetches, the newest first."""

    export: BusListExport
    fetches: list[BusListFetch]


def list_exports(office: User, partner_id: int, *, limit: int = LISTS_SHOWN) -> list[ExportRow]:
    """The partner's newest lists with who fetched each and when (the office). Raises
    Forbidden, NotFound (as office_bus_partner)."""
    partner = office_bus_partner(office, partner_id)
    exports = db.session.scalars(
        select(BusListExport)
        .where(BusListExport.partner_id == partner.id)
        .order_by(BusListExport.night.desc(), BusListExport.id.desc())
        .limit(limit)
    ).all()
    fetches: dict[int, list[BusListFetch]] = {export.id: [] for export in exports}
    if exports:
        for fetch in db.session.scalars(
            select(BusListFetch)
            .where(BusListFetch.export_id.in_(fetches))
            .options(joinedload(BusListFetch.user), joinedload(BusListFetch.token))
            .order_by(BusListFetch.fetched_at.desc(), BusListFetch.id.desc())
        ):
            fetches[fetch.export_id].append(fetch)
    return [ExportRow(export, fetches[export.id]) for export in exports]
