"""Getting back into an account without SMS: one-time links (OneTimeLink) to set a new
password, sent to a proved email address or made by the office to read out or send by WeChat;
proving an email address by a link sent to it; and the operator setting a password at the
command line.

A link's secret is shown or sent once and only its SHA-256 is stored. It works once and until
its time is up (an hour by email, a day from the office); a newer link of the same kind ends
the older, and a new password ends every reset link, sign-in session and API token of the
account. What a link does and who made it goes into the audit log.

The services return the secret in an `IssuedLink`; the edge (a view, the CLI) makes the
address from SITE_URL and sends or shows it after the commit.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from core.auth.admin import record_action
from core.auth.models import AuditAction, LinkPurpose, OneTimeLink, User
from core.auth.services import (
    check_password_strength,
    end_links,
    find_user_by_phone,
    normalize_phone,
    replace_password,
    require_office,
)
from core.errors import Conflict, DomainError, NotFound
from core.extensions import db
from core.rows import get_or_not_found

RESET_BY_EMAIL_LIFETIME = timedelta(hours=1)
RESET_BY_OFFICE_LIFETIME = timedelta(days=1)
EMAIL_PROOF_LIFETIME = timedelta(days=2)


class LinkRefused(DomainError):
    """A one-time link that does nothing (any more): unknown, used, ended or expired. The page
    says which, so that the holder knows to ask for a new one."""

    status = 410
    code = "link_refused"
    default_message = _l("This link no longer works.")


UNKNOWN_LINK = _l("This link is not valid. Check that it was copied whole, or ask for a new one.")
USED_LINK = _l("This link has been used already. Each link works once; ask for a new one.")
ENDED_LINK = _l("This link was replaced by a newer one, or the password was set meanwhile.")
EXPIRED_LINK = _l("This link has expired. Ask for a new one.")


@dataclass(frozen=True)
class IssuedLink:
    """A link just made: its secret (never stored), whom it is for and until when."""

    secret: str
    purpose: LinkPurpose
    user_id: int
    display_name: str
    email: str | None
    locale: str | None
    expires_at: datetime


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _issue(
    user: User,
    purpose: LinkPurpose,
    *,
    now: datetime,
    lifetime: timedelta,
    created_by: User | None = None,
    email: str | None = None,
) -> IssuedLink:
    end_links(user, purpose, now=now)
    secret = secrets.token_urlsafe(32)
    link = OneTimeLink(
        user_id=user.id,
        purpose=purpose,
        token_hash=_hash(secret),
        email=email,
        created_by_id=created_by.id if created_by is not None and created_by.id else None,
        created_at=now,
        expires_at=now + lifetime,
    )
    db.session.add(link)
    db.session.flush()
    return IssuedLink(
        secret=secret,
        purpose=purpose,
        user_id=user.id,
        display_name=user.display_name,
        email=email if email is not None else user.email,
        locale=user.locale,
        expires_at=link.expires_at,
    )


def open_link(secret: str, purpose: LinkPurpose, *, now: datetime) -> OneTimeLink:
    """The usable link with this secret and purpose, its row locked. Raises LinkRefused saying
    why it does not work: unknown, used, replaced or expired."""
    link = db.session.scalar(
        select(OneTimeLink)
        .where(OneTimeLink.token_hash == _hash(secret or ""), OneTimeLink.purpose == purpose)
        .with_for_update()
    )
    if link is None:
        raise LinkRefused(UNKNOWN_LINK, code="unknown_link")
    if link.used_at is not None:
        raise LinkRefused(USED_LINK, code="used_link")
    if link.ended_at is not None:
        raise LinkRefused(ENDED_LINK, code="ended_link")
    if now >= link.expires_at:
        raise LinkRefused(EXPIRED_LINK, code="expired_link")
    return link


# Proving an email address ---------------------------------------------------------------------


def ask_for_email_proof(user: User, *, now: datetime, mail_enabled: bool) -> IssuedLink:
    """A link that proves the user's email address, to send to it. Raises Conflict when there is
    nothing to prove (no address, proved already) or no way to send (no mail server)."""
    if not mail_enabled:
        raise Conflict(_l("This site sends no email."), code="mail_disabled")
    if not user.email:
        raise Conflict(_l("Enter an email address first."), code="no_email")
    if user.email_verified_at is not None:
        raise Conflict(_l("Your email address is verified already."), code="verified")
    return _issue(
        user, LinkPurpose.verify_email, now=now, lifetime=EMAIL_PROOF_LIFETIME, email=user.email
    )


def proof_after_change(user: User, *, now: datetime, mail_enabled: bool) -> IssuedLink | None:
    """After the profile was saved: a link to prove the address if it is new (unproved) and
    mail goes out, else None."""
    if not mail_enabled or not user.email or user.email_verified_at is not None:
        return None
    return ask_for_email_proof(user, now=now, mail_enabled=mail_enabled)


def verify_email(secret: str, *, now: datetime) -> User:
    """Mark the address the link was sent to as proved. Raises LinkRefused (see open_link, and
    an address changed since the link was sent)."""
    link = open_link(secret, LinkPurpose.verify_email, now=now)
    user = link.user
    if not user.email or user.email.lower() != (link.email or "").lower():
        raise LinkRefused(
            _l("This link was sent to an address the account no longer has."),
            code="email_changed",
        )
    link.used_at = link.ended_at = now
    user.email_verified_at = now
    db.session.flush()
    return user


# Resetting a password -------------------------------------------------------------------------


def ask_for_reset_by_email(phone: str, *, now: datetime, mail_enabled: bool) -> IssuedLink | None:
    """A reset link to send to the proved email address of the account with this mobile
    number, valid an hour; None when there is none to send (no such account, disabled, no
    proved address, no mail server). The page says the same either way, so that it tells
    nobody which numbers have accounts. Raises ValidationFailed for a malformed number."""
    user = find_user_by_phone(normalize_phone(phone))
    if (
        not mail_enabled
        or user is None
        or not user.is_enabled
        or not user.email
        or user.email_verified_at is None
    ):
        return None
    return _issue(user, LinkPurpose.reset_password, now=now, lifetime=RESET_BY_EMAIL_LIFETIME)


def create_reset_link(office: User, user_id: int, *, now: datetime) -> IssuedLink:
    """The office makes a reset link for an account, valid a day, to read out or send by
    WeChat; written to the audit log. Raises Forbidden, NotFound, Conflict (a disabled
    account: enable it first)."""
    require_office(office)
    user = get_or_not_found(User, user_id, _l("No such user."))
    if not user.is_enabled:
        raise Conflict(_l("Enable the account first."), code="disabled")
    issued = _issue(
        user,
        LinkPurpose.reset_password,
        now=now,
        lifetime=RESET_BY_OFFICE_LIFETIME,
        created_by=office,
    )
    record_action(
        office,
        AuditAction.reset_link_created,
        user,
        now=now,
        details={"expires_at": issued.expires_at.isoformat()},
    )
    return issued


def check_reset_link(secret: str, *, now: datetime) -> User:
    """The account a usable reset link is for (the page asks for the new password). Raises
    LinkRefused, also for a disabled account."""
    user = open_link(secret, LinkPurpose.reset_password, now=now).user
    if not user.is_enabled:
        raise LinkRefused(_l("This account is disabled. Ask the civilization office."))
    return user


def reset_password_with_link(secret: str, password: str, *, now: datetime) -> User:
    """Set a new password with a reset link, which then works no more; every session, token
    and reset link of the account ends. Raises LinkRefused, ValidationFailed (weak password:
    nothing is used up)."""
    link = open_link(secret, LinkPurpose.reset_password, now=now)
    user = link.user
    if not user.is_enabled:
        raise LinkRefused(_l("This account is disabled. Ask the civilization office."))
    check_password_strength(password)
    link.used_at = now
    replace_password(user, password, now=now)
    record_action(
        user,
        AuditAction.password_reset,
        user,
        now=now,
        details={"by": "office" if link.created_by_id else "email"},
    )
    return user


def set_password(actor: User, phone: str, password: str, *, now: datetime) -> User:
    """The operator sets an account's password at the command line (`actor` is the office's
    stand-in); every session, token and reset link of the account ends, and the audit log says
    so. Raises Forbidden, ValidationFailed (malformed number, weak password), NotFound."""
    require_office(actor)
    user = find_user_by_phone(normalize_phone(phone))
    if user is None:
        raise NotFound(_l("No account has this mobile number."))
    check_password_strength(password)
    replace_password(user, password, now=now)
    record_action(actor, AuditAction.password_set, user, now=now, details={"by": "command line"})
    return user
