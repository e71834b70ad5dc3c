"""One-time redeem codes: issuing one to a volunteer, checking it at the counter."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from core.auth.models import Role, User
from core.errors import Forbidden, ValidationFailed
from core.extensions import db
from points.models import RedeemCode
from points.services.ledger import balance_of
from points.services.merchants import staff_merchant


class CodeInvalid(ValidationFailed):
    code = "redeem_code_invalid"
    default_message = _l("This code is unknown, expired or used. Ask for a new one.")


def issue_redeem_code(volunteer: User, *, now: datetime, lifetime_minutes: int) -> RedeemCode:
    """A fresh one-time code for the volunteer, valid `lifetime_minutes`; the volunteer's
    earlier unused codes stop working. Raises Forbidden (not a volunteer)."""
    if volunteer.role is not Role.volunteer:
        raise Forbidden(_l("Only volunteers have points to spend."))
    db.session.execute(
        update(RedeemCode)
        .where(
            RedeemCode.user_id == volunteer.id,
            RedeemCode.used_at.is_(None),
            RedeemCode.expires_at > now,
        )
        .values(expires_at=now)
        .execution_options(synchronize_session=False)
    )
    lifetime = timedelta(minutes=lifetime_minutes)
    while True:
        code = f"{secrets.randbelow(10**8):08d}"
        try:
            with db.session.begin_nested():
                row = RedeemCode(
                    user_id=volunteer.id, code=code, created_at=now, expires_at=now + lifetime
                )
                db.session.add(row)
        except IntegrityError:
            continue  # the number was taken before: draw another
        return row


def _find_code(code: str, *, lock: bool) -> RedeemCode | None:
    code = (code or "").strip().replace(" ", "")
    if not (len(code) == 8 and code.isdigit()):
        return None
    # With its volunteer: every use of a code is about whose it is.
    query = (
        select(RedeemCode)
        .where(RedeemCode.code == code)
        .options(joinedload(RedeemCode.user, innerjoin=True))
    )
    if lock:
        query = query.with_for_update(of=RedeemCode)
    return db.session.scalar(query.execution_options(populate_existing=True))


def _check_usable(row: RedeemCode | None, now: datetime) -> RedeemCode:
    if row is None or row.used_at is not None or row.expires_at <= now:
        raise CodeInvalid()
    return row


@dataclass(frozen=True)
class CodeLookup:
    """What the counter sees before confirming: whose code, and what they have."""

    display_name: str
    balance: int
    expires_at: datetime


def look_up_code(staff: User, code: str, *, now: datetime) -> CodeLookup:
    """Staff type or scan a code: the volunteer's name and balance. Raises Forbidden,
    CodeInvalid."""
    staff_merchant(staff)
    row = _check_usable(_find_code(code, lock=False), now)
    return CodeLookup(row.user.display_name, balance_of(row.user), row.expires_at)
