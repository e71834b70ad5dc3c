"""a message to everyone on a shift, and its recipients

Revision ID: 0032
Revises: 0031
Create Date: 2026-12-04 02:40:00

A new table shift_message: what a leader (or the office) sent to a group of a shift's
volunteers. Each recipient's copy is a notification of the new kind `shift_message`, so the
CHECK constraints on the notification kind (notification, notification_preference) are widened
by one value; servers still running the previous release write only the old ones. On
PostgreSQL the constraints are dropped and added in place; on SQLite the tables are rebuilt
with the CHECK the new column type carries.
"""

import sqlalchemy as sa
from alembic import op

import core.db

revision = "0032"
down_revision = "0031"
branch_labels = None
depends_on = None

OLD_NOTIFICATION_KINDS = (
    "shift_tomorrow",
    "shift_soon",
    "waiting_list_promoted",
    "activity_cancelled",
    "activity_changed",
    "points_earned",
    "free_places_tomorrow",
    "attendance_unconfirmed",
    "join_request_waiting",
    "weekly_digest",
    "campaign_unplanned_teams",
    "nomination_overdue",
    "card_alert",
    "breach_case_overdue",
    "breach_statement_ended",
    "application_step",
    # 0030 (points lots) widens the CHECK by this one.
    "points_expiring",
)
NEW_NOTIFICATION_KINDS = (*OLD_NOTIFICATION_KINDS, "shift_message")
NOTIFICATION_TABLES = ("notification", "notification_preference")


def _enum(values, name: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=32)


def _set_enum(table: str, column: str, name: str, values, before) -> None:
    """Set the CHECK of an enum column (named as core.db.enum_column names it)."""
    if op.get_context().dialect.name == "postgresql":
        listed = ", ".join(f"'{value}'" for value in values)
        # op.f: the name is complete already, not one for the naming convention to build on.
        constraint = op.f(f"ck_{table}_{name}")
        op.drop_constraint(constraint, table, type_="check")
        op.create_check_constraint(constraint, table, f"{column} IN ({listed})")
        return
    with op.batch_alter_table(table, recreate="always") as batch:
        batch.alter_column(
            column,
            existing_type=_enum(before, name),
            type_=_enum(values, name),
            existing_nullable=False,
        )


def upgrade() -> None:
    for table in NOTIFICATION_TABLES:
        _set_enum(table, "kind", "notificationkind", NEW_NOTIFICATION_KINDS, OLD_NOTIFICATION_KINDS)
    op.create_table(
        "shift_message",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("shift_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column(
            "audience",
            _enum(("signed_up", "checked_in", "not_checked_in", "waiting"), "shiftaudience"),
            nullable=False,
        ),
        sa.Column(
            "template",
            _enum(
                ("time_changed", "meeting_point", "weather_cancelled", "thanks", "free"),
                "shiftmessagetemplate",
            ),
            nullable=False,
        ),
        sa.Column("body", sa.String(length=500), nullable=False),
        sa.Column("audience_size", sa.Integer(), nullable=False),
        sa.Column("told_count", sa.Integer(), nullable=False),
        sa.Column("created_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"], ["users.id"], name=op.f("fk_shift_message_author_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["shift_id"], ["shift.id"], name=op.f("fk_shift_message_shift_id_shift")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shift_message")),
    )
    op.create_index(
        "ix_shift_message_author_created",
        "shift_message",
        ["author_id", "created_at"],
        unique=False,
    )
    op.create_index(
        "ix_shift_message_shift_created", "shift_message", ["shift_id", "created_at"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_shift_message_shift_created", table_name="shift_message")
    op.drop_index("ix_shift_message_author_created", table_name="shift_message")
    op.drop_table("shift_message")
    # The older schema cannot hold these messages' copies; the messages went with their table.
    op.execute(sa.text("DELETE FROM notification WHERE kind = 'shift_message'"))
    op.execute(sa.text("DELETE FROM notification_preference WHERE kind = 'shift_message'"))
    for table in NOTIFICATION_TABLES:
        _set_enum(table, "kind", "notificationkind", OLD_NOTIFICATION_KINDS, NEW_NOTIFICATION_KINDS)
