"""external tasks, worker credentials, tasks for several groups

- ``external_task``: a started external task of a case, offered to
  integration workers by topic, with its lock, retries and last error;
- ``worker_credential``: tokens an administrator issues to integration workers;
- ``task_candidate_group``: each further group of a user task offered to
  several groups (``human_task.group`` stays the first).

Revision ID: 0008_interop
Revises: 0007_timer_failed
"""
import sqlalchemy as sa
from alembic import op

import app.models.base

revision = "0008_interop"
down_revision = "0007_timer_failed"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "external_task",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("element_id", sa.String(length=120), nullable=False),
        sa.Column("topic", sa.String(length=200), nullable=False),
        sa.Column("variables", sa.JSON(), nullable=False),
        sa.Column("retries", sa.Integer(), nullable=False),
        sa.Column("worker_id", sa.String(length=200), nullable=True),
        sa.Column("lock_expires_at", app.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("retry_at", app.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("error_message", sa.Text(), nullable=True),
        sa.Column("error_details", sa.Text(), nullable=True),
        sa.Column("created_at", app.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["case.id"], name=op.f("fk_external_task_case_id_case")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_external_task")),
    )
    op.create_index(op.f("ix_external_task_case_id"), "external_task", ["case_id"])
    op.create_index(op.f("ix_external_task_topic"), "external_task", ["topic"])
    op.create_index(op.f("ix_external_task_lock_expires_at"), "external_task", ["lock_expires_at"])
    op.create_table(
        "worker_credential",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("topics", sa.JSON(), nullable=False),
        sa.Column("created_by", sa.String(length=80), nullable=False),
        sa.Column("created_at", app.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", app.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_worker_credential")),
        sa.UniqueConstraint("name", name=op.f("uq_worker_credential_name")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_worker_credential_token_hash")),
    )
    op.create_table(
        "task_candidate_group",
        sa.Column("task_id", sa.String(length=36), nullable=False),
        sa.Column("group", sa.String(length=40), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["task_id"], ["human_task.id"], ondelete="CASCADE",
                                name=op.f("fk_task_candidate_group_task_id_human_task")),
        sa.PrimaryKeyConstraint("task_id", "group", name=op.f("pk_task_candidate_group")),
    )
    op.create_index(op.f("ix_task_candidate_group_group"), "task_candidate_group", ["group"])


def downgrade() -> None:
    op.drop_index(op.f("ix_task_candidate_group_group"), table_name="task_candidate_group")
    op.drop_table("task_candidate_group")
    op.drop_table("worker_credential")
    op.drop_index(op.f("ix_external_task_lock_expires_at"), table_name="external_task")
    op.drop_index(op.f("ix_external_task_topic"), table_name="external_task")
    op.drop_index(op.f("ix_external_task_case_id"), table_name="external_task")
    op.drop_table("external_task")
