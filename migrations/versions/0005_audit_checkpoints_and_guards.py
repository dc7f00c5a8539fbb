"""signed audit checkpoints; the database guards audit details and checkpoints

``audit_checkpoint`` holds signed statements of the chain's head, so a deleted
tail is detected. The database (PostgreSQL and SQLite) now guards the trail:
``audit_detail`` accepts only the update retention makes (details erased,
naming a later redaction event) and no DELETE; events and checkpoints are
append-only.

Revision ID: 0005_audit_checkpoints
Revises: 0004_studio
"""
import sqlalchemy as sa
from alembic import op

import app.models.base
from app.models import audit_guards

revision = "0005_audit_checkpoints"
down_revision = "0004_studio"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "audit_checkpoint",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("event_hash", sa.String(length=64), nullable=False),
        sa.Column("at", app.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("signature", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_checkpoint")),
    )
    with op.batch_alter_table("audit_checkpoint", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_checkpoint_event_id"), ["event_id"], unique=False)
    audit_guards.install(op.get_bind())


def downgrade() -> None:
    audit_guards.remove(op.get_bind())
    with op.batch_alter_table("audit_checkpoint", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_checkpoint_event_id"))
    op.drop_table("audit_checkpoint")
