"""report days not null: every shift has its service day, every redemption its day

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03 18:00:00

The later release of 0005 (DESIGN.md, "Migrations"): apply it only once no server runs code
older than 0005's release, since those insert shifts and redemptions without the days. While
the release with 0005 rolls out, upgrade to 0007 only (`flask --app app db upgrade 0007`);
upgrade to head once every server runs that release.

It first fills in, in batches in SQL as 0005 did, the days old servers left empty while 0005's
release rolled out, then makes both columns NOT NULL. On PostgreSQL without holding a lock on
the busy tables for a scan, each step outside the transaction: a CHECK (day IS NOT NULL) NOT
VALID is added (a moment's lock; new rows are checked from then on), the empty days are filled,
the check is validated (it reads the table without blocking writes), SET NOT NULL relies on the
valid check instead of scanning the table (PostgreSQL 12 and later), and the check is dropped.
On SQLite batch mode rebuilds the two tables.

A database that ran the first 0005 has both columns filled and NOT NULL already: nothing is
filled and the rest changes nothing.
"""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from alembic import op
from flask import current_app

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

BATCH = 5_000

# (table, UTC moment, local day)
DAYS = (("shift", "starts_at", "service_day"), ("redemption", "created_at", "redeemed_on"))


# _local_day_sql and _backfill are copied from 0005: a migration keeps the code it ran with.
def _local_day_sql(bind, moment: str) -> tuple[str, dict]:
    """SQL for the local day (in the configured TIMEZONE) of the UTC moment in `moment`."""
    zone = current_app.config["TIMEZONE"]
    if bind.dialect.name == "postgresql":
        return f"({moment} AT TIME ZONE :zone)::date", {"zone": zone}
    # SQLite has no time zones in SQL (see 0005): a function registered on this connection.
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
        for table, moment, day in DAYS:
            _backfill(table, moment, day)
            with op.batch_alter_table(table, schema=None) as batch_op:
                batch_op.alter_column(day, existing_type=sa.Date(), nullable=False)
        return

    with op.get_context().autocommit_block():
        for table, moment, day in DAYS:
            check = f"ck_{table}_{day}_not_null"
            # Also clears what a failed run of this migration left behind.
            op.execute(f"ALTER TABLE {table} DROP CONSTRAINT IF EXISTS {check}")
            op.execute(
                f"ALTER TABLE {table} ADD CONSTRAINT {check} CHECK ({day} IS NOT NULL) NOT VALID"
            )
            _backfill(table, moment, day)
            op.execute(f"ALTER TABLE {table} VALIDATE CONSTRAINT {check}")
            op.execute(f"ALTER TABLE {table} ALTER COLUMN {day} SET NOT NULL")
            op.execute(f"ALTER TABLE {table} DROP CONSTRAINT {check}")


def downgrade():
    for table, _moment, day in reversed(DAYS):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column(day, existing_type=sa.Date(), nullable=True)
