"""regions: the city's region tree, sectors, the holiday calendar and scoped role assignments

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-08 09:00:00

Four new tables, so servers still running the previous release are unaffected: they neither
read nor write them. The tree's rows are not made here: `flask regions seed` (and the demo)
make them from the district table, so that a database's districts and regions stay one list.
The audit log's CHECK constraint on `action` is widened by assignment_granted and
assignment_withdrawn, as 0012 widened it (on SQLite the table is rebuilt and its append-only
trigger made again).
"""

import sqlalchemy as sa
from alembic import op

import core.db

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

OLD_ACTIONS = (
    "viewed_phone",
    "disabled",
    "enabled",
    "reset_link_created",
    "password_reset",
    "password_set",
    "office_granted",
    "office_withdrawn",
    "staff_linked",
    "staff_unlinked",
    "audit_exported",
    "data_exported",
    "account_closed",
)
NEW_ACTIONS = ("assignment_granted", "assignment_withdrawn")
CONSTRAINT = "ck_audit_log_auditaction"
APPEND_ONLY = "the audit log is append-only"
LEVELS = ("city", "district", "town", "community")
DAY_KINDS = ("day_off", "make_up_workday")
KINDS = (
    "community_clerk",
    "street_clerk",
    "district_clerk",
    "sector_clerk",
    "city_staff",
    "panel_reviewer",
    "media_editor",
)
CLERKS = "'community_clerk', 'street_clerk', 'district_clerk'"


def _enum(values, name):
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=32)


def _actions_check(actions) -> str:
    listed = ", ".join(f"'{action}'" for action in actions)
    return f"action IN ({listed})"


def _set_actions(old, actions) -> None:
    if op.get_context().dialect.name == "postgresql":
        op.drop_constraint(op.f(CONSTRAINT), "audit_log", type_="check")
        op.create_check_constraint(op.f(CONSTRAINT), "audit_log", _actions_check(actions))
        return
    with op.batch_alter_table("audit_log", recreate="always") as batch:
        batch.alter_column(
            "action",
            existing_type=sa.Enum(*old, name="auditaction", native_enum=False, length=32),
            type_=_enum(actions, "auditaction"),
            existing_nullable=False,
        )
    op.execute(
        "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log "
        f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}'); END"
    )


def _active_index(name, columns, where) -> None:
    op.create_index(
        name,
        "role_assignment",
        columns,
        unique=True,
        sqlite_where=sa.text(where),
        postgresql_where=sa.text(where),
    )


def upgrade():
    op.create_table(
        "region",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("level", _enum(LEVELS, "regionlevel"), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("name_en", sa.String(length=128), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("district_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "(level = 'city' AND parent_id IS NULL) OR (level <> 'city' AND parent_id IS NOT NULL)",
            name=op.f("ck_region_parent_by_level"),
        ),
        sa.CheckConstraint(
            "(level = 'district' AND district_id IS NOT NULL)"
            " OR (level <> 'district' AND district_id IS NULL)",
            name=op.f("ck_region_district_by_level"),
        ),
        sa.ForeignKeyConstraint(
            ["district_id"], ["district.id"], name=op.f("fk_region_district_id_district")
        ),
        sa.ForeignKeyConstraint(
            ["parent_id"], ["region.id"], name=op.f("fk_region_parent_id_region")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_region")),
        sa.UniqueConstraint("code", name=op.f("uq_region_code")),
        sa.UniqueConstraint("district_id", name=op.f("uq_region_district_id")),
    )
    op.create_index(op.f("ix_region_parent_id"), "region", ["parent_id"], unique=False)

    op.create_table(
        "sector",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("name_en", sa.String(length=128), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sector")),
        sa.UniqueConstraint("code", name=op.f("uq_sector_code")),
    )

    op.create_table(
        "holiday",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("kind", _enum(DAY_KINDS, "daykind"), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_holiday")),
        sa.UniqueConstraint("day", name=op.f("uq_holiday_day")),
    )

    op.create_table(
        "role_assignment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", _enum(KINDS, "assignmentkind"), nullable=False),
        sa.Column("region_id", sa.Integer(), nullable=True),
        sa.Column("sector_id", sa.Integer(), nullable=True),
        sa.Column("granted_by_id", sa.Integer(), nullable=True),
        sa.Column("granted_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("withdrawn_by_id", sa.Integer(), nullable=True),
        sa.Column("withdrawn_at", core.db.UTCDateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            f"(kind IN ({CLERKS}) AND region_id IS NOT NULL AND sector_id IS NULL)"
            " OR (kind = 'sector_clerk' AND sector_id IS NOT NULL AND region_id IS NULL)"
            f" OR (kind NOT IN ({CLERKS}, 'sector_clerk')"
            " AND region_id IS NULL AND sector_id IS NULL)",
            name=op.f("ck_role_assignment_scope_by_kind"),
        ),
        sa.CheckConstraint(
            "(withdrawn_at IS NULL AND withdrawn_by_id IS NULL) OR withdrawn_at IS NOT NULL",
            name=op.f("ck_role_assignment_withdrawn_together"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_role_assignment_user_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["region_id"], ["region.id"], name=op.f("fk_role_assignment_region_id_region")
        ),
        sa.ForeignKeyConstraint(
            ["sector_id"], ["sector.id"], name=op.f("fk_role_assignment_sector_id_sector")
        ),
        sa.ForeignKeyConstraint(
            ["granted_by_id"], ["users.id"], name=op.f("fk_role_assignment_granted_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["withdrawn_by_id"],
            ["users.id"],
            name=op.f("fk_role_assignment_withdrawn_by_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_role_assignment")),
    )
    op.create_index(
        op.f("ix_role_assignment_user_id"), "role_assignment", ["user_id"], unique=False
    )
    op.create_index(
        op.f("ix_role_assignment_region_id"), "role_assignment", ["region_id"], unique=False
    )
    op.create_index(
        op.f("ix_role_assignment_sector_id"), "role_assignment", ["sector_id"], unique=False
    )
    _active_index(
        "ix_role_assignment_active_region",
        ["user_id", "kind", "region_id"],
        "withdrawn_at IS NULL AND region_id IS NOT NULL",
    )
    _active_index(
        "ix_role_assignment_active_sector",
        ["user_id", "kind", "sector_id"],
        "withdrawn_at IS NULL AND sector_id IS NOT NULL",
    )
    _active_index(
        "ix_role_assignment_active_unscoped",
        ["user_id", "kind"],
        "withdrawn_at IS NULL AND region_id IS NULL AND sector_id IS NULL",
    )

    _set_actions(OLD_ACTIONS, OLD_ACTIONS + NEW_ACTIONS)


def downgrade():
    # The older schema cannot hold these entries; a downgrade is for development only.
    op.execute(
        sa.text(
            "DELETE FROM audit_log WHERE action IN ('assignment_granted', 'assignment_withdrawn')"
        )
    )
    _set_actions(OLD_ACTIONS + NEW_ACTIONS, OLD_ACTIONS)
    op.drop_table("role_assignment")
    op.drop_table("holiday")
    op.drop_table("sector")
    op.drop_index(op.f("ix_region_parent_id"), table_name="region")
    op.drop_table("region")
