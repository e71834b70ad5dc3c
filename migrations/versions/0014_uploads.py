"""uploads: stored files (photos, scans, evidence) and the bytes the database keeps

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07 09:00:00

Two new tables, so servers still running the previous release are unaffected: they neither
read nor write them. `upload_blob` holds the bytes only when UPLOAD_STORAGE is `database`;
with a directory, the files are there and the rows say where.
"""

import sqlalchemy as sa
from alembic import op

import core.db

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "upload",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("public_key", sa.String(length=43), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("filename", sa.String(length=120), nullable=False),
        sa.Column("content_type", sa.String(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("width", sa.Integer(), nullable=True),
        sa.Column("height", sa.Integer(), nullable=True),
        sa.Column(
            "storage",
            sa.Enum(
                "database",
                "directory",
                name="storagebackend",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("location", sa.String(length=80), nullable=True),
        sa.Column("is_public", sa.Boolean(), nullable=False),
        sa.Column("uploaded_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("size > 0", name=op.f("ck_upload_size")),
        sa.CheckConstraint(
            "(width IS NULL AND height IS NULL) OR (width > 0 AND height > 0)",
            name=op.f("ck_upload_dimensions"),
        ),
        sa.CheckConstraint(
            "(storage = 'directory') = (location IS NOT NULL)",
            name=op.f("ck_upload_location_of_storage"),
        ),
        sa.ForeignKeyConstraint(
            ["uploaded_by_id"],
            ["users.id"],
            name=op.f("fk_upload_uploaded_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_upload")),
        sa.UniqueConstraint("public_key", name=op.f("uq_upload_public_key")),
    )
    with op.batch_alter_table("upload", schema=None) as batch_op:
        batch_op.create_index("ix_upload_kind_created_at", ["kind", "created_at"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_upload_uploaded_by_id"), ["uploaded_by_id"], unique=False
        )

    op.create_table(
        "upload_blob",
        sa.Column("upload_id", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["upload_id"],
            ["upload.id"],
            name=op.f("fk_upload_blob_upload_id_upload"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("upload_id", name=op.f("pk_upload_blob")),
    )


def downgrade():
    op.drop_table("upload_blob")
    with op.batch_alter_table("upload", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_upload_uploaded_by_id"))
        batch_op.drop_index("ix_upload_kind_created_at")
    op.drop_table("upload")
