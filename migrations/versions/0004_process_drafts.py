"""process drafts: a process owner's unfinished edit of a model, saved from the studio

One draft per model (the whole bundle of files as edited), with its author, when
it was saved and the version it started from.

Revision ID: 0004_studio
Revises: 0003_admin
"""
import sqlalchemy as sa
from alembic import op

import app.models.base

revision = "0004_studio"
down_revision = "0003_admin"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "process_draft",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("model", sa.String(length=120), nullable=False),
        sa.Column("files", sa.JSON(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", app.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("base_version_number", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["author_id"], ["user_account.id"],
                                name=op.f("fk_process_draft_author_id_user_account")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_process_draft")),
        sa.UniqueConstraint("model", name=op.f("uq_process_draft_model")),
    )


def downgrade() -> None:
    op.drop_table("process_draft")
