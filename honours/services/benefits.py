"""Benefits on the courtesy card (礼遇项目): what the office offers in the city's 8 areas, given
by one partner or shared city-wide by several; free, a discount, priority or by application;
worth a value in fen for settlement, limited per year or month, for a lowest honour level.
Edits never change past uses: each CardUse keeps the value it was recorded with."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from core.auth.models import Role, User
from core.auth.services import require_office
from core.errors import Forbidden, NotFound, ValidationFailed
from core.extensions import db
from core.rows import Slice, Window, get_or_not_found, read_slice
from honours.card_models import (
    Benefit,
    BenefitArea,
    BenefitKind,
    BenefitPartner,
    LimitPeriod,
    Partner,
    PartnerStatus,
)
from honours.models import HonourLevel
from honours.services.partner_staff import partners_of

NAME_MAX = 120
DESCRIPTION_MAX = 2000
# One use is worth at most 100,000 yuan; a limit counts at most 1,000 uses a period.
VALUE_MAX_FEN = 10_000_000
LIMIT_MAX = 1000

FIRST_PAGE = Window()
NO_SUCH_BENEFIT = _l("No such benefit.")
YUAN_MESSAGE = _l("Enter an amount in yuan with at most 2 decimals, such as 35 or 12.50.")


def parse_yuan(text: str | None, field: str = "value_yuan", *, max_fen: int = VALUE_MAX_FEN) -> int:
    """An amount in yuan as typed (“12.5”, “35”, “0.08”) as integer fen, read as a decimal and
    never through a float. Raises ValidationFailed naming `field` for anything else: more than
    2 decimals, a negative amount, more than `max_fen`, or not a number."""
    raw = (text or "").strip().replace(",", "")
    try:
        amount = Decimal(raw)
    except InvalidOperation:
        raise ValidationFailed(errors={field: [str(YUAN_MESSAGE)]}) from None
    if not amount.is_finite() or amount.as_tuple().exponent < -2:
        raise ValidationFailed(errors={field: [str(YUAN_MESSAGE)]})
    if amount < 0:
        raise ValidationFailed(errors={field: [str(_l("The value cannot be negative."))]})
    # Compared before multiplying: an exponent such as 1e999999 would overflow the product.
    if amount > Decimal(max_fen) / 100:
        raise ValidationFailed(errors={field: [str(_l("The value is too large."))]})
    return int(amount * 100)


def yuan_text(fen: int) -> str:
    """Fen as yuan with two decimals (1250 → “12.50”), without a float."""
    return f"{fen // 100}.{fen % 100:02d}"


@dataclass(frozen=True)
class BenefitDetails:
    """What creating or changing a benefit takes; the value in fen (see parse_yuan)."""

    name: str
    area: BenefitArea
    kind: BenefitKind
    partner_ids: tuple[int, ...]
    value_fen: int = 0
    description: str = ""
    discount_percent: int | None = None
    limit_count: int | None = None
    limit_period: LimitPeriod | None = None
    lowest_level: HonourLevel = HonourLevel.county
    is_active: bool = True


def _clean(details: BenefitDetails) -> tuple[dict, list[Partner]]:
    """The values as stored and the partners, or ValidationFailed naming every wrong field."""
    errors: dict[str, list[str]] = {}
    name = (details.name or "").strip()
    if not name or len(name) > NAME_MAX:
        errors["name"] = [str(_l("Enter a name of at most 120 characters."))]
    description = (details.description or "").strip()
    if len(description) > DESCRIPTION_MAX:
        errors["description"] = [str(_l("Enter at most 2,000 characters."))]
    discount = details.discount_percent
    if details.kind is BenefitKind.discount:
        if discount is None or not 1 <= discount <= 99:
            errors["discount_percent"] = [
                str(_l("A discount is the share of the price paid, from 1 to 99 per cent."))
            ]
    elif discount is not None:
        errors["discount_percent"] = [str(_l("Only a discount takes a percentage."))]
    if details.value_fen < 0:
        errors["value_yuan"] = [str(_l("The value cannot be negative."))]
    elif details.value_fen > VALUE_MAX_FEN:
        errors["value_yuan"] = [str(_l("The value is too large."))]
    count, period = details.limit_count, details.limit_period
    if count is not None and not 1 <= count <= LIMIT_MAX:
        errors["limit_count"] = [
            str(_l("A limit is from 1 to 1,000 uses; leave it empty for none."))
        ]
    elif (count is None) != (period is None):
        field = "limit_period" if count is not None else "limit_count"
        errors[field] = [str(_l("A limit takes both a number of uses and a period."))]
    ids = sorted(set(details.partner_ids))
    partners = []
    if not ids:
        errors["partner_ids"] = [str(_l("Choose at least one partner that gives the benefit."))]
    else:
        partners = list(db.session.scalars(select(Partner).where(Partner.id.in_(ids))))
        if len(partners) != len(ids):
            errors["partner_ids"] = [str(_l("Choose partners from the list."))]
    if errors:
        raise ValidationFailed(errors=errors)
    values = {
        "name": name,
        "description": description,
        "area": details.area,
        "kind": details.kind,
        "discount_percent": discount if details.kind is BenefitKind.discount else None,
        "value_fen": details.value_fen,
        "limit_count": count,
        "limit_period": period,
        "lowest_level": details.lowest_level,
        "is_active": details.is_active,
    }
    return values, partners


def create_benefit(office: User, details: BenefitDetails, *, now: datetime) -> Benefit:
    """Offer a benefit (the office) given by the partners named: one, or several for a
    city-wide benefit with one counter whichever of them gives it.

    Raises Forbidden, ValidationFailed (a name empty or too long; a discount outside 1–99 or a
    percentage on another kind; a negative or huge value; a limit of 0 or without its period;
    no partner or an unknown one)."""
    require_office(office)
    values, partners = _clean(details)
    benefit = Benefit(**values, created_at=now, created_by_id=office.id or None)
    benefit.partners = partners
    db.session.add(benefit)
    db.session.flush()
    return benefit


def update_benefit(
    office: User, benefit_id: int, details: BenefitDetails, *, now: datetime
) -> Benefit:
    """Change a benefit (the office). Uses recorded before keep their own value and period;
    the counters of the current period stay. Raises Forbidden, NotFound, ValidationFailed (as
    creating)."""
    require_office(office)
    benefit = get_or_not_found(Benefit, benefit_id, NO_SUCH_BENEFIT, lock=True)
    values, partners = _clean(details)
    for key, value in values.items():
        setattr(benefit, key, value)
    benefit.partners = partners
    db.session.flush()
    return benefit


def _loaded(query):
    return query.options(selectinload(Benefit.partners))


def benefits_at(partner_id: int) -> list[Benefit]:
    """The active benefits an approved partner gives, by area and name (none for a partner
    waiting or suspended): what its staff may record a use of."""
    query = (
        select(Benefit)
        .join(BenefitPartner, BenefitPartner.benefit_id == Benefit.id)
        .join(Partner, Partner.id == BenefitPartner.partner_id)
        .where(
            BenefitPartner.partner_id == partner_id,
            Partner.status == PartnerStatus.approved,
            Benefit.is_active.is_(True),
        )
    )
    benefits = db.session.scalars(_loaded(query)).unique()
    order = list(BenefitArea)
    return sorted(benefits, key=lambda b: (order.index(b.area), b.name, b.id))


def _is_office(user: User) -> bool:
    return user.is_enabled and user.role is Role.office


def get_benefit(actor: User, benefit_id: int, *, now: datetime) -> Benefit:
    """One benefit: for the office, and for the staff of a partner that gives it. Raises
    NotFound (no such benefit, or not theirs to know of)."""
    benefit = db.session.get(Benefit, benefit_id, options=[selectinload(Benefit.partners)])
    if benefit is None:
        raise NotFound(NO_SUCH_BENEFIT)
    if not _is_office(actor):
        own = {p.id for p in partners_of(actor, now)}
        if not own & {p.id for p in benefit.partners}:
            raise NotFound(NO_SUCH_BENEFIT)
    return benefit


def list_benefits(
    actor: User,
    *,
    now: datetime,
    partner_id: int | None = None,
    area: BenefitArea | None = None,
    is_active: bool | None = None,
    window: Window = FIRST_PAGE,
) -> Slice:
    """Benefits by area and name. The office reads every one (of a partner, an area, active or
    not); a partner's staff read those their partners give. Raises Forbidden for anyone else,
    and for a partner's staff naming a partner not theirs."""
    query = select(Benefit)
    if not _is_office(actor):
        own = {p.id for p in partners_of(actor, now)}
        if not own:
            raise Forbidden(_l("Only the office and partner staff read the benefits."))
        if partner_id is not None and partner_id not in own:
            raise Forbidden(_l("This is another partner's."))
        wanted = {partner_id} if partner_id is not None else own
        given = select(BenefitPartner.benefit_id).where(BenefitPartner.partner_id.in_(wanted))
        query = query.where(Benefit.id.in_(given))
    elif partner_id is not None:
        given = select(BenefitPartner.benefit_id).where(BenefitPartner.partner_id == partner_id)
        query = query.where(Benefit.id.in_(given))
    if area is not None:
        query = query.where(Benefit.area == area)
    if is_active is not None:
        query = query.where(Benefit.is_active.is_(is_active))
    return read_slice(
        _loaded(query).order_by(Benefit.name, Benefit.id),
        window,
        count=query,
    )


def list_partner_benefits(partner_id: int) -> list[Benefit]:
    """Every benefit the partner gives or gave (active or not), by name, for its page; the
    caller has found the partner readable."""
    given = select(BenefitPartner.benefit_id).where(BenefitPartner.partner_id == partner_id)
    query = _loaded(select(Benefit).where(Benefit.id.in_(given)))
    return list(db.session.scalars(query.order_by(Benefit.name, Benefit.id)))
