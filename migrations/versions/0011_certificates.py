"""certificates: the register of issued documents and its number series

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04 12:00:00

Two new tables, so servers still running the previous release are unaffected: they neither
read nor write them.
"""

import sqlalchemy as sa
from alembic import op

import core.db

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def _kind():
    return sa.Enum(
        "service_certificate",
        name="documentkind",
        native_enum=False,
        create_constraint=True,
        length=32,
    )


def upgrade():
    op.create_table(
        "document_sequence",
        sa.Column("kind", _kind(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("last_serial", sa.Integer(), nullable=False),
        sa.CheckConstraint("last_serial >= 0", name=op.f("ck_document_sequence_last_serial")),
        sa.PrimaryKeyConstraint("kind", "year", name=op.f("pk_document_sequence")),
    )
    op.create_table(
        "issued_document",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", _kind(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("serial", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=40), nullable=False),
        sa.Column("check_code", sa.String(length=16), nullable=False),
        sa.Column(
            "subject_kind",
            sa.Enum(
                "user", name="subjectkind", native_enum=False, create_constraint=True, length=32
            ),
            nullable=False,
        ),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("issued_by_id", sa.Integer(), nullable=False),
        sa.Column("issued_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("snapshot", sa.JSON(), nullable=False),
        sa.Column("revoked_at", core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("revoked_by_id", sa.Integer(), nullable=True),
        sa.Column("revocation_reason", sa.String(length=200), nullable=True),
        sa.CheckConstraint(
            "(revoked_at IS NULL AND revoked_by_id IS NULL AND revocation_reason IS NULL)"
            " OR (revoked_at IS NOT NULL AND revoked_by_id IS NOT NULL"
            " AND revocation_reason IS NOT NULL)",
            name=op.f("ck_issued_document_revocation"),
        ),
        sa.CheckConstraint("serial > 0", name=op.f("ck_issued_document_serial")),
        sa.ForeignKeyConstraint(
            ["issued_by_id"], ["users.id"], name=op.f("fk_issued_document_issued_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["revoked_by_id"], ["users.id"], name=op.f("fk_issued_document_revoked_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_issued_document")),
        sa.UniqueConstraint("kind", "year", "serial", name="uq_issued_document_serial"),
        sa.UniqueConstraint("number", name=op.f("uq_issued_document_number")),
    )
    with op.batch_alter_table("issued_document", schema=None) as batch_op:
        batch_op.create_index("ix_issued_document_issued_at", ["issued_at"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_issued_document_issued_by_id"), ["issued_by_id"], unique=False
        )
        batch_op.create_index(
            "ix_issued_document_subject", ["subject_kind", "subject_id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("issued_document", schema=None) as batch_op:
        batch_op.drop_index("ix_issued_document_subject")
        batch_op.drop_index(batch_op.f("ix_issued_document_issued_by_id"))
        batch_op.drop_index("ix_issued_document_issued_at")
    op.drop_table("issued_document")
    op.drop_table("document_sequence")
