"""the conduct clauses (versioned) and breach cases

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-03 17:45:00
"""

from alembic import op  # noqa: F401

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
