"""user session generation: logout, a new password or deletion ends every sign-in session

Each session cookie carries the user's generation; raising it makes copied
cookies stop working.

Revision ID: 0022_session_generation
Revises: 0021_document_versions
"""
import sqlalchemy as sa
from alembic import op

revision = "0022_session_generation"
down_revision = "0021_document_versions"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("user_account") as batch:
        batch.add_column(sa.Column("session_generation", sa.Integer(), nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("user_account") as batch:
        batch.drop_column("session_generation")
