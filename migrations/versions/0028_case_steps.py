"""case steps: the earlier steps of a case's path, appended once instead of rewritten on every save

``case.path`` keeps the steps of the tasks still in the saved state; when compaction drops a task, its step
moves here. Existing paths stay where they are: a case's next save moves its earlier steps.

Revision ID: 0028_case_steps
Revises: 0027_figures_day_and_month
"""
import sqlalchemy as sa
from alembic import op

revision = "0028_case_steps"
down_revision = "0027_figures_day_and_month"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "case_step",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("case_id", sa.Integer(), sa.ForeignKey("case.id"), nullable=False),
        sa.Column("step", sa.JSON(), nullable=False),
    )
    op.create_index("ix_case_step_case_id", "case_step", ["case_id"])


def downgrade() -> None:
    op.drop_index("ix_case_step_case_id", table_name="case_step")
    op.drop_table("case_step")
