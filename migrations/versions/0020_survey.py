"""survey: invitations by signed single-use link and anonymous answers (SKR Insikt, NKI)

Revision ID: 0020_survey
Revises: 0019_conversation
"""
import sqlalchemy as sa
from alembic import op

import app.models.base

revision = "0020_survey"
down_revision = "0019_conversation"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "survey_invitation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("secret_hash", sa.String(length=64), nullable=False),
        sa.Column("language", sa.String(length=5), nullable=False),
        sa.Column("created_at", app.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", app.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("reminders_sent", sa.Integer(), nullable=False),
        sa.Column("last_sent_at", app.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("answered_at", app.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("declined_at", app.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["case.id"], name=op.f("fk_survey_invitation_case_id_case")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survey_invitation")),
        sa.UniqueConstraint("case_id", name=op.f("uq_survey_invitation_case_id")),
    )
    op.create_index(op.f("ix_survey_invitation_expires_at"), "survey_invitation", ["expires_at"], unique=False)
    op.create_table(
        "survey_answer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("invitation_id", sa.Integer(), nullable=False),
        sa.Column("answered_at", app.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("scale_max", sa.Integer(), nullable=False),
        sa.Column("scores", sa.JSON(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["invitation_id"], ["survey_invitation.id"],
                                name=op.f("fk_survey_answer_invitation_id_survey_invitation")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survey_answer")),
        sa.UniqueConstraint("invitation_id", name=op.f("uq_survey_answer_invitation_id")),
    )
    op.create_index(op.f("ix_survey_answer_answered_at"), "survey_answer", ["answered_at"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_survey_answer_answered_at"), table_name="survey_answer")
    op.drop_table("survey_answer")
    op.drop_index(op.f("ix_survey_invitation_expires_at"), table_name="survey_invitation")
    op.drop_table("survey_invitation")
