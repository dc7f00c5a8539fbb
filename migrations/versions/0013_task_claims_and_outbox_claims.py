"""task claims and outbox claims: when a task was taken; which sender holds an outbox row

``human_task.claimed_at`` is set when the assignee takes the task and cleared
with the assignee, so wait and work times can be measured. ``outbox_message``
rows are claimed by one sender at a time (``claimed_by``, ``claimed_at``); a
claim older than the claim timeout is given up.

Revision ID: 0013_claims
Revises: 0012_hearing_parties
"""
import sqlalchemy as sa
from alembic import op

import app.models.base

revision = "0013_claims"
down_revision = "0012_hearing_parties"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("human_task") as batch:
        batch.add_column(sa.Column("claimed_at", app.models.base.UTCDateTime(timezone=True), nullable=True))
    with op.batch_alter_table("outbox_message") as batch:
        batch.add_column(sa.Column("claimed_by", sa.String(length=80), nullable=True))
        batch.add_column(sa.Column("claimed_at", app.models.base.UTCDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("outbox_message") as batch:
        batch.drop_column("claimed_at")
        batch.drop_column("claimed_by")
    with op.batch_alter_table("human_task") as batch:
        batch.drop_column("claimed_at")
