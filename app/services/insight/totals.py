"""Reading the day and month totals (``rollup``): a period's counts, its days per clock, open cases at a date.

Counts add up the period's days. Medians and percentiles come from how many cases took each number of days:
whole months from ``FiguresMonthDays``, the part-months at a period's ends straight from ``case_figures``
(grouped by the number of days) — exact, as if computed over the rows.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import date, timedelta

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from app.models import CaseFigures, FiguresDay, FiguresMonthDays
from app.models.insight import DAY_COUNTERS

from .filters import Filters
from .rollup import KINDS, is_decision, month_of
from .stats import _round


def _dims(model, filters: Filters):
    return and_(True, *[c for c in (
        model.process == filters.process if filters.process else None,
        model.case_type == filters.case_type if filters.case_type else None,
        model.track == filters.track if filters.track else None) if c is not None])


def day_totals(session: Session, filters: Filters, start: date, end: date) -> Counter:
    """Every counter of ``FiguresDay`` summed over the days from ``start`` to ``end``."""
    row = session.execute(select(*[func.coalesce(func.sum(getattr(FiguresDay, n)), 0) for n in DAY_COUNTERS])
                          .where(_dims(FiguresDay, filters), FiguresDay.day.between(start, end))).one()
    return Counter(dict(zip(DAY_COUNTERS, (int(v) for v in row), strict=True)))


def month_totals(session: Session, filters: Filters, start: date, end: date) -> dict[date, Counter]:
    """Per month (its first day): the counters summed over its days from ``start`` to ``end``."""
    out: dict[date, Counter] = {}
    for day, *values in session.execute(select(FiguresDay.day, *[getattr(FiguresDay, n) for n in DAY_COUNTERS])
                                        .where(_dims(FiguresDay, filters), FiguresDay.day.between(start, end))):
        out.setdefault(month_of(day), Counter()).update(dict(zip(DAY_COUNTERS, values, strict=True)))
    return out


def open_at(session: Session, filters: Filters, ends: Sequence[date]) -> list[int]:
    """Cases open at the end of each day in ``ends``: received by then, less those ended by then."""
    rows = session.execute(select(FiguresDay.day, func.sum(FiguresDay.received), func.sum(FiguresDay.ended))
                           .where(_dims(FiguresDay, filters), FiguresDay.day <= max(ends))
                           .group_by(FiguresDay.day).order_by(FiguresDay.day)).all()
    found = []
    for end in ends:
        found.append(sum(int(r) - int(e) for day, r, e in rows if day <= end))
    return found


def last_of_month(first: date) -> date:
    return (first.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)


def days_by_month(session: Session, filters: Filters, kind: str, start: date, end: date) -> dict[date, Counter]:
    """Per month of decision between ``start`` and ``end``: {days the ``kind`` clock took: cases}."""
    whole = [m for m in _months(start, end) if m >= start and last_of_month(m) <= end]
    out: dict[date, Counter] = {m: Counter() for m in _months(start, end)}
    if whole:
        for month, days, n in session.execute(
                select(FiguresMonthDays.month, FiguresMonthDays.days, func.sum(FiguresMonthDays.n))
                .where(_dims(FiguresMonthDays, filters), FiguresMonthDays.kind == kind,
                       FiguresMonthDays.month.between(whole[0], whole[-1]))
                .group_by(FiguresMonthDays.month, FiguresMonthDays.days)):
            out[month][days] += int(n)
    for month in out:
        if month not in whole:  # a part-month at an end of the period: from the rows
            out[month] = _row_days(session, filters, kind, max(start, month), min(end, last_of_month(month)))
    return out


def days_histogram(session: Session, filters: Filters, kind: str, start: date, end: date) -> Counter:
    """{days the ``kind`` clock took: cases} over decisions from ``start`` to ``end``."""
    total: Counter = Counter()
    for counts in days_by_month(session, filters, kind, start, end).values():
        total.update(counts)
    return total


def _row_days(session: Session, filters: Filters, kind: str, start: date, end: date) -> Counter:
    f, column = CaseFigures, getattr(CaseFigures, KINDS[kind])
    decided = filters.cases(f.decided_on.between(start, end), f.outcome.is_not(None), column.is_not(None))
    rows = session.execute(select(f.outcome, column, func.count()).where(decided).group_by(f.outcome, column))
    found: Counter = Counter()
    for outcome, days, n in rows:
        if is_decision(outcome):
            found[days] += int(n)
    return found


def _months(start: date, end: date) -> list[date]:
    months, month = [], month_of(start)
    while month <= end:
        months.append(month)
        month = last_of_month(month) + timedelta(days=1)
    return months


def quantiles(histogram: Counter, qs: Sequence[float]) -> list[float | None]:
    """The q-quantiles of the values counted in ``histogram``, interpolated as ``percentile_cont``."""
    total = sum(histogram.values())
    if not total:
        return [None for _ in qs]
    ordered = sorted(histogram.items())
    return [_round(_at(ordered, q * (total - 1))) for q in qs]


def _at(ordered: list[tuple[int, int]], position: float) -> float:
    low = int(position)
    low_value = _nth(ordered, low)
    high_value = _nth(ordered, low + 1) if position > low else low_value
    return low_value + (high_value - low_value) * (position - low)


def _nth(ordered: list[tuple[int, int]], index: int) -> int:
    seen = 0
    for value, n in ordered:
        seen += n
        if index < seen:
            return value
    return ordered[-1][0]
