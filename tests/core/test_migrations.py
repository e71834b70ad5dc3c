"""The migrations and the models describe the same schema, and every migration keeps the servers
of the release before it working (see DESIGN.md, "Migrations").

The tests that migrate run on a database of their own (SQLite, or PostgreSQL with
TEST_DATABASE_URL), filled with rows written in SQL as the code of each revision wrote them.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from app import create_app
from core.db import UTCDateTime
from core.extensions import db
from tests.conftest import POSTGRES_URL, app_config

MIGRATIONS = str(Path(__file__).resolve().parents[2] / "migrations")


def schema_differences() -> list:
    with db.engine.connect() as conn:
        context = MigrationContext.configure(
            conn,
            opts={
                "compare_type": True,
                "include_object": lambda obj, name, type_, *_: name != "apscheduler_jobs",
            },
        )
        return compare_metadata(context, db.metadata)


def test_migration_head_matches_the_models(app):
    # The session database was built by running the migrations, not by create_all.
    assert schema_differences() == []


@pytest.fixture
def empty_database_url(tmp_path):
    """An empty database for one test: a SQLite file, or a PostgreSQL database dropped after."""
    if not POSTGRES_URL:
        yield f"sqlite:///{tmp_path / 'm.sqlite3'}"
        return
    admin_url = sa.make_url(POSTGRES_URL)
    name = f"vp_migrations_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield admin_url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def migrating_app(empty_database_url):
    """`migrating_app(**config)`: an app on the empty database, in an app context."""
    built = []

    def make(**overrides):
        app = create_app(app_config(empty_database_url, **overrides))
        built.append(app.app_context())
        built[-1].push()
        return app

    yield make
    for context in reversed(built):
        db.engine.dispose()
        context.pop()


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def insert(conn, table: str, **values) -> None:
    """INSERT the given columns only, as the code of an older revision did (it knew no others);
    datetimes go through the app's UTC column type, as the ORM sends them."""

    def column(name, value):
        if isinstance(value, datetime):
            return sa.column(name, UTCDateTime())
        if isinstance(value, date):
            return sa.column(name, sa.Date())
        if isinstance(value, list | dict):
            return sa.column(name, sa.JSON())
        return sa.column(name)

    rows = sa.table(table, *(column(name, value) for name, value in values.items()))
    conn.execute(sa.insert(rows).values(**values))


# Moments in UTC whose local day is not always their UTC day. The ids leave gaps wider than a
# backfill batch (5,000 ids), so that the backfills go through more than one batch.
SHIFT_STARTS = {
    1: utc(2026, 3, 1, 17, 30),  # Shanghai: 01:30 on March 2
    12_001: utc(2026, 3, 8, 4, 30),  # New York: 23:30 on March 7, the night clocks go forward
    12_002: utc(2026, 7, 1, 4, 30),  # New York (summer time): 00:30 on July 1
}
REDEMPTION_TIMES = {
    1: utc(2026, 3, 1, 16, 0),  # Shanghai: midnight starting March 2
    7_001: utc(2026, 7, 1, 3, 59),  # New York: 23:59 on June 30
}
# What an old server writes while a release with 0005 rolls out, knowing nothing of the days.
LATE_SHIFT_STARTS = utc(2026, 4, 10, 20, 0)  # Shanghai: 04:00 on April 11
LATE_REDEMPTION_AT = utc(2026, 4, 10, 15, 30)  # Shanghai: 23:30 on April 10


def seed_0001(conn) -> None:
    created = utc(2026, 1, 5, 2, 0)
    insert(conn, "district", id=1, code="haigang", name="海港区", name_en="Haigang", position=1)
    for user_id, role in ((1, "volunteer"), (2, "merchant_staff")):
        insert(
            conn,
            "users",
            id=user_id,
            phone=f"1390000000{user_id}",
            password_hash="x",
            display_name=f"用户{user_id}",
            role=role,
            is_enabled=True,
            created_at=created,
        )


def seed_0002(conn) -> None:
    created = utc(2026, 1, 6, 2, 0)
    insert(
        conn,
        "campaign",
        id=1,
        name="春季",
        season="spring",
        year=2026,
        starts_on=date(2026, 1, 1),
        ends_on=date(2026, 12, 31),
        description="",
        points_per_hour=10,
        max_points_per_shift=80,
        created_at=created,
    )
    insert(
        conn,
        "team",
        id=1,
        name="服务队",
        district_id=1,
        categories=["cleaning"],
        description="",
        status="approved",
        founder_id=1,
        created_at=created,
    )
    insert(
        conn,
        "activity",
        id=1,
        team_id=1,
        campaign_id=1,
        district_id=1,
        title="清扫",
        category="cleaning",
        address="文化路",
        description="",
        status="published",
        created_by_id=1,
        created_at=created,
    )
    for shift_id, starts_at in SHIFT_STARTS.items():
        insert_old_shift(conn, starts_at, id=shift_id)


def insert_old_shift(conn, starts_at: datetime, **extra) -> None:
    insert(
        conn,
        "shift",
        **extra,
        activity_id=1,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=2),
        capacity=5,
        seats_taken=0,
        allows_walk_ins=False,
        status="scheduled",
    )


def seed_0003(conn) -> None:
    insert(
        conn,
        "merchant",
        id=1,
        name="积分超市",
        kind="points_supermarket",
        district_id=1,
        address="文化路",
        contact="",
        is_active=True,
        created_at=utc(2026, 1, 7, 2, 0),
    )
    for redemption_id, created_at in REDEMPTION_TIMES.items():
        insert_old_redemption(conn, created_at, id=redemption_id)


def insert_old_redemption(conn, created_at: datetime, **extra) -> None:
    key = uuid.uuid4().hex
    code_id = conn.scalar(sa.text("SELECT coalesce(max(id), 0) + 1 FROM redeem_code"))
    insert(
        conn,
        "redeem_code",
        id=code_id,
        user_id=1,
        code=key[:8],
        created_at=created_at,
        expires_at=created_at,
        used_at=created_at,
    )
    insert(
        conn,
        "redemption",
        **extra,
        merchant_id=1,
        user_id=1,
        staff_id=2,
        code_id=code_id,
        total=10,
        status="completed",
        idempotency_key=key,
        request_hash=key,
        created_at=created_at,
    )


SEEDS = {"0001": seed_0001, "0002": seed_0002, "0003": seed_0003}


def upgrade_with_data(to: str) -> None:
    """Upgrade an empty database one revision at a time up to `to`, writing rows after each
    revision that has a seed, as the servers of that release would have."""
    for revision, seed in SEEDS.items():
        upgrade(directory=MIGRATIONS, revision=revision)
        with db.engine.begin() as conn:
            seed(conn)
            if conn.dialect.name == "postgresql":  # the rows above chose their ids
                tables = ("users", "shift", "redeem_code", "redemption")
                for table in filter(inspect(conn).has_table, tables):
                    conn.execute(
                        sa.text(
                            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                            f"(SELECT coalesce(max(id), 1) FROM {table}))"
                        )
                    )
    upgrade(directory=MIGRATIONS, revision=to)


def days(table: str, day_column: str, moment_column: str) -> dict[datetime, date | None]:
    rows = sa.table(table, sa.column(moment_column, UTCDateTime()), sa.column(day_column, sa.Date))
    with db.engine.connect() as conn:
        return dict(conn.execute(sa.select(rows.c[moment_column], rows.c[day_column])).all())


def local_days(moments, zone: str) -> dict[datetime, date]:
    return {moment: moment.astimezone(ZoneInfo(zone)).date() for moment in moments}


def is_nullable(table: str, column: str) -> bool:
    return next(c for c in inspect(db.engine).get_columns(table) if c["name"] == column)["nullable"]


def test_servers_of_the_release_before_0005_keep_adding_shifts_and_redemptions(migrating_app):
    """A rolling deploy: 0005 runs while old servers still serve. They insert shifts and
    redemptions without the new days, and must not fail; the release after fills them in."""
    migrating_app()
    upgrade_with_data("0004")
    upgrade(directory=MIGRATIONS, revision="0005")

    # An old server, which knows neither column, adds a shift and a redemption.
    with db.engine.begin() as conn:
        insert_old_shift(conn, LATE_SHIFT_STARTS)
        insert_old_redemption(conn, LATE_REDEMPTION_AT)

    assert days("shift", "service_day", "starts_at") == {
        LATE_SHIFT_STARTS: None,
        SHIFT_STARTS[1]: date(2026, 3, 2),
        SHIFT_STARTS[12_001]: date(2026, 3, 8),
        SHIFT_STARTS[12_002]: date(2026, 7, 1),
    }
    assert days("redemption", "redeemed_on", "created_at") == {
        LATE_REDEMPTION_AT: None,
        REDEMPTION_TIMES[1]: date(2026, 3, 2),
        REDEMPTION_TIMES[7_001]: date(2026, 7, 1),
    }
    assert is_nullable("shift", "service_day")
    assert is_nullable("redemption", "redeemed_on")

    # The next release constrains the columns, filling in what old servers left empty.
    upgrade(directory=MIGRATIONS)
    assert days("shift", "service_day", "starts_at")[LATE_SHIFT_STARTS] == date(2026, 4, 11)
    assert days("redemption", "redeemed_on", "created_at")[LATE_REDEMPTION_AT] == date(2026, 4, 10)
    assert not is_nullable("shift", "service_day")
    assert not is_nullable("redemption", "redeemed_on")
    assert schema_differences() == []


def test_migrations_with_data_go_up_down_and_up_again(migrating_app):
    # Another zone than the default, with summer time: the backfills use the configured one.
    zone = "America/New_York"
    migrating_app(TIMEZONE=zone)
    upgrade_with_data("head")
    assert days("shift", "service_day", "starts_at") == local_days(SHIFT_STARTS.values(), zone)
    assert days("redemption", "redeemed_on", "created_at") == local_days(
        REDEMPTION_TIMES.values(), zone
    )
    assert days("shift", "service_day", "starts_at")[SHIFT_STARTS[12_001]] == date(2026, 3, 7)
    assert days("redemption", "redeemed_on", "created_at")[REDEMPTION_TIMES[7_001]] == date(
        2026, 6, 30
    )
    assert schema_differences() == []

    downgrade(directory=MIGRATIONS, revision="base")
    assert inspect(db.engine).get_table_names() == ["alembic_version"]
    upgrade(directory=MIGRATIONS)
    assert schema_differences() == []
