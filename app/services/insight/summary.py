"""The dashboard's headline figures for a period: volumes, times, shares, extensions, fee reductions."""
from __future__ import annotations

from collections import Counter

from sqlalchemy.orm import Session

from app.models import Outcome

from . import nki, totals
from .filters import Filters
from .rollup import TEN_WEEKS
from .stats import MEDIAN_P90

#: The times the dashboard gives median and 90th percentile of, in calendar days: name -> clock (``rollup.KINDS``).
TIMES = {"statutory_days": "statutory", "lead_time_days": "lead", "completeness_days": "completeness"}
__all__ = ["TEN_WEEKS", "TIMES", "summary"]


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def summary(session: Session, filters: Filters) -> dict:
    """Every headline figure of the dashboard, as the API returns it (from the day and month totals)."""
    t = totals.day_totals(session, filters, filters.start, filters.end)
    times = {name: totals.quantiles(totals.days_histogram(session, filters, kind, filters.start, filters.end),
                                    MEDIAN_P90) for name, kind in TIMES.items()}
    return {
        "period": {"from": filters.start.isoformat(), "to": filters.end.isoformat()},
        "filters": {"process": filters.process, "case_type": filters.case_type, "track": filters.track},
        "received": t["received"],
        "decided": t["decided"],
        "open": totals.open_at(session, filters, [filters.end])[0],
        "medians": {name: values[0] for name, values in times.items()},
        "p90s": {name: values[1] for name, values in times.items()},
        "within_deadline_share": _share(t["in_deadline"], t["with_deadline"]),
        "within_goal_share": _share(t["in_goal"], t["with_goal"]),
        "within_10_weeks_share": _share(t["in_ten"], t["with_clock"]),
        "extensions": t["extended"],
        "fee_reductions": {"count": t["reduced"], "kronor": t["reduction_kr"]},
        "outcomes": outcomes(t),
        "supplement_orders_per_case": round(t["supplement_orders"] / t["decided"], 2) if t["decided"] else None,
        "complete_on_arrival_share": _share(t["coa_yes"], t["coa_judged"]),
        "nki": nki.figures(session, filters),
    }


def outcomes(t: Counter) -> dict[str, int]:
    """Cases ended in the period by outcome (withdrawals included; advice only when there was any)."""
    return {o.value: t[o.value] for o in Outcome if o is not Outcome.NO_PERMIT_NEEDED or t[o.value]}
