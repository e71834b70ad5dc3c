"""Demo data of the consents: every demo account agreed to the privacy notice when it was made,
except one volunteer, whom the consent page greets at sign-in."""

from __future__ import annotations

from collections.abc import Iterable

from core.auth.services import find_user_by_phone
from core.consent import services
from core.consent.models import ConsentKind

# 吴桂芳: signing in shows the consent page, as for an account older than the notice.
ASKED_AT_SIGN_IN = "13900000009"


def load(phones: Iterable[str]) -> None:
    """Record the consent to the privacy notice of each demo account that has none (at the
    moment the account was made, as registration does), except ASKED_AT_SIGN_IN. Loading
    again changes nothing."""
    for phone in phones:
        user = find_user_by_phone(phone)
        if phone == ASKED_AT_SIGN_IN or user is None:
            continue
        if services.find_consent(user, ConsentKind.privacy_notice) is None:
            services.give_consent(user, ConsentKind.privacy_notice, now=user.created_at)
