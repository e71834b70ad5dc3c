"""Domain errors and the one place that maps them (and HTTP errors) to responses.

HTML requests get a page (or the form again, rendered by the view); `/api/` requests get
`{"code", "message", "errors"}` with the matching status.
"""

from __future__ import annotations

import logging

from flask import Flask, jsonify, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

log = logging.getLogger(__name__)


class DomainError(Exception):
    """A rule of the domain refused the operation; nothing was changed."""

    status = 400
    code = "bad_request"
    headers: dict[str, str] = {}
    default_message = _l("The request could not be carried out.")

    def __init__(self, message=None, *, errors: dict[str, list[str]] | None = None, code=None):
        self.message = message if message is not None else self.default_message
        self.errors = errors or {}
        if code:
            self.code = code
        super().__init__(str(self.message))


class ValidationFailed(DomainError):
    """Input was well-formed but breaks a rule; `errors` names the fields."""

    status = 422
    code = "validation_failed"
    default_message = _l("Some fields need correcting.")


class NotAuthenticated(DomainError):
    status = 401
    code = "not_authenticated"
    headers = {"WWW-Authenticate": 'Bearer realm="api"'}
    default_message = _l("Please sign in.")


class Forbidden(DomainError):
    status = 403
    code = "forbidden"
    default_message = _l("You may not do this.")


class NotFound(DomainError):
    status = 404
    code = "not_found"
    default_message = _l("Not found.")


class Conflict(DomainError):
    status = 409
    code = "conflict"
    default_message = _l("This conflicts with the current state.")


def is_api_request() -> bool:
    return request.path.startswith("/api/")


def error_payload(code: str, message, errors: dict | None = None) -> dict:
    return {"code": code, "message": str(message), "errors": errors or {}}


# Werkzeug's English descriptions are long and untranslated; these are the users' words.
HTTP_MESSAGES = {
    400: _l("The request was not understood."),
    401: _l("Please sign in."),
    403: _l("You may not do this."),
    404: _l("The page you asked for does not exist."),
    405: _l("This method is not allowed here."),
    413: _l("The upload is too large."),
    422: _l("Some fields need correcting."),
    429: _l("Too many attempts. Please wait a moment and try again."),
    500: _l("Something went wrong on our side. Please try again later."),
}


HTTP_CODES = {
    401: NotAuthenticated.code,
    422: ValidationFailed.code,
    500: "internal_error",
}


CSRF_MESSAGE = _l("This form has expired. Please reload the page and try again.")


def _messages(value) -> list[str]:
    if isinstance(value, dict):
        return [m for nested in value.values() for m in _messages(nested)]
    if isinstance(value, list | tuple):
        return [m for item in value for m in _messages(item)]
    return [str(value)]


def field_errors(raw) -> dict[str, list[str]]:
    """webargs' errors as {field: [messages]}: without the location level ("json", "query")
    that it nests them under, and with the messages of list items gathered under the field."""
    if not isinstance(raw, dict):
        return {"_request": _messages(raw)}
    if raw and set(raw) <= WEBARGS_LOCATIONS:
        merged: dict[str, list[str]] = {}
        for location in raw.values():
            for field, messages in field_errors(location).items():
                merged.setdefault(field, []).extend(messages)
        return merged
    return {str(field): _messages(messages) for field, messages in raw.items()}


WEBARGS_LOCATIONS = {"json", "query", "form", "headers", "files", "view_args", "cookies"}


def http_error_response(error: HTTPException):
    """Render an HTTP error as JSON for the API or as a page for everything else."""
    status = error.code or 500
    if isinstance(error, CSRFError):
        message = CSRF_MESSAGE
    else:
        message = HTTP_MESSAGES.get(status, error.description)
    headers = [(k, v) for k, v in error.get_headers() if k.lower() != "content-type"]
    if is_api_request():
        data = getattr(error, "data", None) or {}
        errors = field_errors(data.get("errors") or data.get("messages") or {})
        code = HTTP_CODES.get(status, error.name.lower().replace(" ", "_"))
        response = jsonify(error_payload(code, data.get("message", message), errors))
    elif error.response is not None:
        # A view's own answer to the error (the sign-in form when attempts run out).
        return error.response
    else:
        response = render_template("core/error.html", status=status, message=message)
    return response, status, headers


def domain_error_response(error: DomainError):
    if is_api_request():
        payload = error_payload(error.code, error.message, error.errors)
        return jsonify(payload), error.status, error.headers
    page = render_template("core/error.html", status=error.status, message=error.message)
    return page, error.status


def unexpected_error_response(error: Exception):
    log.exception("unhandled error", exc_info=error)
    try:
        return http_error_response(InternalServerError())
    except Exception:
        # The error page itself failed (a broken base template): still answer, plainly.
        log.exception("the error page failed too")
        return str(HTTP_MESSAGES[500]), 500, {"Content-Type": "text/plain; charset=utf-8"}


def init_app(app: Flask) -> None:
    app.register_error_handler(DomainError, domain_error_response)
    app.register_error_handler(HTTPException, http_error_response)
    app.register_error_handler(Exception, unexpected_error_response)
