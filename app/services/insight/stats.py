"""Percentiles that read the same on PostgreSQL (percentile_cont) and SQLite (computed here)."""
from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence

from sqlalchemy import Float, cast, func, select
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
    keys = key if isinstance(key, tuple) else (key,)
    width = len(keys)

    def group_of(row):
        return tuple(row[:width]) if isinstance(key, tuple) else row[0]

    if is_postgres(session):
        aggregates = [func.percentile_cont(q).within_group(cast(value, Float)) for q in qs]
        rows = session.execute(select(*keys, *aggregates).where(where, value.is_not(None)).group_by(*keys))
        return {group_of(row): [_round(v) for v in row[width:]] for row in rows}
    groups: dict = defaultdict(list)
    for row in session.execute(select(*keys, value).where(where, value.is_not(None)).order_by(*keys, value)):
        groups[group_of(row)].append(row[width])
    return {k: [_round(interpolate(vs, q)) for q in qs] for k, vs in groups.items()}


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
