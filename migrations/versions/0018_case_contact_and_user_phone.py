"""case contact (the named lots) and a direct phone for users

Revision ID: 0018_case_contact
Revises: 0017_keyset_pagination_indexes
"""
import sqlalchemy as sa
from alembic import op

revision = "0018_case_contact"
down_revision = "0017_keyset_pagination_indexes"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("case") as batch:
        batch.add_column(sa.Column("contact_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(batch.f("fk_case_contact_id_user_account"), "user_account", ["contact_id"], ["id"])
    with op.batch_alter_table("user_account") as batch:
        batch.add_column(sa.Column("phone", sa.String(length=40), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("user_account") as batch:
        batch.drop_column("phone")
    with op.batch_alter_table("case") as batch:
        batch.drop_constraint("fk_case_contact_id_user_account", type_="foreignkey")
        batch.drop_column("contact_id")
