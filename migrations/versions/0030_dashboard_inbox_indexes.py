"""survey_invitation.created_at indexed: the dashboard's NKI reads a period's invitations by it

Without it the query planner walked every case to find the (often no) invitations of the period. Also two
partial indexes over open tasks by assignee and task type: the inbox's "assigned to me" part of a page
filtered by task type walked every open task of that type (40 ms with 12,000 of them at 1M cases).

Revision ID: 0030_survey_created_index
Revises: 0029_tasks_day
"""
import sqlalchemy as sa
from alembic import op

revision = "0030_survey_created_index"
down_revision = "0029_tasks_day"
branch_labels = None
depends_on = None


OPEN = sa.text("status = 'OPEN'")
TASK_INDEXES = {
    "ix_human_task_open_assignee_element_due": ["assignee_id", "element_id", "sort_due", "created_at", "id"],
    "ix_human_task_open_assignee_element_created": ["assignee_id", "element_id", "created_at", "id"],
}


def upgrade() -> None:
    op.create_index("ix_survey_invitation_created_at", "survey_invitation", ["created_at"])
    for name, columns in TASK_INDEXES.items():
        op.create_index(name, "human_task", columns, sqlite_where=OPEN, postgresql_where=OPEN)


def downgrade() -> None:
    for name in TASK_INDEXES:
        op.drop_index(name, table_name="human_task")
    op.drop_index("ix_survey_invitation_created_at", table_name="survey_invitation")
