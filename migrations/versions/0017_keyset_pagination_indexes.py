"""keyset pagination: human_task.sort_due (the case's deadline), partial indexes over open tasks, case list indexes

Revision ID: 0017_keyset_pagination_indexes
Revises: 0016_decision_parties_and_appeals
"""
import sqlalchemy as sa
from alembic import op

revision = "0017_keyset_pagination_indexes"
down_revision = "0016_appeals"
branch_labels = None
depends_on = None

OPEN = sa.text("status = 'OPEN'")
INDEXES = {
    "ix_human_task_open_group_due": ["group", "sort_due", "created_at", "id"],
    "ix_human_task_open_group_created": ["group", "created_at", "id"],
    "ix_human_task_open_assignee_due": ["assignee_id", "sort_due", "created_at", "id"],
    "ix_human_task_open_assignee_created": ["assignee_id", "created_at", "id"],
    "ix_human_task_open_element_due": ["element_id", "sort_due", "created_at", "id"],
    "ix_human_task_open_element_created": ["element_id", "created_at", "id"],
}


CASE_INDEXES = {
    "ix_case_created": ["created_at", "id"],
    "ix_case_status_created": ["status", "created_at", "id"],
    "ix_case_applicant_created": ["applicant_id", "created_at", "id"],
}


def upgrade() -> None:
    op.add_column("human_task", sa.Column("sort_due", sa.Date(), server_default="9999-12-31", nullable=False))
    op.execute(sa.text(
        "UPDATE human_task SET sort_due = (SELECT c.statutory_due FROM \"case\" c WHERE c.id = human_task.case_id) "
        "WHERE status = 'OPEN' AND EXISTS (SELECT 1 FROM \"case\" c WHERE c.id = human_task.case_id "
        "AND c.statutory_due IS NOT NULL)"))
    for name, columns in INDEXES.items():
        op.create_index(name, "human_task", columns, sqlite_where=OPEN, postgresql_where=OPEN)
    for name, columns in CASE_INDEXES.items():
        op.create_index(name, "case", columns)


def downgrade() -> None:
    for name in CASE_INDEXES:
        op.drop_index(name, table_name="case")
    for name in INDEXES:
        op.drop_index(name, table_name="human_task")
    with op.batch_alter_table("human_task") as batch:
        batch.drop_column("sort_due")
