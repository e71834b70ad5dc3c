"""Rate limits on guessing courtesy-card numbers, shared by the check page and the API: a check
that answers "invalid" counts against the partner and the staff account however it was sent
(as redeem codes do, points.limits)."""

from __future__ import annotations

from flask import g, request
from flask_limiter.util import get_remote_address
from flask_login import current_user

from core.clock import utcnow
from core.guesses import guess_limits
from honours.services.partner_staff import partners_of


def mark_check_refused() -> None:
    """Tell the limits that this request's check answered invalid."""
    g.card_check_refused = True


def _named_partner() -> int | None:
    data = request.form if request.form else (request.get_json(silent=True) or {})
    value = data.get("partner_id") if hasattr(data, "get") else None
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def _partner_key() -> str:
    if not current_user.is_authenticated:
        return get_remote_address()
    ids = [partner.id for partner in partners_of(current_user, utcnow())]
    named = _named_partner()
    if named in ids:
        return f"card-partner:{named}"
    if len(ids) == 1:
        return f"card-partner:{ids[0]}"
    return f"user:{current_user.id}"


def _refused(response) -> bool:
    return bool(g.get("card_check_refused", False))


def card_guess_limits(view=None, *, on_breach=None):
    """Limit refused card checks per partner (CARD_GUESSES_PER_PARTNER) and per staff account
    (CARD_GUESSES_PER_USER). Use bare or with `on_breach` (a page answering the breach with a
    Response)."""
    return guess_limits(
        view,
        scope="card-guess",
        place_setting="CARD_GUESSES_PER_PARTNER",
        user_setting="CARD_GUESSES_PER_USER",
        place_key=_partner_key,
        failed=_refused,
        on_breach=on_breach,
    )
