"""flowers of Lei Feng day: delivery tasks, their attempts, the public's recommendations

Revision ID: 0029
Revises: 0028
Create Date: 2026-12-03 23:30:00

New tables care_flower_delivery, care_flower_attempt and care_flower_recommendation; a
courier company may be a card partner (the partner kind's CHECK is widened by `courier`).
Servers still running the previous release never write it. On PostgreSQL the constraint is
dropped and added in place; on SQLite the table is rebuilt with the CHECK the new column type
carries.
"""

import sqlalchemy as sa
from alembic import op

import core.db

revision = "0029"
down_revision = "0028"
branch_labels = None
depends_on = None

OLD_PARTNER_KINDS = ("bus", "health", "scenic", "supermarket", "merchant", "department", "other")
NEW_PARTNER_KINDS = (*OLD_PARTNER_KINDS, "courier")


def _enum(values, name: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=32)


def _set_partner_kinds(values, before) -> None:
    """Set the CHECK of card_partner.kind (named as core.db.enum_column names it)."""
    if op.get_context().dialect.name == "postgresql":
        listed = ", ".join(f"'{value}'" for value in values)
        constraint = op.f("ck_card_partner_partnerkind")
        op.drop_constraint(constraint, "card_partner", type_="check")
        op.create_check_constraint(constraint, "card_partner", f"kind IN ({listed})")
        return
    with op.batch_alter_table("card_partner", recreate="always") as batch:
        batch.alter_column(
            "kind",
            existing_type=_enum(before, "partnerkind"),
            type_=_enum(values, "partnerkind"),
            existing_nullable=False,
        )


def upgrade():
    _set_partner_kinds(NEW_PARTNER_KINDS, OLD_PARTNER_KINDS)
    op.create_table(
        "care_flower_recommendation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("care_campaign_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("region_id", sa.Integer(), nullable=False),
        sa.Column("deeds", sa.Text(), nullable=False),
        sa.Column("recommended_by_id", sa.Integer(), nullable=False),
        sa.Column("recommended_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "pending",
                "accepted",
                "declined",
                name="recommendationstatus",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("target_id", sa.Integer(), nullable=True),
        sa.Column("screened_by_id", sa.Integer(), nullable=True),
        sa.Column("screened_at", core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("screen_note", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "(status = 'accepted') = (target_id IS NOT NULL)",
            name=op.f("ck_care_flower_recommendation_accepted_on_list"),
        ),
        sa.ForeignKeyConstraint(
            ["care_campaign_id"],
            ["care_campaign.id"],
            name=op.f("fk_care_flower_recommendation_care_campaign_id_care_campaign"),
        ),
        sa.ForeignKeyConstraint(
            ["recommended_by_id"],
            ["users.id"],
            name=op.f("fk_care_flower_recommendation_recommended_by_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["region_id"],
            ["region.id"],
            name=op.f("fk_care_flower_recommendation_region_id_region"),
        ),
        sa.ForeignKeyConstraint(
            ["screened_by_id"],
            ["users.id"],
            name=op.f("fk_care_flower_recommendation_screened_by_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["target_id"],
            ["care_target.id"],
            name=op.f("fk_care_flower_recommendation_target_id_care_target"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_care_flower_recommendation")),
        sa.UniqueConstraint(
            "care_campaign_id",
            "recommended_by_id",
            "name",
            "region_id",
            name=op.f(
                "uq_care_flower_recommendation_care_campaign_id_recommended_by_id_name_region_id"
            ),
        ),
    )
    with op.batch_alter_table("care_flower_recommendation", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_care_flower_recommendation_care_campaign_id"),
            ["care_campaign_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_care_flower_recommendation_recommended_by_id"),
            ["recommended_by_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_care_flower_recommendation_region_id"), ["region_id"], unique=False
        )

    op.create_table(
        "care_flower_delivery",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("care_campaign_id", sa.Integer(), nullable=False),
        sa.Column("target_id", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "planned",
                "delivered",
                "failed",
                name="deliverystatus",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("courier_id", sa.Integer(), nullable=True),
        sa.Column("shift_id", sa.Integer(), nullable=True),
        sa.Column("deliver_on", sa.Date(), nullable=True),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("delivered_at", core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("photo_upload_id", sa.Integer(), nullable=True),
        sa.Column(
            "fail_reason",
            sa.Enum(
                "nobody_home",
                "declined",
                "wrong_address",
                "other",
                name="failreason",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column("fail_note", sa.String(length=500), nullable=True),
        sa.Column("created_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "(status = 'delivered') = (delivered_at IS NOT NULL AND photo_upload_id IS NOT NULL)",
            name=op.f("ck_care_flower_delivery_delivered_whole"),
        ),
        sa.CheckConstraint(
            "(status = 'failed') = (fail_reason IS NOT NULL)",
            name=op.f("ck_care_flower_delivery_failed_why"),
        ),
        sa.CheckConstraint("attempt >= 1", name=op.f("ck_care_flower_delivery_attempt")),
        sa.CheckConstraint(
            "courier_id IS NULL OR shift_id IS NULL",
            name=op.f("ck_care_flower_delivery_one_deliverer"),
        ),
        sa.ForeignKeyConstraint(
            ["care_campaign_id"],
            ["care_campaign.id"],
            name=op.f("fk_care_flower_delivery_care_campaign_id_care_campaign"),
        ),
        sa.ForeignKeyConstraint(
            ["courier_id"],
            ["card_partner.id"],
            name=op.f("fk_care_flower_delivery_courier_id_card_partner"),
        ),
        sa.ForeignKeyConstraint(
            ["photo_upload_id"],
            ["upload.id"],
            name=op.f("fk_care_flower_delivery_photo_upload_id_upload"),
        ),
        sa.ForeignKeyConstraint(
            ["shift_id"], ["shift.id"], name=op.f("fk_care_flower_delivery_shift_id_shift")
        ),
        sa.ForeignKeyConstraint(
            ["target_id"],
            ["care_target.id"],
            name=op.f("fk_care_flower_delivery_target_id_care_target"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_care_flower_delivery")),
        sa.UniqueConstraint("target_id", name=op.f("uq_care_flower_delivery_target_id")),
    )
    with op.batch_alter_table("care_flower_delivery", schema=None) as batch_op:
        batch_op.create_index(
            "ix_care_flower_delivery_campaign_status", ["care_campaign_id", "status"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_care_flower_delivery_courier_id"), ["courier_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_care_flower_delivery_shift_id"), ["shift_id"], unique=False
        )

    op.create_table(
        "care_flower_attempt",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("delivery_id", sa.Integer(), nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column(
            "outcome",
            sa.Enum(
                "planned",
                "delivered",
                "failed",
                name="attemptoutcome",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("courier_id", sa.Integer(), nullable=True),
        sa.Column("shift_id", sa.Integer(), nullable=True),
        sa.Column("deliver_on", sa.Date(), nullable=True),
        sa.Column("photo_upload_id", sa.Integer(), nullable=True),
        sa.Column(
            "fail_reason",
            sa.Enum(
                "nobody_home",
                "declined",
                "wrong_address",
                "other",
                name="failreason",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.Column("by_id", sa.Integer(), nullable=False),
        sa.Column("at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["by_id"], ["users.id"], name=op.f("fk_care_flower_attempt_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["courier_id"],
            ["card_partner.id"],
            name=op.f("fk_care_flower_attempt_courier_id_card_partner"),
        ),
        sa.ForeignKeyConstraint(
            ["delivery_id"],
            ["care_flower_delivery.id"],
            name=op.f("fk_care_flower_attempt_delivery_id_care_flower_delivery"),
        ),
        sa.ForeignKeyConstraint(
            ["photo_upload_id"],
            ["upload.id"],
            name=op.f("fk_care_flower_attempt_photo_upload_id_upload"),
        ),
        sa.ForeignKeyConstraint(
            ["shift_id"], ["shift.id"], name=op.f("fk_care_flower_attempt_shift_id_shift")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_care_flower_attempt")),
    )
    with op.batch_alter_table("care_flower_attempt", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_care_flower_attempt_delivery_id"), ["delivery_id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("care_flower_attempt", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_care_flower_attempt_delivery_id"))

    op.drop_table("care_flower_attempt")
    with op.batch_alter_table("care_flower_delivery", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_care_flower_delivery_shift_id"))
        batch_op.drop_index(batch_op.f("ix_care_flower_delivery_courier_id"))
        batch_op.drop_index("ix_care_flower_delivery_campaign_status")

    op.drop_table("care_flower_delivery")
    with op.batch_alter_table("care_flower_recommendation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_care_flower_recommendation_region_id"))
        batch_op.drop_index(batch_op.f("ix_care_flower_recommendation_recommended_by_id"))
        batch_op.drop_index(batch_op.f("ix_care_flower_recommendation_care_campaign_id"))

    op.drop_table("care_flower_recommendation")
    _set_partner_kinds(OLD_PARTNER_KINDS, NEW_PARTNER_KINDS)
