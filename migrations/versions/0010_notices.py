"""notices: kungörelser and neighbour notices, on the notice board (anslagstavla) or recorded as published in PoIT

Revision ID: 0010_notices
Revises: 0009_letters
"""
import sqlalchemy as sa
from alembic import op

import app.models.base

revision = "0010_notices"
down_revision = "0009_letters"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "notice",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("channel", sa.String(length=40), nullable=False),
        sa.Column("reference", sa.String(length=40), nullable=False),
        sa.Column("property_designation", sa.String(length=200), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("posted_on", sa.Date(), nullable=False),
        sa.Column("until", sa.Date(), nullable=False),
        sa.Column("created_at", app.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["case.id"], name=op.f("fk_notice_case_id_case")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notice")),
    )
    with op.batch_alter_table("notice") as batch:
        batch.create_index(batch.f("ix_notice_case_id"), ["case_id"])
        batch.create_index(batch.f("ix_notice_channel"), ["channel"])
        batch.create_index(batch.f("ix_notice_posted_on"), ["posted_on"])
        batch.create_index(batch.f("ix_notice_until"), ["until"])


def downgrade() -> None:
    op.drop_table("notice")
