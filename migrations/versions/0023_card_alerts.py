"""card alerts: a notification kind for a lost, replaced or revoked courtesy card presented at
a partner, told to the holder's district

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-03 16:00:00

The CHECK constraints on the notification kind (notification, notification_preference) are
widened by one value; servers still running the previous release write only the old ones. On
PostgreSQL the constraints are dropped and added in place; on SQLite the tables are rebuilt
with the CHECK the new column type carries.
"""

import sqlalchemy as sa
from alembic import op

revision = "0023"
down_revision = "0022"
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
    "nomination_overdue",
)
NEW = (*OLD, "card_alert")
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
    # The older schema cannot hold these alerts; the checks they came from stay recorded.
    op.execute(sa.text("DELETE FROM notification WHERE kind = 'card_alert'"))
    op.execute(sa.text("DELETE FROM notification_preference WHERE kind = 'card_alert'"))
    _set(OLD, NEW)
