"""the bus company's list of card numbers, and API tokens limited to one use

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-03 17:45:00

api_token gains a scope (NULL: an ordinary token, as every token before) with its CHECK, and
who made and revoked a token (NULL: its user); servers of the previous release write none of
them and are unaffected. New tables: the bus partners' service accounts, the nightly lists,
their lines and who fetched them.
"""

import sqlalchemy as sa
from alembic import op

import core.db

revision = "0026"
down_revision = "0025"
branch_labels = None
depends_on = None


def _enum(name: str, *values: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=32)


def _token_columns() -> None:
    postgresql = op.get_context().dialect.name == "postgresql"
    # SQLite rebuilds the table, with the CHECK the scope's type carries; PostgreSQL adds the
    # columns in place and the CHECK by name.
    scope_type = sa.String(length=32) if postgresql else _enum("tokenscope", "bus_list")
    with op.batch_alter_table("api_token", recreate="auto") as batch:
        batch.add_column(sa.Column("scope", scope_type, nullable=True))
        batch.add_column(sa.Column("created_by_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("revoked_by_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            batch.f("fk_api_token_created_by_id_users"), "users", ["created_by_id"], ["id"]
        )
        batch.create_foreign_key(
            batch.f("fk_api_token_revoked_by_id_users"), "users", ["revoked_by_id"], ["id"]
        )
    if postgresql:
        op.create_check_constraint(
            op.f("ck_api_token_tokenscope"), "api_token", "scope IN ('bus_list')"
        )


def upgrade():
    _token_columns()
    op.create_table(
        "bus_service_account",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("partner_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_bus_service_account_created_by_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["partner_id"],
            ["card_partner.id"],
            name=op.f("fk_bus_service_account_partner_id_card_partner"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_bus_service_account_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bus_service_account")),
        sa.UniqueConstraint("partner_id", name=op.f("uq_bus_service_account_partner_id")),
        sa.UniqueConstraint("user_id", name=op.f("uq_bus_service_account_user_id")),
    )
    op.create_table(
        "bus_list_export",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("partner_id", sa.Integer(), nullable=False),
        sa.Column("night", sa.Date(), nullable=False),
        sa.Column("made_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("made_by", _enum("listmaker", "job", "command"), nullable=False),
        sa.Column("previous_id", sa.Integer(), nullable=True),
        sa.Column("valid_count", sa.Integer(), nullable=False),
        sa.Column("invalid_count", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "valid_count >= 0 AND invalid_count >= 0",
            name=op.f("ck_bus_list_export_counts_not_negative"),
        ),
        sa.ForeignKeyConstraint(
            ["partner_id"],
            ["card_partner.id"],
            name=op.f("fk_bus_list_export_partner_id_card_partner"),
        ),
        sa.ForeignKeyConstraint(
            ["previous_id"],
            ["bus_list_export.id"],
            name=op.f("fk_bus_list_export_previous_id_bus_list_export"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bus_list_export")),
        sa.UniqueConstraint(
            "partner_id", "night", name=op.f("uq_bus_list_export_partner_id_night")
        ),
    )
    op.create_table(
        "bus_list_line",
        sa.Column("export_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=10), nullable=False),
        sa.Column("card_id", sa.Integer(), nullable=False),
        sa.Column("is_valid", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["card_id"],
            ["courtesy_card.id"],
            name=op.f("fk_bus_list_line_card_id_courtesy_card"),
        ),
        sa.ForeignKeyConstraint(
            ["export_id"],
            ["bus_list_export.id"],
            name=op.f("fk_bus_list_line_export_id_bus_list_export"),
        ),
        sa.PrimaryKeyConstraint("export_id", "number", name=op.f("pk_bus_list_line")),
    )
    with op.batch_alter_table("bus_list_line", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_bus_list_line_card_id"), ["card_id"], unique=False)
    op.create_table(
        "bus_list_fetch",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("export_id", sa.Integer(), nullable=False),
        sa.Column("since_id", sa.Integer(), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("token_id", sa.Integer(), nullable=True),
        sa.Column("channel", _enum("fetchchannel", "api", "download"), nullable=False),
        sa.Column("fetched_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["export_id"],
            ["bus_list_export.id"],
            name=op.f("fk_bus_list_fetch_export_id_bus_list_export"),
        ),
        sa.ForeignKeyConstraint(
            ["since_id"],
            ["bus_list_export.id"],
            name=op.f("fk_bus_list_fetch_since_id_bus_list_export"),
        ),
        sa.ForeignKeyConstraint(
            ["token_id"],
            ["api_token.id"],
            name=op.f("fk_bus_list_fetch_token_id_api_token"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_bus_list_fetch_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bus_list_fetch")),
    )
    with op.batch_alter_table("bus_list_fetch", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_bus_list_fetch_export_id"), ["export_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_bus_list_fetch_token_id"), ["token_id"], unique=False)


def downgrade():
    with op.batch_alter_table("bus_list_fetch", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_bus_list_fetch_token_id"))
        batch_op.drop_index(batch_op.f("ix_bus_list_fetch_export_id"))
    op.drop_table("bus_list_fetch")
    with op.batch_alter_table("bus_list_line", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_bus_list_line_card_id"))
    op.drop_table("bus_list_line")
    op.drop_table("bus_list_export")
    op.drop_table("bus_service_account")
    # A scoped token would work everywhere on the older release: such tokens go, rather than
    # widen. Service accounts stay as users, who cannot sign in (their numbers are no mobile
    # numbers).
    op.execute(sa.text("DELETE FROM api_token WHERE scope IS NOT NULL"))
    with op.batch_alter_table("api_token", recreate="auto") as batch:
        batch.drop_constraint(batch.f("ck_api_token_tokenscope"), type_="check")
        batch.drop_constraint(batch.f("fk_api_token_revoked_by_id_users"), type_="foreignkey")
        batch.drop_constraint(batch.f("fk_api_token_created_by_id_users"), type_="foreignkey")
        batch.drop_column("revoked_by_id")
        batch.drop_column("created_by_id")
        batch.drop_column("scope")
