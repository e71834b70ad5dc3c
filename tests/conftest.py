"""Fixtures: the app, a migrated database (SQLite, or PostgreSQL with TEST_DATABASE_URL), and a
signed-in client of each role."""

from __future__ import annotations

import contextvars
import os
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from flask import has_app_context
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import make_url

from app import create_app
from core.auth import sms
from core.extensions import db, limiter
from tests.builders import DEFAULT_PASSWORD, make_user

# The loopback SMTP server fixture, for every test.
pytest_plugins = ["tests.smtp"]

POSTGRES_URL = os.environ.get("TEST_DATABASE_URL")


def pytest_report_header(config):
    return f"database: {'PostgreSQL' if POSTGRES_URL else 'SQLite'}"


def pytest_collection_modifyitems(config, items):
    """What the demo data holds does not depend on the database under it, nor do the answers
    of the authorization matrix and the privacy canary (every route asked as every role: the
    role and scope rules and what a page shows are Python, the same over either store). Those
    checks run on the SQLite pass (the store of `make demo`), and the PostgreSQL pass keeps its
    minutes for what the store decides; it still loads the whole demo, twice
    (tests/core/test_cli.py), and fuzzes the API with every boundary value."""
    if not POSTGRES_URL:
        return
    for item in items:
        if item.get_closest_marker("demo_content"):
            item.add_marker(
                pytest.mark.skip(reason="the demo's content is checked on the SQLite pass")
            )
        if item.get_closest_marker("sqlite_pass"):
            item.add_marker(pytest.mark.skip(reason="asked on the SQLite pass"))


class IsolatedClient(FlaskClient):
    """A test client whose every request runs as in production: in an app context, `g` and
    database session of its own, not in the test's.

    What the test built is committed first, so the request sees it (and SQLite's write lock
    is free).
    """

    def open(self, *args, **kwargs):
        if has_app_context():
            db.session.commit()
        return contextvars.Context().run(super().open, *args, **kwargs)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    """A database of this run's own, created empty and dropped at the end."""
    if not POSTGRES_URL:
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"
        return
    admin_url = make_url(POSTGRES_URL)
    name = f"vp_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
        # A test database is thrown away: no commit waits for the disk.
        conn.execute(text(f'ALTER DATABASE "{name}" SET synchronous_commit = off'))
    try:
        yield admin_url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def app_config(database_url: str, **overrides) -> dict:
    config = {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        "RATELIMIT_STORAGE_URI": "memory://",
        "PASSWORD_HASH_TIME_COST": 1,
        "PASSWORD_HASH_MEMORY_COST": 64,
        # In the test database, emptied with it; tests of the directory give one of their own.
        "UPLOAD_STORAGE": "database",
    }
    config.update(overrides)
    return config


@pytest.fixture(scope="session")
def _migrated(database_url):
    """Run the migrations once for the whole session: the tests use the real schema."""
    app = create_app(app_config(database_url))
    with app.app_context():
        upgrade(directory=str(Path(__file__).resolve().parent.parent / "migrations"))
        db.engine.dispose()
    return database_url


def empty_all_tables() -> None:
    """Delete every row and start every id again at 1 (tests.world's ids are known). On
    PostgreSQL a DELETE of the few rows a test leaves takes a twentieth of a TRUNCATE of every
    table, which makes new files for each table and index."""
    tables = list(reversed(db.metadata.sorted_tables))
    with db.engine.begin() as conn:
        for table in tables:
            conn.execute(table.delete())
        if conn.dialect.name == "postgresql":
            conn.execute(
                text(
                    "SELECT setval(format('%I.%I', schemaname, sequencename), 1, false)"
                    " FROM pg_sequences WHERE last_value IS NOT NULL"
                )
            )


def _test_app(database_url: str, **overrides):
    app = create_app(app_config(database_url, **overrides))
    app.test_client_class = IsolatedClient
    return app


@pytest.fixture(scope="session")
def _shared_app(_migrated):
    """The app of every test that asks for `app`: building one (its routes and API document)
    takes a quarter of a second, which over the suite's thousands of tests was minutes. Tests
    leave its config alone (`make_app` gives an app of their own with overrides), and the
    tables are emptied after each test."""
    return _test_app(_migrated)


@pytest.fixture
def make_app(_migrated, _shared_app):
    """Build an app of its own on the test database with config overrides (also a second
    instance beside `app`); tables are emptied after."""
    built = []

    def factory(**overrides):
        app = _test_app(_migrated, **overrides)
        built.append(app)
        return app

    yield factory
    with _shared_app.app_context():
        empty_all_tables()
    # Each app has an engine of its own; a pooled connection left to the garbage collector
    # would surface later as a ResourceWarning (an error here) in some other test.
    for each in (_shared_app, *built):
        with each.app_context():
            db.engine.dispose()


@pytest.fixture
def app(make_app, _shared_app):
    # The one Limiter object keeps the enabled flag of the app built last (see app.py), which
    # may be another test's app with rate limits on.
    limiter.enabled = _shared_app.config["RATELIMIT_ENABLED"]
    # The development SMS gateway remembers what it sent; each test starts with a new one.
    sms.init_app(_shared_app)
    with _shared_app.app_context():
        yield _shared_app


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def mail_app(make_app, smtp_server):
    """An app whose mail goes to the loopback SMTP server, its links on a public address."""
    app = make_app(
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=smtp_server.port,
        MAIL_TIMEOUT=5,
        MAIL_DEFAULT_SENDER="文明实践积分 <noreply@volunteer.example>",
        SITE_URL="https://volunteer.example",
    )
    with app.app_context():
        yield app


def sign_in(client, user, password: str = DEFAULT_PASSWORD):
    response = client.post("/login", data={"phone": user.phone, "password": password})
    assert response.status_code == 302, response.text
    return client


@pytest.fixture
def volunteer(app):
    return make_user(display_name="志愿者小李")


@pytest.fixture
def office_user(app):
    from core.auth.models import Role

    return make_user(role=Role.office, display_name="文明办")


@pytest.fixture
def merchant_staff(app):
    from core.auth.models import Role

    return make_user(role=Role.merchant_staff, display_name="商家店员")


@pytest.fixture
def volunteer_client(app, volunteer):
    db.session.commit()
    return sign_in(app.test_client(), volunteer)


@pytest.fixture
def office_client(app, office_user):
    db.session.commit()
    return sign_in(app.test_client(), office_user)


@pytest.fixture
def merchant_client(app, merchant_staff):
    db.session.commit()
    return sign_in(app.test_client(), merchant_staff)


@pytest.fixture
def bearer(app):
    """Return Authorization headers carrying a fresh API token for a user."""
    from core.auth import services
    from core.clock import utcnow

    def headers_for(user) -> dict[str, str]:
        _, secret = services.issue_token(user, now=utcnow(), days=1)
        db.session.commit()
        return {"Authorization": f"Bearer {secret}"}

    return headers_for


# Transaction control is not counted: SQLite's BEGIN IMMEDIATE (core/db.py) goes through the
# cursor and PostgreSQL's BEGIN does not, so counting it would make the numbers differ by
# dialect for no difference in the work done; savepoints are how a statement is run, not one
# more thing the path asks of the database.
_TRANSACTION_CONTROL = re.compile(
    r"\s*(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE|PRAGMA)\b", re.IGNORECASE
)


class Statements(list[str]):
    """The statements sent inside a `count_queries` block. `str()` gives them one a line,
    numbered: `assert len(sent) == 6, str(sent)` prints what was sent when it fails (pytest
    would shorten a message that is not a string)."""

    def __str__(self) -> str:
        lines = (f"{n:3}. {' '.join(s.split())}" for n, s in enumerate(self, 1))
        return f"{len(self)} statements:\n" + "\n".join(lines)


@pytest.fixture
def count_queries(app):
    """`with count_queries() as sent: client.post(...)`, then `assert len(sent) == 6, str(sent)`:
    the SQL statements the app sends on its engine inside the block (Indico's count_queries),
    without transaction control.

    Count nothing but the request: commit what the test built and read every id and header
    before the block, since IsolatedClient commits the test's session before each request
    (a flush in the block would be counted) and a committed object reloads when read.
    """

    @contextmanager
    def counting() -> Iterator[Statements]:
        sent = Statements()

        def record(_conn, _cursor, statement, _parameters, _context, _executemany):
            if not _TRANSACTION_CONTROL.match(statement):
                sent.append(statement)

        engine = db.engine
        event.listen(engine, "before_cursor_execute", record)
        try:
            yield sent
        finally:
            event.remove(engine, "before_cursor_execute", record)

    return counting
