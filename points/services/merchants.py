"""Merchants (爱心商家 / 积分超市), their staff accounts and their catalogues."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from core.auth import services as auth
from core.auth.admin import record_action
from core.auth.models import AuditAction, Role, User
from core.auth.services import require_office
from core.collation import in_pinyin_order
from core.districts import get_district
from core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from core.extensions import db
from core.rows import get_or_not_found
from points.models import CatalogItem, Merchant, MerchantKind, MerchantStaff
from points.services.ledger import MAX_ADJUSTMENT


def get_merchant(merchant_id: int) -> Merchant:
    """Return the merchant; raise NotFound if there is none."""
    return get_or_not_found(Merchant, merchant_id, _l("No such merchant."))


def register_merchant(
    office: User,
    *,
    name: str,
    kind: MerchantKind,
    district_id: int,
    address: str,
    contact: str = "",
) -> Merchant:
    """The office registers a merchant. Raises Forbidden, ValidationFailed (name empty or
    taken, unknown district, no address)."""
    require_office(office)
    name, address = (name or "").strip(), (address or "").strip()
    if not name or len(name) > 120:
        raise ValidationFailed(
            errors={"name": [str(_l("Enter a name of at most 120 characters."))]}
        )
    if db.session.scalar(select(Merchant.id).where(func.lower(Merchant.name) == name.lower())):
        raise ValidationFailed(
            errors={"name": [str(_l("A merchant of this name exists already."))]}
        )
    if not address:
        raise ValidationFailed(errors={"address": [str(_l("Enter the address."))]})
    get_district(district_id)
    merchant = Merchant(
        name=name,
        kind=kind,
        district_id=district_id,
        address=address[:200],
        contact=(contact or "").strip()[:64],
    )
    db.session.add(merchant)
    db.session.flush()
    return merchant


def add_staff(
    office: User, merchant_id: int, *, phone: str, display_name: str, password: str
) -> User:
    """The office creates a staff account for a merchant. Raises Forbidden, NotFound,
    ValidationFailed, Conflict (the number is registered already)."""
    require_office(office)
    merchant = get_merchant(merchant_id)
    user = auth.create_user(
        phone=phone, password=password, display_name=display_name, role=Role.merchant_staff
    )
    db.session.add(MerchantStaff(user_id=user.id, merchant_id=merchant.id))
    db.session.flush()
    return user


def staff_link(office: User, user_id: int) -> MerchantStaff | None:
    """The merchant a staff account is linked to (its merchant loaded), or None; for the
    office's user pages. Raises Forbidden."""
    require_office(office)
    return db.session.get(MerchantStaff, user_id, options=[joinedload(MerchantStaff.merchant)])


def link_staff(office: User, user_id: int, merchant_id: int, *, now: datetime) -> MerchantStaff:
    """The office links a merchant-staff account to a merchant (a clerk without a counter, or
    one moved from another shop after the old link was removed); written to the audit log.
    Raises Forbidden, NotFound, Conflict (not a merchant-staff account, linked already)."""
    require_office(office)
    # The account's row locked: two offices linking it at once take turns.
    user = get_or_not_found(User, user_id, _l("No such user."), lock=True)
    merchant = get_merchant(merchant_id)
    if user.role is not Role.merchant_staff:
        raise Conflict(
            _l("Only a merchant-staff account can work at a merchant."), code="not_staff"
        )
    current = db.session.get(MerchantStaff, user.id, options=[joinedload(MerchantStaff.merchant)])
    if current is not None:
        raise Conflict(
            _l(
                "This account works for %(name)s; remove that link first.",
                name=current.merchant.name,
            ),
            code="linked_already",
        )
    link = MerchantStaff(user_id=user.id, merchant_id=merchant.id)
    db.session.add(link)
    record_action(
        office,
        AuditAction.staff_linked,
        user,
        now=now,
        details={"merchant_id": merchant.id, "merchant": merchant.name},
    )
    return link


def unlink_staff(office: User, user_id: int, *, now: datetime) -> Merchant:
    """The office removes a staff account's link to its merchant: the account keeps its role
    and may be linked to another merchant; it reaches no counter meanwhile. Written to the
    audit log; returns the merchant it left. Raises Forbidden, NotFound (no account, no link)."""
    require_office(office)
    user = get_or_not_found(User, user_id, _l("No such user."))
    # Locked, so that two offices removing it at once take turns (no eager join: PostgreSQL
    # locks no row of an outer join's nullable side).
    link = db.session.get(MerchantStaff, user.id, with_for_update=True)
    if link is None:
        raise NotFound(_l("This account is not linked to a merchant."))
    merchant = link.merchant
    db.session.delete(link)
    record_action(
        office,
        AuditAction.staff_unlinked,
        user,
        now=now,
        details={"merchant_id": merchant.id, "merchant": merchant.name},
    )
    return merchant


def staff_merchant(user: User) -> Merchant:
    """The merchant a staff account works for; raise Forbidden for anyone else."""
    if user.role is not Role.merchant_staff:
        raise Forbidden()
    staff = db.session.get(MerchantStaff, user.id, options=[joinedload(MerchantStaff.merchant)])
    if staff is None:
        raise Forbidden(_l("This account is not linked to a merchant."))
    return staff.merchant


def managed_merchant(user: User, merchant_id: int) -> Merchant:
    """The merchant if the user is its staff or the office; raise Forbidden or NotFound."""
    if user.role is Role.office:
        return get_merchant(merchant_id)
    merchant = staff_merchant(user)
    if merchant.id != merchant_id:
        raise Forbidden()
    return merchant


def list_staff(user: User, merchant_id: int) -> list[User]:
    """The staff accounts of a merchant (for the office and the merchant's own staff)."""
    managed_merchant(user, merchant_id)
    query = (
        select(User)
        .join(MerchantStaff, MerchantStaff.user_id == User.id)
        .where(MerchantStaff.merchant_id == merchant_id)
        .order_by(in_pinyin_order(User.display_name), User.id)
    )
    return list(db.session.scalars(query))


def _check_item(name: str, price: int, stock: int | None) -> str:
    name = (name or "").strip()
    if not name or len(name) > 120:
        raise ValidationFailed(
            errors={"name": [str(_l("Enter a name of at most 120 characters."))]}
        )
    if not 1 <= price <= MAX_ADJUSTMENT:
        raise ValidationFailed(errors={"price": [str(_l("Enter a price of 1 to 100000 points."))]})
    if stock is not None and not 0 <= stock <= 1_000_000:
        raise ValidationFailed(errors={"stock": [str(_l("Enter a stock of 0 or more."))]})
    return name


def add_item(
    user: User, merchant_id: int, *, name: str, price: int, stock: int | None
) -> CatalogItem:
    """Add goods to a merchant's catalogue (its staff or the office). Raises Forbidden,
    NotFound, ValidationFailed."""
    merchant = managed_merchant(user, merchant_id)
    item = CatalogItem(
        merchant_id=merchant.id, name=_check_item(name, price, stock), price=price, stock=stock
    )
    db.session.add(item)
    db.session.flush()
    return item


def update_item(
    user: User, item_id: int, *, name: str, price: int, stock: int | None, is_active: bool
) -> CatalogItem:
    """Change an item; past redemptions keep the name and price they had. Raises Forbidden,
    NotFound, ValidationFailed."""
    item = db.session.get(CatalogItem, item_id, with_for_update=True)
    if item is None:
        raise NotFound(_l("No such item."))
    managed_merchant(user, item.merchant_id)
    item.name = _check_item(name, price, stock)
    item.price, item.stock, item.is_active = price, stock, is_active
    db.session.flush()
    return item


def list_merchants(*, district_id: int | None = None) -> list[Merchant]:
    """Active merchants, for volunteers choosing where to spend (`offered_items` are the
    goods on offer)."""
    query = (
        select(Merchant)
        .where(Merchant.is_active.is_(True))
        .options(selectinload(Merchant.items), selectinload(Merchant.district))
        .order_by(Merchant.district_id, in_pinyin_order(Merchant.name))
    )
    if district_id:
        query = query.where(Merchant.district_id == district_id)
    return list(db.session.scalars(query))
