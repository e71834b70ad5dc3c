"""nomination overdue reminders: a notification kind for a nomination waiting past its review
level's time limit

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-06 11:00:00

The CHECK constraints on the notification kind (notification, notification_preference) are
widened by one value; servers still running the previous release write only the old ones. On
PostgreSQL the constraints are dropped and added in place; on SQLite the tables are rebuilt
with the CHECK the new column type carries.
"""

import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None

OLD = (
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
)
NEW = (*OLD, "nomination_overdue")
TABLES = ("notification", "notification_preference")


def _enum(values) -> sa.Enum:
    return sa.Enum(
        *values, name="notificationkind", native_enum=False, create_constraint=True, length=32
    )


def _set(values, before) -> None:
    if op.get_context().dialect.name == "postgresql":
        listed = ", ".join(f"'{value}'" for value in values)
        for table in TABLES:
            # op.f: the name is complete already, not one for the naming convention to build on.
            constraint = op.f(f"ck_{table}_notificationkind")
            op.drop_constraint(constraint, table, type_="check")
            op.create_check_constraint(constraint, table, f"kind IN ({listed})")
        return
    for table in TABLES:
        with op.batch_alter_table(table, recreate="always") as batch:
            batch.alter_column(
                "kind", existing_type=_enum(before), type_=_enum(values), existing_nullable=False
            )


def upgrade():
    _set(NEW, OLD)


def downgrade():
    # The older schema cannot hold these reminders; they are about work in progress.
    op.execute(sa.text("DELETE FROM notification WHERE kind = 'nomination_overdue'"))
    op.execute(sa.text("DELETE FROM notification_preference WHERE kind = 'nomination_overdue'"))
    _set(OLD, NEW)
