"""applications for benefits given by application (employment, schooling)

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-03 17:45:00
"""

from alembic import op  # noqa: F401

revision = "0027"
down_revision = "0026"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
