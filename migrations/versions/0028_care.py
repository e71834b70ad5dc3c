"""care campaigns, their budgets and lists, and visits with condolence funds

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-03 23:01:48

New tables only (care_campaign, care_budget and its changes, care_target, care_visit with its
goods, photos, versions and reversal, care_past_total): servers of the previous release never
read them.
"""

import sqlalchemy as sa
from alembic import op

import core.db

revision = "0028"
down_revision = "0027"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "care_campaign",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "flowers",
                "visits",
                name="carekind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("plan", sa.Text(), nullable=False),
        sa.Column(
            "rule",
            sa.Enum(
                "honour_level",
                "hardship",
                "upload",
                name="listrule",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "min_level",
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
            nullable=True,
        ),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "rule <> 'honour_level' OR min_level IS NOT NULL",
            name=op.f("ck_care_campaign_min_level"),
        ),
        sa.ForeignKeyConstraint(
            ["campaign_id"], ["campaign.id"], name=op.f("fk_care_campaign_campaign_id_campaign")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_care_campaign_created_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_care_campaign")),
    )
    with op.batch_alter_table("care_campaign", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_care_campaign_campaign_id"), ["campaign_id"], unique=False
        )

    op.create_table(
        "care_past_total",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column(
            "fund_source",
            sa.Enum(
                "city_budget",
                "moral_fund",
                "donations",
                "enterprises",
                name="fundsource",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("cash_fen", sa.Integer(), nullable=False),
        sa.Column("persons", sa.Integer(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=False),
        sa.Column("recorded_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("cash_fen >= 0", name=op.f("ck_care_past_total_cash")),
        sa.CheckConstraint("persons >= 0", name=op.f("ck_care_past_total_persons")),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"], ["users.id"], name=op.f("fk_care_past_total_recorded_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_care_past_total")),
        sa.UniqueConstraint(
            "year", "fund_source", name=op.f("uq_care_past_total_year_fund_source")
        ),
    )
    op.create_table(
        "care_budget",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("care_campaign_id", sa.Integer(), nullable=False),
        sa.Column(
            "fund_source",
            sa.Enum(
                "city_budget",
                "moral_fund",
                "donations",
                "enterprises",
                name="fundsource",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("budget_fen", sa.Integer(), nullable=False),
        sa.Column("spent_fen", sa.Integer(), nullable=False),
        sa.CheckConstraint("budget_fen >= 0", name=op.f("ck_care_budget_budget")),
        sa.CheckConstraint(
            "spent_fen >= 0 AND spent_fen <= budget_fen", name=op.f("ck_care_budget_spent")
        ),
        sa.ForeignKeyConstraint(
            ["care_campaign_id"],
            ["care_campaign.id"],
            name=op.f("fk_care_budget_care_campaign_id_care_campaign"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_care_budget")),
        sa.UniqueConstraint(
            "care_campaign_id",
            "fund_source",
            name=op.f("uq_care_budget_care_campaign_id_fund_source"),
        ),
    )
    op.create_table(
        "care_budget_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("budget_id", sa.Integer(), nullable=False),
        sa.Column("old_fen", sa.Integer(), nullable=False),
        sa.Column("new_fen", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("changed_by_id", sa.Integer(), nullable=False),
        sa.Column("changed_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["budget_id"],
            ["care_budget.id"],
            name=op.f("fk_care_budget_change_budget_id_care_budget"),
        ),
        sa.ForeignKeyConstraint(
            ["changed_by_id"], ["users.id"], name=op.f("fk_care_budget_change_changed_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_care_budget_change")),
    )
    with op.batch_alter_table("care_budget_change", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_care_budget_change_budget_id"), ["budget_id"], unique=False
        )

    op.create_table(
        "care_target",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("care_campaign_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column(
            "added_by_rule",
            sa.Enum(
                "honour_level",
                "hardship",
                "upload",
                name="listrule",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("added_by_id", sa.Integer(), nullable=False),
        sa.Column("added_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("skip_reason", sa.Text(), nullable=True),
        sa.Column("skipped_by_id", sa.Integer(), nullable=True),
        sa.Column("skipped_at", core.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["added_by_id"], ["users.id"], name=op.f("fk_care_target_added_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["care_campaign_id"],
            ["care_campaign.id"],
            name=op.f("fk_care_target_care_campaign_id_care_campaign"),
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_care_target_person_id_person")
        ),
        sa.ForeignKeyConstraint(
            ["skipped_by_id"], ["users.id"], name=op.f("fk_care_target_skipped_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_care_target")),
        sa.UniqueConstraint(
            "care_campaign_id", "person_id", name=op.f("uq_care_target_care_campaign_id_person_id")
        ),
    )
    with op.batch_alter_table("care_target", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_care_target_care_campaign_id"), ["care_campaign_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_care_target_person_id"), ["person_id"], unique=False)

    op.create_table(
        "care_visit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("care_campaign_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("target_id", sa.Integer(), nullable=True),
        sa.Column("off_list_reason", sa.Text(), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "planned",
                "done",
                "verified",
                "locked",
                name="visitstatus",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "recipient",
            sa.Enum(
                "person",
                "relative",
                name="recipient",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("relative_name", sa.String(length=64), nullable=True),
        sa.Column("relative_relation", sa.String(length=32), nullable=True),
        sa.Column("visit_on", sa.Date(), nullable=False),
        sa.Column("visited_at", core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column(
            "place",
            sa.Enum(
                "home",
                "workplace",
                "hospital",
                "event",
                name="visitplace",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("visitors", sa.String(length=200), nullable=False),
        sa.Column("cash_fen", sa.Integer(), nullable=False),
        sa.Column(
            "fund_source",
            sa.Enum(
                "city_budget",
                "moral_fund",
                "donations",
                "enterprises",
                name="fundsource",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column("needs", sa.Text(), nullable=False),
        sa.Column("follow_up", sa.Text(), nullable=False),
        sa.Column("follow_up_done_at", core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("receipt_upload_id", sa.Integer(), nullable=True),
        sa.Column(
            "receipt_kind",
            sa.Enum(
                "signature",
                "scan",
                name="receiptkind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("corrects_id", sa.Integer(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("verified_by_id", sa.Integer(), nullable=True),
        sa.Column("verified_at", core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("locked_by_id", sa.Integer(), nullable=True),
        sa.Column("locked_at", core.db.UTCDateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "recipient = 'person' OR relative_name IS NOT NULL", name=op.f("ck_care_visit_relative")
        ),
        sa.CheckConstraint(
            "(receipt_upload_id IS NULL) = (receipt_kind IS NULL)",
            name=op.f("ck_care_visit_receipt"),
        ),
        sa.CheckConstraint(
            "cash_fen = 0 OR fund_source IS NOT NULL", name=op.f("ck_care_visit_fund_source")
        ),
        sa.CheckConstraint("cash_fen >= 0", name=op.f("ck_care_visit_cash")),
        sa.CheckConstraint(
            "target_id IS NOT NULL OR off_list_reason IS NOT NULL",
            name=op.f("ck_care_visit_on_list"),
        ),
        sa.CheckConstraint("version >= 1", name=op.f("ck_care_visit_version")),
        sa.ForeignKeyConstraint(
            ["care_campaign_id"],
            ["care_campaign.id"],
            name=op.f("fk_care_visit_care_campaign_id_care_campaign"),
        ),
        sa.ForeignKeyConstraint(
            ["corrects_id"], ["care_visit.id"], name=op.f("fk_care_visit_corrects_id_care_visit")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_care_visit_created_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["locked_by_id"], ["users.id"], name=op.f("fk_care_visit_locked_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_care_visit_person_id_person")
        ),
        sa.ForeignKeyConstraint(
            ["receipt_upload_id"],
            ["upload.id"],
            name=op.f("fk_care_visit_receipt_upload_id_upload"),
        ),
        sa.ForeignKeyConstraint(
            ["target_id"], ["care_target.id"], name=op.f("fk_care_visit_target_id_care_target")
        ),
        sa.ForeignKeyConstraint(
            ["verified_by_id"], ["users.id"], name=op.f("fk_care_visit_verified_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_care_visit")),
    )
    with op.batch_alter_table("care_visit", schema=None) as batch_op:
        batch_op.create_index(
            "ix_care_visit_campaign_status", ["care_campaign_id", "status"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_care_visit_person_id"), ["person_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_care_visit_target_id"), ["target_id"], unique=False)

    op.create_table(
        "care_visit_good",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("visit_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("item", sa.String(length=60), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("value_fen", sa.Integer(), nullable=False),
        sa.CheckConstraint("quantity > 0", name=op.f("ck_care_visit_good_quantity")),
        sa.CheckConstraint("value_fen >= 0", name=op.f("ck_care_visit_good_value")),
        sa.ForeignKeyConstraint(
            ["visit_id"], ["care_visit.id"], name=op.f("fk_care_visit_good_visit_id_care_visit")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_care_visit_good")),
    )
    with op.batch_alter_table("care_visit_good", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_care_visit_good_visit_id"), ["visit_id"], unique=False)

    op.create_table(
        "care_visit_photo",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("visit_id", sa.Integer(), nullable=False),
        sa.Column("upload_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["upload_id"], ["upload.id"], name=op.f("fk_care_visit_photo_upload_id_upload")
        ),
        sa.ForeignKeyConstraint(
            ["visit_id"], ["care_visit.id"], name=op.f("fk_care_visit_photo_visit_id_care_visit")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_care_visit_photo")),
    )
    with op.batch_alter_table("care_visit_photo", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_care_visit_photo_visit_id"), ["visit_id"], unique=False
        )

    op.create_table(
        "care_visit_reversal",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("visit_id", sa.Integer(), nullable=False),
        sa.Column("cash_fen", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("reversed_by_id", sa.Integer(), nullable=False),
        sa.Column("reversed_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("cash_fen >= 0", name=op.f("ck_care_visit_reversal_cash")),
        sa.ForeignKeyConstraint(
            ["reversed_by_id"],
            ["users.id"],
            name=op.f("fk_care_visit_reversal_reversed_by_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["visit_id"], ["care_visit.id"], name=op.f("fk_care_visit_reversal_visit_id_care_visit")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_care_visit_reversal")),
        sa.UniqueConstraint("visit_id", name=op.f("uq_care_visit_reversal_visit_id")),
    )
    op.create_table(
        "care_visit_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("visit_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.Column("changed_by_id", sa.Integer(), nullable=False),
        sa.Column("changed_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["changed_by_id"], ["users.id"], name=op.f("fk_care_visit_version_changed_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["visit_id"], ["care_visit.id"], name=op.f("fk_care_visit_version_visit_id_care_visit")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_care_visit_version")),
        sa.UniqueConstraint(
            "visit_id", "version", name=op.f("uq_care_visit_version_visit_id_version")
        ),
    )


def downgrade():
    op.drop_table("care_visit_version")
    op.drop_table("care_visit_reversal")
    with op.batch_alter_table("care_visit_photo", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_care_visit_photo_visit_id"))

    op.drop_table("care_visit_photo")
    with op.batch_alter_table("care_visit_good", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_care_visit_good_visit_id"))

    op.drop_table("care_visit_good")
    with op.batch_alter_table("care_visit", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_care_visit_target_id"))
        batch_op.drop_index(batch_op.f("ix_care_visit_person_id"))
        batch_op.drop_index("ix_care_visit_campaign_status")

    op.drop_table("care_visit")
    with op.batch_alter_table("care_target", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_care_target_person_id"))
        batch_op.drop_index(batch_op.f("ix_care_target_care_campaign_id"))

    op.drop_table("care_target")
    with op.batch_alter_table("care_budget_change", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_care_budget_change_budget_id"))

    op.drop_table("care_budget_change")
    op.drop_table("care_budget")
    op.drop_table("care_past_total")
    with op.batch_alter_table("care_campaign", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_care_campaign_campaign_id"))

    op.drop_table("care_campaign")
