"""honours rounds: the rounds of nominations (评选批次) and their quotas per district

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-03 09:30:00

New tables only, so servers still running the previous release are unaffected: they neither
read nor write them.
"""

import sqlalchemy as sa
from alembic import op

import core.db

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def _enum(name, *values):
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=32)


def upgrade():
    op.create_table(
        "honour_round",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("kind", _enum("roundkind", "monthly", "quarterly", "annual"), nullable=False),
        sa.Column("honour_type_id", sa.Integer(), nullable=False),
        sa.Column("opens_on", sa.Date(), nullable=False),
        sa.Column("closes_on", sa.Date(), nullable=False),
        sa.Column("level_days", sa.Integer(), nullable=False),
        sa.Column("notice_days", sa.Integer(), nullable=False),
        sa.Column("status", _enum("roundstatus", "draft", "open", "closed"), nullable=False),
        sa.Column("opened_at", core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("opened_by_id", sa.Integer(), nullable=True),
        sa.Column("closed_at", core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("closed_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("updated_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("closes_on >= opens_on", name=op.f("ck_honour_round_dates")),
        sa.CheckConstraint("level_days BETWEEN 1 AND 30", name=op.f("ck_honour_round_level_days")),
        sa.CheckConstraint(
            "notice_days BETWEEN 1 AND 30", name=op.f("ck_honour_round_notice_days")
        ),
        sa.CheckConstraint(
            "(status = 'draft' AND opened_at IS NULL)"
            " OR (status <> 'draft' AND opened_at IS NOT NULL)",
            name=op.f("ck_honour_round_opened"),
        ),
        sa.CheckConstraint(
            "(status = 'closed' AND closed_at IS NOT NULL)"
            " OR (status <> 'closed' AND closed_at IS NULL)",
            name=op.f("ck_honour_round_closed"),
        ),
        sa.ForeignKeyConstraint(
            ["closed_by_id"], ["users.id"], name=op.f("fk_honour_round_closed_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_honour_round_created_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["honour_type_id"],
            ["honour_type.id"],
            name=op.f("fk_honour_round_honour_type_id_honour_type"),
        ),
        sa.ForeignKeyConstraint(
            ["opened_by_id"], ["users.id"], name=op.f("fk_honour_round_opened_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_honour_round")),
    )
    with op.batch_alter_table("honour_round", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_honour_round_honour_type_id"), ["honour_type_id"])
    op.create_table(
        "honour_round_quota",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("district_id", sa.Integer(), nullable=False),
        sa.Column("quota", sa.Integer(), nullable=False),
        sa.CheckConstraint("quota >= 0", name=op.f("ck_honour_round_quota_quota")),
        sa.ForeignKeyConstraint(
            ["district_id"],
            ["district.id"],
            name=op.f("fk_honour_round_quota_district_id_district"),
        ),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["honour_round.id"],
            name=op.f("fk_honour_round_quota_round_id_honour_round"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_honour_round_quota")),
        sa.UniqueConstraint(
            "round_id", "district_id", name=op.f("uq_honour_round_quota_round_id_district_id")
        ),
    )
    with op.batch_alter_table("honour_round_quota", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_honour_round_quota_district_id"), ["district_id"])
        batch_op.create_index(batch_op.f("ix_honour_round_quota_round_id"), ["round_id"])


def downgrade():
    op.drop_table("honour_round_quota")
    op.drop_table("honour_round")
