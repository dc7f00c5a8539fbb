"""conversation: messages between the applicant and the municipality on a case

Revision ID: 0019_conversation
Revises: 0018_case_contact
"""
import sqlalchemy as sa
from alembic import op

import app.models.base

revision = "0019_conversation"
down_revision = "0018_case_contact"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "conversation_message",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("from_applicant", sa.Boolean(), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("documents", sa.JSON(), nullable=False),
        sa.Column("created_at", app.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["author_id"], ["user_account.id"],
                                name=op.f("fk_conversation_message_author_id_user_account")),
        sa.ForeignKeyConstraint(["case_id"], ["case.id"], name=op.f("fk_conversation_message_case_id_case")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_conversation_message")),
    )
    op.create_index(op.f("ix_conversation_message_case_id"), "conversation_message", ["case_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_conversation_message_case_id"), table_name="conversation_message")
    op.drop_table("conversation_message")
