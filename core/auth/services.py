"""Account rules: registration, sign-in sessions, passwords, API tokens, disabling."""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select, update
from sqlalchemy.orm import joinedload

from core.auth import passwords
from core.auth.models import (
    ApiToken,
    LinkPurpose,
    OneTimeLink,
    Role,
    SmsCode,
    TokenScope,
    User,
    UserSession,
)
from core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from core.extensions import db
from core.rows import delete_in_batches, get_or_not_found

PHONE_PATTERN = re.compile(r"^1[3-9]\d{9}$")
MIN_PASSWORD_LENGTH = 8
PHONE_MESSAGE = _l("Enter an 11-digit mainland mobile number starting with 1.")


def normalize_phone(raw: str) -> str:
    """Strip spaces, dashes and a +86 prefix; raise ValidationFailed unless a mainland mobile
    number remains."""
    phone = re.sub(r"[\s-]", "", raw or "")
    if phone.startswith("+86"):
        phone = phone[3:]
    if not PHONE_PATTERN.match(phone):
        raise ValidationFailed(errors={"phone": [str(PHONE_MESSAGE)]})
    return phone


def check_password_strength(password: str, field: str = "password") -> None:
    """Raise ValidationFailed if the password is too weak to accept."""
    if len(password or "") < MIN_PASSWORD_LENGTH:
        message = _l("Use at least %(n)d characters.", n=MIN_PASSWORD_LENGTH)
        raise ValidationFailed(errors={field: [str(message)]})
    if password.isdigit():
        raise ValidationFailed(errors={field: [str(_l("Do not use digits only."))]})


def find_user_by_phone(phone: str) -> User | None:
    return db.session.scalar(select(User).where(User.phone == phone))


def get_user(user_id: int) -> User:
    """Return the user; raise NotFound if there is none."""
    return get_or_not_found(User, user_id)


def create_user(
    *, phone: str, password: str, display_name: str, role: Role = Role.volunteer
) -> User:
    """Create an account.

    Raises ValidationFailed (bad phone, weak password, empty name) or Conflict (phone taken).
    """
    phone = normalize_phone(phone)
    check_password_strength(password)
    display_name = (display_name or "").strip()
    if not display_name:
        raise ValidationFailed(errors={"display_name": [str(_l("Enter your name."))]})
    if find_user_by_phone(phone) is not None:
        raise Conflict(
            _l("This mobile number is already registered."),
            errors={"phone": [str(_l("This mobile number is already registered."))]},
            code="phone_taken",
        )
    user = User(
        phone=phone,
        password_hash=passwords.hash_password(password),
        display_name=display_name[:64],
        role=role,
    )
    db.session.add(user)
    db.session.flush()
    return user


def authenticate(phone: str, password: str) -> User | None:
    """Return the enabled user with this phone and password, or None.

    Unknown numbers cost as much time as wrong passwords. A hash made with older costs is
    upgraded on the way.
    """
    try:
        phone = normalize_phone(phone)
    except ValidationFailed:
        passwords.burn_time(password)
        return None
    user = find_user_by_phone(phone)
    if user is None:
        passwords.burn_time(password)
        return None
    if not passwords.verify_password(user.password_hash, password) or not user.is_enabled:
        return None
    if passwords.needs_rehash(user.password_hash):
        user.password_hash = passwords.hash_password(password)
        db.session.flush()
    return user


def require_office(user: User) -> None:
    """Raise Forbidden unless the user is the office's (文明办)."""
    if user.role is not Role.office:
        raise Forbidden(_l("Only the civilization office may do this."))


def change_password(
    user: User,
    *,
    current_password: str,
    new_password: str,
    now: datetime,
    keep_session_key: str | None = None,
) -> None:
    """Replace the password; raise ValidationFailed if the current one is wrong or the new one
    is weak. Ends what `replace_password` ends, but for the sign-in session that made the change
    (`keep_session_key`)."""
    if not passwords.verify_password(user.password_hash, current_password):
        raise ValidationFailed(
            errors={"current_password": [str(_l("The current password is wrong."))]}
        )
    check_password_strength(new_password, field="new_password")
    replace_password(user, new_password, now=now, keep_session_key=keep_session_key)


def replace_password(
    user: User, password: str, *, now: datetime, keep_session_key: str | None = None
) -> None:
    """Store a new (already checked) password. A new password usually means the old one is lost
    or leaked, so every API token is revoked, every sign-in session but `keep_session_key` ends,
    and so does every unused reset link: one mailed or handed out earlier must not outlive it."""
    user.password_hash = passwords.hash_password(password)
    _revoke_tokens(user, now=now)
    _end_sessions(user, now=now, keep_key=keep_session_key)
    end_links(user, LinkPurpose.reset_password, now=now)


def end_links(user: User, purpose: LinkPurpose, *, now: datetime) -> None:
    """End the user's unused one-time links for `purpose` (a newer one replaces them)."""
    db.session.execute(
        update(OneTimeLink)
        .where(
            OneTimeLink.user_id == user.id,
            OneTimeLink.purpose == purpose,
            OneTimeLink.ended_at.is_(None),
        )
        .values(ended_at=now)
    )


def _secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def start_session(
    user: User, *, now: datetime, lifetime: timedelta, remember: bool, user_agent: str = ""
) -> str:
    """Open a sign-in session for the user; return its key, which the cookies carry and the
    database never stores (only its hash). The key is also set on `user.session_key`."""
    key = secrets.token_urlsafe(32)
    db.session.add(
        UserSession(
            user=user,
            key_hash=_secret_hash(key),
            user_agent=user_agent[:200],
            is_remembered=remember,
            created_at=now,
            expires_at=now + lifetime,
        )
    )
    db.session.flush()
    user.session_key = key
    return key


def find_session_user(key: str, *, now: datetime) -> User | None:
    """Return the enabled user of the usable sign-in session with this key, or None (unknown,
    ended or expired session, disabled account)."""
    # One query: every signed-in page asks this first.
    user = db.session.scalar(
        select(User)
        .join(UserSession, UserSession.user_id == User.id)
        .where(UserSession.key_hash == _secret_hash(key), UserSession.ended_at.is_(None))
        .where(UserSession.expires_at > now, User.is_enabled.is_(True))
    )
    if user is not None:
        user.session_key = key
    return user


def end_session(key: str, *, now: datetime) -> None:
    """End the sign-in session with this key (signing out); an ended one keeps its time."""
    db.session.execute(
        update(UserSession)
        .where(UserSession.key_hash == _secret_hash(key), UserSession.ended_at.is_(None))
        .values(ended_at=now)
    )


def _end_sessions(user: User, *, now: datetime, keep_key: str | None = None) -> None:
    ending = update(UserSession).where(
        UserSession.user_id == user.id, UserSession.ended_at.is_(None)
    )
    if keep_key is not None:
        ending = ending.where(UserSession.key_hash != _secret_hash(keep_key))
    db.session.execute(ending.values(ended_at=now))


def _revoke_tokens(user: User, *, now: datetime) -> None:
    db.session.execute(
        update(ApiToken)
        .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=now)
    )


def sign_out_everywhere(user: User, *, now: datetime) -> None:
    """End every sign-in session of the user, on every device, and revoke every API token."""
    _end_sessions(user, now=now)
    _revoke_tokens(user, now=now)


def issue_token(
    user: User,
    *,
    now: datetime,
    days: int,
    name: str = "",
    scope: TokenScope | None = None,
    created_by: User | None = None,
) -> tuple[ApiToken, str]:
    """Create a bearer token for the user; return the stored row and the secret, which is shown
    once and never stored. A `scope` limits it to that one use; `created_by` is who made it for
    the user (None: the user, signing in)."""
    secret = secrets.token_urlsafe(32)
    token = ApiToken(
        user=user,
        token_hash=_secret_hash(secret),
        name=name[:64],
        created_at=now,
        expires_at=now + timedelta(days=days),
        scope=scope,
        created_by_id=created_by.id if created_by is not None else None,
    )
    db.session.add(token)
    db.session.flush()
    return token, secret


def find_user_by_token(secret: str, *, now: datetime) -> tuple[User, ApiToken] | None:
    """Return the enabled user and the token for a presented secret, or None if the token is
    unknown, expired or revoked."""
    # The user comes in the same query: every API request asks this first.
    token = db.session.scalar(
        select(ApiToken)
        .where(ApiToken.token_hash == _secret_hash(secret))
        .options(joinedload(ApiToken.user))
    )
    if token is None or not token.is_usable(now) or not token.user.is_enabled:
        return None
    return token.user, token


def list_tokens(user: User, *, now: datetime) -> list[ApiToken]:
    """Return the user's usable tokens, newest first."""
    rows = db.session.scalars(
        select(ApiToken)
        .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .where(ApiToken.expires_at > now)
        .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
    )
    return list(rows)


def revoke_token(user: User, token_id: int, *, now: datetime) -> ApiToken:
    """Revoke one of the user's tokens; raise NotFound for a token that is not theirs.

    Revoking twice is harmless: the first revocation time is kept."""
    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != user.id:
        raise NotFound(_l("No such token."))
    if token.revoked_at is None:
        token.revoked_at = now
        db.session.flush()
    return token


def purge_expired_credentials(*, before: datetime) -> int:
    """Delete API tokens, sign-in sessions and one-time links that expired, were ended or used
    before `before` (they can never work again; keeping them only keeps their hashes), and SMS
    codes asked for before it (the daily caps count the last day only). Returns how many."""
    tokens = delete_in_batches(
        ApiToken, or_(ApiToken.expires_at < before, ApiToken.revoked_at < before)
    )
    sessions = delete_in_batches(
        UserSession, or_(UserSession.expires_at < before, UserSession.ended_at < before)
    )
    links = delete_in_batches(
        OneTimeLink,
        or_(
            OneTimeLink.expires_at < before,
            OneTimeLink.ended_at < before,
            OneTimeLink.used_at < before,
        ),
    )
    codes = delete_in_batches(SmsCode, SmsCode.created_at < before)
    return tokens + sessions + links + codes


def set_locale(user: User, locale: str) -> None:
    """Remember the user's language (for pages on other devices and for their email)."""
    user.locale = locale
    db.session.flush()
