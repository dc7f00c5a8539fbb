"""tasks_day: tasks completed per local day, process and group, for the dashboard's throughput per group

Back-filled from the completed tasks (counted per UTC hour, then added to the local day of that hour).

Revision ID: 0029_tasks_day
Revises: 0028_case_steps
"""
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from alembic import op

revision = "0029_tasks_day"
down_revision = "0028_case_steps"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "tasks_day",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("process", sa.String(length=120), nullable=False),
        sa.Column("group", sa.String(length=40), nullable=False),
        sa.Column("completed", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("day", "process", "group", name=op.f("pk_tasks_day")),
    )
    from app.config import Settings
    from app.services.insight import task_totals  # the same counting the running application does

    task_totals.rebuild(op.get_bind(), ZoneInfo(Settings.from_env().timezone))


def downgrade() -> None:
    op.drop_table("tasks_day")
