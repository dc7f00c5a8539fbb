"""simulations: saved what-if runs with their progress and results

Revision ID: 0015_simulations
Revises: 0014_insight
"""
import sqlalchemy as sa
from alembic import op

import app.models.base

revision = "0015_simulations"
down_revision = "0014_insight"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "simulation_run",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("model", sa.String(length=120), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("progress", sa.Float(), nullable=False),
        sa.Column("result", sa.JSON(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", app.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("finished_at", app.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["created_by_id"], ["user_account.id"],
                                name=op.f("fk_simulation_run_created_by_id_user_account")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_simulation_run")),
    )
    op.create_index(op.f("ix_simulation_run_model"), "simulation_run", ["model"])


def downgrade() -> None:
    op.drop_index(op.f("ix_simulation_run_model"), table_name="simulation_run")
    op.drop_table("simulation_run")
