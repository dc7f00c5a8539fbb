"""timers whose step failed are marked, so they wait for their incident instead of firing every poll

Revision ID: 0007_timer_failed
Revises: 0006_groups
"""
import sqlalchemy as sa
from alembic import op

import app.models.base

revision = "0007_timer_failed"
down_revision = "0006_groups"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("timer", schema=None) as batch_op:
        batch_op.add_column(sa.Column("failed_at", app.models.base.UTCDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("timer", schema=None) as batch_op:
        batch_op.drop_column("failed_at")
