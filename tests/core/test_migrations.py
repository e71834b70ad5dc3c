"""The migrations and the models describe the same schema."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from app import create_app
from core.extensions import db
from tests.conftest import app_config

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


def test_migrations_go_down_and_up_again(tmp_path):
    app = create_app(app_config(f"sqlite:///{tmp_path / 'm.sqlite3'}"))
    with app.app_context():
        upgrade(directory=MIGRATIONS)
        assert "users" in inspect(db.engine).get_table_names()
        downgrade(directory=MIGRATIONS, revision="base")
        assert inspect(db.engine).get_table_names() == ["alembic_version"]
        upgrade(directory=MIGRATIONS)
        assert schema_differences() == []
        db.engine.dispose()
