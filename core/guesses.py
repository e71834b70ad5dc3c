"""Limits on guessing what a counter types (a volunteer's redeem code, a courtesy card's
number): failed attempts count against the place (the merchant, the card partner) and against
the staff account, whether sent by a page or the API."""

from __future__ import annotations

from collections.abc import Callable

from flask import current_app
from flask_limiter.util import get_remote_address
from flask_login import current_user

from core.extensions import limiter


def user_key() -> str:
    """The signed-in account, or the address of an anonymous caller."""
    if current_user.is_authenticated:
        return f"user:{current_user.id}"
    return get_remote_address()


def guess_limits(
    view=None,
    *,
    scope: str,
    place_setting: str,
    user_setting: str,
    place_key: Callable[[], str],
    failed: Callable[..., bool],
    on_breach=None,
):
    """Limit failed POSTs per place (`place_key`, the limit in config `place_setting`) and per
    account (`user_setting`); `failed(response)` says whether a request counts. Use bare or
    with `on_breach` (a page answering the breach with a Response)."""
    per_place = limiter.shared_limit(
        lambda: current_app.config[place_setting],
        scope=f"{scope}-place",
        key_func=place_key,
        methods=["POST"],
        deduct_when=failed,
        on_breach=on_breach,
    )
    per_user = limiter.shared_limit(
        lambda: current_app.config[user_setting],
        scope=f"{scope}-user",
        key_func=user_key,
        methods=["POST"],
        deduct_when=failed,
        on_breach=on_breach,
    )

    def decorate(target):
        return per_place(per_user(target))

    return decorate(view) if view is not None else decorate
