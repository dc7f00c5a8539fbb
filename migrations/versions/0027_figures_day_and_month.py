"""figures per day and days per month: the dashboard's totals, kept by difference with case_figures

``figures_day`` sums each day's figures (received, decided, within the deadline, fee reductions, outcomes,
ended) per process, case type and track; ``figures_month_days`` counts per month of decision how many cases
took each number of days (statutory, lead, completeness). Both are back-filled from case_figures.

Revision ID: 0027_figures_day_and_month
Revises: 0026_task_wait_work_seconds
"""
import sqlalchemy as sa
from alembic import op

revision = "0027_figures_day_and_month"
down_revision = "0026_task_wait_work_seconds"
branch_labels = None
depends_on = None

COUNTERS = ("received", "coa_judged", "coa_yes", "decided", "in_deadline", "with_deadline", "in_goal", "with_goal",
            "in_ten", "with_clock", "extended", "reduced", "reduction_kr", "supplement_orders", "ended", "granted",
            "refused", "dismissed", "withdrawn", "no_permit_needed")


def upgrade() -> None:
    op.create_table(
        "figures_day",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("process", sa.String(length=120), nullable=False),
        sa.Column("case_type", sa.String(length=40), nullable=False),
        sa.Column("track", sa.String(length=20), nullable=False),
        *[sa.Column(name, sa.Integer(), nullable=False) for name in COUNTERS],
        sa.PrimaryKeyConstraint("day", "process", "case_type", "track", name=op.f("pk_figures_day")),
    )
    op.create_table(
        "figures_month_days",
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("process", sa.String(length=120), nullable=False),
        sa.Column("case_type", sa.String(length=40), nullable=False),
        sa.Column("track", sa.String(length=20), nullable=False),
        sa.Column("days", sa.Integer(), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("month", "kind", "process", "case_type", "track", "days",
                                name=op.f("pk_figures_month_days")),
    )
    from app.services.insight import rollup  # the same totals the running application keeps

    rollup.rebuild(op.get_bind())


def downgrade() -> None:
    op.drop_table("figures_month_days")
    op.drop_table("figures_day")
