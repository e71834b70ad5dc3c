"""Locale choice: Chinese (zh_CN) unless the user asked for English."""

from __future__ import annotations

from flask import Flask, current_app, has_request_context, request, session
from flask_babel import get_locale
from flask_login import current_user

from core.extensions import babel


def supported_locale(value: str | None) -> str | None:
    """Map what a user or client asked for to one of LANGUAGES, or None."""
    if not value:
        return None
    value = value.replace("-", "_").strip()
    for locale in current_app.config["LANGUAGES"]:
        if value.lower() == locale.lower() or value.split("_")[0].lower() == locale[:2]:
            return locale
    return None


def select_locale() -> str:
    """The request's locale: an explicit choice (this session, then the account), then, for the
    API, the client's Accept-Language, and otherwise Chinese (also outside requests: CLI, jobs)."""
    if not has_request_context():
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    chosen = supported_locale(session.get("locale"))
    if chosen is None and current_user and current_user.is_authenticated:
        chosen = supported_locale(current_user.locale)
    if chosen is None and request.path.startswith("/api/"):
        chosen = request.accept_languages.best_match(current_app.config["LANGUAGES"])
    return chosen or current_app.config["BABEL_DEFAULT_LOCALE"]


def current_locale() -> str:
    """The request's locale as one of LANGUAGES (Babel spells zh_CN as zh_Hans_CN)."""
    locale = get_locale()
    return "en" if locale is not None and locale.language == "en" else "zh_CN"


def init_app(app: Flask) -> None:
    babel.init_app(app, locale_selector=select_locale)
