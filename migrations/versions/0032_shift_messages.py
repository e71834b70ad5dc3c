"""a message to everyone on a shift, and its recipients

Revision ID: 0032
Revises: 0031
Create Date: 2026-12-04 02:40:00
"""

from alembic import op  # noqa: F401

revision = "0032"
down_revision = "0031"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
