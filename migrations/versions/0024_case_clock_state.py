"""case clock state: the clocks' fold over the case events taken in so far

The next save feeds it only the events recorded since (services.clock_fold);
an empty value is rebuilt from all of the case's events.

Revision ID: 0024_case_clock_state
Revises: 0023_throttle_counter
"""
import sqlalchemy as sa
from alembic import op

revision = "0024_case_clock_state"
down_revision = "0023_throttle_counter"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("case") as batch:
        batch.add_column(sa.Column("clock_state", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("case") as batch:
        batch.drop_column("clock_state")
