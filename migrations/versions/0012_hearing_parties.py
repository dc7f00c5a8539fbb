"""neighbour hearing parties: who is heard about a case and what each answered; task subjects

A multi-instance task's instances now keep what tells them apart (``human_task.subject``,
e.g. the referral), so unanswered referrals can be reminded one by one.

Revision ID: 0012_hearing_parties
Revises: 0011_any_process
"""
import sqlalchemy as sa
from alembic import op

import app.models.base

revision = "0012_hearing_parties"
down_revision = "0011_any_process"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "hearing_party",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("address", sa.String(length=300), nullable=True),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("added_by", sa.String(length=80), nullable=False),
        sa.Column("added_at", app.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("notified_at", app.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("letter_document_id", sa.Integer(), nullable=True),
        sa.Column("response", sa.String(length=20), nullable=True),
        sa.Column("response_text", sa.Text(), nullable=True),
        sa.Column("responded_on", sa.Date(), nullable=True),
        sa.Column("recorded_by", sa.String(length=80), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["case.id"], name=op.f("fk_hearing_party_case_id_case")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hearing_party")),
    )
    with op.batch_alter_table("hearing_party", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_hearing_party_case_id"), ["case_id"], unique=False)
    with op.batch_alter_table("human_task", schema=None) as batch_op:
        batch_op.add_column(sa.Column("subject", sa.String(length=120), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("human_task", schema=None) as batch_op:
        batch_op.drop_column("subject")
    with op.batch_alter_table("hearing_party", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_hearing_party_case_id"))
    op.drop_table("hearing_party")
