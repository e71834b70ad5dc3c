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


def _database(app: Flask) -> str:
    try:
        with db.engine.connect() as connection:
            current = set(
                connection.execute(text("SELECT version_num FROM alembic_version")).scalars()
            )
    except SQLAlchemyError as error:
        return f"unreachable or not migrated: {type(error).__name__}"
    heads = set(ScriptDirectory(str(MIGRATIONS)).get_heads())
    if current != heads:
        at = sorted(current) or "nothing"
        return f"schema at {at}, the code needs {sorted(heads)}: run flask db upgrade"
    return OK


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
    checks = {"database": _database(app)}
    if (found := _redis(app)) is not None:
        checks["redis"] = found
    return checks


def require_ready(app: Flask) -> None:
    """For production start-up: raise ConfigurationError naming every check that failed and
    the setting to look at."""
    with app.app_context():
        checks = readiness(app)
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
