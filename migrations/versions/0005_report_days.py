"""report days: the local day a shift counts for and a redemption was made on

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 13:30:00

Servers of the release before this one keep running while it is applied (DESIGN.md,
"Migrations"), and they insert shifts and redemptions knowing nothing of these columns. So:

- `shift.service_day` and `redemption.redeemed_on` are added nullable: an old server's INSERT
  still works. The code of this release writes both on every insert (Shift.service_day follows
  starts_at, Redemption.redeemed_on follows created_at).
- The existing rows are filled in SQL, in batches of BATCH ids, one UPDATE each; on PostgreSQL
  each batch commits on its own, so none holds its row locks for long.
- On PostgreSQL the indexes are built with CREATE INDEX CONCURRENTLY outside the transaction,
  so that writes go on while they build.
- The columns become NOT NULL in 0008, in a later release, which first fills in the rows old
  servers wrote without them in the meantime.

This revision was rewritten. The first 0005 filled the days row by row in Python, made the
columns NOT NULL and built the indexes in one transaction, which locked the busiest tables and
made old servers fail (NOT NULL violation) on every new shift. A database that already ran it
stays at it and is unaffected: Alembic never runs a revision twice, its columns are filled and
NOT NULL and its indexes exist, and 0008 finds nothing to fill.

On PostgreSQL the work before the autocommit block is committed when the block starts; if the
migration fails after that, running it again carries on: the columns are added only if missing,
only empty days are filled, and an index left invalid by a failed CONCURRENTLY build is dropped
and built again.
"""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from alembic import op
from flask import current_app

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

BATCH = 5_000

# (index, table, columns)
INDEXES = (
    ("ix_shift_service_day", "shift", ["service_day"]),
    ("ix_redemption_redeemed_on", "redemption", ["redeemed_on"]),
    ("ix_check_in_shift_status", "check_in", ["shift_id", "status"]),
)


def _local_day_sql(bind, moment: str) -> tuple[str, dict]:
    """SQL for the local day (in the configured TIMEZONE) of the UTC moment in `moment`."""
    zone = current_app.config["TIMEZONE"]
    if bind.dialect.name == "postgresql":
        return f"({moment} AT TIME ZONE :zone)::date", {"zone": zone}
    # SQLite has no time zones in SQL: its 'localtime' is the zone of the machine, not the
    # configured one. So the conversion is a function registered on this connection, which
    # SQLite calls inside the same batched UPDATEs (no row goes back and forth). A SQLite
    # database has a single app server (the demo, a laptop), migrated before it starts: there
    # is no rolling deploy to protect, and the batches only keep the shape used on PostgreSQL.
    local = ZoneInfo(zone)

    def local_day(value: str) -> str:
        moment = datetime.fromisoformat(value)  # the UTC wall-clock time, stored without zone
        return moment.replace(tzinfo=UTC).astimezone(local).date().isoformat()

    bind.connection.driver_connection.create_function(
        "report_local_day", 1, local_day, deterministic=True
    )
    return f"report_local_day({moment})", {}


def _backfill(table: str, moment: str, day: str) -> None:
    """Fill the empty `day` of `table` with the local day of `moment`, BATCH ids a statement."""
    bind = op.get_bind()
    local_day, params = _local_day_sql(bind, moment)
    first, last = bind.execute(
        sa.text(f"SELECT min(id), max(id) FROM {table} WHERE {day} IS NULL")
    ).one()
    if first is None:
        return
    update = sa.text(
        f"UPDATE {table} SET {day} = {local_day} "
        f"WHERE id >= :start AND id < :stop AND {day} IS NULL"
    )
    for start in range(first, last + 1, BATCH):
        bind.execute(update, {"start": start, "stop": start + BATCH, **params})


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        with op.batch_alter_table("shift", schema=None) as batch_op:
            batch_op.add_column(sa.Column("service_day", sa.Date(), nullable=True))
        with op.batch_alter_table("redemption", schema=None) as batch_op:
            batch_op.add_column(sa.Column("redeemed_on", sa.Date(), nullable=True))
        _backfill("shift", "starts_at", "service_day")
        _backfill("redemption", "created_at", "redeemed_on")
        for name, table, columns in INDEXES:
            op.create_index(name, table, columns, unique=False)
        return

    # Nullable without a default: a change of the catalogue only, no rewrite of the table.
    op.add_column("shift", sa.Column("service_day", sa.Date(), nullable=True), if_not_exists=True)
    op.add_column(
        "redemption", sa.Column("redeemed_on", sa.Date(), nullable=True), if_not_exists=True
    )
    with op.get_context().autocommit_block():
        _backfill("shift", "starts_at", "service_day")
        _backfill("redemption", "created_at", "redeemed_on")
        for name, table, columns in INDEXES:
            # A CONCURRENTLY build that failed leaves an invalid index behind.
            op.drop_index(name, table_name=table, postgresql_concurrently=True, if_exists=True)
            op.create_index(name, table, columns, unique=False, postgresql_concurrently=True)


def downgrade():
    with op.batch_alter_table("check_in", schema=None) as batch_op:
        batch_op.drop_index("ix_check_in_shift_status")
    with op.batch_alter_table("redemption", schema=None) as batch_op:
        batch_op.drop_index("ix_redemption_redeemed_on")
        batch_op.drop_column("redeemed_on")
    with op.batch_alter_table("shift", schema=None) as batch_op:
        batch_op.drop_index("ix_shift_service_day")
        batch_op.drop_column("service_day")
