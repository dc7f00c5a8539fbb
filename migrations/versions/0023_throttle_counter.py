"""throttle counter: refused sign-ins counted in the database, shared by every server process

Revision ID: 0023_throttle_counter
Revises: 0022_session_generation
"""
import sqlalchemy as sa
from alembic import op

revision = "0023_throttle_counter"
down_revision = "0022_session_generation"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "throttle_counter",
        sa.Column("key", sa.String(length=500), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("expires_at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_throttle_counter")),
    )
    op.create_index(op.f("ix_throttle_counter_expires_at"), "throttle_counter", ["expires_at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_throttle_counter_expires_at"), table_name="throttle_counter")
    op.drop_table("throttle_counter")
