"""report days: the local day a shift counts for and a redemption was made on

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 13:30:00

"""

from datetime import UTC
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from alembic import op
from flask import current_app

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def _backfill(table: str, moment: str, day: str) -> None:
    # The day depends on the configured zone, so it is computed here rather than in SQL.
    zone = ZoneInfo(current_app.config["TIMEZONE"])
    bind = op.get_bind()
    rows = sa.table(
        table, sa.column("id"), sa.column(moment, sa.DateTime(timezone=True)), sa.column(day, sa.Date)
    )
    for row_id, value in bind.execute(sa.select(rows.c.id, rows.c[moment])).all():
        if value.tzinfo is None:  # SQLite keeps the UTC wall-clock time without a zone
            value = value.replace(tzinfo=UTC)
        local = value.astimezone(zone).date()
        bind.execute(sa.update(rows).where(rows.c.id == row_id).values({day: local}))


def upgrade():
    with op.batch_alter_table("shift", schema=None) as batch_op:
        batch_op.add_column(sa.Column("service_day", sa.Date(), nullable=True))
    with op.batch_alter_table("redemption", schema=None) as batch_op:
        batch_op.add_column(sa.Column("redeemed_on", sa.Date(), nullable=True))
    _backfill("shift", "starts_at", "service_day")
    _backfill("redemption", "created_at", "redeemed_on")
    with op.batch_alter_table("shift", schema=None) as batch_op:
        batch_op.alter_column("service_day", existing_type=sa.Date(), nullable=False)
        batch_op.create_index("ix_shift_service_day", ["service_day"], unique=False)
    with op.batch_alter_table("redemption", schema=None) as batch_op:
        batch_op.alter_column("redeemed_on", existing_type=sa.Date(), nullable=False)
        batch_op.create_index("ix_redemption_redeemed_on", ["redeemed_on"], unique=False)
    with op.batch_alter_table("check_in", schema=None) as batch_op:
        batch_op.create_index("ix_check_in_shift_status", ["shift_id", "status"], unique=False)


def downgrade():
    with op.batch_alter_table("check_in", schema=None) as batch_op:
        batch_op.drop_index("ix_check_in_shift_status")
    with op.batch_alter_table("redemption", schema=None) as batch_op:
        batch_op.drop_index("ix_redemption_redeemed_on")
        batch_op.drop_column("redeemed_on")
    with op.batch_alter_table("shift", schema=None) as batch_op:
        batch_op.drop_index("ix_shift_service_day")
        batch_op.drop_column("service_day")
