"""Is this server ready to take requests: the database answers, its schema is the code's, and
the rate limits' Redis (when one is configured) answers. Production checks it on start and
refuses to run otherwise; `/readyz` answers it for the load balancer."""

from __future__ import annotations

from pathlib import Path

import redis
from alembic.script import ScriptDirectory
from flask import Flask
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from core.config import ConfigurationError
from core.extensions import db

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"
OK = "ok"


def _reachable(app: Flask) -> str:
    try:
        with db.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except SQLAlchemyError as error:
        return f"unreachable: {type(error).__name__}"
    return OK


def _schema(app: Flask) -> str:
    """The schema this code can work with: its own head, the revision before it (a rolling
    deploy runs the new code before the release's migration, as DESIGN.md's rule allows), or a
    revision it does not know (a newer release has migrated; this one still works with it)."""
    try:
        with db.engine.connect() as connection:
            current = set(
                connection.execute(text("SELECT version_num FROM alembic_version")).scalars()
            )
    except SQLAlchemyError as error:
        return f"not migrated: {type(error).__name__}: run flask db upgrade"
    script = ScriptDirectory(str(MIGRATIONS))
    heads = set(script.get_heads())
    known = {revision.revision for revision in script.walk_revisions()}
    previous = {
        parent for head in heads for parent in _as_set(script.get_revision(head).down_revision)
    }
    if current and (current <= heads | previous or not current <= known):
        return OK
    at = sorted(current) or "nothing"
    return f"schema at {at}, the code needs {sorted(heads)}: run flask db upgrade"


def _as_set(value) -> set[str]:
    if value is None:
        return set()
    return {value} if isinstance(value, str) else set(value)


def _redis(app: Flask) -> str | None:
    uri = app.config.get("RATELIMIT_STORAGE_URI", "")
    if not uri.startswith(("redis://", "rediss://", "unix://")):
        return None
    client = redis.Redis.from_url(uri, socket_connect_timeout=2, socket_timeout=2)
    try:
        client.ping()
    except redis.RedisError as error:
        return f"unreachable: {type(error).__name__}"
    finally:
        client.close()
    return OK


def readiness(app: Flask) -> dict[str, str]:
    """Each check's outcome: "ok", or what is wrong. Runs inside an app context."""
    database = _reachable(app)
    checks = {"database": database, "schema": _schema(app) if database == OK else "unknown"}
    if (found := _redis(app)) is not None:
        checks["redis"] = found
    return checks


def require_ready(app: Flask) -> None:
    """For production start-up: raise ConfigurationError naming every service that cannot be
    reached and the setting to look at. The schema is /readyz's business, not the start's:
    `flask db upgrade` itself starts the app on a database that is not migrated yet."""
    with app.app_context():
        checks = readiness(app)
        checks.pop("schema")
        failed = {name: outcome for name, outcome in checks.items() if outcome != OK}
        if failed:
            # This app goes no further: its pooled connection must not outlive it.
            db.engine.dispose()
    if failed:
        hints = {"database": "DATABASE_URL", "redis": "RATELIMIT_STORAGE_URI"}
        raise ConfigurationError(
            "; ".join(f"{name} {outcome} (check {hints[name]})" for name, outcome in failed.items())
        )


def require_retention_longer_than_reminders(app: Flask) -> None:
    """Deleting read notifications sooner than a reminder finder looks back would let it find
    them missing and remind again: refuse such a setting."""
    settings = app.extensions["settings"].reminders
    longest = max(
        settings.shift_first,
        settings.attendance,
        settings.join_request_age,
        settings.campaign_horizon,
        settings.catch_up,
    )
    if app.config["RETENTION_DAYS"] * 86400 <= longest.total_seconds():
        raise ConfigurationError(
            f"RETENTION_DAYS={app.config['RETENTION_DAYS']} is shorter than the longest reminder "
            f"look-back ({longest}); set it longer"
        )
