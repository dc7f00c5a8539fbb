"""human_task wait and work seconds: stored when a task is completed, for the heatmap's medians

The version the case was on when the task was completed, the wait (ready -> claimed) and the work
(claimed -> completed) in seconds to the millisecond, back-filled for every completed task that was
claimed, with partial indexes per version and task so each median is read at its offset.

Revision ID: 0026_task_wait_work_seconds
Revises: 0025_gate
"""
import sqlalchemy as sa
from alembic import op

revision = "0026_task_wait_work_seconds"
down_revision = "0025_gate"
branch_labels = None
depends_on = None

INDEXES = {"ix_human_task_version_element_wait": "wait_seconds", "ix_human_task_version_element_work": "work_seconds"}


def _seconds(dialect: str, start: str, end: str) -> str:
    if dialect == "postgresql":
        return f"ROUND(CAST(EXTRACT(EPOCH FROM {end} - {start}) AS NUMERIC), 3)"
    return f"ROUND((julianday({end}) - julianday({start})) * 86400.0, 3)"


def backfill(conn) -> None:
    """Every completed task that was claimed gets its case's version and its times (the tests call this too)."""
    dialect = conn.dialect.name
    conn.execute(sa.text(
        "UPDATE human_task SET process_version_id = (SELECT c.process_version_id FROM \"case\" c "
        f"WHERE c.id = human_task.case_id), wait_seconds = {_seconds(dialect, 'created_at', 'claimed_at')}, "
        f"work_seconds = {_seconds(dialect, 'claimed_at', 'completed_at')} "
        "WHERE status = 'COMPLETED' AND claimed_at IS NOT NULL AND completed_at IS NOT NULL"))


def upgrade() -> None:
    op.add_column("human_task", sa.Column("process_version_id", sa.Integer(), nullable=True))
    op.add_column("human_task", sa.Column("wait_seconds", sa.Float(), nullable=True))
    op.add_column("human_task", sa.Column("work_seconds", sa.Float(), nullable=True))
    backfill(op.get_bind())
    for name, column in INDEXES.items():
        where = sa.text(f"{column} IS NOT NULL")
        op.create_index(name, "human_task", ["process_version_id", "element_id", column],
                        sqlite_where=where, postgresql_where=where)


def downgrade() -> None:
    for name in INDEXES:
        op.drop_index(name, table_name="human_task")
    with op.batch_alter_table("human_task") as batch:
        for column in ("work_seconds", "wait_seconds", "process_version_id"):
            batch.drop_column(column)
