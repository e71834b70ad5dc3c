"""Who works for a courtesy-card partner: a user holding a partner-staff assignment to it, or
the staff of a caring merchant linked to it (the merchant's counter checks cards too)."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from core.auth.assignments import AssignmentKind, assignments_of
from core.auth.models import Role, User
from core.errors import Forbidden
from core.extensions import db
from honours.card_models import Partner, PartnerStatus
from points.models import MerchantStaff

NOT_PARTNER_STAFF = _l("This account does not work for an approved card partner.")


def partners_of(user: User, now: datetime) -> list[Partner]:
    """The approved partners the user works for at `now`, by name."""
    if not user.is_enabled:
        return []
    ids = {
        a.partner_id
        for a in assignments_of(user, now)
        if a.kind is AssignmentKind.partner_staff and a.partner_id is not None
    }
    query = select(Partner).where(Partner.status == PartnerStatus.approved)
    if user.role is Role.merchant_staff:
        merchant_id = select(MerchantStaff.merchant_id).where(MerchantStaff.user_id == user.id)
        partners = db.session.scalars(
            query.where((Partner.id.in_(ids)) | (Partner.merchant_id.in_(merchant_id)))
        )
    elif ids:
        partners = db.session.scalars(query.where(Partner.id.in_(ids)))
    else:
        return []
    return sorted(partners, key=lambda partner: partner.name)


def staff_partner(user: User, now: datetime, partner_id: int | None = None) -> Partner:
    """The partner the user checks cards for: the one named (which they must work for) or
    their only one. Raises Forbidden for anyone else, or when they work for several and name
    none."""
    partners = partners_of(user, now)
    if partner_id is not None:
        partners = [partner for partner in partners if partner.id == partner_id]
    if len(partners) != 1:
        raise Forbidden(NOT_PARTNER_STAFF)
    return partners[0]
