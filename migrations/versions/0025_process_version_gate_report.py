"""process versions keep the deploy gate's report (verdict, warnings, coverage)

Versions deployed before the gate have none.

Revision ID: 0025_gate
Revises: 0024_case_clock_state
"""
import sqlalchemy as sa
from alembic import op

revision = "0025_gate"
down_revision = "0024_case_clock_state"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("process_version") as batch:
        batch.add_column(sa.Column("gate_report", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("process_version") as batch:
        batch.drop_column("gate_report")
