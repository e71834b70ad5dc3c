"""sms codes: one-time codes sent by SMS for sign-in, registration and password reset

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04 10:00:00

A new table and a nullable column, so servers still running the previous release are
unaffected: they neither read the table nor write the column.
"""

import sqlalchemy as sa
from alembic import op

import core.db

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "sms_code",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("phone", sa.String(length=11), nullable=False),
        sa.Column(
            "purpose",
            sa.Enum(
                "sign_in",
                "register",
                "reset_password",
                name="smspurpose",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("is_sent", sa.Boolean(), nullable=False),
        sa.Column("created_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ended_at", core.db.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sms_code")),
    )
    with op.batch_alter_table("sms_code", schema=None) as batch_op:
        batch_op.create_index("ix_sms_code_phone_created_at", ["phone", "created_at"], unique=False)
        batch_op.create_index("ix_sms_code_created_at", ["created_at"], unique=False)
        batch_op.create_index(
            "ix_sms_code_live",
            ["phone", "purpose"],
            unique=True,
            sqlite_where=sa.text("ended_at IS NULL"),
            postgresql_where=sa.text("ended_at IS NULL"),
        )
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("phone_verified_at", core.db.UTCDateTime(timezone=True), nullable=True)
        )


def downgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("phone_verified_at")
    with op.batch_alter_table("sms_code", schema=None) as batch_op:
        batch_op.drop_index("ix_sms_code_live")
        batch_op.drop_index("ix_sms_code_created_at")
        batch_op.drop_index("ix_sms_code_phone_created_at")
    op.drop_table("sms_code")
