"""points lots (积分批次) and their draws; the expiry policy; the expired-points account and
charity pools; the warning that points expire soon

Revision ID: 0030
Revises: 0029
Create Date: 2026-12-04 02:40:00

New tables points_lot, points_lot_draw and points_expiry_policy. points_account gains team_id
(a team's charity pool), its kind's CHECK the kinds `expired` and `charity_pool`, and its
no-overdraft CHECK the pools; ledger_entry's kind and cause CHECKs gain the gift, the pool's
award and expiry; the notification kind gains `points_expiring`. Servers still running the
previous release write none of these, but they post entries without lots: deploy this release
to every server before switching a policy on.

Each volunteer account with a balance gets one opening lot of its whole balance, dated the day
of its latest entry in, so that its lots add up to its balance. No policy row is written: with
none, points never expire.
"""

import sqlalchemy as sa
from alembic import op

import core.db

revision = "0030"
down_revision = "0029"
branch_labels = None
depends_on = None

OLD_ACCOUNT_KINDS = ("volunteer", "merchant", "issuance", "adjustment")
NEW_ACCOUNT_KINDS = (*OLD_ACCOUNT_KINDS, "expired", "charity_pool")
OLD_ENTRY_KINDS = ("earn", "redeem", "reverse", "adjust")
NEW_ENTRY_KINDS = (*OLD_ENTRY_KINDS, "gift", "award", "expire")
OLD_CAUSE_KINDS = ("attendance", "redemption", "adjustment")
NEW_CAUSE_KINDS = (*OLD_CAUSE_KINDS, "gift", "donation", "pool_award", "expiry")
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
    "breach_case_overdue",
    "breach_statement_ended",
    "application_step",
)
NEW_NOTIFICATION_KINDS = (*OLD_NOTIFICATION_KINDS, "points_expiring")
NOTIFICATION_TABLES = ("notification", "notification_preference")

OLD_SYSTEM = "owner_id IS NULL AND merchant_id IS NULL"
NEW_SYSTEM = "owner_id IS NULL AND merchant_id IS NULL AND team_id IS NULL"
OLD_OVERDRAFT = "kind != 'volunteer' OR balance >= 0"
NEW_OVERDRAFT = "kind NOT IN ('volunteer', 'charity_pool') OR balance >= 0"


def _enum(values, name: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=32)


def _listed(values) -> str:
    return ", ".join(f"'{value}'" for value in values)


def _set_enum(table: str, column: str, name: str, values, before) -> None:
    """Set the CHECK of an enum column (named as core.db.enum_column names it)."""
    if op.get_context().dialect.name == "postgresql":
        constraint = op.f(f"ck_{table}_{name}")
        op.drop_constraint(constraint, table, type_="check")
        op.create_check_constraint(constraint, table, f"{column} IN ({_listed(values)})")
        return
    with op.batch_alter_table(table, recreate="always") as batch:
        batch.alter_column(
            column,
            existing_type=_enum(before, name),
            type_=_enum(values, name),
            existing_nullable=False,
        )


def _points_account(*, new: bool) -> None:
    system, overdraft = (NEW_SYSTEM, NEW_OVERDRAFT) if new else (OLD_SYSTEM, OLD_OVERDRAFT)
    with op.batch_alter_table("points_account", recreate="auto") as batch:
        batch.drop_index("uq_points_account_system")
        batch.drop_constraint(batch.f("ck_points_account_no_overdraft"), type_="check")
        if new:
            batch.add_column(sa.Column("team_id", sa.Integer(), nullable=True))
            batch.create_foreign_key(
                batch.f("fk_points_account_team_id_team"), "team", ["team_id"], ["id"]
            )
            batch.create_unique_constraint(
                batch.f("uq_points_account_kind_team_id"), ["kind", "team_id"]
            )
        else:
            batch.drop_constraint(batch.f("uq_points_account_kind_team_id"), type_="unique")
            batch.drop_constraint(batch.f("fk_points_account_team_id_team"), type_="foreignkey")
            batch.drop_column("team_id")
    with op.batch_alter_table("points_account", recreate="auto") as batch:
        batch.create_check_constraint(batch.f("ck_points_account_no_overdraft"), overdraft)
        batch.create_index(
            "uq_points_account_system",
            ["kind"],
            unique=True,
            sqlite_where=sa.text(system),
            postgresql_where=sa.text(system),
        )


def _opening_lots() -> None:
    """One lot per volunteer account with a balance: its whole balance, dated the day of the
    latest entry into it (its row says which entry that was)."""
    conn = op.get_bind()
    latest = sa.text(
        "SELECT a.id, a.balance, e.id, e.created_at FROM points_account a "
        "JOIN ledger_entry e ON e.id = ("
        "  SELECT max(i.id) FROM ledger_entry i WHERE i.to_account_id = a.id) "
        "WHERE a.kind = 'volunteer' AND a.balance > 0"
    ).columns(
        sa.column("account_id", sa.Integer()),
        sa.column("balance", sa.Integer()),
        sa.column("entry_id", sa.Integer()),
        sa.column("created_at", core.db.UTCDateTime()),
    )
    rows = conn.execute(latest).all()
    if not rows:
        return
    lots = sa.table(
        "points_lot",
        sa.column("account_id"),
        sa.column("entry_id"),
        sa.column("amount"),
        sa.column("remaining"),
        sa.column("earned_on", sa.Date()),
    )
    conn.execute(
        sa.insert(lots),
        [
            {
                "account_id": account_id,
                "entry_id": entry_id,
                "amount": balance,
                "remaining": balance,
                "earned_on": created_at.date(),
            }
            for account_id, balance, entry_id, created_at in rows
        ],
    )


def upgrade():
    _points_account(new=True)
    _set_enum("points_account", "kind", "accountkind", NEW_ACCOUNT_KINDS, OLD_ACCOUNT_KINDS)
    _set_enum("ledger_entry", "kind", "entrykind", NEW_ENTRY_KINDS, OLD_ENTRY_KINDS)
    _set_enum("ledger_entry", "cause_kind", "causekind", NEW_CAUSE_KINDS, OLD_CAUSE_KINDS)
    for table in NOTIFICATION_TABLES:
        _set_enum(table, "kind", "notificationkind", NEW_NOTIFICATION_KINDS, OLD_NOTIFICATION_KINDS)
    op.create_table(
        "points_lot",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("amount", sa.Integer(), nullable=False),
        sa.Column("remaining", sa.Integer(), nullable=False),
        sa.Column("earned_on", sa.Date(), nullable=False),
        sa.CheckConstraint("amount > 0", name=op.f("ck_points_lot_amount")),
        sa.CheckConstraint(
            "remaining >= 0 AND remaining <= amount", name=op.f("ck_points_lot_remaining")
        ),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["points_account.id"],
            name=op.f("fk_points_lot_account_id_points_account"),
        ),
        sa.ForeignKeyConstraint(
            ["entry_id"], ["ledger_entry.id"], name=op.f("fk_points_lot_entry_id_ledger_entry")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_points_lot")),
    )
    with op.batch_alter_table("points_lot") as batch:
        batch.create_index(batch.f("ix_points_lot_entry_id"), ["entry_id"], unique=False)
        batch.create_index(
            "ix_points_lot_open",
            ["account_id", "earned_on", "id"],
            unique=False,
            sqlite_where=sa.text("remaining > 0"),
            postgresql_where=sa.text("remaining > 0"),
        )
        batch.create_index(
            "ix_points_lot_open_by_day",
            ["earned_on"],
            unique=False,
            sqlite_where=sa.text("remaining > 0"),
            postgresql_where=sa.text("remaining > 0"),
        )
    op.create_table(
        "points_lot_draw",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("lot_id", sa.Integer(), nullable=False),
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("amount", sa.Integer(), nullable=False),
        sa.CheckConstraint("amount != 0", name=op.f("ck_points_lot_draw_amount")),
        sa.ForeignKeyConstraint(
            ["entry_id"],
            ["ledger_entry.id"],
            name=op.f("fk_points_lot_draw_entry_id_ledger_entry"),
        ),
        sa.ForeignKeyConstraint(
            ["lot_id"], ["points_lot.id"], name=op.f("fk_points_lot_draw_lot_id_points_lot")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_points_lot_draw")),
    )
    with op.batch_alter_table("points_lot_draw") as batch:
        batch.create_index(batch.f("ix_points_lot_draw_entry_id"), ["entry_id"], unique=False)
        batch.create_index(batch.f("ix_points_lot_draw_lot_id"), ["lot_id"], unique=False)
    op.create_table(
        "points_expiry_policy",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "rule", _enum(("never", "months", "following_year_end"), "expiryrule"), nullable=False
        ),
        sa.Column("months", sa.Integer(), nullable=True),
        sa.Column("since", sa.Date(), nullable=False),
        sa.Column("set_by_id", sa.Integer(), nullable=True),
        sa.Column("set_at", core.db.UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "(rule = 'months') = (months IS NOT NULL)",
            name=op.f("ck_points_expiry_policy_months_only_for_months_rule"),
        ),
        sa.CheckConstraint(
            "months IS NULL OR (months >= 1 AND months <= 120)",
            name=op.f("ck_points_expiry_policy_months"),
        ),
        sa.ForeignKeyConstraint(
            ["set_by_id"], ["users.id"], name=op.f("fk_points_expiry_policy_set_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_points_expiry_policy")),
    )
    _opening_lots()


def downgrade():
    # The older schema has no lots and no policy; the entries they follow stay in the ledger.
    # Entries of the new kinds cannot be kept by it: the release before this one never posts
    # them, so a downgrade is refused while any exists rather than losing a movement.
    conn = op.get_bind()
    new_entries = conn.execute(
        sa.text("SELECT count(*) FROM ledger_entry WHERE kind IN ('gift', 'award', 'expire')")
    ).scalar()
    if new_entries:
        raise RuntimeError(
            f"{new_entries} ledger entries are gifts, awards or expiries; the release before "
            "0030 cannot hold them"
        )
    op.drop_table("points_expiry_policy")
    with op.batch_alter_table("points_lot_draw") as batch:
        batch.drop_index(batch.f("ix_points_lot_draw_lot_id"))
        batch.drop_index(batch.f("ix_points_lot_draw_entry_id"))
    op.drop_table("points_lot_draw")
    with op.batch_alter_table("points_lot") as batch:
        batch.drop_index("ix_points_lot_open_by_day")
        batch.drop_index("ix_points_lot_open")
        batch.drop_index(batch.f("ix_points_lot_entry_id"))
    op.drop_table("points_lot")
    op.execute(sa.text("DELETE FROM notification WHERE kind = 'points_expiring'"))
    op.execute(sa.text("DELETE FROM notification_preference WHERE kind = 'points_expiring'"))
    for table in NOTIFICATION_TABLES:
        _set_enum(table, "kind", "notificationkind", OLD_NOTIFICATION_KINDS, NEW_NOTIFICATION_KINDS)
    _set_enum("ledger_entry", "cause_kind", "causekind", OLD_CAUSE_KINDS, NEW_CAUSE_KINDS)
    _set_enum("ledger_entry", "kind", "entrykind", OLD_ENTRY_KINDS, NEW_ENTRY_KINDS)
    op.execute(sa.text("DELETE FROM points_account WHERE kind IN ('expired', 'charity_pool')"))
    _set_enum("points_account", "kind", "accountkind", OLD_ACCOUNT_KINDS, NEW_ACCOUNT_KINDS)
    _points_account(new=False)
