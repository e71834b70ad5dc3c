"""nominations: the nomination pipeline (推荐, 审核, 公示, 决定) and the honour's round

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-03 11:21:09

New tables, and a foreign key on honour.round_id (a column no release has written yet), so
servers still running the previous release are unaffected.
"""

import sqlalchemy as sa
from alembic import op

import core.db

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "round_decision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("document_number", sa.String(length=60), nullable=False),
        sa.Column("decided_on", sa.Date(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=False),
        sa.Column("recorded_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"], ["users.id"], name=op.f("fk_round_decision_recorded_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["round_id"], ["honour_round.id"], name=op.f("fk_round_decision_round_id_honour_round")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_round_decision")),
        sa.UniqueConstraint("document_number", name=op.f("uq_round_decision_document_number")),
        sa.UniqueConstraint("round_id", name=op.f("uq_round_decision_round_id")),
    )
    op.create_table(
        "round_notice",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("opens_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("closes_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("opened_by_id", sa.Integer(), nullable=False),
        sa.CheckConstraint("closes_at > opens_at", name=op.f("ck_round_notice_period")),
        sa.ForeignKeyConstraint(
            ["opened_by_id"], ["users.id"], name=op.f("fk_round_notice_opened_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["round_id"], ["honour_round.id"], name=op.f("fk_round_notice_round_id_honour_round")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_round_notice")),
        sa.UniqueConstraint("round_id", name=op.f("uq_round_notice_round_id")),
    )
    op.create_table(
        "round_panel_member",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("assigned_by_id", sa.Integer(), nullable=False),
        sa.Column("assigned_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["assigned_by_id"],
            ["users.id"],
            name=op.f("fk_round_panel_member_assigned_by_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["honour_round.id"],
            name=op.f("fk_round_panel_member_round_id_honour_round"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_round_panel_member_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_round_panel_member")),
        sa.UniqueConstraint(
            "round_id", "user_id", name=op.f("uq_round_panel_member_round_id_user_id")
        ),
    )
    with op.batch_alter_table("round_panel_member", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_round_panel_member_round_id"), ["round_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_round_panel_member_user_id"), ["user_id"], unique=False
        )

    op.create_table(
        "nomination",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column(
            "channel",
            sa.Enum(
                "territorial",
                "media",
                "public",
                name="channel",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "stage",
            sa.Enum(
                "draft",
                "community",
                "street",
                "district",
                "city",
                "consent",
                "panel",
                "notice",
                "approved",
                "rejected",
                "withdrawn",
                "declined",
                "merged",
                name="stage",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("stage_entered_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("nominee_name", sa.String(length=64), nullable=False),
        sa.Column(
            "nominee_gender",
            sa.Enum(
                "male",
                "female",
                name="gender",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column("nominee_birth_date", sa.Date(), nullable=True),
        sa.Column("nominee_phone", sa.String(length=20), nullable=True),
        sa.Column("nominee_id_number", sa.String(length=18), nullable=True),
        sa.Column("nominee_key", sa.String(length=120), nullable=False),
        sa.Column("nominee_is_deceased", sa.Boolean(), nullable=False),
        sa.Column("region_id", sa.Integer(), nullable=False),
        sa.Column("district_id", sa.Integer(), nullable=False),
        sa.Column("sector_id", sa.Integer(), nullable=True),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column(
            "category",
            sa.Enum(
                "helping_others",
                "bravery",
                "honesty",
                "dedication",
                "filial_piety",
                name="honourcategory",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("summary", sa.String(length=140), nullable=False),
        sa.Column("deeds", sa.Text(), nullable=False),
        sa.Column("unit_name", sa.String(length=120), nullable=True),
        sa.Column("media_url", sa.String(length=300), nullable=True),
        sa.Column(
            "media_discovery",
            sa.Enum(
                "leader_attention",
                "interview",
                "editing",
                name="mediadiscovery",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column(
            "lead_source",
            sa.Enum(
                "form",
                "email",
                "hotline",
                name="leadsource",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column("id_photo_upload_id", sa.Integer(), nullable=True),
        sa.Column("sealed_form_upload_id", sa.Integer(), nullable=True),
        sa.Column("duplicate_of_id", sa.Integer(), nullable=True),
        sa.Column("merged_into_id", sa.Integer(), nullable=True),
        sa.Column("held_honour_id", sa.Integer(), nullable=True),
        sa.Column("honour_id", sa.Integer(), nullable=True),
        sa.Column("created_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("updated_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "(stage = 'merged') = (merged_into_id IS NOT NULL)",
            name=op.f("ck_nomination_merged_into"),
        ),
        sa.CheckConstraint(
            "channel <> 'media' OR (media_url IS NOT NULL AND media_discovery IS NOT NULL)",
            name=op.f("ck_nomination_media_report"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_nomination_created_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["district_id"], ["district.id"], name=op.f("fk_nomination_district_id_district")
        ),
        sa.ForeignKeyConstraint(
            ["duplicate_of_id"],
            ["nomination.id"],
            name=op.f("fk_nomination_duplicate_of_id_nomination"),
        ),
        sa.ForeignKeyConstraint(
            ["held_honour_id"], ["honour.id"], name=op.f("fk_nomination_held_honour_id_honour")
        ),
        sa.ForeignKeyConstraint(
            ["honour_id"], ["honour.id"], name=op.f("fk_nomination_honour_id_honour")
        ),
        sa.ForeignKeyConstraint(
            ["id_photo_upload_id"],
            ["upload.id"],
            name=op.f("fk_nomination_id_photo_upload_id_upload"),
        ),
        sa.ForeignKeyConstraint(
            ["merged_into_id"],
            ["nomination.id"],
            name=op.f("fk_nomination_merged_into_id_nomination"),
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_nomination_person_id_person")
        ),
        sa.ForeignKeyConstraint(
            ["region_id"], ["region.id"], name=op.f("fk_nomination_region_id_region")
        ),
        sa.ForeignKeyConstraint(
            ["round_id"], ["honour_round.id"], name=op.f("fk_nomination_round_id_honour_round")
        ),
        sa.ForeignKeyConstraint(
            ["sealed_form_upload_id"],
            ["upload.id"],
            name=op.f("fk_nomination_sealed_form_upload_id_upload"),
        ),
        sa.ForeignKeyConstraint(
            ["sector_id"], ["sector.id"], name=op.f("fk_nomination_sector_id_sector")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_nomination")),
    )
    with op.batch_alter_table("nomination", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_nomination_created_by_id"), ["created_by_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_nomination_district_id"), ["district_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_nomination_duplicate_of_id"), ["duplicate_of_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_nomination_merged_into_id"), ["merged_into_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_nomination_person_id"), ["person_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_nomination_region_id"), ["region_id"], unique=False)
        batch_op.create_index("ix_nomination_round_key", ["round_id", "nominee_key"], unique=False)
        batch_op.create_index("ix_nomination_round_stage", ["round_id", "stage"], unique=False)

    op.create_table(
        "background_check",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("nomination_id", sa.Integer(), nullable=False),
        sa.Column(
            "agency",
            sa.Enum(
                "police",
                "discipline",
                "market",
                "tax",
                name="agency",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("sent_on", sa.Date(), nullable=False),
        sa.Column("answered_on", sa.Date(), nullable=True),
        sa.Column(
            "result",
            sa.Enum(
                "clear",
                "concern",
                name="checkresult",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column("notes", sa.String(length=500), nullable=True),
        sa.Column("recorded_by_id", sa.Integer(), nullable=False),
        sa.Column("recorded_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "(answered_on IS NULL AND result IS NULL)"
            " OR (answered_on IS NOT NULL AND result IS NOT NULL)",
            name=op.f("ck_background_check_answered"),
        ),
        sa.CheckConstraint(
            "answered_on IS NULL OR answered_on >= sent_on", name=op.f("ck_background_check_dates")
        ),
        sa.ForeignKeyConstraint(
            ["nomination_id"],
            ["nomination.id"],
            name=op.f("fk_background_check_nomination_id_nomination"),
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"], ["users.id"], name=op.f("fk_background_check_recorded_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_background_check")),
        sa.UniqueConstraint(
            "nomination_id", "agency", name=op.f("uq_background_check_nomination_id_agency")
        ),
    )
    with op.batch_alter_table("background_check", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_background_check_nomination_id"), ["nomination_id"], unique=False
        )

    op.create_table(
        "nomination_conflict",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("nomination_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("declared_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["nomination_id"],
            ["nomination.id"],
            name=op.f("fk_nomination_conflict_nomination_id_nomination"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_nomination_conflict_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_nomination_conflict")),
        sa.UniqueConstraint(
            "nomination_id", "user_id", name=op.f("uq_nomination_conflict_nomination_id_user_id")
        ),
    )
    with op.batch_alter_table("nomination_conflict", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_nomination_conflict_nomination_id"), ["nomination_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_nomination_conflict_user_id"), ["user_id"], unique=False
        )

    op.create_table(
        "nomination_consent",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("nomination_id", sa.Integer(), nullable=False),
        sa.Column("agreed", sa.Boolean(), nullable=False),
        sa.Column(
            "giver",
            sa.Enum(
                "nominee",
                "guardian",
                "relative",
                name="consentgiver",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("giver_name", sa.String(length=64), nullable=True),
        sa.Column("relation", sa.String(length=32), nullable=True),
        sa.Column(
            "method",
            sa.Enum(
                "signed_form",
                "verified_phone",
                name="consentmethod",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("form_upload_id", sa.Integer(), nullable=True),
        sa.Column("phone", sa.String(length=20), nullable=True),
        sa.Column("recorded_by_id", sa.Integer(), nullable=False),
        sa.Column("recorded_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "giver = 'nominee' OR (giver_name IS NOT NULL AND relation IS NOT NULL)",
            name=op.f("ck_nomination_consent_giver_named"),
        ),
        sa.CheckConstraint(
            "method <> 'signed_form' OR form_upload_id IS NOT NULL",
            name=op.f("ck_nomination_consent_form_scanned"),
        ),
        sa.CheckConstraint(
            "method <> 'verified_phone' OR phone IS NOT NULL",
            name=op.f("ck_nomination_consent_phone_given"),
        ),
        sa.ForeignKeyConstraint(
            ["form_upload_id"],
            ["upload.id"],
            name=op.f("fk_nomination_consent_form_upload_id_upload"),
        ),
        sa.ForeignKeyConstraint(
            ["nomination_id"],
            ["nomination.id"],
            name=op.f("fk_nomination_consent_nomination_id_nomination"),
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"],
            ["users.id"],
            name=op.f("fk_nomination_consent_recorded_by_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_nomination_consent")),
    )
    with op.batch_alter_table("nomination_consent", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_nomination_consent_nomination_id"), ["nomination_id"], unique=False
        )

    op.create_table(
        "nomination_file",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("nomination_id", sa.Integer(), nullable=False),
        sa.Column("upload_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "life_photo",
                "evidence",
                name="filekind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("added_by_id", sa.Integer(), nullable=False),
        sa.Column("added_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["added_by_id"], ["users.id"], name=op.f("fk_nomination_file_added_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["nomination_id"],
            ["nomination.id"],
            name=op.f("fk_nomination_file_nomination_id_nomination"),
        ),
        sa.ForeignKeyConstraint(
            ["upload_id"], ["upload.id"], name=op.f("fk_nomination_file_upload_id_upload")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_nomination_file")),
        sa.UniqueConstraint(
            "nomination_id", "upload_id", name=op.f("uq_nomination_file_nomination_id_upload_id")
        ),
    )
    with op.batch_alter_table("nomination_file", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_nomination_file_nomination_id"), ["nomination_id"], unique=False
        )

    op.create_table(
        "nomination_like",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("nomination_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("created_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["nomination_id"],
            ["nomination.id"],
            name=op.f("fk_nomination_like_nomination_id_nomination"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_nomination_like_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_nomination_like")),
        sa.UniqueConstraint(
            "nomination_id",
            "user_id",
            "day",
            name=op.f("uq_nomination_like_nomination_id_user_id_day"),
        ),
    )
    with op.batch_alter_table("nomination_like", schema=None) as batch_op:
        batch_op.create_index("ix_nomination_like_created_at", ["created_at"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_nomination_like_nomination_id"), ["nomination_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_nomination_like_user_id"), ["user_id"], unique=False)

    op.create_table(
        "nomination_step",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("nomination_id", sa.Integer(), nullable=False),
        sa.Column(
            "action",
            sa.Enum(
                "submitted",
                "forwarded",
                "returned",
                "sent_down",
                "rejected",
                "withdrawn",
                "merged",
                "consent_given",
                "consent_declined",
                "panel_closed",
                "notice_opened",
                "objection_upheld",
                "approved",
                name="stepaction",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "from_stage",
            sa.Enum(
                "draft",
                "community",
                "street",
                "district",
                "city",
                "consent",
                "panel",
                "notice",
                "approved",
                "rejected",
                "withdrawn",
                "declined",
                "merged",
                name="from_stage",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "to_stage",
            sa.Enum(
                "draft",
                "community",
                "street",
                "district",
                "city",
                "consent",
                "panel",
                "notice",
                "approved",
                "rejected",
                "withdrawn",
                "declined",
                "merged",
                name="to_stage",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("actor_id", sa.Integer(), nullable=False),
        sa.Column("opinion", sa.Text(), nullable=True),
        sa.Column("checklist", sa.JSON(), nullable=False),
        sa.Column("declared_no_conflict", sa.Boolean(), nullable=False),
        sa.Column("acted_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["users.id"], name=op.f("fk_nomination_step_actor_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["nomination_id"],
            ["nomination.id"],
            name=op.f("fk_nomination_step_nomination_id_nomination"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_nomination_step")),
    )
    with op.batch_alter_table("nomination_step", schema=None) as batch_op:
        batch_op.create_index("ix_nomination_step_acted_at", ["acted_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_nomination_step_actor_id"), ["actor_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_nomination_step_nomination_id"), ["nomination_id"], unique=False
        )

    op.create_table(
        "nominator",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("nomination_id", sa.Integer(), nullable=False),
        sa.Column("from_nomination_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "self",
                "public",
                "unit",
                "media",
                name="nominatorkind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("contact_phone", sa.String(length=20), nullable=True),
        sa.Column("added_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["from_nomination_id"],
            ["nomination.id"],
            name=op.f("fk_nominator_from_nomination_id_nomination"),
        ),
        sa.ForeignKeyConstraint(
            ["nomination_id"], ["nomination.id"], name=op.f("fk_nominator_nomination_id_nomination")
        ),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_nominator_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_nominator")),
    )
    with op.batch_alter_table("nominator", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_nominator_nomination_id"), ["nomination_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_nominator_user_id"), ["user_id"], unique=False)

    op.create_table(
        "objection",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("nomination_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("phone", sa.String(length=20), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("district_id", sa.Integer(), nullable=False),
        sa.Column("filed_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column(
            "outcome",
            sa.Enum(
                "upheld",
                "dismissed",
                name="objectionoutcome",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column("answer", sa.Text(), nullable=True),
        sa.Column("answered_by_id", sa.Integer(), nullable=True),
        sa.Column("answered_at", core.db.UTCDateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "(answered_at IS NULL AND outcome IS NULL AND answered_by_id IS NULL)"
            " OR (answered_at IS NOT NULL AND outcome IS NOT NULL"
            " AND answered_by_id IS NOT NULL)",
            name=op.f("ck_objection_answered"),
        ),
        sa.ForeignKeyConstraint(
            ["answered_by_id"], ["users.id"], name=op.f("fk_objection_answered_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["district_id"], ["district.id"], name=op.f("fk_objection_district_id_district")
        ),
        sa.ForeignKeyConstraint(
            ["nomination_id"], ["nomination.id"], name=op.f("fk_objection_nomination_id_nomination")
        ),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_objection_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_objection")),
    )
    with op.batch_alter_table("objection", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_objection_district_id"), ["district_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_objection_nomination_id"), ["nomination_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_objection_user_id"), ["user_id"], unique=False)

    op.create_table(
        "panel_tally",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("nomination_id", sa.Integer(), nullable=False),
        sa.Column("votes_for", sa.Integer(), nullable=False),
        sa.Column("votes_against", sa.Integer(), nullable=False),
        sa.Column("abstentions", sa.Integer(), nullable=False),
        sa.Column("mean_score", sa.Double(), nullable=True),
        sa.Column("excluded_user_ids", sa.JSON(), nullable=False),
        sa.Column("closed_by_id", sa.Integer(), nullable=False),
        sa.Column("closed_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["closed_by_id"], ["users.id"], name=op.f("fk_panel_tally_closed_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["nomination_id"],
            ["nomination.id"],
            name=op.f("fk_panel_tally_nomination_id_nomination"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_panel_tally")),
        sa.UniqueConstraint("nomination_id", name=op.f("uq_panel_tally_nomination_id")),
    )
    op.create_table(
        "panel_vote",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("nomination_id", sa.Integer(), nullable=False),
        sa.Column("reviewer_id", sa.Integer(), nullable=False),
        sa.Column(
            "vote",
            sa.Enum(
                "approve",
                "reject",
                "abstain",
                name="vote",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("score", sa.Integer(), nullable=True),
        sa.Column("comment", sa.String(length=500), nullable=True),
        sa.Column("voted_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "score IS NULL OR score BETWEEN 0 AND 100", name=op.f("ck_panel_vote_score")
        ),
        sa.ForeignKeyConstraint(
            ["nomination_id"],
            ["nomination.id"],
            name=op.f("fk_panel_vote_nomination_id_nomination"),
        ),
        sa.ForeignKeyConstraint(
            ["reviewer_id"], ["users.id"], name=op.f("fk_panel_vote_reviewer_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_panel_vote")),
        sa.UniqueConstraint(
            "nomination_id", "reviewer_id", name=op.f("uq_panel_vote_nomination_id_reviewer_id")
        ),
    )
    with op.batch_alter_table("panel_vote", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_panel_vote_nomination_id"), ["nomination_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_panel_vote_reviewer_id"), ["reviewer_id"], unique=False
        )

    with op.batch_alter_table("honour", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_honour_round_id"), ["round_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_honour_round_id_honour_round"), "honour_round", ["round_id"], ["id"]
        )


def downgrade():
    with op.batch_alter_table("honour", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_honour_round_id_honour_round"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_honour_round_id"))

    with op.batch_alter_table("panel_vote", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_panel_vote_reviewer_id"))
        batch_op.drop_index(batch_op.f("ix_panel_vote_nomination_id"))

    op.drop_table("panel_vote")
    op.drop_table("panel_tally")
    with op.batch_alter_table("objection", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_objection_user_id"))
        batch_op.drop_index(batch_op.f("ix_objection_nomination_id"))
        batch_op.drop_index(batch_op.f("ix_objection_district_id"))

    op.drop_table("objection")
    with op.batch_alter_table("nominator", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_nominator_user_id"))
        batch_op.drop_index(batch_op.f("ix_nominator_nomination_id"))

    op.drop_table("nominator")
    with op.batch_alter_table("nomination_step", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_nomination_step_nomination_id"))
        batch_op.drop_index(batch_op.f("ix_nomination_step_actor_id"))
        batch_op.drop_index("ix_nomination_step_acted_at")

    op.drop_table("nomination_step")
    with op.batch_alter_table("nomination_like", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_nomination_like_user_id"))
        batch_op.drop_index(batch_op.f("ix_nomination_like_nomination_id"))
        batch_op.drop_index("ix_nomination_like_created_at")

    op.drop_table("nomination_like")
    with op.batch_alter_table("nomination_file", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_nomination_file_nomination_id"))

    op.drop_table("nomination_file")
    with op.batch_alter_table("nomination_consent", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_nomination_consent_nomination_id"))

    op.drop_table("nomination_consent")
    with op.batch_alter_table("nomination_conflict", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_nomination_conflict_user_id"))
        batch_op.drop_index(batch_op.f("ix_nomination_conflict_nomination_id"))

    op.drop_table("nomination_conflict")
    with op.batch_alter_table("background_check", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_background_check_nomination_id"))

    op.drop_table("background_check")
    with op.batch_alter_table("nomination", schema=None) as batch_op:
        batch_op.drop_index("ix_nomination_round_stage")
        batch_op.drop_index("ix_nomination_round_key")
        batch_op.drop_index(batch_op.f("ix_nomination_region_id"))
        batch_op.drop_index(batch_op.f("ix_nomination_person_id"))
        batch_op.drop_index(batch_op.f("ix_nomination_merged_into_id"))
        batch_op.drop_index(batch_op.f("ix_nomination_duplicate_of_id"))
        batch_op.drop_index(batch_op.f("ix_nomination_district_id"))
        batch_op.drop_index(batch_op.f("ix_nomination_created_by_id"))

    op.drop_table("nomination")
    with op.batch_alter_table("round_panel_member", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_round_panel_member_user_id"))
        batch_op.drop_index(batch_op.f("ix_round_panel_member_round_id"))

    op.drop_table("round_panel_member")
    op.drop_table("round_notice")
    op.drop_table("round_decision")
