"""figures per day and days per month: the dashboard's totals, kept by difference with case_figures

``figures_day`` sums each day's figures (received, decided, within the deadline, fee reductions, outcomes,
ended) per process, case type and track; ``figures_month_days`` counts per month of decision how many cases
took each number of days (statutory, lead, completeness). Both are back-filled from case_figures.
case_figures gets the case's status and a partial index over open cases for the backlog.

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
    op.add_column("case_figures", sa.Column("status", sa.String(length=40), nullable=True))
    conn = op.get_bind()
    for (name,) in conn.execute(sa.text('SELECT DISTINCT status FROM "case"')).all():
        if name is not None:  # the case table stores the status's name, the figures its value
            conn.execute(sa.text('UPDATE case_figures SET status = :value WHERE case_id IN '
                                 '(SELECT id FROM "case" WHERE status = :name)'), {"value": name.lower(), "name": name})
    open_ = sa.text("decided_on IS NULL AND closed_on IS NULL")
    op.create_index("ix_case_figures_open", "case_figures",
                    ["statutory_due", "arrived_on", "status", "process", "case_type", "track"],
                    sqlite_where=open_, postgresql_where=open_)
    from app.services.insight import rollup  # the same totals the running application keeps

    rollup.rebuild(op.get_bind())


def downgrade() -> None:
    op.drop_index("ix_case_figures_open", table_name="case_figures")
    with op.batch_alter_table("case_figures") as batch:
        batch.drop_column("status")
    op.drop_table("figures_month_days")
    op.drop_table("figures_day")
