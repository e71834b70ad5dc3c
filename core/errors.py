"""Domain errors and the one place that maps them (and HTTP errors) to responses.

HTML requests get a page (or the form again, rendered by the view); `/api/` requests get
`{"code", "message", "errors"}` with the matching status, 500 included. A lost database
connection is a 503 with Retry-After, not a bug.
"""

from __future__ import annotations

import logging

from flask import Flask, current_app, jsonify, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import HTTPException, InternalServerError, ServiceUnavailable

from core.field_messages import translated

log = logging.getLogger(__name__)


class DomainError(Exception):
    """A rule of the domain refused the operation; nothing was changed."""

    status = 400
    code = "bad_request"
    headers: dict[str, str] = {}
    default_message = _l("The request could not be carried out.")
    # A refusal that must still count: what the service wrote before raising is committed
    # instead of rolled back (a wrong one-time code's try, the first and only thing its service
    # has written by then; see end_unit_of_work).
    keeps_changes = False

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
    503: _l("The service is briefly unavailable. Please try again in a moment."),
}


HTTP_CODES = {
    401: NotAuthenticated.code,
    422: ValidationFailed.code,
    500: "internal_error",
    503: "unavailable",
}

# How long a client should wait after a 503: a database restart or failover takes seconds.
RETRY_AFTER_SECONDS = 5
# Said when even the error answer failed; plain text in both languages, since translating it
# might be what failed.
LAST_RESORT_MESSAGE = "服务器出错，请稍后再试。Something went wrong on our side."


CSRF_MESSAGE = _l("This form has expired. Please reload the page and try again.")


def _messages(value) -> list[str]:
    if isinstance(value, dict):
        return [m for nested in value.values() for m in _messages(nested)]
    if isinstance(value, list | tuple):
        return [m for item in value for m in _messages(item)]
    return [translated(str(value))]


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


def _roll_back() -> None:
    # Rendering an error may query (the signed-in user, the unread count), and a session whose
    # transaction failed refuses to until it is rolled back; the unit of work is void anyway.
    try:
        current_app.extensions["sqlalchemy"].session.rollback()
    except Exception:
        log.exception("rolling back before the error answer failed")


def end_unit_of_work(error: DomainError) -> None:
    """After a refusal: roll back what the request did, or commit it for a refusal that keeps
    its changes (`keeps_changes`)."""
    if not error.keeps_changes:
        _roll_back()
        return
    session = current_app.extensions["sqlalchemy"].session
    try:
        session.commit()
    except Exception:
        log.exception("keeping what a refusal records failed")
        _roll_back()


def domain_error_response(error: DomainError):
    end_unit_of_work(error)
    if is_api_request():
        payload = error_payload(error.code, error.message, error.errors)
        return jsonify(payload), error.status, error.headers
    page = render_template("core/error.html", status=error.status, message=error.message)
    return page, error.status


def _last_resort(status: int):
    log.exception("the error answer failed too")
    if is_api_request():
        body = jsonify(error_payload(HTTP_CODES.get(status, "error"), LAST_RESORT_MESSAGE))
        return body, status
    return LAST_RESORT_MESSAGE, status, {"Content-Type": "text/plain; charset=utf-8"}


def _answer(error: HTTPException):
    _roll_back()
    try:
        return http_error_response(error)
    except Exception:
        # The error page itself failed (a broken base template): still answer, plainly.
        return _last_resort(error.code or 500)


def unexpected_error_response(error: Exception):
    log.exception("unhandled error", exc_info=error)
    return _answer(InternalServerError())


def is_unavailable(error: Exception) -> bool:
    """A database that cannot be reached right now: a lost or refused connection, a full pool,
    a transaction the server cancelled. Trying again shortly is the cure."""
    if isinstance(error, DBAPIError) and error.connection_invalidated:
        return True
    return isinstance(error, OperationalError | InterfaceError | PoolTimeout)


def database_error_response(error: Exception):
    if not is_unavailable(error):
        return unexpected_error_response(error)
    log.warning("database unavailable: %s", error)
    return _answer(ServiceUnavailable(retry_after=RETRY_AFTER_SECONDS))


def init_app(app: Flask) -> None:
    app.register_error_handler(DomainError, domain_error_response)
    app.register_error_handler(HTTPException, _answer)
    app.register_error_handler(DBAPIError, database_error_response)
    app.register_error_handler(PoolTimeout, database_error_response)
    app.register_error_handler(Exception, unexpected_error_response)
