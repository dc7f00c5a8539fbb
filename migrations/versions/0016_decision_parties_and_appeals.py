"""decision parties and appeals: service of the decision on each party, appeals and the appeal body's rulings

Revision ID: 0016_appeals
Revises: 0015_simulations
"""
import sqlalchemy as sa
from alembic import op

import app.models.base

revision = "0016_appeals"
down_revision = "0015_simulations"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "decision_party",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=True),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("address", sa.Text(), nullable=True),
        sa.Column("is_applicant", sa.Boolean(), nullable=False),
        sa.Column("served_on", sa.Date(), nullable=True),
        sa.Column("method", sa.String(length=30), nullable=True),
        sa.Column("recorded_by", sa.String(length=80), nullable=True),
        sa.Column("created_at", app.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["case.id"], name=op.f("fk_decision_party_case_id_case")),
        sa.ForeignKeyConstraint(["document_id"], ["document.id"], name=op.f("fk_decision_party_document_id_document")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_decision_party")),
    )
    with op.batch_alter_table("decision_party") as batch:
        batch.create_index(batch.f("ix_decision_party_case_id"), ["case_id"])
        batch.create_index(batch.f("ix_decision_party_document_id"), ["document_id"])
    op.create_table(
        "appeal",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("appellant", sa.String(length=200), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("address", sa.Text(), nullable=True),
        sa.Column("language", sa.String(length=5), nullable=False),
        sa.Column("party_id", sa.Integer(), nullable=True),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("last_day", sa.Date(), nullable=True),
        sa.Column("counted_from", sa.String(length=20), nullable=False),
        sa.Column("timely", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=True),
        sa.Column("outcome", sa.String(length=20), nullable=True),
        sa.Column("decided_on", sa.Date(), nullable=True),
        sa.Column("legal_force_on", sa.Date(), nullable=True),
        sa.Column("recorded_by", sa.String(length=80), nullable=False),
        sa.Column("created_at", app.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["case.id"], name=op.f("fk_appeal_case_id_case")),
        sa.ForeignKeyConstraint(["party_id"], ["decision_party.id"], name=op.f("fk_appeal_party_id_decision_party")),
        sa.ForeignKeyConstraint(["document_id"], ["document.id"], name=op.f("fk_appeal_document_id_document")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_appeal")),
    )
    with op.batch_alter_table("appeal") as batch:
        batch.create_index(batch.f("ix_appeal_case_id"), ["case_id"])


def downgrade() -> None:
    op.drop_table("appeal")
    op.drop_table("decision_party")
