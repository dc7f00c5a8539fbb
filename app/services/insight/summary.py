"""The dashboard's headline figures for a period: volumes, times, shares, extensions, fee reductions."""
from __future__ import annotations

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import Session

from app.models import CaseFigures, Outcome

from . import nki
from .filters import Filters
from .stats import MEDIAN_P90, percentiles

#: The times the dashboard gives median and 90th percentile of, in calendar days.
TIMES = {"statutory_days": CaseFigures.statutory_days, "lead_time_days": CaseFigures.lead_days,
         "completeness_days": CaseFigures.completeness_days}
#: Umeå's and the simulation's measure: decided within ten weeks of the clock's start.
TEN_WEEKS = 70


def _count_if(condition):
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def decided(filters: Filters):
    """Cases decided in the period (a withdrawal is counted among the outcomes, not as a decision)."""
    return filters.decided_in_period() & (CaseFigures.outcome != Outcome.WITHDRAWN.value)


def open_at_end(filters: Filters):
    end = filters.end
    return filters.cases(CaseFigures.arrived_on <= end,
                         or_(CaseFigures.decided_on.is_(None), CaseFigures.decided_on > end),
                         or_(CaseFigures.closed_on.is_(None), CaseFigures.closed_on > end))


def summary(session: Session, filters: Filters) -> dict:
    """Every headline figure of the dashboard, as the API returns it."""
    f = CaseFigures
    row = session.execute(select(
        func.count(),
        _count_if(f.within_deadline.is_(True)), _count_if(f.within_deadline.is_not(None)),
        _count_if(f.within_goal.is_(True)), _count_if(f.within_goal.is_not(None)),
        _count_if(f.statutory_days <= TEN_WEEKS), _count_if(f.statutory_days.is_not(None)),
        _count_if(f.extended.is_(True)),
        _count_if(f.fee_reduction_kr > 0), func.coalesce(func.sum(f.fee_reduction_kr), 0),
        func.coalesce(func.sum(f.supplement_orders), 0),
    ).where(decided(filters))).one()
    (n_decided, in_deadline, with_deadline, in_goal, with_goal, in_ten, with_clock, extensions,
     reductions, reduction_kr, orders) = (int(v or 0) for v in row)
    received, complete_on_arrival, judged = (int(v or 0) for v in session.execute(select(
        func.count(), _count_if(f.complete_on_arrival.is_(True)), _count_if(f.complete_on_arrival.is_not(None)),
    ).where(filters.received_in_period())).one())
    times = percentiles(session, TIMES, decided(filters), MEDIAN_P90)
    return {
        "period": {"from": filters.start.isoformat(), "to": filters.end.isoformat()},
        "filters": {"process": filters.process, "case_type": filters.case_type, "track": filters.track},
        "received": received,
        "decided": n_decided,
        "open": session.scalar(select(func.count()).select_from(f).where(open_at_end(filters))) or 0,
        "medians": {name: values[0] for name, values in times.items()},
        "p90s": {name: values[1] for name, values in times.items()},
        "within_deadline_share": _share(in_deadline, with_deadline),
        "within_goal_share": _share(in_goal, with_goal),
        "within_10_weeks_share": _share(in_ten, with_clock),
        "extensions": extensions,
        "fee_reductions": {"count": reductions, "kronor": reduction_kr},
        "outcomes": outcomes(session, filters),
        "supplement_orders_per_case": round(orders / n_decided, 2) if n_decided else None,
        "complete_on_arrival_share": _share(complete_on_arrival, judged),
        "nki": nki.figures(session, filters),
    }


def outcomes(session: Session, filters: Filters) -> dict[str, int]:
    """Cases ended in the period by outcome (withdrawals included)."""
    rows = session.execute(select(CaseFigures.outcome, func.count()).where(
        and_(filters.decided_in_period(), CaseFigures.outcome.is_not(None))).group_by(CaseFigures.outcome))
    counts = {o.value: 0 for o in Outcome if o is not Outcome.NO_PERMIT_NEEDED}  # advice is no decision
    counts.update({outcome: int(n) for outcome, n in rows})
    return counts
