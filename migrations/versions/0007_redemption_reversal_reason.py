"""redemption reversal reason: why the counter undid a redemption

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03 05:00:00

A nullable column only, so servers still running the previous release are unaffected;
reversals made before it keep no reason.
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("redemption", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reversal_reason", sa.String(length=200), nullable=True))


def downgrade():
    with op.batch_alter_table("redemption", schema=None) as batch_op:
        batch_op.drop_column("reversal_reason")
