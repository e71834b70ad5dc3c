"""revocations of honours under the conduct clauses, and the tasks to take back a card and certificate

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-03 17:45:00
"""

from alembic import op  # noqa: F401

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
