"""nki_day: survey answers per local day of their invitation, process, case type, track and scale, for the
dashboard's NKI (per NKI question the sum and number of scores)

Back-filled from the stored answers.

Revision ID: 0031_nki_day
Revises: 0030_survey_created_index
"""
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from alembic import op

revision = "0031_nki_day"
down_revision = "0030_survey_created_index"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "nki_day",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("process", sa.String(length=120), nullable=False),
        sa.Column("case_type", sa.String(length=40), nullable=False),
        sa.Column("track", sa.String(length=20), nullable=False),
        sa.Column("scale_max", sa.Integer(), nullable=False),
        *(sa.Column(name, sa.Integer(), nullable=False) for name in (
            "answers", "satisfaction_sum", "satisfaction_n", "expectations_sum", "expectations_n", "ideal_sum",
            "ideal_n")),
        sa.PrimaryKeyConstraint("day", "process", "case_type", "track", "scale_max", name=op.f("pk_nki_day")),
    )
    from app.config import Settings
    from app.services.insight import nki  # the same counting the running application does

    nki.rebuild(op.get_bind(), ZoneInfo(Settings.from_env().timezone))


def downgrade() -> None:
    op.drop_table("nki_day")
