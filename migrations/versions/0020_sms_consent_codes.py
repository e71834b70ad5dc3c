"""sms consent codes: an SMS code may prove the phone of one answering for a nominee (consent to
publishing a nomination)

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-06 10:00:00

The CHECK constraint on sms_code.purpose is widened by one value; servers still running the
previous release write only the old ones. On PostgreSQL the constraint is dropped and added in
place; on SQLite the table is rebuilt with the CHECK the new column type carries.
"""

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None

OLD = ("sign_in", "register", "reset_password")
NEW = (*OLD, "consent")


def _enum(values) -> sa.Enum:
    return sa.Enum(*values, name="smspurpose", native_enum=False, create_constraint=True, length=32)


def _set(values, before) -> None:
    if op.get_context().dialect.name == "postgresql":
        # op.f: the name is complete already, not one for the naming convention to build on.
        constraint = op.f("ck_sms_code_smspurpose")
        op.drop_constraint(constraint, "sms_code", type_="check")
        listed = ", ".join(f"'{value}'" for value in values)
        op.create_check_constraint(constraint, "sms_code", f"purpose IN ({listed})")
        return
    with op.batch_alter_table("sms_code", recreate="always") as batch:
        batch.alter_column(
            "purpose", existing_type=_enum(before), type_=_enum(values), existing_nullable=False
        )


def upgrade():
    _set(NEW, OLD)


def downgrade():
    # The older schema cannot hold these codes; they live minutes and are safe to drop.
    op.execute(sa.text("DELETE FROM sms_code WHERE purpose = 'consent'"))
    _set(OLD, NEW)
