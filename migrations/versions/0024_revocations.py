"""revocations of honours under the conduct clauses, and the tasks to take back card and certificate

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-03 17:45:00

New tables only: a revocation (the city's decision), the honours it revoked (each honour at
most once, a unique key), the recall task it opens for the person's district, and the
reinstatement that gives the honours back when a review overturns it (at most one per
revocation). Servers of the previous release never read them.
"""

import sqlalchemy as sa
from alembic import op

import core.db

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "revocation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("decision_number", sa.String(length=60), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=False),
        sa.Column("decided_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["decided_by_id"], ["users.id"], name=op.f("fk_revocation_decided_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_revocation_person_id_person")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_revocation")),
    )
    with op.batch_alter_table("revocation", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_revocation_decided_at"), ["decided_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_revocation_person_id"), ["person_id"], unique=False)

    op.create_table(
        "revocation_honour",
        sa.Column("revocation_id", sa.Integer(), nullable=False),
        sa.Column("honour_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["honour_id"], ["honour.id"], name=op.f("fk_revocation_honour_honour_id_honour")
        ),
        sa.ForeignKeyConstraint(
            ["revocation_id"],
            ["revocation.id"],
            name=op.f("fk_revocation_honour_revocation_id_revocation"),
        ),
        sa.PrimaryKeyConstraint("revocation_id", "honour_id", name=op.f("pk_revocation_honour")),
        sa.UniqueConstraint("honour_id", name=op.f("uq_revocation_honour_honour_id")),
    )

    op.create_table(
        "recall_task",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("revocation_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("card_id", sa.Integer(), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "open",
                "done",
                "not_recoverable",
                name="recallstatus",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("opened_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("closed_at", core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("closed_by_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.CheckConstraint(
            "(status = 'open' AND closed_at IS NULL AND closed_by_id IS NULL)"
            " OR (status <> 'open' AND closed_at IS NOT NULL AND closed_by_id IS NOT NULL)",
            name=op.f("ck_recall_task_closed_whole"),
        ),
        sa.CheckConstraint(
            "status <> 'not_recoverable' OR note IS NOT NULL", name=op.f("ck_recall_task_note_why")
        ),
        sa.ForeignKeyConstraint(
            ["card_id"], ["courtesy_card.id"], name=op.f("fk_recall_task_card_id_courtesy_card")
        ),
        sa.ForeignKeyConstraint(
            ["closed_by_id"], ["users.id"], name=op.f("fk_recall_task_closed_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_recall_task_person_id_person")
        ),
        sa.ForeignKeyConstraint(
            ["revocation_id"],
            ["revocation.id"],
            name=op.f("fk_recall_task_revocation_id_revocation"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recall_task")),
        sa.UniqueConstraint("revocation_id", name=op.f("uq_recall_task_revocation_id")),
    )
    with op.batch_alter_table("recall_task", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_recall_task_person_id"), ["person_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_recall_task_status"), ["status"], unique=False)

    op.create_table(
        "reinstatement",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("revocation_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=False),
        sa.Column("decided_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["decided_by_id"], ["users.id"], name=op.f("fk_reinstatement_decided_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["revocation_id"],
            ["revocation.id"],
            name=op.f("fk_reinstatement_revocation_id_revocation"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reinstatement")),
        sa.UniqueConstraint("revocation_id", name=op.f("uq_reinstatement_revocation_id")),
    )


def downgrade() -> None:
    op.drop_table("reinstatement")
    with op.batch_alter_table("recall_task", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_recall_task_status"))
        batch_op.drop_index(batch_op.f("ix_recall_task_person_id"))
    op.drop_table("recall_task")
    op.drop_table("revocation_honour")
    with op.batch_alter_table("revocation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_revocation_person_id"))
        batch_op.drop_index(batch_op.f("ix_revocation_decided_at"))
    op.drop_table("revocation")
