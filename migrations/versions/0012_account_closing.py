"""account closing: users.closed_at, and the audit log's actions data_exported and account_closed

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-05 09:00:00

A nullable column, so servers still running the previous release are unaffected: they never
write it, and an account they see closed is also disabled (`is_enabled` false). The audit log's
CHECK constraint on `action` is widened by two values; the old servers write only the old ones.

On SQLite the widening rebuilds the table (copy, drop, rename), which drops its append-only
trigger with the old table; the trigger is made again on the new one. On PostgreSQL the
constraint is dropped and added in place, and the trigger stays.
"""

import sqlalchemy as sa
from alembic import op

import core.db

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

OLD_ACTIONS = (
    "viewed_phone",
    "disabled",
    "enabled",
    "reset_link_created",
    "password_reset",
    "password_set",
    "office_granted",
    "office_withdrawn",
    "staff_linked",
    "staff_unlinked",
    "audit_exported",
)
NEW_ACTIONS = ("data_exported", "account_closed")
CONSTRAINT = "ck_audit_log_auditaction"
APPEND_ONLY = "the audit log is append-only"


def _actions_check(actions) -> str:
    listed = ", ".join(f"'{action}'" for action in actions)
    return f"action IN ({listed})"


def _set_actions(actions) -> None:
    if op.get_context().dialect.name == "postgresql":
        # op.f: the name is complete already, not one for the naming convention to build on.
        op.drop_constraint(op.f(CONSTRAINT), "audit_log", type_="check")
        op.create_check_constraint(op.f(CONSTRAINT), "audit_log", _actions_check(actions))
        return
    # The rebuilt table takes its CHECK from the column's type, as 0010 declared it.
    with op.batch_alter_table("audit_log", recreate="always") as batch:
        batch.alter_column(
            "action",
            existing_type=sa.Enum(*OLD_ACTIONS, name="auditaction", native_enum=False, length=32),
            type_=sa.Enum(
                *actions,
                name="auditaction",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            existing_nullable=False,
        )
    op.execute(
        "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log "
        f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}'); END"
    )


def upgrade():
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("closed_at", core.db.UTCDateTime(timezone=True), nullable=True))
    _set_actions(OLD_ACTIONS + NEW_ACTIONS)


def downgrade():
    # The older schema cannot hold these entries; a downgrade is for development only.
    op.execute(sa.text("DELETE FROM audit_log WHERE action IN ('data_exported', 'account_closed')"))
    _set_actions(OLD_ACTIONS)
    with op.batch_alter_table("users") as batch:
        batch.drop_column("closed_at")
