"""family links, points gifts and charity pools

Revision ID: 0031
Revises: 0030
Create Date: 2026-12-04 02:40:00
"""

from alembic import op  # noqa: F401

revision = "0031"
down_revision = "0030"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
