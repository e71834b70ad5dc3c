"""Courtesy-card partners (礼遇合作单位): registered by the office or by a district's clerk for
their district, approved or suspended by the office; a caring merchant linked to its merchant
record; the partner's staff, added and withdrawn by the office. A partner's contact phone is
shown whole to the office only."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from core.auth.assignments import (
    AssignmentKind,
    RoleAssignment,
    assignments_of,
    grant_assignment,
    withdraw_assignment,
)
from core.auth.models import Role, User
from core.auth.services import find_user_by_phone, normalize_phone, require_office
from core.districts import get_district
from core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from core.extensions import db
from core.rows import Slice, Window, get_or_not_found, read_slice
from honours.card_models import Partner, PartnerKind, PartnerStatus
from honours.services.partner_staff import partners_of
from honours.services.privacy import mask_phone
from points.models import Merchant, MerchantStaff

NAME_MAX = 120
ADDRESS_MAX = 200
CONTACT_NAME_MAX = 64
# A mobile or a landline with its area code (0335-1234567), spaces and dashes allowed.
CONTACT_PHONE = re.compile(r"^\+?[0-9][0-9 \-]{4,18}[0-9]$")

FIRST_PAGE = Window()
NO_SUCH_PARTNER = _l("No such card partner.")
NO_SUCH_STAFF = _l("This account is not on the partner's staff.")


@dataclass(frozen=True)
class PartnerDetails:
    """What registering or changing a partner takes. `merchant_id` links a caring merchant
    (the kind is then `merchant`)."""

    name: str
    kind: PartnerKind
    district_id: int | None = None
    address: str = ""
    contact_name: str = ""
    contact_phone: str = ""
    merchant_id: int | None = None


@dataclass(frozen=True)
class PartnerView:
    """A partner as one reader may see it: the contact phone whole for the office, masked for
    everyone else; whether the reader may decide on it and manage it."""

    partner: Partner
    contact_phone: str
    is_office: bool

    @property
    def can_approve(self) -> bool:
        return self.is_office and self.partner.status is not PartnerStatus.approved

    @property
    def can_suspend(self) -> bool:
        return self.is_office and self.partner.status is PartnerStatus.approved


@dataclass(frozen=True)
class StaffMember:
    """Someone who checks cards for a partner: by an assignment (which the office may withdraw)
    or as staff of the caring merchant linked to it."""

    user: User
    assignment: RoleAssignment | None

    @property
    def via_merchant(self) -> bool:
        return self.assignment is None


# Who may do what ------------------------------------------------------------------------------


def _is_office(user: User) -> bool:
    return user.is_enabled and user.role is Role.office


def clerk_district_ids(user: User, now: datetime) -> set[int]:
    """The districts (core.districts) the user is a district clerk of at `now`."""
    if not user.is_enabled:
        return set()
    return {
        a.region.district_id
        for a in assignments_of(user, now)
        if a.kind is AssignmentKind.district_clerk
        and a.region is not None
        and a.region.district_id is not None
    }


def may_register(user: User, now: datetime) -> bool:
    """The office, and a district's clerk (for their district)."""
    return _is_office(user) or bool(clerk_district_ids(user, now))


def view_of(user: User, partner: Partner) -> PartnerView:
    office = _is_office(user)
    phone = partner.contact_phone if office else (mask_phone(partner.contact_phone) or "")
    return PartnerView(partner, phone, office)


def _readable(user: User, partner: Partner, now: datetime) -> bool:
    if _is_office(user):
        return True
    if partner.district_id is not None and partner.district_id in clerk_district_ids(user, now):
        return True
    return any(p.id == partner.id for p in partners_of(user, now))


# Registering and changing ---------------------------------------------------------------------


def _clean(details: PartnerDetails, *, partner: Partner | None) -> dict:
    """The details as stored, or ValidationFailed naming every field that is wrong."""
    errors: dict[str, list[str]] = {}
    name = (details.name or "").strip()
    if not name or len(name) > NAME_MAX:
        errors["name"] = [str(_l("Enter a name of at most 120 characters."))]
    else:
        taken = select(Partner.id).where(func.lower(Partner.name) == name.lower())
        if partner is not None:
            taken = taken.where(Partner.id != partner.id)
        if db.session.scalar(taken) is not None:
            errors["name"] = [str(_l("A card partner of this name exists already."))]
    address = (details.address or "").strip()
    if len(address) > ADDRESS_MAX:
        errors["address"] = [str(_l("Enter an address of at most 200 characters."))]
    contact_name = (details.contact_name or "").strip()
    if len(contact_name) > CONTACT_NAME_MAX:
        errors["contact_name"] = [str(_l("Enter a name of at most 64 characters."))]
    contact_phone = (details.contact_phone or "").strip()
    if contact_phone and not CONTACT_PHONE.match(contact_phone):
        errors["contact_phone"] = [
            str(_l("Enter a mobile number or a landline with its area code."))
        ]
    kind = details.kind
    merchant = None
    if details.merchant_id is not None:
        merchant = db.session.get(Merchant, details.merchant_id)
        if merchant is None:
            errors["merchant_id"] = [str(_l("Choose a merchant from the list."))]
        else:
            linked = select(Partner.id).where(Partner.merchant_id == merchant.id)
            if partner is not None:
                linked = linked.where(Partner.id != partner.id)
            if db.session.scalar(linked) is not None:
                errors["merchant_id"] = [
                    str(_l("This merchant is linked to a card partner already."))
                ]
        kind = PartnerKind.merchant
    elif kind is PartnerKind.merchant:
        errors["merchant_id"] = [str(_l("Choose the caring merchant this partner is."))]
    district_id = details.district_id
    if district_id is None and merchant is not None:
        district_id = merchant.district_id
    if district_id is not None:
        try:
            get_district(district_id)
        except ValidationFailed as error:
            errors.update(error.errors)
    if errors:
        raise ValidationFailed(errors=errors)
    return {
        "name": name,
        "kind": kind,
        "district_id": district_id,
        "address": address,
        "contact_name": contact_name,
        "contact_phone": contact_phone,
        "merchant_id": merchant.id if merchant is not None else None,
    }


def _write(partner: Partner, values: dict, *, existing: Partner | None) -> None:
    for key, value in values.items():
        setattr(partner, key, value)
    try:
        # The unique name and merchant decide, also between two registrations at once.
        with db.session.begin_nested():
            db.session.add(partner)
    except IntegrityError:
        # Another registration took the name or the merchant meanwhile: say which, as the
        # checks before would have.
        _clean(PartnerDetails(**values), partner=existing)
        raise Conflict(_l("This conflicts with a partner registered meanwhile.")) from None


def register_partner(actor: User, details: PartnerDetails, *, now: datetime) -> Partner:
    """Register a partner, waiting for the office's approval: the office anywhere, a district's
    clerk in their own district (a partner they register must name it).

    Raises Forbidden (neither), ValidationFailed (name empty, too long or taken; an unknown
    district or merchant; a merchant linked already; a caring merchant without its merchant;
    a malformed phone; a clerk's partner outside their district)."""
    if not _is_office(actor):
        districts = clerk_district_ids(actor, now)
        if not districts:
            raise Forbidden(_l("Only the office or a district's clerk registers card partners."))
    values = _clean(details, partner=None)
    if not _is_office(actor) and values["district_id"] not in districts:
        raise ValidationFailed(
            errors={"district_id": [str(_l("Choose the district you are a clerk of."))]}
        )
    partner = Partner(
        status=PartnerStatus.pending, registered_at=now, registered_by_id=actor.id or None
    )
    _write(partner, values, existing=None)
    return partner


def update_partner(
    office: User, partner_id: int, details: PartnerDetails, *, now: datetime
) -> Partner:
    """Change a partner's details (the office); its status stays. Raises Forbidden, NotFound,
    ValidationFailed (as registering)."""
    require_office(office)
    partner = get_or_not_found(Partner, partner_id, NO_SUCH_PARTNER, lock=True)
    _write(partner, _clean(details, partner=partner), existing=partner)
    return partner


def _decide(
    office: User, partner_id: int, *, now: datetime, to: PartnerStatus, came_from
) -> Partner:
    require_office(office)
    partner = get_or_not_found(Partner, partner_id, NO_SUCH_PARTNER)
    # A conditional UPDATE: of two offices deciding at once, one decides and one is told.
    done = db.session.execute(
        update(Partner)
        .where(Partner.id == partner.id, Partner.status.in_(came_from))
        .values(status=to, decided_at=now, decided_by_id=office.id or None)
        .execution_options(synchronize_session=False)
    )
    if done.rowcount != 1:
        db.session.refresh(partner)
        raise Conflict(
            _l("The partner is %(status)s already.", status=partner.status.label),
            code="decided_already",
        )
    db.session.refresh(partner)
    return partner


def approve_partner(office: User, partner_id: int, *, now: datetime) -> Partner:
    """Approve a waiting or suspended partner (the office): its staff may check cards and its
    benefits are given. Raises Forbidden, NotFound, Conflict (approved already)."""
    return _decide(
        office,
        partner_id,
        now=now,
        to=PartnerStatus.approved,
        came_from=(PartnerStatus.pending, PartnerStatus.suspended),
    )


def suspend_partner(office: User, partner_id: int, *, now: datetime) -> Partner:
    """Suspend an approved partner (the office): its staff no longer check cards and it gives
    no benefits until approved again. Raises Forbidden, NotFound, Conflict (not approved)."""
    return _decide(
        office, partner_id, now=now, to=PartnerStatus.suspended, came_from=(PartnerStatus.approved,)
    )


# Reading --------------------------------------------------------------------------------------


def _loaded(query):
    return query.options(selectinload(Partner.district), selectinload(Partner.merchant))


def get_partner(actor: User, partner_id: int, *, now: datetime) -> PartnerView:
    """One partner as the reader may see it: the office, the clerk of its district, its own
    staff. Raises NotFound (no such partner, or not theirs to know of)."""
    partner = db.session.get(Partner, partner_id)
    if partner is None or not _readable(actor, partner, now):
        raise NotFound(NO_SUCH_PARTNER)
    return view_of(actor, partner)


def list_partners(
    actor: User,
    *,
    now: datetime,
    status: PartnerStatus | None = None,
    kind: PartnerKind | None = None,
    window: Window = FIRST_PAGE,
) -> Slice:
    """The partners the reader may see, by name, as `PartnerView`s: every one for the office,
    their district's for a district's clerk, their own for a partner's staff. Raises Forbidden
    for anyone else."""
    query = _loaded(select(Partner))
    if not _is_office(actor):
        districts = clerk_district_ids(actor, now)
        own = [p.id for p in partners_of(actor, now)]
        if not districts and not own:
            raise Forbidden(_l("Only the office, district clerks and partner staff read this."))
        query = query.where(Partner.district_id.in_(districts) | Partner.id.in_(own))
    if status is not None:
        query = query.where(Partner.status == status)
    if kind is not None:
        query = query.where(Partner.kind == kind)
    found = read_slice(query.order_by(Partner.name, Partner.id), window)
    return Slice([view_of(actor, partner) for partner in found.items], found.total)


def partner_choices() -> list[tuple[int, str]]:
    """Every partner as (id, name, with its status when not approved), for the benefits' form."""
    partners = db.session.scalars(select(Partner).order_by(Partner.name, Partner.id))
    return [
        (
            p.id,
            p.name if p.status is PartnerStatus.approved else f"{p.name} ({p.status.label})",
        )
        for p in partners
    ]


def linkable_merchants(partner: Partner | None = None) -> list[Merchant]:
    """The merchants not linked to a partner (and the partner's own), by name."""
    linked = select(Partner.merchant_id).where(Partner.merchant_id.is_not(None))
    if partner is not None:
        linked = linked.where(Partner.id != partner.id)
    return list(
        db.session.scalars(
            select(Merchant).where(Merchant.id.not_in(linked)).order_by(Merchant.name)
        )
    )


def partner_names(partner_ids) -> dict[int, str]:
    """Partners' names by id (for the user administration's list of assignments)."""
    ids = {i for i in partner_ids if i is not None}
    if not ids:
        return {}
    rows = db.session.execute(select(Partner.id, Partner.name).where(Partner.id.in_(ids)))
    return {partner_id: name for partner_id, name in rows}


# Staff ----------------------------------------------------------------------------------------


def add_partner_staff(office: User, partner_id: int, *, phone: str, now: datetime):
    """Make an existing, enabled account (found by its mobile number) staff of the partner (the
    office); a volunteer's or a merchant's account, not the office's. Written to the audit log.

    Raises Forbidden, NotFound (no such partner), ValidationFailed (a malformed number, no
    account with it, an office account), Conflict (disabled, or on the staff already)."""
    require_office(office)
    partner = get_or_not_found(Partner, partner_id, NO_SUCH_PARTNER)
    user = find_user_by_phone(normalize_phone(phone))
    if user is None:
        raise ValidationFailed(errors={"phone": [str(_l("No account has this mobile number."))]})
    if user.role is Role.office:
        raise ValidationFailed(
            errors={"phone": [str(_l("An office account cannot be a partner's staff."))]}
        )
    return grant_assignment(
        office, user.id, AssignmentKind.partner_staff, now=now, partner_id=partner.id
    )


def withdraw_partner_staff(
    office: User, partner_id: int, assignment_id: int, *, now: datetime
) -> RoleAssignment:
    """Take an account off the partner's staff (the office); the assignment stays in its
    history. Raises Forbidden, NotFound (no such partner, or not its staff assignment),
    Conflict (withdrawn already)."""
    require_office(office)
    partner = get_or_not_found(Partner, partner_id, NO_SUCH_PARTNER)
    assignment = db.session.get(RoleAssignment, assignment_id)
    if (
        assignment is None
        or assignment.kind is not AssignmentKind.partner_staff
        or assignment.partner_id != partner.id
    ):
        raise NotFound(NO_SUCH_STAFF)
    return withdraw_assignment(office, assignment.id, now=now)


def list_partner_staff(actor: User, partner_id: int, *, now: datetime) -> list[StaffMember]:
    """Who checks cards for the partner now, by name: those holding a staff assignment, then
    the staff of its linked caring merchant. For the office and the partner's own staff.
    Raises NotFound (no such partner, or not theirs)."""
    partner = db.session.get(Partner, partner_id)
    if partner is None or not (
        _is_office(actor) or any(p.id == partner_id for p in partners_of(actor, now))
    ):
        raise NotFound(NO_SUCH_PARTNER)
    held = db.session.scalars(
        select(RoleAssignment)
        .options(selectinload(RoleAssignment.user))
        .where(
            RoleAssignment.partner_id == partner.id,
            RoleAssignment.kind == AssignmentKind.partner_staff,
            RoleAssignment.granted_at <= now,
            (RoleAssignment.withdrawn_at.is_(None)) | (RoleAssignment.withdrawn_at > now),
        )
    )
    members = sorted(
        (StaffMember(a.user, a) for a in held), key=lambda m: (m.user.display_name, m.user.id)
    )
    if partner.merchant_id is not None:
        merchant_staff = db.session.scalars(
            select(User)
            .join(MerchantStaff, MerchantStaff.user_id == User.id)
            .where(MerchantStaff.merchant_id == partner.merchant_id, User.is_enabled.is_(True))
            .order_by(User.display_name, User.id)
        )
        members += [StaffMember(user, None) for user in merchant_staff]
    return members
