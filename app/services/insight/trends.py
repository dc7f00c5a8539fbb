"""The headline figures per month over the last 24 months."""
from __future__ import annotations

from collections import Counter
from datetime import date

from sqlalchemy.orm import Session

from . import totals
from .filters import Filters
from .stats import MEDIAN_P90

MONTHS = 24


def months_ending(end: date, count: int = MONTHS) -> list[str]:
    """'YYYY-MM' of the ``count`` months up to and including ``end``'s month."""
    year, month = end.year, end.month
    keys = []
    for _ in range(count):
        keys.append(f"{year:04d}-{month:02d}")
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return keys[::-1]


def _first_day(key: str) -> date:
    return date(int(key[:4]), int(key[5:7]), 1)


def trends(session: Session, filters: Filters) -> list[dict]:
    """One row per month (oldest first) for the 24 months ending with the period's last month."""
    keys = months_ending(filters.end)
    start = _first_day(keys[0])
    counts = totals.month_totals(session, filters, start, filters.end)
    statutory = totals.days_by_month(session, filters, "statutory", start, filters.end)
    lead = totals.days_by_month(session, filters, "lead", start, filters.end)
    ends = [totals.last_of_month(_first_day(k)) for k in keys]
    open_counts = dict(zip(keys, totals.open_at(session, filters, ends), strict=True))
    rows = []
    for key in keys:
        month = _first_day(key)
        t = counts.get(month, Counter())
        statutory_days = totals.quantiles(statutory.get(month, Counter()), MEDIAN_P90)
        rows.append({
            "month": key, "received": t["received"], "decided": t["decided"], "open_at_end": open_counts[key],
            "statutory_days_median": statutory_days[0], "statutory_days_p90": statutory_days[1],
            "lead_time_days_median": totals.quantiles(lead.get(month, Counter()), (0.5,))[0],
            "within_deadline_share": round(t["in_deadline"] / t["with_deadline"], 4) if t["with_deadline"] else None,
            "within_10_weeks_share": round(t["in_ten"] / t["with_clock"], 4) if t["with_clock"] else None,
            "extensions": t["extended"], "fee_reductions_kronor": t["reduction_kr"],
        })
    return rows
