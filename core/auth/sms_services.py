"""One-time SMS codes (短信验证码): asking for one, and signing in, registering or resetting the
password with one.

Who is registered is not told: an unknown or disabled number asking for a sign-in or reset code
gets the same answer, and is counted the same, as a registered one; no message is sent for it,
and what is stored in its place (`SmsCode.is_sent` False) never matches.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from core.auth.models import SmsCode, SmsPurpose, User
from core.auth.services import (
    check_password_strength,
    find_user_by_phone,
    normalize_phone,
    replace_password,
)
from core.auth.sms import SmsGateway, SmsNotSent
from core.errors import Conflict, DomainError, Forbidden, ValidationFailed
from core.extensions import db
from core.settings import SmsSettings

CODE_DIGITS = 6
DAY = timedelta(days=1)


class TooManyCodes(DomainError):
    """A cap on the codes of the last day was reached."""

    status = 429
    code = "too_many_codes"
    default_message = _l("Too many codes were requested. Please try again later.")


class SmsUnavailable(DomainError):
    """The SMS provider refused the message or did not answer: no code was sent."""

    status = 503
    code = "sms_not_sent"
    default_message = _l("The text message could not be sent. Please try again in a few minutes.")


class WrongCode(ValidationFailed):
    """A code that does not match. Its try is counted: the refusal keeps that change."""

    keeps_changes = True


def _code_error(message) -> ValidationFailed:
    return ValidationFailed(message, errors={"code": [str(message)]}, code="bad_code")


def hash_code(code: str, *, phone: str, purpose: SmsPurpose, secret: str) -> str:
    """The stored form of a code: keyed with the app's secret, and bound to its number and
    purpose."""
    message = f"{phone}:{purpose.value}:{code}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def _require_below_daily_caps(phone: str, *, now: datetime, settings: SmsSettings) -> None:
    since = now - DAY
    for_phone = db.session.scalar(
        select(func.count(SmsCode.id)).where(SmsCode.phone == phone, SmsCode.created_at > since)
    )
    if for_phone >= settings.per_phone_per_day:
        raise TooManyCodes(
            _l("Too many codes were requested for this number today. Please try again tomorrow.")
        )
    sent = db.session.scalar(
        select(func.count(SmsCode.id)).where(SmsCode.created_at > since, SmsCode.is_sent)
    )
    if sent >= settings.per_day:
        raise TooManyCodes(
            _l(
                "No more text messages can be sent today. Please sign in with your password, "
                "or try again tomorrow."
            )
        )


def _may_receive(phone: str, purpose: SmsPurpose) -> bool:
    """Whether a code for this purpose goes to this number. Raises Conflict for a registration
    code to a registered number (registration says so anyway). A consent code goes to any
    number: the one answering for a nominee needs no account."""
    if purpose is SmsPurpose.consent:
        return True
    user = find_user_by_phone(phone)
    if purpose is SmsPurpose.register:
        if user is not None:
            message = _l("This mobile number is already registered.")
            raise Conflict(message, errors={"phone": [str(message)]}, code="phone_taken")
        return True
    return user is not None and user.is_enabled


def request_code(
    raw_phone: str,
    purpose: SmsPurpose,
    *,
    now: datetime,
    settings: SmsSettings,
    gateway: SmsGateway,
) -> SmsCode:
    """Send a new six-digit code for the number and purpose, valid `settings.code_lifetime`;
    the number's earlier live code for the purpose ends. For sign-in and reset, an unknown or
    disabled number is answered alike and sent nothing.

    Raises ValidationFailed (not a mainland mobile number), Conflict (registering a registered
    number, or a code asked for at the same moment), TooManyCodes (the number's or the site's
    cap for the last day) or SmsUnavailable (the provider refused or did not answer: nothing is
    kept, the earlier code stays live).
    """
    phone = normalize_phone(raw_phone)
    _require_below_daily_caps(phone, now=now, settings=settings)
    is_sent = _may_receive(phone, purpose)
    code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
    db.session.execute(
        update(SmsCode)
        .where(SmsCode.phone == phone, SmsCode.purpose == purpose, SmsCode.ended_at.is_(None))
        .values(ended_at=now)
    )
    row = SmsCode(
        phone=phone,
        purpose=purpose,
        # A number that is sent nothing gets a hash of no code at all: it never matches.
        code_hash=(
            hash_code(code, phone=phone, purpose=purpose, secret=settings.secret)
            if is_sent
            else secrets.token_hex(32)
        ),
        attempts=0,
        is_sent=is_sent,
        created_at=now,
        expires_at=now + settings.code_lifetime,
    )
    try:
        # The partial unique index keeps one live code per number and purpose; two requests
        # at the same moment both end the old code, and the second insert waits for the first
        # and fails.
        with db.session.begin_nested():
            db.session.add(row)
    except IntegrityError:
        raise Conflict(
            _l("A code was just sent to this number. Please wait for it."), code="code_pending"
        ) from None
    if is_sent:
        try:
            gateway.send(phone, purpose.value, {"code": code})
        except SmsNotSent:
            raise SmsUnavailable() from None
    return row


def sent_message(purpose: SmsPurpose, settings: SmsSettings) -> str:
    """What the one asking for a code is told once it is done: for sign-in and reset the same
    whether the number is registered or not."""
    minutes = int(settings.code_lifetime.total_seconds() // 60)
    if purpose is SmsPurpose.register:
        return str(
            _l("A code was sent by SMS. It is valid for %(minutes)d minutes.", minutes=minutes)
        )
    return str(
        _l(
            "If this number is registered, a code was sent to it by SMS. "
            "It is valid for %(minutes)d minutes.",
            minutes=minutes,
        )
    )


def use_code(
    raw_phone: str, purpose: SmsPurpose, code: str, *, now: datetime, settings: SmsSettings
) -> str:
    """Use the number's live code for the purpose; return the number (normalised). A right
    code ends, so it works once; each try counts, at most `settings.max_tries`.

    Call it before the service writes anything else: a wrong code's refusal (WrongCode) commits
    the request's work to keep the try counted. Raises ValidationFailed (bad number; no live
    code: never sent, used, or replaced by a newer one; expired; tries used up) or WrongCode.
    """
    phone = normalize_phone(raw_phone)
    # Locked, so that tries at the same moment are counted one after the other.
    row = db.session.scalar(
        select(SmsCode)
        .where(SmsCode.phone == phone, SmsCode.purpose == purpose, SmsCode.ended_at.is_(None))
        .with_for_update()
    )
    if row is None:
        raise _code_error(_l("There is no valid code for this number. Please request one."))
    if now >= row.expires_at:
        raise _code_error(_l("The code has expired. Please request a new one."))
    if row.attempts >= settings.max_tries:
        raise _code_error(_l("Too many wrong codes. Please request a new one."))
    row.attempts += 1
    expected = hash_code((code or "").strip(), phone=phone, purpose=purpose, secret=settings.secret)
    if not hmac.compare_digest(row.code_hash, expected):
        db.session.flush()
        left = settings.max_tries - row.attempts
        message = (
            _l("Wrong code. %(n)d tries left.", n=left)
            if left
            else _l("Wrong code. Please request a new one.")
        )
        raise WrongCode(message, errors={"code": [str(message)]}, code="bad_code")
    row.ended_at = now
    db.session.flush()
    return phone


def _enabled_user(phone: str) -> User:
    user = find_user_by_phone(phone)
    # Only a disabled account can be missing here: a code reached the number while it was
    # registered and enabled, and accounts are never deleted.
    if user is None or not user.is_enabled:
        raise Forbidden(_l("This account is disabled."), code="account_disabled")
    return user


def sign_in_with_code(raw_phone: str, code: str, *, now: datetime, settings: SmsSettings) -> User:
    """The user whose number received this sign-in code; their number counts as verified.

    Raises what `use_code` raises, or Forbidden (the account was disabled since)."""
    phone = use_code(raw_phone, SmsPurpose.sign_in, code, now=now, settings=settings)
    user = _enabled_user(phone)
    user.phone_verified_at = now
    db.session.flush()
    return user


def reset_password_with_code(
    raw_phone: str, code: str, new_password: str, *, now: datetime, settings: SmsSettings
) -> User:
    """Set a new password for the user whose number received this reset code. As after a
    password change, every sign-in session, API token and reset link ends.

    Raises ValidationFailed (weak password, checked first so that it costs no try), what
    `use_code` raises, or Forbidden (the account was disabled since)."""
    check_password_strength(new_password, field="new_password")
    phone = use_code(raw_phone, SmsPurpose.reset_password, code, now=now, settings=settings)
    user = _enabled_user(phone)
    replace_password(user, new_password, now=now)
    user.phone_verified_at = now
    db.session.flush()
    return user
