"""document categories and versions: what an upload shows, and which upload it replaces

Revision ID: 0021_document_versions
Revises: 0020_survey
"""
import sqlalchemy as sa
from alembic import op

revision = "0021_document_versions"
down_revision = "0020_survey"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("document") as batch:
        batch.add_column(sa.Column("category", sa.String(length=20), nullable=True))
        batch.add_column(sa.Column("replaces_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("version", sa.Integer(), server_default="1", nullable=False))
        batch.create_foreign_key(batch.f("fk_document_replaces_id_document"), "document", ["replaces_id"], ["id"])


def downgrade() -> None:
    with op.batch_alter_table("document") as batch:
        batch.drop_constraint(batch.f("fk_document_replaces_id_document"), type_="foreignkey")
        batch.drop_column("version")
        batch.drop_column("replaces_id")
        batch.drop_column("category")
