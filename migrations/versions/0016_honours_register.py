"""honours register: persons, honour types, honours, their revisions and the whole-view log

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07 09:00:00

New tables only, so servers still running the previous release are unaffected: they neither
read nor write them. The city's standard honour types are written here (a copy of
honours.services.types.STANDARD_TYPES as it stood, so this revision keeps writing what it did
when that list grows); the office's register needs them from the first day.
"""

import sqlalchemy as sa
from alembic import op

import core.db

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

# (code, name, English name, level, holder, gives a courtesy card)
STANDARD_TYPES = [
    ("moral_model_national", "全国道德模范", "National moral model", "national", "person", True),
    ("good_person_china", "中国好人", "Good Person of China", "national", "person", True),
    ("moral_model_hebei", "河北省道德模范", "Hebei moral model", "provincial", "person", True),
    ("good_person_hebei", "河北好人", "Good Person of Hebei", "provincial", "person", True),
    ("moral_model_city", "秦皇岛市道德模范", "Qinhuangdao moral model", "city", "person", True),
    ("good_person_city", "秦皇岛好人", "Good Person of Qinhuangdao", "city", "person", True),
    ("youth_new_era", "新时代好少年", "Good Youth of the New Era", "city", "person", False),
    (
        "outstanding_volunteer",
        "优秀志愿者",
        "Outstanding volunteer",
        "city",
        "person",
        False,
    ),
    (
        "outstanding_team",
        "优秀志愿服务团队",
        "Outstanding volunteer service team",
        "city",
        "team",
        False,
    ),
    ("good_person_county", "县区好人", "Good Person of the district", "county", "person", False),
]


def _enum(name, *values):
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=32)


def _revision_table(name, subject):
    op.create_table(
        name,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(f"{subject}_id", sa.Integer(), nullable=False),
        sa.Column(
            "action",
            _enum(
                "revisionaction", "created", "corrected", "consent", "merged", "absorbed", "moved"
            ),
            nullable=False,
        ),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=True),
        sa.Column("actor_id", sa.Integer(), nullable=False),
        sa.Column("created_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["actor_id"], ["users.id"], name=op.f(f"fk_{name}_actor_id_users")),
        sa.ForeignKeyConstraint(
            [f"{subject}_id"], [f"{subject}.id"], name=op.f(f"fk_{name}_{subject}_id_{subject}")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{name}")),
    )
    with op.batch_alter_table(name, schema=None) as batch_op:
        batch_op.create_index(batch_op.f(f"ix_{name}_{subject}_id"), [f"{subject}_id"])


def upgrade():
    honour_type = op.create_table(
        "honour_type",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("name_en", sa.String(length=64), nullable=False),
        sa.Column(
            "level",
            _enum("honourlevel", "national", "provincial", "city", "county"),
            nullable=False,
        ),
        sa.Column("holder", _enum("holderkind", "person", "team"), nullable=False),
        sa.Column("has_courtesy_card", sa.Boolean(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_honour_type")),
        sa.UniqueConstraint("code", name=op.f("uq_honour_type_code")),
    )
    op.create_table(
        "person",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("gender", _enum("gender", "male", "female"), nullable=True),
        sa.Column("birth_date", sa.Date(), nullable=True),
        sa.Column("phone", sa.String(length=20), nullable=True),
        sa.Column("id_number", sa.String(length=18), nullable=True),
        sa.Column("region_id", sa.Integer(), nullable=False),
        sa.Column("district_id", sa.Integer(), nullable=False),
        sa.Column("address", sa.String(length=200), nullable=True),
        sa.Column(
            "status", _enum("personstatus", "active", "deceased", "moved_away"), nullable=False
        ),
        sa.Column("died_on", sa.Date(), nullable=True),
        sa.Column("guardian_name", sa.String(length=64), nullable=True),
        sa.Column("guardian_relation", sa.String(length=32), nullable=True),
        sa.Column("guardian_phone", sa.String(length=20), nullable=True),
        sa.Column("hardship_notes", sa.Text(), nullable=True),
        sa.Column("has_publication_consent", sa.Boolean(), nullable=False),
        sa.Column("consent_recorded_at", core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("consent_recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("story", sa.Text(), nullable=True),
        sa.Column("photo_upload_id", sa.Integer(), nullable=True),
        sa.Column("merged_into_id", sa.Integer(), nullable=True),
        sa.Column("merged_at", core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("updated_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "(status = 'deceased' AND died_on IS NOT NULL)"
            " OR (status <> 'deceased' AND died_on IS NULL)",
            name=op.f("ck_person_died_on"),
        ),
        sa.CheckConstraint(
            "(merged_into_id IS NULL AND merged_at IS NULL)"
            " OR (merged_into_id IS NOT NULL AND merged_at IS NOT NULL)",
            name=op.f("ck_person_merged"),
        ),
        sa.ForeignKeyConstraint(
            ["consent_recorded_by_id"],
            ["users.id"],
            name=op.f("fk_person_consent_recorded_by_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_person_created_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["district_id"], ["district.id"], name=op.f("fk_person_district_id_district")
        ),
        sa.ForeignKeyConstraint(
            ["merged_into_id"], ["person.id"], name=op.f("fk_person_merged_into_id_person")
        ),
        sa.ForeignKeyConstraint(
            ["photo_upload_id"], ["upload.id"], name=op.f("fk_person_photo_upload_id_upload")
        ),
        sa.ForeignKeyConstraint(
            ["region_id"], ["region.id"], name=op.f("fk_person_region_id_region")
        ),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_person_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_person")),
    )
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_person_district_id"), ["district_id"])
        batch_op.create_index(batch_op.f("ix_person_region_id"), ["region_id"])
        batch_op.create_index(batch_op.f("ix_person_merged_into_id"), ["merged_into_id"])
        batch_op.create_index("ix_person_name_birth", ["name", "birth_date"])
        batch_op.create_index(
            "uq_person_id_number",
            ["id_number"],
            unique=True,
            sqlite_where=sa.text("merged_into_id IS NULL AND id_number IS NOT NULL"),
            postgresql_where=sa.text("merged_into_id IS NULL AND id_number IS NOT NULL"),
        )
        batch_op.create_index(
            "uq_person_user_id",
            ["user_id"],
            unique=True,
            sqlite_where=sa.text("merged_into_id IS NULL AND user_id IS NOT NULL"),
            postgresql_where=sa.text("merged_into_id IS NULL AND user_id IS NOT NULL"),
        )
    op.create_table(
        "honour",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("team_id", sa.Integer(), nullable=True),
        sa.Column("honour_type_id", sa.Integer(), nullable=False),
        sa.Column(
            "category",
            _enum(
                "honourcategory",
                "helping_others",
                "bravery",
                "honesty",
                "dedication",
                "filial_piety",
            ),
            nullable=True,
        ),
        sa.Column("awarded_on", sa.Date(), nullable=False),
        sa.Column("certificate_number", sa.String(length=40), nullable=True),
        sa.Column("decision_number", sa.String(length=60), nullable=True),
        sa.Column("source", _enum("honoursource", "round", "external", "archive"), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=True),
        sa.Column("source_name", sa.String(length=120), nullable=True),
        sa.Column("source_url", sa.String(length=300), nullable=True),
        sa.Column("revoked_at", core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "(person_id IS NULL) <> (team_id IS NULL)", name=op.f("ck_honour_holder")
        ),
        sa.CheckConstraint(
            "source <> 'external' OR source_url IS NOT NULL", name=op.f("ck_honour_external_link")
        ),
        sa.CheckConstraint(
            "source <> 'round' OR round_id IS NOT NULL", name=op.f("ck_honour_round")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_honour_created_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["honour_type_id"],
            ["honour_type.id"],
            name=op.f("fk_honour_honour_type_id_honour_type"),
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_honour_person_id_person")
        ),
        sa.ForeignKeyConstraint(["team_id"], ["team.id"], name=op.f("fk_honour_team_id_team")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_honour")),
    )
    with op.batch_alter_table("honour", schema=None) as batch_op:
        batch_op.create_index("ix_honour_awarded_on", ["awarded_on"])
        batch_op.create_index(batch_op.f("ix_honour_honour_type_id"), ["honour_type_id"])
        batch_op.create_index(batch_op.f("ix_honour_person_id"), ["person_id"])
        batch_op.create_index(batch_op.f("ix_honour_team_id"), ["team_id"])
    _revision_table("person_revision", "person")
    _revision_table("honour_revision", "honour")
    op.create_table(
        "sensitive_view",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("viewer_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("fields", sa.String(length=100), nullable=False),
        sa.Column("channel", _enum("viewchannel", "page", "api", "export"), nullable=False),
        sa.Column("place", sa.String(length=100), nullable=False),
        sa.Column("viewed_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_sensitive_view_person_id_person")
        ),
        sa.ForeignKeyConstraint(
            ["viewer_id"], ["users.id"], name=op.f("fk_sensitive_view_viewer_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sensitive_view")),
    )
    with op.batch_alter_table("sensitive_view", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sensitive_view_person_id"), ["person_id"])
        batch_op.create_index(batch_op.f("ix_sensitive_view_viewer_id"), ["viewer_id"])
        batch_op.create_index("ix_sensitive_view_viewed_at", ["viewed_at"])
    op.bulk_insert(
        honour_type,
        [
            {
                "code": code,
                "name": name,
                "name_en": name_en,
                "level": level,
                "holder": holder,
                "has_courtesy_card": card,
                "position": position,
            }
            for position, (code, name, name_en, level, holder, card) in enumerate(STANDARD_TYPES)
        ],
    )


def downgrade():
    op.drop_table("sensitive_view")
    op.drop_table("honour_revision")
    op.drop_table("person_revision")
    op.drop_table("honour")
    op.drop_table("person")
    op.drop_table("honour_type")
