"""applications for benefits given by application (employment, schooling)

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-03 17:45:00

New tables benefit_application and benefit_application_step; a government department may be
a card partner (the partner kind's CHECK is widened by `department`), and a step of an
application is told to the person (the notification kind's CHECK is widened by
`application_step`). Servers still running the previous release write only the old values. On
PostgreSQL the constraints are dropped and added in place; on SQLite the tables are rebuilt
with the CHECK the new column type carries.
"""

import sqlalchemy as sa
from alembic import op

import core.db

revision = "0027"
down_revision = "0026"
branch_labels = None
depends_on = None

OLD_NOTIFICATION_KINDS = (
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
    # 0025 (breach cases) widens the CHECK by these two.
    "breach_case_overdue",
    "breach_statement_ended",
)
NEW_NOTIFICATION_KINDS = (*OLD_NOTIFICATION_KINDS, "application_step")
NOTIFICATION_TABLES = ("notification", "notification_preference")
OLD_PARTNER_KINDS = ("bus", "health", "scenic", "supermarket", "merchant", "other")
NEW_PARTNER_KINDS = (*OLD_PARTNER_KINDS, "department")
STATUSES = ("applied", "proposed", "approved", "in_hand", "closed", "declined")
OPEN = "status IN ('applied', 'proposed', 'approved', 'in_hand')"


def _enum(values, name: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=32)


def _widen(table: str, column: str, name: str, values, before) -> None:
    """Set the CHECK of an enum column (named `name`, as core.db.enum_column names it)."""
    if op.get_context().dialect.name == "postgresql":
        listed = ", ".join(f"'{value}'" for value in values)
        # op.f: the name is complete already, not one for the naming convention to build on.
        constraint = op.f(f"ck_{table}_{name}")
        op.drop_constraint(constraint, table, type_="check")
        op.create_check_constraint(constraint, table, f"{column} IN ({listed})")
        return
    with op.batch_alter_table(table, recreate="always") as batch:
        batch.alter_column(
            column,
            existing_type=_enum(before, name),
            type_=_enum(values, name),
            existing_nullable=False,
        )


def upgrade():
    for table in NOTIFICATION_TABLES:
        _widen(table, "kind", "notificationkind", NEW_NOTIFICATION_KINDS, OLD_NOTIFICATION_KINDS)
    _widen("card_partner", "kind", "partnerkind", NEW_PARTNER_KINDS, OLD_PARTNER_KINDS)

    op.create_table(
        "benefit_application",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("card_id", sa.Integer(), nullable=False),
        sa.Column("benefit_id", sa.Integer(), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=False),
        sa.Column("asked", sa.Text(), nullable=False),
        sa.Column("status", _enum(STATUSES, "applicationstatus"), nullable=False),
        sa.Column("applied_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("applied_by_id", sa.Integer(), nullable=False),
        sa.Column("updated_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("result", _enum(("granted", "not_granted"), "applicationresult"), nullable=True),
        sa.Column("outcome", sa.Text(), nullable=True),
        sa.Column("closed_at", core.db.UTCDateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "(status = 'closed' AND result IS NOT NULL AND closed_at IS NOT NULL)"
            " OR (status <> 'closed' AND result IS NULL)",
            name=op.f("ck_benefit_application_result_when_closed"),
        ),
        sa.ForeignKeyConstraint(
            ["applied_by_id"], ["users.id"], name=op.f("fk_benefit_application_applied_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["benefit_id"],
            ["card_benefit.id"],
            name=op.f("fk_benefit_application_benefit_id_card_benefit"),
        ),
        sa.ForeignKeyConstraint(
            ["card_id"],
            ["courtesy_card.id"],
            name=op.f("fk_benefit_application_card_id_courtesy_card"),
        ),
        sa.ForeignKeyConstraint(
            ["department_id"],
            ["card_partner.id"],
            name=op.f("fk_benefit_application_department_id_card_partner"),
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_benefit_application_person_id_person")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_benefit_application")),
    )
    with op.batch_alter_table("benefit_application", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_benefit_application_benefit_id"), ["benefit_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_benefit_application_department_id"), ["department_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_benefit_application_person_id"), ["person_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_benefit_application_status"), ["status"], unique=False)
        batch_op.create_index(
            "ix_benefit_application_open",
            ["person_id", "benefit_id"],
            unique=True,
            sqlite_where=sa.text(OPEN),
            postgresql_where=sa.text(OPEN),
        )

    op.create_table(
        "benefit_application_step",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=False),
        sa.Column("at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("from_status", _enum(STATUSES, "from_status"), nullable=True),
        sa.Column("to_status", _enum(STATUSES, "to_status"), nullable=False),
        sa.Column("opinion", sa.String(length=1000), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["users.id"], name=op.f("fk_benefit_application_step_actor_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["benefit_application.id"],
            name=op.f("fk_benefit_application_step_application_id_benefit_application"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_benefit_application_step")),
    )
    with op.batch_alter_table("benefit_application_step", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_benefit_application_step_application_id"),
            ["application_id"],
            unique=False,
        )
        batch_op.create_index(batch_op.f("ix_benefit_application_step_at"), ["at"], unique=False)


def downgrade():
    # The older schema holds no applications and no notices of their steps; a department
    # stays a partner, of the kind "other".
    op.drop_table("benefit_application_step")
    op.drop_table("benefit_application")
    op.execute(sa.text("DELETE FROM notification WHERE kind = 'application_step'"))
    op.execute(sa.text("DELETE FROM notification_preference WHERE kind = 'application_step'"))
    op.execute(sa.text("UPDATE card_partner SET kind = 'other' WHERE kind = 'department'"))
    _widen("card_partner", "kind", "partnerkind", OLD_PARTNER_KINDS, NEW_PARTNER_KINDS)
    for table in NOTIFICATION_TABLES:
        _widen(table, "kind", "notificationkind", OLD_NOTIFICATION_KINDS, NEW_NOTIFICATION_KINDS)
