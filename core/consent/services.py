"""Consent rules (同意): the current version of each text, giving, withdrawing and requiring a
consent. A consent is informed (the user read a version of a text), specific (one purpose a
kind), recorded with the version and the time, and the location consent can be withdrawn."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from core.auth.models import User
from core.consent.models import Consent, ConsentKind
from core.errors import Conflict, Forbidden, ValidationFailed
from core.extensions import db


@dataclass(frozen=True)
class TextVersion:
    """A version of the text a user agrees to, and the day it took effect."""

    version: str
    published_on: date


# The one place the versions live. A new version of the privacy notice (a change in what is
# collected, why, for how long or who sees it) gets a new entry here: every user is asked to
# agree again before going on, and their earlier consents stay on record.
CURRENT_TEXTS = {
    ConsentKind.privacy_notice: TextVersion("1.0", date(2026, 12, 3)),
    ConsentKind.location: TextVersion("1.0", date(2026, 12, 3)),
}


class ConsentRequired(Forbidden):
    """The signed-in user has not agreed to the current privacy notice."""

    code = "consent_required"
    default_message = _l(
        "Please read the privacy notice (version %(version)s) and agree to it before going on.",
        version=CURRENT_TEXTS[ConsentKind.privacy_notice].version,
    )


class LocationConsentRequired(Forbidden):
    """A geofenced check-in before the volunteer agreed to the location check."""

    code = "location_consent_required"
    default_message = _l(
        "This activity checks that you are on site, which needs your consent to use your "
        "phone's position for the check. Give it on the check-in page (or in the app), or ask "
        "the leader to check you in by your mobile number."
    )


def current_text(kind: ConsentKind) -> TextVersion:
    """The version of the text of this kind that users agree to now."""
    return CURRENT_TEXTS[kind]


def find_consent(user: User, kind: ConsentKind) -> Consent | None:
    """The user's latest consent of this kind that is not withdrawn, whatever its version."""
    return db.session.scalar(
        select(Consent)
        .where(
            Consent.user_id == user.id,
            Consent.kind == kind,
            Consent.withdrawn_at.is_(None),
        )
        .order_by(Consent.given_at.desc(), Consent.id.desc())
        .limit(1)
    )


def has_current_consent(user: User, kind: ConsentKind) -> bool:
    """Whether the user agreed to the current version of this text and has not withdrawn."""
    found = find_consent(user, kind)
    return found is not None and found.version == current_text(kind).version


def list_consents(user: User) -> list[Consent]:
    """Every consent the user gave, newest first, withdrawn ones included (the record of what
    they agreed to, for their own pages and the export of their data)."""
    return list(
        db.session.scalars(
            select(Consent)
            .where(Consent.user_id == user.id)
            .order_by(Consent.given_at.desc(), Consent.id.desc())
        )
    )


def require_agreement(agreed: bool) -> None:
    """Registration goes on only with the privacy notice agreed to (the box ticked).
    Raises ValidationFailed on the `consent` field."""
    if not agreed:
        raise ValidationFailed(
            errors={"consent": [str(_l("Read the privacy notice and agree to it to register."))]}
        )


def give_consent(user: User, kind: ConsentKind, *, now: datetime) -> Consent:
    """Record that the user agrees to the current version of the text (同意). Agreeing again to
    the version already agreed to changes nothing and returns that consent."""
    found = find_consent(user, kind)
    version = current_text(kind).version
    if found is not None and found.version == version:
        return found
    consent = Consent(user_id=user.id, kind=kind, version=version, given_at=now)
    db.session.add(consent)
    db.session.flush()
    return consent


def withdraw_consent(user: User, kind: ConsentKind, *, now: datetime) -> None:
    """Withdraw the user's consent of this kind (撤回同意); withdrawing what is not given
    changes nothing. Only the location consent is withdrawn this way: the privacy notice
    covers the account itself, which one closes instead.
    Raises Conflict (the privacy notice)."""
    if kind is ConsentKind.privacy_notice:
        raise Conflict(
            _l(
                "Consent to the privacy notice is what the account stands on: to withdraw it, "
                "close the account (/me/close)."
            ),
            code="close_account_instead",
        )
    for consent in db.session.scalars(
        select(Consent).where(
            Consent.user_id == user.id, Consent.kind == kind, Consent.withdrawn_at.is_(None)
        )
    ):
        consent.withdrawn_at = max(now, consent.given_at)
    db.session.flush()


def require_privacy_consent(user: User) -> None:
    """The pages and the API serve a signed-in user only once they agreed to the current
    privacy notice (accounts made before it existed, or before its last version, are asked at
    their next visit). Raises ConsentRequired."""
    if not has_current_consent(user, ConsentKind.privacy_notice):
        raise ConsentRequired()


def require_location_consent(user: User) -> None:
    """A check-in that checks the phone's position needs the volunteer's location consent.
    Raises LocationConsentRequired."""
    if not has_current_consent(user, ConsentKind.location):
        raise LocationConsentRequired()
