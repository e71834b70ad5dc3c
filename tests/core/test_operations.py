"""Running it: production refuses to start half-configured, /healthz and /readyz, a request id
on every answer and log line, JSON log lines, and the purge of what is past its use."""

from __future__ import annotations

import json
import logging
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app import create_app
from core.auth import services as auth
from core.auth.models import ApiToken, UserSession
from core.clock import utcnow
from core.config import ConfigurationError
from core.extensions import db
from core.logs import JsonFormatter
from reminders import jobs
from reminders.models import EmailStatus, Notification, NotificationKind
from tests.builders import make_user
from tests.conftest import app_config

# Production needs an SMS provider (tests/core/test_sms_codes.py); nothing is sent at start.
SMS_PROVIDER = {
    "SMS_PROVIDER": "aliyun",
    "ALIYUN_SMS_ACCESS_KEY_ID": "LTAI-test-id",
    "ALIYUN_SMS_ACCESS_KEY_SECRET": "test-secret",
    "ALIYUN_SMS_SIGN_NAME": "文明实践积分",
    "ALIYUN_SMS_TEMPLATE_SIGN_IN": "SMS_100000001",
    "ALIYUN_SMS_TEMPLATE_REGISTER": "SMS_100000002",
    "ALIYUN_SMS_TEMPLATE_RESET_PASSWORD": "SMS_100000003",
}


@pytest.fixture
def production(_migrated, monkeypatch):
    """The settings of a production server on the test database, before overrides."""
    monkeypatch.delenv("SECRET_KEY", raising=False)
    return app_config(_migrated, APP_ENV="production", **SMS_PROVIDER)


def test_production_refuses_to_start_without_a_secret_key(production):
    with pytest.raises(ConfigurationError, match="SECRET_KEY"):
        create_app({**production, "SECRET_KEY": ""})


def test_production_refuses_to_start_without_its_database(production, tmp_path):
    missing = f"postgresql+psycopg://postgres@127.0.0.1:1/{tmp_path.name}"
    with pytest.raises(ConfigurationError, match="DATABASE_URL"):
        create_app({**production, "SQLALCHEMY_DATABASE_URI": missing})


def test_production_starts_on_a_database_not_migrated_yet_so_that_it_can_be(production, tmp_path):
    empty = f"sqlite:///{tmp_path / 'empty.sqlite3'}"
    app = create_app({**production, "SQLALCHEMY_DATABASE_URI": empty})

    response = app.test_client().get("/readyz")
    with app.app_context():
        db.engine.dispose()

    assert response.status_code == 503
    assert "flask db upgrade" in response.json["checks"]["schema"]


def test_production_refuses_to_start_without_the_configured_redis(production):
    with pytest.raises(ConfigurationError, match="RATELIMIT_STORAGE_URI"):
        create_app({**production, "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:1/0"})


def test_production_starts_when_everything_answers(production):
    app = create_app(production)
    with app.app_context():
        db.engine.dispose()


def test_a_retention_shorter_than_the_reminders_look_back_is_refused(_migrated):
    with pytest.raises(ConfigurationError, match="RETENTION_DAYS"):
        create_app(app_config(_migrated, RETENTION_DAYS=1))


def test_healthz_answers_without_the_database(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json == {"status": "ok"}


def test_readyz_checks_the_database_and_its_schema(client):
    response = client.get("/readyz")

    assert response.status_code == 200
    assert response.json == {"status": "ready", "checks": {"database": "ok", "schema": "ok"}}


@pytest.mark.parametrize(
    ("at", "ready"),
    [
        ("head", True),
        ("previous", True),  # a rolling deploy: new code first, its migration next
        ("unknown", True),  # a newer release has migrated
        ("older", False),
    ],
)
def test_readyz_accepts_the_schema_of_a_neighbouring_release(client, at, ready):
    from alembic.script import ScriptDirectory
    from sqlalchemy import text

    from core.readiness import MIGRATIONS

    script = ScriptDirectory(str(MIGRATIONS))
    head = script.get_revision(script.get_current_head())
    revision = {
        "head": head.revision,
        "previous": head.down_revision,
        "unknown": "9999_from_the_future",
        "older": script.get_revision(head.down_revision).down_revision,
    }[at]
    db.session.execute(text("UPDATE alembic_version SET version_num = :r"), {"r": revision})
    db.session.commit()
    try:
        response = client.get("/readyz")
    finally:
        db.session.execute(
            text("UPDATE alembic_version SET version_num = :r"), {"r": head.revision}
        )
        db.session.commit()

    assert (response.status_code == 200) is ready, response.json


def test_readyz_says_what_is_not_ready(_migrated, tmp_path):
    app = create_app(
        app_config(
            f"sqlite:///{tmp_path / 'empty.sqlite3'}",
            RATELIMIT_STORAGE_URI="redis://127.0.0.1:1/0",
        )
    )

    response = app.test_client().get("/readyz")
    with app.app_context():
        db.engine.dispose()

    assert response.status_code == 503
    assert response.json["status"] == "not ready"
    assert response.json["checks"]["schema"] != "ok"
    assert response.json["checks"]["redis"].startswith("unreachable")


def test_every_answer_carries_a_request_id_taken_from_the_proxy_or_made(client):
    made = client.get("/healthz").headers["X-Request-ID"]
    taken = client.get("/healthz", headers={"X-Request-ID": "nginx-3f2a9c41"})
    forged = client.get("/healthz", headers={"X-Request-ID": 'x" {"level": "fake"}'})

    assert len(made) == 32
    assert taken.headers["X-Request-ID"] == "nginx-3f2a9c41"
    assert len(forged.headers["X-Request-ID"]) == 32


def test_log_lines_of_a_request_are_json_with_its_id_user_method_path_and_status(
    app, volunteer_client, volunteer
):
    lines: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            lines.append(self.format(record))

    handler = Keep()
    handler.setFormatter(JsonFormatter())
    access = logging.getLogger("access")
    access.addHandler(handler)
    access.setLevel(logging.INFO)
    try:
        response = volunteer_client.get("/me/shifts", headers={"X-Request-ID": "req-12345678"})
    finally:
        access.removeHandler(handler)

    assert response.status_code == 200
    (line,) = [json.loads(text) for text in lines]
    assert line["request_id"] == "req-12345678"
    assert line["user_id"] == volunteer.id
    assert (line["method"], line["path"], line["status"]) == ("GET", "/me/shifts", 200)
    assert line["level"] == "INFO" and line["duration_ms"] >= 0
    assert line["time"].endswith("+00:00")


def test_an_error_logged_outside_a_request_is_one_json_line_with_its_traceback():
    try:
        raise ValueError("broken")
    except ValueError:
        record = logging.LogRecord("job", logging.ERROR, __file__, 1, "failed: %s", ("x",), None)
        import sys

        record.exc_info = sys.exc_info()
    text = JsonFormatter().format(record)

    assert "\n" not in text
    line = json.loads(text)
    assert line["message"] == "failed: x" and "ValueError: broken" in line["exception"]


def _notification(user, *, read_days_ago: int | None, email: EmailStatus) -> Notification:
    now = utcnow()
    row = Notification(
        user_id=user.id,
        kind=NotificationKind.points_earned,
        subject=f"test:{read_days_ago}:{email.value}",
        params={},
        created_at=now - timedelta(days=400),
        read_at=None if read_days_ago is None else now - timedelta(days=read_days_ago),
        email_status=email,
    )
    db.session.add(row)
    return row


def test_the_purge_keeps_unread_recent_and_unsent_and_deletes_the_rest(app):
    user = make_user()
    old_read = _notification(user, read_days_ago=200, email=EmailStatus.sent)
    keep = [
        _notification(user, read_days_ago=10, email=EmailStatus.sent),
        _notification(user, read_days_ago=None, email=EmailStatus.not_wanted),
        _notification(user, read_days_ago=200, email=EmailStatus.pending),
    ]
    now = utcnow()
    _, _ = auth.issue_token(user, now=now - timedelta(days=400), days=30)
    _, _ = auth.issue_token(user, now=now, days=30)
    db.session.commit()
    old_id, kept_ids = old_read.id, {row.id for row in keep}

    purged = jobs.purge()

    db.session.expire_all()
    remaining = set(db.session.scalars(select(Notification.id)))
    assert remaining == kept_ids and old_id not in remaining
    assert db.session.scalar(select(func.count()).select_from(ApiToken)) == 1
    assert db.session.scalar(select(func.count()).select_from(UserSession)) == 0
    assert purged == 2
