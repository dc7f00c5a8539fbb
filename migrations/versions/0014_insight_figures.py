"""insight: per-case clock figures for the dashboard

- ``case_figures``: one row per case with its clock figures in calendar days
  (kept by every save of the case; ``lotsen insight rebuild`` fills it for
  cases from before this revision);
- an index on ``human_task.completed_at`` for throughput and heatmap periods.

Revision ID: 0014_insight
Revises: 0013_claims
"""
import sqlalchemy as sa
from alembic import op

revision = "0014_insight"
down_revision = "0013_claims"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "case_figures",
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("process", sa.String(length=120), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("case_type", sa.String(length=40), nullable=True),
        sa.Column("track", sa.String(length=20), nullable=True),
        sa.Column("measure", sa.String(length=40), nullable=True),
        sa.Column("outcome", sa.String(length=20), nullable=True),
        sa.Column("arrived_on", sa.Date(), nullable=True),
        sa.Column("complete_on", sa.Date(), nullable=True),
        sa.Column("statutory_start", sa.Date(), nullable=True),
        sa.Column("statutory_due", sa.Date(), nullable=True),
        sa.Column("service_goal_due", sa.Date(), nullable=True),
        sa.Column("decided_on", sa.Date(), nullable=True),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("statutory_days", sa.Integer(), nullable=True),
        sa.Column("lead_days", sa.Integer(), nullable=True),
        sa.Column("completeness_days", sa.Integer(), nullable=True),
        sa.Column("within_deadline", sa.Boolean(), nullable=True),
        sa.Column("within_goal", sa.Boolean(), nullable=True),
        sa.Column("extended", sa.Boolean(), nullable=False),
        sa.Column("fee_reduction_fifths", sa.Integer(), nullable=False),
        sa.Column("fee_reduction_kr", sa.Integer(), nullable=False),
        sa.Column("supplement_orders", sa.Integer(), nullable=False),
        sa.Column("complete_on_arrival", sa.Boolean(), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["case.id"], name=op.f("fk_case_figures_case_id_case"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("case_id", name=op.f("pk_case_figures")),
    )
    op.create_index("ix_case_figures_process_decided_on", "case_figures", ["process", "decided_on"])
    op.create_index("ix_case_figures_process_arrived_on", "case_figures", ["process", "arrived_on"])
    op.create_index(op.f("ix_human_task_completed_at"), "human_task", ["completed_at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_human_task_completed_at"), table_name="human_task")
    op.drop_index("ix_case_figures_process_arrived_on", table_name="case_figures")
    op.drop_index("ix_case_figures_process_decided_on", table_name="case_figures")
    op.drop_table("case_figures")
