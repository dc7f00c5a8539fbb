"""survey_invitation.created_at indexed: the dashboard's NKI reads a period's invitations by it

Without it the query planner walked every case to find the (often no) invitations of the period.

Revision ID: 0029_survey_created_index
Revises: 0028_tasks_day
"""
from alembic import op

revision = "0029_survey_created_index"
down_revision = "0028_tasks_day"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_survey_invitation_created_at", "survey_invitation", ["created_at"])


def downgrade() -> None:
    op.drop_index("ix_survey_invitation_created_at", table_name="survey_invitation")
