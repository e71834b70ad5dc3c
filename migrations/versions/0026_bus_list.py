"""the bus company's list of card numbers, and API tokens limited to one use

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-03 17:45:00
"""

from alembic import op  # noqa: F401

revision = "0026"
down_revision = "0025"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
