"""any process can be started: the building-permit fields are no rule of the case

A case of a process whose start form has no applicant, property or measure
fields keeps those columns empty. Process properties (who may start, portal,
reference prefix, title, list columns, rule set) live in
``process_version.properties`` beside the lanes; versions deployed before are
read from their diagram when needed.

Revision ID: 0011_any_process
Revises: 0010_notices
"""
import sqlalchemy as sa
from alembic import op

revision = "0011_any_process"
down_revision = "0010_notices"
branch_labels = None
depends_on = None

COLUMNS = [("applicant_name", sa.String(length=200)), ("applicant_email", sa.String(length=254)),
           ("property_designation", sa.String(length=200)), ("measure", sa.String(length=40))]


def upgrade() -> None:
    with op.batch_alter_table("case", schema=None) as batch_op:
        for name, kind in COLUMNS:
            batch_op.alter_column(name, existing_type=kind, nullable=True)


def downgrade() -> None:
    for name, _kind in COLUMNS:
        op.execute(sa.text(f"UPDATE \"case\" SET {name} = '' WHERE {name} IS NULL"))
    with op.batch_alter_table("case", schema=None) as batch_op:
        for name, kind in COLUMNS:
            batch_op.alter_column(name, existing_type=kind, nullable=False)
