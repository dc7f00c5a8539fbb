"""letters: documents of a kind (uploads and issued letters), the case's language, e-mail carrying a letter

A letter is a document whose frozen HTML is kept in the row (its PDF is made
from it on demand). Existing documents are uploads. Cases get the applicant's
language (existing cases: Swedish). An outbox message may carry a letter.

Revision ID: 0009_letters
Revises: 0008_interop
"""
import sqlalchemy as sa
from alembic import op

revision = "0009_letters"
down_revision = "0008_interop"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("document") as batch:
        batch.add_column(sa.Column("kind", sa.String(length=40), nullable=False, server_default="upload"))
        batch.add_column(sa.Column("language", sa.String(length=5), nullable=True))
        batch.add_column(sa.Column("html", sa.Text(), nullable=True))
        batch.add_column(sa.Column("recipient_name", sa.String(length=200), nullable=True))
        batch.add_column(sa.Column("for_applicant", sa.Boolean(), nullable=False, server_default=sa.true()))
        batch.alter_column("size", existing_type=sa.Integer(), nullable=True)
    with op.batch_alter_table("case") as batch:
        batch.add_column(sa.Column("language", sa.String(length=5), nullable=False, server_default="sv"))
    with op.batch_alter_table("outbox_message") as batch:
        batch.add_column(sa.Column("document_id", sa.Integer(), nullable=True))
        batch.create_index(batch.f("ix_outbox_message_document_id"), ["document_id"])
        batch.create_foreign_key(batch.f("fk_outbox_message_document_id_document"), "document", ["document_id"], ["id"])


def downgrade() -> None:
    with op.batch_alter_table("outbox_message") as batch:
        batch.drop_constraint(batch.f("fk_outbox_message_document_id_document"), type_="foreignkey")
        batch.drop_index(batch.f("ix_outbox_message_document_id"))
        batch.drop_column("document_id")
    with op.batch_alter_table("case") as batch:
        batch.drop_column("language")
    with op.batch_alter_table("document") as batch:
        batch.alter_column("size", existing_type=sa.Integer(), nullable=False)
        for column in ("for_applicant", "recipient_name", "html", "language", "kind"):
            batch.drop_column(column)
