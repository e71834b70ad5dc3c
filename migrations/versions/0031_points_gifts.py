"""family links, points gifts and charity pools

Revision ID: 0031
Revises: 0030
Create Date: 2026-12-04 02:40:00

New tables family_link (家人关联: at most one live link per pair, by a partial unique index on
the pair in id order), points_gift (a volunteer's gift to a family member or a charity pool)
and points_pool_award (the office's award from a pool). The accounts, entry kinds and causes
they use came with 0030, so nothing else changes: servers still running the previous release
never read these tables.
"""

import sqlalchemy as sa
from alembic import op

import core.db

revision = "0031"
down_revision = "0030"
branch_labels = None
depends_on = None

LIVE_LINK = "status IN ('requested', 'confirmed')"


def _enum(values, name: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=32)


def upgrade() -> None:
    op.create_table(
        "family_link",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("requester_id", sa.Integer(), nullable=False),
        sa.Column("relative_id", sa.Integer(), nullable=False),
        sa.Column("user_low_id", sa.Integer(), nullable=False),
        sa.Column("user_high_id", sa.Integer(), nullable=False),
        sa.Column(
            "relation",
            _enum(
                ("spouse", "parent", "child", "sibling", "grandparent", "grandchild", "other"),
                "relation",
            ),
            nullable=False,
        ),
        sa.Column(
            "status",
            _enum(("requested", "confirmed", "declined", "ended"), "linkstatus"),
            nullable=False,
        ),
        sa.Column("created_at", core.db.UTCDateTime(), nullable=False),
        sa.Column("answered_at", core.db.UTCDateTime(), nullable=True),
        sa.Column("ended_at", core.db.UTCDateTime(), nullable=True),
        sa.CheckConstraint("requester_id != relative_id", name=op.f("ck_family_link_two_people")),
        sa.CheckConstraint(
            "user_low_id < user_high_id AND user_low_id IN (requester_id, relative_id)"
            " AND user_high_id IN (requester_id, relative_id)",
            name=op.f("ck_family_link_pair_in_order"),
        ),
        sa.ForeignKeyConstraint(
            ["relative_id"], ["users.id"], name=op.f("fk_family_link_relative_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["requester_id"], ["users.id"], name=op.f("fk_family_link_requester_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_family_link")),
    )
    with op.batch_alter_table("family_link") as batch:
        batch.create_index(batch.f("ix_family_link_relative_id"), ["relative_id"], unique=False)
        batch.create_index(batch.f("ix_family_link_requester_id"), ["requester_id"], unique=False)
        batch.create_index(
            "uq_family_link_live_pair",
            ["user_low_id", "user_high_id"],
            unique=True,
            sqlite_where=sa.text(LIVE_LINK),
            postgresql_where=sa.text(LIVE_LINK),
        )
    op.create_table(
        "points_gift",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("giver_id", sa.Integer(), nullable=False),
        sa.Column("kind", _enum(("family", "team_pool", "city_pool"), "giftkind"), nullable=False),
        sa.Column("recipient_id", sa.Integer(), nullable=True),
        sa.Column("team_id", sa.Integer(), nullable=True),
        sa.Column("amount", sa.Integer(), nullable=False),
        sa.Column("note", sa.String(length=100), nullable=False),
        sa.Column("idempotency_key", sa.String(length=128), nullable=False),
        sa.Column("request_hash", sa.String(length=64), nullable=False),
        sa.Column("entry_id", sa.Integer(), nullable=True),
        sa.Column("created_at", core.db.UTCDateTime(), nullable=False),
        sa.Column("given_on", sa.Date(), nullable=False),
        sa.CheckConstraint("amount > 0", name=op.f("ck_points_gift_amount")),
        sa.CheckConstraint(
            "(kind = 'family') = (recipient_id IS NOT NULL)", name=op.f("ck_points_gift_recipient")
        ),
        sa.CheckConstraint(
            "(kind = 'team_pool') = (team_id IS NOT NULL)", name=op.f("ck_points_gift_team")
        ),
        sa.ForeignKeyConstraint(
            ["entry_id"], ["ledger_entry.id"], name=op.f("fk_points_gift_entry_id_ledger_entry")
        ),
        sa.ForeignKeyConstraint(
            ["giver_id"], ["users.id"], name=op.f("fk_points_gift_giver_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["recipient_id"], ["users.id"], name=op.f("fk_points_gift_recipient_id_users")
        ),
        sa.ForeignKeyConstraint(["team_id"], ["team.id"], name=op.f("fk_points_gift_team_id_team")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_points_gift")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_points_gift_idempotency_key")),
    )
    with op.batch_alter_table("points_gift") as batch:
        batch.create_index("ix_points_gift_giver_given_on", ["giver_id", "given_on"], unique=False)
        batch.create_index(batch.f("ix_points_gift_recipient_id"), ["recipient_id"], unique=False)
        batch.create_index(batch.f("ix_points_gift_team_id"), ["team_id"], unique=False)
    op.create_table(
        "points_pool_award",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=True),
        sa.Column("recipient_id", sa.Integer(), nullable=False),
        sa.Column("amount", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=False),
        sa.Column("idempotency_key", sa.String(length=128), nullable=False),
        sa.Column("request_hash", sa.String(length=64), nullable=False),
        sa.Column("entry_id", sa.Integer(), nullable=True),
        sa.Column("created_at", core.db.UTCDateTime(), nullable=False),
        sa.CheckConstraint("amount > 0", name=op.f("ck_points_pool_award_amount")),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["users.id"], name=op.f("fk_points_pool_award_actor_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["entry_id"],
            ["ledger_entry.id"],
            name=op.f("fk_points_pool_award_entry_id_ledger_entry"),
        ),
        sa.ForeignKeyConstraint(
            ["recipient_id"], ["users.id"], name=op.f("fk_points_pool_award_recipient_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["team_id"], ["team.id"], name=op.f("fk_points_pool_award_team_id_team")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_points_pool_award")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_points_pool_award_idempotency_key")),
    )
    with op.batch_alter_table("points_pool_award") as batch:
        batch.create_index(batch.f("ix_points_pool_award_created_at"), ["created_at"], unique=False)
        batch.create_index(
            batch.f("ix_points_pool_award_recipient_id"), ["recipient_id"], unique=False
        )
        batch.create_index(batch.f("ix_points_pool_award_team_id"), ["team_id"], unique=False)


def downgrade() -> None:
    # Gifts and awards are ledger entries of kinds 0030 brought; dropping these tables leaves
    # the entries (and their lots) whole, with causes that no longer name a row.
    with op.batch_alter_table("points_pool_award") as batch:
        batch.drop_index(batch.f("ix_points_pool_award_team_id"))
        batch.drop_index(batch.f("ix_points_pool_award_recipient_id"))
        batch.drop_index(batch.f("ix_points_pool_award_created_at"))
    op.drop_table("points_pool_award")
    with op.batch_alter_table("points_gift") as batch:
        batch.drop_index(batch.f("ix_points_gift_team_id"))
        batch.drop_index(batch.f("ix_points_gift_recipient_id"))
        batch.drop_index("ix_points_gift_giver_given_on")
    op.drop_table("points_gift")
    with op.batch_alter_table("family_link") as batch:
        batch.drop_index("uq_family_link_live_pair")
        batch.drop_index(batch.f("ix_family_link_requester_id"))
        batch.drop_index(batch.f("ix_family_link_relative_id"))
    op.drop_table("family_link")
