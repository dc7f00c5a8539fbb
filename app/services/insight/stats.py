"""Percentiles that read the same on PostgreSQL (percentile_cont) and SQLite (computed here)."""
from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Sequence

from sqlalchemy import Float, and_, cast, func, select
from sqlalchemy.orm import Session

#: The percentiles the dashboard shows.
MEDIAN_P90 = (0.5, 0.9)


def interpolate(ordered: Sequence[float], q: float) -> float | None:
    """The q-quantile of sorted values with linear interpolation (what percentile_cont computes)."""
    if not ordered:
        return None
    position = q * (len(ordered) - 1)
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return float(ordered[low] + (ordered[high] - ordered[low]) * (position - low))


def is_postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def percentiles(session: Session, columns: dict, where, qs: Sequence[float] = MEDIAN_P90) -> dict[str, list]:
    """{name: [value per q]} of each column over the rows matching ``where`` (NULLs left out)."""
    if is_postgres(session):
        aggregates = [func.percentile_cont(q).within_group(cast(col, Float)) for col in columns.values() for q in qs]
        row = session.execute(select(*aggregates).where(where)).one()
        values = list(row)
        return {name: [_round(v) for v in values[i * len(qs):(i + 1) * len(qs)]]
                for i, name in enumerate(columns)}
    result = {}
    for name, col in columns.items():
        ordered = list(session.scalars(select(col).where(where, col.is_not(None)).order_by(col)))
        result[name] = [_round(interpolate(ordered, q)) for q in qs]
    return result


def grouped_percentiles(session: Session, key, value, where, qs: Sequence[float] = MEDIAN_P90) -> dict:
    """{key: [value per q]} of ``value`` over rows matching ``where``, grouped by ``key``.

    ``key`` is one column, or a tuple of columns (the result is then keyed by tuples).
    """
    return {k: figures["value"] for k, figures in
            grouped_figures(session, key, {"value": value}, and_(where, value.is_not(None)), qs).items()}


def grouped_figures(session: Session, key, values: dict, where, qs: Sequence[float] = MEDIAN_P90) -> dict:
    """{key: {name: [value per q], ..., "count": rows}} of several ``values`` over the rows matching ``where``,
    grouped by ``key``, in one pass over the rows (NULLs left out of each value's percentiles)."""
    keys = key if isinstance(key, tuple) else (key,)
    width, names = len(keys), list(values)

    def group_of(row):
        return tuple(row[:width]) if isinstance(key, tuple) else row[0]

    if is_postgres(session):
        aggregates = [func.percentile_cont(q).within_group(cast(v, Float)) for v in values.values() for q in qs]
        rows = session.execute(select(*keys, func.count(), *aggregates).where(where).group_by(*keys))
        out = {}
        for row in rows:
            found = list(row[width + 1:])
            out[group_of(row)] = {"count": int(row[width]), **{
                name: [_round(v) for v in found[i * len(qs):(i + 1) * len(qs)]] for i, name in enumerate(names)}}
        return out
    samples: dict = defaultdict(lambda: [[] for _ in names])
    counts: Counter = Counter()
    for row in session.execute(select(*keys, *values.values()).where(where)).tuples():
        group = group_of(row)
        counts[group] += 1
        lists = samples[group]
        for i, v in enumerate(row[width:]):
            if v is not None:
                lists[i].append(v)
    out = {}
    for k, lists in samples.items():
        figures = {"count": counts[k]}
        for name, found in zip(names, lists, strict=True):
            found.sort()
            figures[name] = [_round(interpolate(found, q)) for q in qs]
        out[k] = figures
    return out


def _round(value) -> float | None:
    return None if value is None else round(float(value), 2)


def month_key(session: Session, column):
    """'YYYY-MM' of a date column."""
    if is_postgres(session):
        return func.to_char(column, "YYYY-MM")
    return func.strftime("%Y-%m", column)


def seconds_between(session: Session, start, end):
    """``end - start`` in seconds, as a number."""
    if is_postgres(session):
        return func.extract("epoch", end - start)
    return (func.julianday(end) - func.julianday(start)) * 86400.0
