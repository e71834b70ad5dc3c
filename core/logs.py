"""One logging configuration for the app, gunicorn and the scheduler: JSON lines a machine can
parse (or plain text on a developer's screen), each line of a request carrying its request id,
the signed-in user, the method and the path.

The request id comes from the proxy's `X-Request-ID` (nginx sets it) or is made here, and goes
back in the answer, so that a user's report, the proxy's log and ours can be matched.
"""

from __future__ import annotations

import json
import logging
import logging.config
import re
import time
import traceback
import uuid
from datetime import UTC, datetime
from typing import Any

from flask import Flask, Response, g, has_request_context, request

REQUEST_ID_HEADER = "X-Request-ID"
access = logging.getLogger("access")
# A proxy's id is kept if it looks like one; anything else (too long, odd characters that could
# forge a log line) is replaced by one of ours.
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,128}$")
# Attributes every LogRecord has; anything else on a record was passed as `extra` and is logged.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}


def request_fields() -> dict[str, Any]:
    """The current request's id, user, method and path (empty outside a request)."""
    if not has_request_context():
        return {}
    fields: dict[str, Any] = {
        "request_id": g.get("request_id"),
        "method": request.method,
        "path": request.path,
    }
    # The user is read only if the request has loaded it already: a log line never queries.
    user = g.get("_login_user")
    if user is not None and getattr(user, "is_authenticated", False):
        fields["user_id"] = user.id
    return fields


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC, ISO 8601), level, logger, message, the request's
    fields, whatever was passed as `extra`, and the exception's traceback if there is one."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        line.update(request_fields())
        line.update({k: v for k, v in vars(record).items() if k not in _STANDARD})
        if record.exc_info:
            line["exception"] = "".join(traceback.format_exception(*record.exc_info))
        return json.dumps(line, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    """For a developer's terminal: time, level, logger, message, and the request id if any."""

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        request_id = request_fields().get("request_id")
        return f"{text} [{request_id}]" if request_id else text


def logging_config(log_format: str, level: str = "INFO") -> dict[str, Any]:
    """The dictConfig every process uses: the root logger to stderr through one formatter.
    gunicorn.conf.py passes it as `logconfig_dict`, so gunicorn's own lines match."""
    formatter = (
        {"()": JsonFormatter}
        if log_format == "json"
        else {"()": TextFormatter, "format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}
    )
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"default": formatter},
        "handlers": {
            "stderr": {
                "class": "logging.StreamHandler",
                "formatter": "default",
                "stream": "ext://sys.stderr",
            }
        },
        "root": {"level": level, "handlers": ["stderr"]},
        "loggers": {
            # gunicorn's error log writes through the root's handler; its access log is off,
            # since the app writes the access line (only it knows the user).
            "gunicorn.error": {"level": level, "handlers": [], "propagate": True},
            "gunicorn.access": {"level": "WARNING", "handlers": [], "propagate": True},
            # APScheduler's "running job" every minute would drown the run lines, and
            # Alembic's plugin lines come with every readiness check.
            "apscheduler": {"level": "WARNING"},
            "alembic": {"level": "WARNING"},
        },
    }


def configure_logging(log_format: str, level: str = "INFO") -> None:
    """Apply the configuration to this process (the CLI and the scheduler; gunicorn applies it
    from its own settings)."""
    logging.config.dictConfig(logging_config(log_format, level))


def _begin() -> None:
    offered = request.headers.get(REQUEST_ID_HEADER, "")
    g.request_id = offered if _REQUEST_ID.match(offered) else uuid.uuid4().hex
    g.request_started = time.perf_counter()


def _end(response: Response) -> Response:
    response.headers[REQUEST_ID_HEADER] = g.get("request_id", "")
    started = g.get("request_started")
    duration = round((time.perf_counter() - started) * 1000, 1) if started else None
    # The access line, written by the app rather than gunicorn: only the app knows the user.
    access.info(
        "%s %s %s",
        request.method,
        request.path,
        response.status_code,
        extra={"status": response.status_code, "duration_ms": duration},
    )
    return response


def init_app(app: Flask) -> None:
    """Give every request its id (taken from the proxy or made) and return it in the answer."""
    app.before_request(_begin)
    app.after_request(_end)
