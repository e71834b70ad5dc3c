"""honour certificates: the register of issued documents takes the honour certificate (荣誉证书)
and documents about a person of the register of good people

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-06 09:00:00

The CHECK constraints on the document kind (issued_document, document_sequence) and on the
subject kind (issued_document) are widened by one value each; servers still running the
previous release write only the old ones. On PostgreSQL the constraints are dropped and added
in place; on SQLite the tables are rebuilt with the CHECK the new column types carry.
"""

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None

OLD_KINDS = ("service_certificate",)
NEW_KINDS = (*OLD_KINDS, "honour_certificate")
OLD_SUBJECTS = ("user",)
NEW_SUBJECTS = (*OLD_SUBJECTS, "person")
# (table, column, the enum's constraint name)
COLUMNS = (
    ("document_sequence", "kind", "documentkind"),
    ("issued_document", "kind", "documentkind"),
    ("issued_document", "subject_kind", "subjectkind"),
)


def _values(name: str, *, new: bool) -> tuple[str, ...]:
    if name == "documentkind":
        return NEW_KINDS if new else OLD_KINDS
    return NEW_SUBJECTS if new else OLD_SUBJECTS


def _enum(values, name: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=32)


def _check(column: str, values) -> str:
    listed = ", ".join(f"'{value}'" for value in values)
    return f"{column} IN ({listed})"


def _set(*, new: bool) -> None:
    if op.get_context().dialect.name == "postgresql":
        for table, column, name in COLUMNS:
            # op.f: the name is complete already, not one for the naming convention to build on.
            constraint = op.f(f"ck_{table}_{name}")
            op.drop_constraint(constraint, table, type_="check")
            op.create_check_constraint(constraint, table, _check(column, _values(name, new=new)))
        return
    for table in ("document_sequence", "issued_document"):
        with op.batch_alter_table(table, recreate="always") as batch:
            for owner, column, name in COLUMNS:
                if owner != table:
                    continue
                batch.alter_column(
                    column,
                    existing_type=_enum(_values(name, new=not new), name),
                    type_=_enum(_values(name, new=new), name),
                    existing_nullable=False,
                )


def upgrade():
    _set(new=True)


def downgrade():
    # The older schema cannot hold these documents; a downgrade is for development only.
    op.execute(sa.text("DELETE FROM issued_document WHERE kind = 'honour_certificate'"))
    op.execute(sa.text("DELETE FROM document_sequence WHERE kind = 'honour_certificate'"))
    _set(new=False)
