"""Rate limits on redeem-code guessing, shared by the counter page and the API: a wrong code
counts against the merchant and the staff account however it was sent."""

from __future__ import annotations

from flask import g
from flask_limiter.util import get_remote_address
from flask_login import current_user

from core.errors import DomainError, is_api_request
from core.guesses import guess_limits
from points import services


def mark_code_refused() -> None:
    """Tell the limits that this request's code was refused (a page answers 422 also for a
    mistyped quantity, which must not count)."""
    g.points_code_refused = True


def _merchant_key() -> str:
    if current_user.is_authenticated:
        try:
            return f"merchant:{services.staff_merchant(current_user).id}"
        except DomainError:
            return f"user:{current_user.id}"
    return get_remote_address()


def _failed_attempt(response) -> bool:
    if is_api_request():
        # Unknown, expired or used codes (422), and refusals after a code matched (404, 409).
        return response.status_code in (404, 409, 422)
    return response.status_code == 422 and g.get("points_code_refused", False)


def code_guess_limits(view=None, *, on_breach=None):
    """Limit failed code attempts per merchant (REDEEM_GUESSES_PER_MERCHANT) and per staff
    account (REDEEM_GUESSES_PER_USER): 8 digits do not survive unlimited guessing. Use bare or
    with `on_breach` (a page answering the breach with a Response)."""
    return guess_limits(
        view,
        scope="redeem-guess",
        place_setting="REDEEM_GUESSES_PER_MERCHANT",
        user_setting="REDEEM_GUESSES_PER_USER",
        place_key=_merchant_key,
        failed=_failed_attempt,
        on_breach=on_breach,
    )
