"""Migration 0015: the audit log takes the assignment actions and stays append-only (SQLite
rebuilds the table and its trigger), one live assignment per scope is the database's rule, and
a downgrade leaves the log as 0014 knew it."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from core.extensions import db
from tests.core.test_migrations import (  # noqa: F401 (fixtures)
    MIGRATIONS,
    empty_database_url,
    insert,
    migrating_app,
    utc,
)

WHEN = utc(2026, 12, 7, 2, 0)


def _user(conn, user_id: int, role: str) -> None:
    insert(
        conn,
        "users",
        id=user_id,
        phone=f"1390000000{user_id}",
        password_hash="x",
        display_name=f"用户{user_id}",
        role=role,
        is_enabled=True,
        created_at=WHEN,
    )


def _audit(conn, action: str) -> None:
    insert(conn, "audit_log", actor_id=1, action=action, target_id=2, details={}, created_at=WHEN)


def test_0015_widens_the_audit_log_keeps_it_append_only_and_goes_back(
    migrating_app,  # noqa: F811 (the fixture imported above)
):
    migrating_app()
    upgrade(directory=MIGRATIONS, revision="0014")
    with db.engine.begin() as conn:
        _user(conn, 1, "office")
        _user(conn, 2, "volunteer")
        _audit(conn, "disabled")
        with pytest.raises(sa.exc.IntegrityError), conn.begin_nested():
            _audit(conn, "assignment_granted")

    upgrade(directory=MIGRATIONS, revision="0015")
    with db.engine.begin() as conn:
        _audit(conn, "assignment_granted")
        insert(conn, "role_assignment", user_id=2, kind="media_editor", granted_at=WHEN)
        # A second live assignment of the same kind and scope: the partial index refuses it.
        with pytest.raises(sa.exc.IntegrityError), conn.begin_nested():
            insert(conn, "role_assignment", user_id=2, kind="media_editor", granted_at=WHEN)
        # A clerk's assignment needs a region: the CHECK refuses one without.
        with pytest.raises(sa.exc.IntegrityError), conn.begin_nested():
            insert(conn, "role_assignment", user_id=2, kind="street_clerk", granted_at=WHEN)
    with db.engine.begin() as conn, pytest.raises(sa.exc.DBAPIError, match="append-only"):
        conn.execute(sa.text("UPDATE audit_log SET details = '{}'"))

    downgrade(directory=MIGRATIONS, revision="0014")
    with db.engine.begin() as conn:
        actions = conn.scalars(sa.text("SELECT action FROM audit_log")).all()
        assert actions == ["disabled"]
        assert not sa.inspect(conn).has_table("role_assignment")
    with db.engine.begin() as conn, pytest.raises(sa.exc.DBAPIError, match="append-only"):
        conn.execute(sa.text("UPDATE audit_log SET details = '{}'"))
