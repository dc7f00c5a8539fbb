"""The headline figures per month over the last 24 months."""
from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import case, func, or_, select
from sqlalchemy.orm import Session

from app.models import CaseFigures, Outcome

from .filters import Filters
from .stats import grouped_figures, month_key
from .summary import TEN_WEEKS

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


def _count_if(condition):
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def trends(session: Session, filters: Filters) -> list[dict]:
    """One row per month (oldest first) for the 24 months ending with the period's last month."""
    keys = months_ending(filters.end)
    start = _first_day(keys[0])
    f = CaseFigures
    decided = filters.cases(f.decided_on >= start, f.decided_on <= filters.end,
                            f.outcome != Outcome.WITHDRAWN.value)
    month = month_key(session, f.decided_on)
    decided_rows = {row[0]: row[1:] for row in session.execute(select(
        month, func.count(), _count_if(f.within_deadline.is_(True)), _count_if(f.within_deadline.is_not(None)),
        _count_if(f.statutory_days <= TEN_WEEKS), _count_if(f.statutory_days.is_not(None)),
        _count_if(f.extended.is_(True)), func.coalesce(func.sum(f.fee_reduction_kr), 0),
    ).where(decided).group_by(month))}
    arrived = month_key(session, f.arrived_on)
    received = dict(session.execute(select(arrived, func.count()).where(
        filters.cases(f.arrived_on >= start, f.arrived_on <= filters.end)).group_by(arrived)).all())
    times = grouped_figures(session, month, {"statutory": f.statutory_days, "lead": f.lead_days}, decided)
    statutory = {k: v["statutory"] for k, v in times.items()}
    lead = {k: v["lead"] for k, v in times.items()}
    open_counts = _open_at_month_ends(session, filters, keys)
    rows = []
    for key in keys:
        n, in_deadline, with_deadline, in_ten, with_clock, extensions, kronor = (
            int(v or 0) for v in decided_rows.get(key, (0,) * 7))
        rows.append({
            "month": key, "received": int(received.get(key, 0)), "decided": n, "open_at_end": open_counts[key],
            "statutory_days_median": (statutory.get(key) or [None])[0],
            "statutory_days_p90": (statutory.get(key) or [None, None])[1],
            "lead_time_days_median": (lead.get(key) or [None])[0],
            "within_deadline_share": round(in_deadline / with_deadline, 4) if with_deadline else None,
            "within_10_weeks_share": round(in_ten / with_clock, 4) if with_clock else None,
            "extensions": extensions, "fee_reductions_kronor": kronor,
        })
    return rows


def _open_at_month_ends(session: Session, filters: Filters, keys: list[str]) -> dict[str, int]:
    """Cases open at the end of each month: arrived by then, not yet decided or closed."""
    f = CaseFigures
    ends = [min(_first_day(k).replace(day=28) + timedelta(days=4), date.max) for k in keys]
    ends = [e - timedelta(days=e.day) for e in ends]  # last day of each month
    aggregates = [_count_if((f.arrived_on <= e) & or_(f.decided_on.is_(None), f.decided_on > e)
                            & or_(f.closed_on.is_(None), f.closed_on > e)) for e in ends]
    counts = session.execute(select(*aggregates).where(filters.cases(f.arrived_on <= ends[-1]), or_(
        f.decided_on.is_(None), f.decided_on >= _first_day(keys[0])))).one()
    return {k: int(n) for k, n in zip(keys, counts, strict=True)}
