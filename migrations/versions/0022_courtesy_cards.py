"""courtesy cards: cards (好人卡), partners and their benefits, benefit counters, uses and
checks; partner staff as a scoped role

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-03 15:19:03

New tables; role_assignment gains partner_id (nullable), the partner_staff kind and the CHECK
and unique index that say which scope each kind has.
"""

import sqlalchemy as sa
from alembic import op

import core.db

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


OLD_KINDS = (
    "community_clerk",
    "street_clerk",
    "district_clerk",
    "sector_clerk",
    "city_staff",
    "panel_reviewer",
    "media_editor",
)
NEW_KINDS = (*OLD_KINDS, "partner_staff")
OLD_SCOPE = (
    "(kind IN ('community_clerk', 'street_clerk', 'district_clerk')"
    " AND region_id IS NOT NULL AND sector_id IS NULL)"
    " OR (kind = 'sector_clerk' AND sector_id IS NOT NULL AND region_id IS NULL)"
    " OR (kind NOT IN ('community_clerk', 'street_clerk', 'district_clerk',"
    " 'sector_clerk') AND region_id IS NULL AND sector_id IS NULL)"
)
NEW_SCOPE = (
    "(kind IN ('community_clerk', 'street_clerk', 'district_clerk')"
    " AND region_id IS NOT NULL AND sector_id IS NULL AND partner_id IS NULL)"
    " OR (kind = 'sector_clerk' AND sector_id IS NOT NULL AND region_id IS NULL"
    " AND partner_id IS NULL)"
    " OR (kind = 'partner_staff' AND partner_id IS NOT NULL AND region_id IS NULL"
    " AND sector_id IS NULL)"
    " OR (kind NOT IN ('community_clerk', 'street_clerk', 'district_clerk',"
    " 'sector_clerk', 'partner_staff') AND region_id IS NULL AND sector_id IS NULL"
    " AND partner_id IS NULL)"
)
OLD_UNSCOPED = "withdrawn_at IS NULL AND region_id IS NULL AND sector_id IS NULL"
NEW_UNSCOPED = f"{OLD_UNSCOPED} AND partner_id IS NULL"
ACTIVE_PARTNER = "withdrawn_at IS NULL AND partner_id IS NOT NULL"


def _kind(values) -> sa.Enum:
    return sa.Enum(
        *values, name="assignmentkind", native_enum=False, create_constraint=True, length=32
    )


def _role_assignment(*, new: bool) -> None:
    """Partner staff: the partner column, its kind in the kind's CHECK, the scope CHECK and
    the unique indexes of active assignments. Servers of the previous release never write
    the new kind or column."""
    kinds, scope, unscoped = (
        (NEW_KINDS, NEW_SCOPE, NEW_UNSCOPED) if new else (OLD_KINDS, OLD_SCOPE, OLD_UNSCOPED)
    )
    unscoped_index = "ix_role_assignment_active_unscoped"
    with op.batch_alter_table("role_assignment", recreate="auto") as batch:
        if new:
            batch.add_column(sa.Column("partner_id", sa.Integer(), nullable=True))
            batch.create_index(
                batch.f("ix_role_assignment_partner_id"), ["partner_id"], unique=False
            )
            batch.create_foreign_key(
                batch.f("fk_role_assignment_partner_id_card_partner"),
                "card_partner",
                ["partner_id"],
                ["id"],
            )
        else:
            batch.drop_index("ix_role_assignment_active_partner")
            batch.drop_constraint(
                batch.f("fk_role_assignment_partner_id_card_partner"), type_="foreignkey"
            )
            batch.drop_index(batch.f("ix_role_assignment_partner_id"))
        batch.drop_index(unscoped_index)
        batch.drop_constraint(batch.f("ck_role_assignment_scope_by_kind"), type_="check")
        if op.get_context().dialect.name == "postgresql":
            listed = ", ".join(f"'{kind}'" for kind in kinds)
            batch.drop_constraint(batch.f("ck_role_assignment_assignmentkind"), type_="check")
            batch.create_check_constraint(
                batch.f("ck_role_assignment_assignmentkind"), f"kind IN ({listed})"
            )
        else:
            # SQLite: the table is rebuilt with the CHECK the new column type carries.
            batch.alter_column(
                "kind",
                existing_type=_kind(OLD_KINDS if new else NEW_KINDS),
                type_=_kind(kinds),
                existing_nullable=False,
            )
    with op.batch_alter_table("role_assignment", recreate="auto") as batch:
        if not new:
            batch.drop_column("partner_id")
        batch.create_check_constraint(batch.f("ck_role_assignment_scope_by_kind"), scope)
        batch.create_index(
            unscoped_index,
            ["user_id", "kind"],
            unique=True,
            sqlite_where=sa.text(unscoped),
            postgresql_where=sa.text(unscoped),
        )
        if new:
            batch.create_index(
                "ix_role_assignment_active_partner",
                ["user_id", "kind", "partner_id"],
                unique=True,
                sqlite_where=sa.text(ACTIVE_PARTNER),
                postgresql_where=sa.text(ACTIVE_PARTNER),
            )


def upgrade():
    op.create_table(
        "card_benefit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column(
            "area",
            sa.Enum(
                "celebration",
                "scenic",
                "health",
                "transport",
                "employment",
                "shopping",
                "schooling",
                "other",
                name="benefitarea",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "kind",
            sa.Enum(
                "free",
                "discount",
                "priority",
                "application",
                name="benefitkind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("discount_percent", sa.Integer(), nullable=True),
        sa.Column("value_fen", sa.Integer(), nullable=False),
        sa.Column("limit_count", sa.Integer(), nullable=True),
        sa.Column(
            "limit_period",
            sa.Enum(
                "year",
                "month",
                name="limitperiod",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column(
            "lowest_level",
            sa.Enum(
                "national",
                "provincial",
                "city",
                "county",
                name="honourlevel",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("created_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "(kind = 'discount' AND discount_percent BETWEEN 1 AND 99)"
            " OR (kind <> 'discount' AND discount_percent IS NULL)",
            name=op.f("ck_card_benefit_discount_by_kind"),
        ),
        sa.CheckConstraint(
            "(limit_count IS NULL AND limit_period IS NULL)"
            " OR (limit_count > 0 AND limit_period IS NOT NULL)",
            name=op.f("ck_card_benefit_limit_whole"),
        ),
        sa.CheckConstraint("value_fen >= 0", name=op.f("ck_card_benefit_value_not_negative")),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_card_benefit_created_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_card_benefit")),
    )
    op.create_table(
        "card_partner",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "bus",
                "health",
                "scenic",
                "supermarket",
                "merchant",
                "other",
                name="partnerkind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("district_id", sa.Integer(), nullable=True),
        sa.Column("address", sa.String(length=200), nullable=False),
        sa.Column("contact_name", sa.String(length=64), nullable=False),
        sa.Column("contact_phone", sa.String(length=20), nullable=False),
        sa.Column("merchant_id", sa.Integer(), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "pending",
                "approved",
                "suspended",
                name="partnerstatus",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("registered_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("registered_by_id", sa.Integer(), nullable=False),
        sa.Column("decided_at", core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["decided_by_id"], ["users.id"], name=op.f("fk_card_partner_decided_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["district_id"], ["district.id"], name=op.f("fk_card_partner_district_id_district")
        ),
        sa.ForeignKeyConstraint(
            ["merchant_id"], ["merchant.id"], name=op.f("fk_card_partner_merchant_id_merchant")
        ),
        sa.ForeignKeyConstraint(
            ["registered_by_id"], ["users.id"], name=op.f("fk_card_partner_registered_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_card_partner")),
        sa.UniqueConstraint("merchant_id", name=op.f("uq_card_partner_merchant_id")),
        sa.UniqueConstraint("name", name=op.f("uq_card_partner_name")),
    )
    with op.batch_alter_table("card_partner", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_card_partner_district_id"), ["district_id"], unique=False
        )

    op.create_table(
        "card_benefit_counter",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("benefit_id", sa.Integer(), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("used", sa.Integer(), nullable=False),
        sa.CheckConstraint("used >= 0", name=op.f("ck_card_benefit_counter_used_not_negative")),
        sa.ForeignKeyConstraint(
            ["benefit_id"],
            ["card_benefit.id"],
            name=op.f("fk_card_benefit_counter_benefit_id_card_benefit"),
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_card_benefit_counter_person_id_person")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_card_benefit_counter")),
        sa.UniqueConstraint(
            "person_id",
            "benefit_id",
            "period_start",
            name=op.f("uq_card_benefit_counter_person_id_benefit_id_period_start"),
        ),
    )
    with op.batch_alter_table("card_benefit_counter", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_card_benefit_counter_benefit_id"), ["benefit_id"], unique=False
        )

    op.create_table(
        "card_benefit_partner",
        sa.Column("benefit_id", sa.Integer(), nullable=False),
        sa.Column("partner_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["benefit_id"],
            ["card_benefit.id"],
            name=op.f("fk_card_benefit_partner_benefit_id_card_benefit"),
        ),
        sa.ForeignKeyConstraint(
            ["partner_id"],
            ["card_partner.id"],
            name=op.f("fk_card_benefit_partner_partner_id_card_partner"),
        ),
        sa.PrimaryKeyConstraint("benefit_id", "partner_id", name=op.f("pk_card_benefit_partner")),
    )
    with op.batch_alter_table("card_benefit_partner", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_card_benefit_partner_partner_id"), ["partner_id"], unique=False
        )

    op.create_table(
        "courtesy_card",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=10), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "to_print",
                "issued",
                "active",
                "lost",
                "expired",
                "revoked",
                name="cardstatus",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("valid_until", sa.Date(), nullable=False),
        sa.Column("replaces_id", sa.Integer(), nullable=True),
        sa.Column("created_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("printed_at", core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("activated_at", core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("ended_at", core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("ended_by_id", sa.Integer(), nullable=True),
        sa.Column("end_note", sa.String(length=500), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_courtesy_card_created_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["ended_by_id"], ["users.id"], name=op.f("fk_courtesy_card_ended_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_courtesy_card_person_id_person")
        ),
        sa.ForeignKeyConstraint(
            ["replaces_id"],
            ["courtesy_card.id"],
            name=op.f("fk_courtesy_card_replaces_id_courtesy_card"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_courtesy_card")),
        sa.UniqueConstraint("number", name=op.f("uq_courtesy_card_number")),
        sa.UniqueConstraint("replaces_id", name=op.f("uq_courtesy_card_replaces_id")),
    )
    with op.batch_alter_table("courtesy_card", schema=None) as batch_op:
        batch_op.create_index(
            "ix_courtesy_card_live_person",
            ["person_id"],
            unique=True,
            sqlite_where=sa.text("status IN ('to_print', 'issued', 'active')"),
            postgresql_where=sa.text("status IN ('to_print', 'issued', 'active')"),
        )
        batch_op.create_index(batch_op.f("ix_courtesy_card_person_id"), ["person_id"], unique=False)

    op.create_table(
        "card_check",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("partner_id", sa.Integer(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("card_id", sa.Integer(), nullable=True),
        sa.Column("benefit_id", sa.Integer(), nullable=True),
        sa.Column("scanned", sa.Boolean(), nullable=False),
        sa.Column(
            "outcome",
            sa.Enum(
                "valid",
                "unknown",
                "not_active",
                "lost",
                "expired",
                "revoked",
                "replaced",
                "limit_reached",
                "not_for_level",
                "identity_mismatch",
                name="checkoutcome",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("checked_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("alerted_at", core.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["benefit_id"], ["card_benefit.id"], name=op.f("fk_card_check_benefit_id_card_benefit")
        ),
        sa.ForeignKeyConstraint(
            ["card_id"], ["courtesy_card.id"], name=op.f("fk_card_check_card_id_courtesy_card")
        ),
        sa.ForeignKeyConstraint(
            ["partner_id"], ["card_partner.id"], name=op.f("fk_card_check_partner_id_card_partner")
        ),
        sa.ForeignKeyConstraint(
            ["staff_id"], ["users.id"], name=op.f("fk_card_check_staff_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_card_check")),
    )
    with op.batch_alter_table("card_check", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_card_check_card_id"), ["card_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_card_check_checked_at"), ["checked_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_card_check_partner_id"), ["partner_id"], unique=False)

    op.create_table(
        "card_use",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("card_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("benefit_id", sa.Integer(), nullable=False),
        sa.Column("partner_id", sa.Integer(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("used_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("value_fen", sa.Integer(), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["benefit_id"], ["card_benefit.id"], name=op.f("fk_card_use_benefit_id_card_benefit")
        ),
        sa.ForeignKeyConstraint(
            ["card_id"], ["courtesy_card.id"], name=op.f("fk_card_use_card_id_courtesy_card")
        ),
        sa.ForeignKeyConstraint(
            ["partner_id"], ["card_partner.id"], name=op.f("fk_card_use_partner_id_card_partner")
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_card_use_person_id_person")
        ),
        sa.ForeignKeyConstraint(
            ["staff_id"], ["users.id"], name=op.f("fk_card_use_staff_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_card_use")),
    )
    with op.batch_alter_table("card_use", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_card_use_benefit_id"), ["benefit_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_card_use_card_id"), ["card_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_card_use_partner_id"), ["partner_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_card_use_person_id"), ["person_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_card_use_used_at"), ["used_at"], unique=False)

    _role_assignment(new=True)


def downgrade():
    # Partner staff cannot be kept without their partners; the older schema has no such kind.
    op.execute(sa.text("DELETE FROM role_assignment WHERE kind = 'partner_staff'"))
    _role_assignment(new=False)
    with op.batch_alter_table("card_use", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_card_use_used_at"))
        batch_op.drop_index(batch_op.f("ix_card_use_person_id"))
        batch_op.drop_index(batch_op.f("ix_card_use_partner_id"))
        batch_op.drop_index(batch_op.f("ix_card_use_card_id"))
        batch_op.drop_index(batch_op.f("ix_card_use_benefit_id"))

    op.drop_table("card_use")
    with op.batch_alter_table("card_check", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_card_check_partner_id"))
        batch_op.drop_index(batch_op.f("ix_card_check_checked_at"))
        batch_op.drop_index(batch_op.f("ix_card_check_card_id"))

    op.drop_table("card_check")
    with op.batch_alter_table("courtesy_card", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_courtesy_card_person_id"))
        batch_op.drop_index(
            "ix_courtesy_card_live_person",
            sqlite_where=sa.text("status IN ('to_print', 'issued', 'active')"),
            postgresql_where=sa.text("status IN ('to_print', 'issued', 'active')"),
        )

    op.drop_table("courtesy_card")
    with op.batch_alter_table("card_benefit_partner", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_card_benefit_partner_partner_id"))

    op.drop_table("card_benefit_partner")
    with op.batch_alter_table("card_benefit_counter", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_card_benefit_counter_benefit_id"))

    op.drop_table("card_benefit_counter")
    with op.batch_alter_table("card_partner", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_card_partner_district_id"))

    op.drop_table("card_partner")
    op.drop_table("card_benefit")
