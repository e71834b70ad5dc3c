"""consent: the consent register, and check-ins that keep the fence check, not the position

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06 09:00:00

- `consent` records each consent to the privacy notice and to the location check, with the
  version of the text and the time, and when it was withdrawn. Existing users have none: they
  are asked for it the next time they sign in (the pages and the API refuse to go on until
  they agree), so nothing is filled in here.
- `check_in.inside_fence` and `check_in.distance_m` keep what the location check found (inside
  the activity's circle or not, and how far from its centre, in whole metres); both are null
  where no check was made (no fence, a leader's check-in). The existing rows get them from the
  stored position and the activity's centre and radius (haversine, the same formula as the
  check-in service), BATCH rows a statement, in Python: SQLite has no trigonometry in SQL.
- Then the check-in's `latitude` and `longitude` are dropped: a volunteer's position is
  personal information the platform no longer needs once the check is made (the activity's
  own position stays).

Unlike the other revisions this one cannot serve two releases at once: the release before
writes the check-in's position into columns this one drops, and this release reads columns
the one before lacks. Check-ins fail on the servers of the other release while it rolls out,
so apply it with the app servers stopped, or between shifts when no one checks in. Downgrading
brings the columns back empty: the positions are gone for good.
"""

import math

import sqlalchemy as sa
from alembic import op

import core.db

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

BATCH = 2_000
EARTH_RADIUS_M = 6_371_000
# Both results or neither, as the model says.
FENCE_CHECK = (
    "(inside_fence IS NULL AND distance_m IS NULL)"
    " OR (inside_fence IS NOT NULL AND distance_m >= 0)"
)


def _distance_m(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """Great-circle distance in metres; a copy of events.services.check_ins.distance_m, so that
    this revision keeps computing what it did when that code changes."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(a))


def _backfill_fence_check() -> None:
    """Fill inside_fence and distance_m of the check-ins that stored a position at an activity
    that has a fence, BATCH rows at a time in id order."""
    bind = op.get_bind()
    batch = sa.text(
        "SELECT c.id, c.latitude, c.longitude, a.latitude, a.longitude, a.checkin_radius_m "
        "FROM check_in c JOIN shift s ON s.id = c.shift_id JOIN activity a ON a.id = s.activity_id "
        "WHERE c.id > :after AND c.latitude IS NOT NULL AND c.longitude IS NOT NULL "
        "AND a.latitude IS NOT NULL AND a.longitude IS NOT NULL "
        "AND a.checkin_radius_m IS NOT NULL "
        "ORDER BY c.id LIMIT :size"
    )
    update = sa.text(
        "UPDATE check_in SET inside_fence = :inside, distance_m = :distance WHERE id = :id"
    )
    after = 0
    while rows := bind.execute(batch, {"after": after, "size": BATCH}).all():
        changes = []
        for row_id, lat, lng, centre_lat, centre_lng, radius in rows:
            away = _distance_m(lat, lng, centre_lat, centre_lng)
            changes.append({"id": row_id, "inside": away <= radius, "distance": round(away)})
        bind.execute(update, changes)
        after = rows[-1][0]


def upgrade():
    op.create_table(
        "consent",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "privacy_notice",
                "location",
                name="consentkind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("version", sa.String(length=16), nullable=False),
        sa.Column("given_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("withdrawn_at", core.db.UTCDateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "withdrawn_at IS NULL OR withdrawn_at >= given_at", name=op.f("ck_consent_order")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_consent_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consent")),
    )
    op.create_index("ix_consent_user_kind", "consent", ["user_id", "kind", "given_at"])

    with op.batch_alter_table("check_in", schema=None) as batch_op:
        batch_op.add_column(sa.Column("inside_fence", sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column("distance_m", sa.Integer(), nullable=True))
    _backfill_fence_check()
    with op.batch_alter_table("check_in", schema=None) as batch_op:
        batch_op.drop_column("latitude")
        batch_op.drop_column("longitude")
        batch_op.create_check_constraint(op.f("ck_check_in_fence_check"), FENCE_CHECK)


def downgrade():
    with op.batch_alter_table("check_in", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_check_in_fence_check"), type_="check")
        batch_op.add_column(sa.Column("latitude", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("longitude", sa.Float(), nullable=True))
        batch_op.drop_column("distance_m")
        batch_op.drop_column("inside_fence")
    op.drop_index("ix_consent_user_kind", table_name="consent")
    op.drop_table("consent")
