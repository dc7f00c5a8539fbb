"""What the insight dashboard reads: one row of figures per case."""
from __future__ import annotations

from datetime import date

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base

#: A case not decided and not ended: what the backlog counts.
OPEN = text("decided_on IS NULL AND closed_on IS NULL")


class CaseFigures(Base):
    """A case's clock figures in calendar days, kept in the transaction that changes the case.

    A projection of the case's events (see ``services.clocks``) so that the
    dashboard aggregates plain columns instead of replaying every case.
    """

    __tablename__ = "case_figures"
    __table_args__ = (
        Index("ix_case_figures_process_decided_on", "process", "decided_on"),
        Index("ix_case_figures_process_arrived_on", "process", "arrived_on"),
        # the backlog: open cases only, everything it reads in the index
        Index("ix_case_figures_open", "statutory_due", "arrived_on", "status", "process", "case_type", "track",
              sqlite_where=OPEN, postgresql_where=OPEN),
    )

    case_id: Mapped[int] = mapped_column(ForeignKey("case.id", ondelete="CASCADE"), primary_key=True)
    process: Mapped[str] = mapped_column(String(120))
    version: Mapped[int] = mapped_column(Integer)
    case_type: Mapped[str | None] = mapped_column(String(40))
    track: Mapped[str | None] = mapped_column(String(20))
    measure: Mapped[str | None] = mapped_column(String(40))
    outcome: Mapped[str | None] = mapped_column(String(20))
    #: The case's status (``CaseStatus`` value), for the backlog by stage.
    status: Mapped[str | None] = mapped_column(String(40))
    arrived_on: Mapped[date | None] = mapped_column(Date)
    complete_on: Mapped[date | None] = mapped_column(Date)
    statutory_start: Mapped[date | None] = mapped_column(Date)
    statutory_due: Mapped[date | None] = mapped_column(Date)
    service_goal_due: Mapped[date | None] = mapped_column(Date)
    decided_on: Mapped[date | None] = mapped_column(Date)
    #: The day the case ended (decided and closed, withdrawn or terminated).
    closed_on: Mapped[date | None] = mapped_column(Date)
    #: Start of the statutory clock → decision.
    statutory_days: Mapped[int | None] = mapped_column(Integer)
    #: Arrival → decision, as the applicant experienced it.
    lead_days: Mapped[int | None] = mapped_column(Integer)
    #: Arrival → the day the application was complete.
    completeness_days: Mapped[int | None] = mapped_column(Integer)
    within_deadline: Mapped[bool | None] = mapped_column(Boolean)
    within_goal: Mapped[bool | None] = mapped_column(Boolean)
    extended: Mapped[bool] = mapped_column(Boolean, default=False)
    fee_reduction_fifths: Mapped[int] = mapped_column(Integer, default=0)
    fee_reduction_kr: Mapped[int] = mapped_column(Integer, default=0)
    supplement_orders: Mapped[int] = mapped_column(Integer, default=0)
    #: Complete without any supplement order (Umeå's "komplett vid ankomst").
    complete_on_arrival: Mapped[bool | None] = mapped_column(Boolean)



#: The counters of ``FiguresDay``: cases received (arrival day), decided and their figures (decision day), ended
#: (the day a case stopped being open) and the outcomes (decision day; withdrawals included).
DAY_COUNTERS = ("received", "coa_judged", "coa_yes", "decided", "in_deadline", "with_deadline", "in_goal",
                "with_goal", "in_ten", "with_clock", "extended", "reduced", "reduction_kr", "supplement_orders",
                "ended", "granted", "refused", "dismissed", "withdrawn", "no_permit_needed")


class FiguresDay(Base):
    """Per day, process, case type and track: the summed figures of ``case_figures`` (kept by difference with it,
    ``services.insight.rollup``), so a period's counts add up days instead of rows. An absent case type or
    track is ``''``."""

    __tablename__ = "figures_day"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    process: Mapped[str] = mapped_column(String(120), primary_key=True)
    case_type: Mapped[str] = mapped_column(String(40), primary_key=True)
    track: Mapped[str] = mapped_column(String(20), primary_key=True)
    received: Mapped[int] = mapped_column(Integer, default=0)
    coa_judged: Mapped[int] = mapped_column(Integer, default=0)
    coa_yes: Mapped[int] = mapped_column(Integer, default=0)
    decided: Mapped[int] = mapped_column(Integer, default=0)
    in_deadline: Mapped[int] = mapped_column(Integer, default=0)
    with_deadline: Mapped[int] = mapped_column(Integer, default=0)
    in_goal: Mapped[int] = mapped_column(Integer, default=0)
    with_goal: Mapped[int] = mapped_column(Integer, default=0)
    in_ten: Mapped[int] = mapped_column(Integer, default=0)
    with_clock: Mapped[int] = mapped_column(Integer, default=0)
    extended: Mapped[int] = mapped_column(Integer, default=0)
    reduced: Mapped[int] = mapped_column(Integer, default=0)
    reduction_kr: Mapped[int] = mapped_column(Integer, default=0)
    supplement_orders: Mapped[int] = mapped_column(Integer, default=0)
    ended: Mapped[int] = mapped_column(Integer, default=0)
    granted: Mapped[int] = mapped_column(Integer, default=0)
    refused: Mapped[int] = mapped_column(Integer, default=0)
    dismissed: Mapped[int] = mapped_column(Integer, default=0)
    withdrawn: Mapped[int] = mapped_column(Integer, default=0)
    no_permit_needed: Mapped[int] = mapped_column(Integer, default=0)


class FiguresMonthDays(Base):
    """Per month of decision, process, case type and track: how many decided cases took each number of days
    (``kind``: statutory, lead, completeness) — exact medians and percentiles of whole months without their rows."""

    __tablename__ = "figures_month_days"

    month: Mapped[date] = mapped_column(Date, primary_key=True)  # its first day
    kind: Mapped[str] = mapped_column(String(20), primary_key=True)
    process: Mapped[str] = mapped_column(String(120), primary_key=True)
    case_type: Mapped[str] = mapped_column(String(40), primary_key=True)
    track: Mapped[str] = mapped_column(String(20), primary_key=True)
    days: Mapped[int] = mapped_column(Integer, primary_key=True)
    n: Mapped[int] = mapped_column(Integer, default=0)


class TasksDay(Base):
    """Tasks completed per local day, process and group (``services.insight.task_totals``), for the throughput
    per group; kept as tasks complete (or are moved back)."""

    __tablename__ = "tasks_day"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    process: Mapped[str] = mapped_column(String(120), primary_key=True)
    group: Mapped[str] = mapped_column(String(40), primary_key=True)
    completed: Mapped[int] = mapped_column(Integer, default=0)


class NkiDay(Base):
    """Survey answers per local day of their invitation, process, case type, track and answer scale: how many,
    and per NKI question the sum and the number of its scores (``services.insight.nki``). The dashboard's NKI
    adds up a period's days instead of reading every invitation and answer. An absent case type or track is
    ``''``."""

    __tablename__ = "nki_day"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    process: Mapped[str] = mapped_column(String(120), primary_key=True)
    case_type: Mapped[str] = mapped_column(String(40), primary_key=True)
    track: Mapped[str] = mapped_column(String(20), primary_key=True)
    scale_max: Mapped[int] = mapped_column(Integer, primary_key=True)
    answers: Mapped[int] = mapped_column(Integer, default=0)
    satisfaction_sum: Mapped[int] = mapped_column(Integer, default=0)
    satisfaction_n: Mapped[int] = mapped_column(Integer, default=0)
    expectations_sum: Mapped[int] = mapped_column(Integer, default=0)
    expectations_n: Mapped[int] = mapped_column(Integer, default=0)
    ideal_sum: Mapped[int] = mapped_column(Integer, default=0)
    ideal_n: Mapped[int] = mapped_column(Integer, default=0)
