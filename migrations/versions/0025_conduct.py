"""the conduct clauses (versioned) and breach cases

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-03 17:45:00

New tables: the clauses and their versions, breach cases with the clauses they cite, the
honours proposed for revocation, evidence files and steps. The CHECK constraints on the
notification kind (notification, notification_preference) are widened by the two reminders of
breach cases; servers still running the previous release write only the old ones. On
PostgreSQL the constraints are dropped and added in place; on SQLite the tables are rebuilt
with the CHECK the new column type carries.
"""

import sqlalchemy as sa
from alembic import op

import core.db

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None

OLD_KINDS = (
    "shift_tomorrow",
    "shift_soon",
    "waiting_list_promoted",
    "activity_cancelled",
    "activity_changed",
    "points_earned",
    "free_places_tomorrow",
    "attendance_unconfirmed",
    "join_request_waiting",
    "weekly_digest",
    "campaign_unplanned_teams",
    "nomination_overdue",
    "card_alert",
)
NEW_KINDS = (*OLD_KINDS, "breach_case_overdue", "breach_statement_ended")
TABLES = ("notification", "notification_preference")


def _enum(values) -> sa.Enum:
    return sa.Enum(
        *values, name="notificationkind", native_enum=False, create_constraint=True, length=32
    )


def _set_kinds(values, before) -> None:
    if op.get_context().dialect.name == "postgresql":
        listed = ", ".join(f"'{value}'" for value in values)
        for table in TABLES:
            # op.f: the name is complete already, not one for the naming convention to build on.
            constraint = op.f(f"ck_{table}_notificationkind")
            op.drop_constraint(constraint, table, type_="check")
            op.create_check_constraint(constraint, table, f"kind IN ({listed})")
        return
    for table in TABLES:
        with op.batch_alter_table(table, recreate="always") as batch:
            batch.alter_column(
                "kind", existing_type=_enum(before), type_=_enum(values), existing_nullable=False
            )


def upgrade() -> None:
    op.create_table(
        "conduct_clause",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "prohibition",
                "exit",
                name="clausekind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("created_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.CheckConstraint("position BETWEEN 1 AND 6", name=op.f("ck_conduct_clause_position")),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_conduct_clause_created_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_conduct_clause")),
        sa.UniqueConstraint("kind", "position", name=op.f("uq_conduct_clause_kind_position")),
    )
    op.create_table(
        "conduct_clause_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("clause_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=120), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("created_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["clause_id"],
            ["conduct_clause.id"],
            name=op.f("fk_conduct_clause_version_clause_id_conduct_clause"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_conduct_clause_version_created_by_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_conduct_clause_version")),
        sa.UniqueConstraint(
            "clause_id", "number", name=op.f("uq_conduct_clause_version_clause_id_number")
        ),
    )
    op.create_index(
        op.f("ix_conduct_clause_version_clause_id"),
        "conduct_clause_version",
        ["clause_id"],
        unique=False,
    )
    op.create_table(
        "breach_case",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("district_id", sa.Integer(), nullable=False),
        sa.Column(
            "stage",
            sa.Enum(
                "received",
                "assigned",
                "investigating",
                "city_review",
                "warning_talk",
                "notifying",
                "statement",
                "review",
                "closed",
                name="casestage",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("stage_entered_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("stage_due_at", core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column(
            "source_kind",
            sa.Enum(
                "public",
                "media",
                "agency",
                "partner",
                "clerk",
                name="sourcekind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("source_name", sa.String(length=120), nullable=False),
        sa.Column("reporter_name", sa.String(length=64), nullable=False),
        sa.Column("reporter_phone", sa.String(length=20), nullable=False),
        sa.Column("partner_id", sa.Integer(), nullable=True),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("reported_by_id", sa.Integer(), nullable=False),
        sa.Column("received_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("findings", sa.Text(), nullable=True),
        sa.Column("talk_on", sa.Date(), nullable=True),
        sa.Column("talk_by", sa.String(length=120), nullable=True),
        sa.Column("talk_summary", sa.Text(), nullable=True),
        sa.Column("told_at", core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("told_how", sa.String(length=200), nullable=True),
        sa.Column("statement_due_at", core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("statement_at", core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("statement", sa.Text(), nullable=True),
        sa.Column(
            "outcome",
            sa.Enum(
                "no_breach",
                "warning",
                "revoked",
                "kept",
                name="caseoutcome",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column("decided_at", core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("revocation_id", sa.Integer(), nullable=True),
        sa.Column("review_until", core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("review_requested_at", core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("review_reason", sa.Text(), nullable=True),
        sa.Column(
            "review_outcome",
            sa.Enum(
                "upheld",
                "overturned",
                name="reviewoutcome",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column("closed_at", core.db.UTCDateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "(stage = 'closed' AND closed_at IS NOT NULL)"
            " OR (stage <> 'closed' AND closed_at IS NULL)",
            name=op.f("ck_breach_case_closed"),
        ),
        sa.CheckConstraint(
            "outcome <> 'revoked' OR revocation_id IS NOT NULL",
            name=op.f("ck_breach_case_revocation"),
        ),
        sa.ForeignKeyConstraint(
            ["district_id"], ["district.id"], name=op.f("fk_breach_case_district_id_district")
        ),
        sa.ForeignKeyConstraint(
            ["partner_id"], ["card_partner.id"], name=op.f("fk_breach_case_partner_id_card_partner")
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_breach_case_person_id_person")
        ),
        sa.ForeignKeyConstraint(
            ["reported_by_id"], ["users.id"], name=op.f("fk_breach_case_reported_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["revocation_id"],
            ["revocation.id"],
            name=op.f("fk_breach_case_revocation_id_revocation"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_breach_case")),
        sa.UniqueConstraint("revocation_id", name=op.f("uq_breach_case_revocation_id")),
    )
    op.create_index(
        op.f("ix_breach_case_district_id"), "breach_case", ["district_id"], unique=False
    )
    op.create_index(op.f("ix_breach_case_partner_id"), "breach_case", ["partner_id"], unique=False)
    op.create_index(op.f("ix_breach_case_person_id"), "breach_case", ["person_id"], unique=False)
    op.create_index(
        op.f("ix_breach_case_received_at"), "breach_case", ["received_at"], unique=False
    )
    op.create_index(
        op.f("ix_breach_case_reported_by_id"), "breach_case", ["reported_by_id"], unique=False
    )
    op.create_index(
        "ix_breach_case_stage_due", "breach_case", ["stage", "stage_due_at"], unique=False
    )
    op.create_table(
        "breach_case_clause",
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("clause_version_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["breach_case.id"], name=op.f("fk_breach_case_clause_case_id_breach_case")
        ),
        sa.ForeignKeyConstraint(
            ["clause_version_id"],
            ["conduct_clause_version.id"],
            name=op.f("fk_breach_case_clause_clause_version_id_conduct_clause_version"),
        ),
        sa.PrimaryKeyConstraint("case_id", "clause_version_id", name=op.f("pk_breach_case_clause")),
    )
    op.create_index(
        op.f("ix_breach_case_clause_clause_version_id"),
        "breach_case_clause",
        ["clause_version_id"],
        unique=False,
    )
    op.create_table(
        "breach_case_file",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("upload_id", sa.Integer(), nullable=False),
        sa.Column("added_by_id", sa.Integer(), nullable=False),
        sa.Column("added_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["added_by_id"], ["users.id"], name=op.f("fk_breach_case_file_added_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["case_id"], ["breach_case.id"], name=op.f("fk_breach_case_file_case_id_breach_case")
        ),
        sa.ForeignKeyConstraint(
            ["upload_id"], ["upload.id"], name=op.f("fk_breach_case_file_upload_id_upload")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_breach_case_file")),
        sa.UniqueConstraint("upload_id", name=op.f("uq_breach_case_file_upload_id")),
    )
    op.create_index(
        op.f("ix_breach_case_file_case_id"), "breach_case_file", ["case_id"], unique=False
    )
    op.create_table(
        "breach_case_honour",
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("honour_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["breach_case.id"], name=op.f("fk_breach_case_honour_case_id_breach_case")
        ),
        sa.ForeignKeyConstraint(
            ["honour_id"], ["honour.id"], name=op.f("fk_breach_case_honour_honour_id_honour")
        ),
        sa.PrimaryKeyConstraint("case_id", "honour_id", name=op.f("pk_breach_case_honour")),
    )
    op.create_index(
        op.f("ix_breach_case_honour_honour_id"), "breach_case_honour", ["honour_id"], unique=False
    )
    op.create_table(
        "breach_case_step",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column(
            "action",
            sa.Enum(
                "reported",
                "assigned",
                "investigation_started",
                "findings",
                "no_breach",
                "warning",
                "talk_held",
                "revocation_proposed",
                "person_told",
                "statement",
                "no_statement",
                "revoked",
                "kept",
                "review_requested",
                "review_upheld",
                "review_overturned",
                name="caseaction",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "from_stage",
            sa.Enum(
                "received",
                "assigned",
                "investigating",
                "city_review",
                "warning_talk",
                "notifying",
                "statement",
                "review",
                "closed",
                name="from_stage",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column(
            "to_stage",
            sa.Enum(
                "received",
                "assigned",
                "investigating",
                "city_review",
                "warning_talk",
                "notifying",
                "statement",
                "review",
                "closed",
                name="to_stage",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("opinion", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["users.id"], name=op.f("fk_breach_case_step_actor_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["case_id"], ["breach_case.id"], name=op.f("fk_breach_case_step_case_id_breach_case")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_breach_case_step")),
    )
    op.create_index(
        op.f("ix_breach_case_step_case_id"), "breach_case_step", ["case_id"], unique=False
    )

    _set_kinds(NEW_KINDS, OLD_KINDS)


def downgrade() -> None:
    # The older schema cannot hold these reminders; they are about cases it does not know.
    for kind in ("breach_case_overdue", "breach_statement_ended"):
        op.execute(sa.text(f"DELETE FROM notification WHERE kind = '{kind}'"))
        op.execute(sa.text(f"DELETE FROM notification_preference WHERE kind = '{kind}'"))
    _set_kinds(OLD_KINDS, NEW_KINDS)
    op.drop_index(op.f("ix_breach_case_step_case_id"), table_name="breach_case_step")
    op.drop_table("breach_case_step")
    op.drop_index(op.f("ix_breach_case_honour_honour_id"), table_name="breach_case_honour")
    op.drop_table("breach_case_honour")
    op.drop_index(op.f("ix_breach_case_file_case_id"), table_name="breach_case_file")
    op.drop_table("breach_case_file")
    op.drop_index(op.f("ix_breach_case_clause_clause_version_id"), table_name="breach_case_clause")
    op.drop_table("breach_case_clause")
    op.drop_index("ix_breach_case_stage_due", table_name="breach_case")
    op.drop_index(op.f("ix_breach_case_reported_by_id"), table_name="breach_case")
    op.drop_index(op.f("ix_breach_case_received_at"), table_name="breach_case")
    op.drop_index(op.f("ix_breach_case_person_id"), table_name="breach_case")
    op.drop_index(op.f("ix_breach_case_partner_id"), table_name="breach_case")
    op.drop_index(op.f("ix_breach_case_district_id"), table_name="breach_case")
    op.drop_table("breach_case")
    op.drop_index(op.f("ix_conduct_clause_version_clause_id"), table_name="conduct_clause_version")
    op.drop_table("conduct_clause_version")
    op.drop_table("conduct_clause")
