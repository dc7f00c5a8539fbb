"""Day and month totals of ``case_figures`` (``FiguresDay``, ``FiguresMonthDays``), kept by difference.

A case's row of figures contributes to a few totals: its arrival day, its decision day (the counts, the outcome
and, for its month, the number of days each clock took) and the day it stopped being open. When the row
changes, ``apply`` subtracts what it contributed and adds what it contributes now (most saves change none of
it and write nothing); ``rebuild`` computes every total afresh from the rows (the migration's back-fill,
``lotsen insight rebuild``, and the tests' independent check).
"""
from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date

from sqlalchemy import case, delete, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from app.models import CaseFigures, FiguresDay, FiguresMonthDays, Outcome
from app.models.insight import DAY_COUNTERS

#: Umeå's and the simulation's measure: decided within ten weeks of the clock's start.
TEN_WEEKS = 70
#: The clocks whose days are counted per month: kind -> column of ``CaseFigures``.
KINDS = {"statutory": "statutory_days", "lead": "lead_days", "completeness": "completeness_days"}
OUTCOMES = tuple(o.value for o in Outcome)
#: Rows per upsert statement (SQLite binds at most 32,766 values in one).
CHUNK = 500


def month_of(day: date) -> date:
    return day.replace(day=1)


def is_decision(outcome: str | None) -> bool:
    """Decided (a withdrawal ends a case but is no decision), as the dashboard counts decisions."""
    return outcome is not None and outcome != Outcome.WITHDRAWN.value


def ended_on(arrived: date | None, decided: date | None, closed: date | None) -> date | None:
    """The first day a case is no longer open (never before it arrived); None while it is open."""
    ends = [d for d in (decided, closed) if d is not None]
    if arrived is None or not ends:
        return None
    return max(arrived, min(ends))


def contributions(f) -> tuple[dict, Counter]:
    """({(day, process, case type, track): Counter of day counters}, Counter of month keys) of one row."""
    dims = (f.process, f.case_type or "", f.track or "")
    days: dict = defaultdict(Counter)
    months: Counter = Counter()
    if f.arrived_on is not None:
        days[(f.arrived_on, *dims)].update(received=1, coa_judged=int(f.complete_on_arrival is not None),
                                           coa_yes=int(f.complete_on_arrival is True))
    if f.decided_on is not None and f.outcome is not None:
        counts = days[(f.decided_on, *dims)]
        counts[f.outcome] += 1
        if is_decision(f.outcome):
            counts.update(decided=1, in_deadline=int(f.within_deadline is True),
                          with_deadline=int(f.within_deadline is not None), in_goal=int(f.within_goal is True),
                          with_goal=int(f.within_goal is not None),
                          in_ten=int(f.statutory_days is not None and f.statutory_days <= TEN_WEEKS),
                          with_clock=int(f.statutory_days is not None), extended=int(f.extended is True),
                          reduced=int((f.fee_reduction_kr or 0) > 0), reduction_kr=f.fee_reduction_kr or 0,
                          supplement_orders=f.supplement_orders or 0)
            for kind, column in KINDS.items():
                value = getattr(f, column)
                if value is not None:
                    months[(month_of(f.decided_on), kind, *dims, value)] += 1
    ended = ended_on(f.arrived_on, f.decided_on, f.closed_on)
    if ended is not None:
        days[(ended, *dims)]["ended"] += 1
    return days, months


def difference(before, after) -> tuple[dict, Counter]:
    """What ``after`` adds to the totals once ``before`` (both from ``contributions``) is taken away."""
    days: dict = defaultdict(Counter)
    for sign, (found, _) in ((-1, before), (1, after)):
        for key, counts in found.items():
            for name, n in counts.items():
                days[key][name] += sign * n
    months = Counter(after[1])
    months.subtract(before[1])
    return _nonzero_days(days), Counter({k: v for k, v in months.items() if v})


def _nonzero_days(days: dict) -> dict:
    out = {}
    for key, counts in days.items():
        kept = {name: n for name, n in counts.items() if n}
        if kept:
            out[key] = kept
    return out


def empty() -> tuple[dict, Counter]:
    return {}, Counter()


def apply(session, change: tuple[dict, Counter]) -> None:
    """Add a change (``difference``) to the totals: one upsert statement for the days, one for the months (per
    ``CHUNK`` rows: a seeded batch touches many)."""
    days, months = change
    conn = session.connection() if days or months else None
    # in key order, so that two transactions never wait for each other's rows in opposite orders (PostgreSQL)
    day_rows = [{"day": day, "process": process, "case_type": case_type, "track": track,
                 **{name: counts.get(name, 0) for name in DAY_COUNTERS}}
                for (day, process, case_type, track), counts in sorted(days.items())]
    month_rows = [{"month": month, "kind": kind, "process": process, "case_type": case_type, "track": track,
                   "days": value, "n": n}
                  for (month, kind, process, case_type, track, value), n in sorted(months.items())]
    upsert_add(conn, FiguresDay, day_rows, ["day", "process", "case_type", "track"], DAY_COUNTERS)
    upsert_add(conn, FiguresMonthDays, month_rows, ["month", "kind", "process", "case_type", "track", "days"], ("n",))


def upsert_add(conn, model, rows: list[dict], keys: list[str], counters) -> None:
    """Insert the rows, or add their counters to the rows already there (``CHUNK`` rows per statement). Every
    kept total of the dashboard is written here; callers pass the rows in key order."""
    if not rows:
        return
    insert = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
    for at in range(0, len(rows), CHUNK):
        statement = insert(model).values(rows[at:at + CHUNK])
        conn.execute(statement.on_conflict_do_update(
            index_elements=keys, set_={name: getattr(model, name) + statement.excluded[name] for name in counters}))


def add_rows(session, rows) -> None:
    """Add new rows of figures (objects or namespaces with ``CaseFigures``' attributes) to the totals."""
    days: dict = defaultdict(Counter)
    months: Counter = Counter()
    for row in rows:
        found_days, found_months = contributions(row)
        for key, counts in found_days.items():
            days[key].update(counts)
        months.update(found_months)
    apply(session, (_nonzero_days(days), months))


def rebuild(conn) -> None:
    """Every total computed afresh from ``case_figures`` (in SQL, grouped; the old totals deleted first)."""
    conn.execute(delete(FiguresDay))
    conn.execute(delete(FiguresMonthDays))
    f = CaseFigures
    dims = (f.process, func.coalesce(f.case_type, ""), func.coalesce(f.track, ""))
    days: dict = defaultdict(Counter)

    def add(day_column, where, **columns):
        names = list(columns)
        for row in conn.execute(select(day_column, *dims, *columns.values()).where(where)
                                .group_by(day_column, *dims)):
            found = {name: int(v or 0) for name, v in zip(names, row[4:], strict=True)}
            days[(_as_date(row[0]), *row[1:4])].update(found)

    def count_if(condition):
        return func.sum(case((condition, 1), else_=0))

    add(f.arrived_on, f.arrived_on.is_not(None), received=func.count(),
        coa_judged=count_if(f.complete_on_arrival.is_not(None)), coa_yes=count_if(f.complete_on_arrival.is_(True)))
    decision = f.decided_on.is_not(None) & f.outcome.is_not(None) & (f.outcome != Outcome.WITHDRAWN.value)
    add(f.decided_on, decision, decided=func.count(), in_deadline=count_if(f.within_deadline.is_(True)),
        with_deadline=count_if(f.within_deadline.is_not(None)), in_goal=count_if(f.within_goal.is_(True)),
        with_goal=count_if(f.within_goal.is_not(None)), in_ten=count_if(f.statutory_days <= TEN_WEEKS),
        with_clock=count_if(f.statutory_days.is_not(None)), extended=count_if(f.extended.is_(True)),
        reduced=count_if(f.fee_reduction_kr > 0), reduction_kr=func.sum(f.fee_reduction_kr),
        supplement_orders=func.sum(f.supplement_orders))
    add(f.decided_on, f.decided_on.is_not(None) & f.outcome.is_not(None),
        **{outcome: count_if(f.outcome == outcome) for outcome in OUTCOMES})
    end = case((f.decided_on.is_not(None) & (f.closed_on.is_(None) | (f.decided_on <= f.closed_on)), f.decided_on),
               else_=f.closed_on)
    end = case((end < f.arrived_on, f.arrived_on), else_=end)
    add(end, f.arrived_on.is_not(None) & (f.decided_on.is_not(None) | f.closed_on.is_not(None)), ended=func.count())
    if days:
        conn.execute(FiguresDay.__table__.insert(), [
            {"day": day, "process": p, "case_type": ct, "track": tr, **{n: counts.get(n, 0) for n in DAY_COUNTERS}}
            for (day, p, ct, tr), counts in days.items()])
    month = (func.to_char(f.decided_on, "YYYY-MM") if conn.dialect.name == "postgresql"
             else func.strftime("%Y-%m", f.decided_on))
    months = []
    for kind, column in KINDS.items():
        value = getattr(f, column)
        for key, p, ct, tr, days_, n in conn.execute(
                select(month, *dims, value, func.count()).where(decision, value.is_not(None))
                .group_by(month, *dims, value)):
            months.append({"month": date(int(key[:4]), int(key[5:7]), 1), "kind": kind, "process": p,
                           "case_type": ct, "track": tr, "days": days_, "n": n})
    if months:
        conn.execute(FiguresMonthDays.__table__.insert(), months)


def _as_date(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))
