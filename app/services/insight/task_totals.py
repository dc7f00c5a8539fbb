"""Tasks completed per local day, process and group (``TasksDay``), kept as tasks complete (or open again).

The dashboard's throughput per group adds up the period's days instead of counting every completed task.
A task that becomes completed adds one to its completion day; one that leaves "completed" (moved back by an
administrator) takes it away again. ``rebuild`` counts them afresh from the tasks (the migration's back-fill).
"""
from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import event, func, inspect, select
from sqlalchemy.orm import Session

from app.models import Case, HumanTask, ProcessVersion, TasksDay, TaskStatus

from ..env import get_env
from .rollup import upsert_add


def _process(session: Session, task: HumanTask) -> str | None:
    case = session.get(Case, task.case_id)
    version = session.get(ProcessVersion, case.process_version_id) if case is not None else None
    return version.model if version is not None else None


def _changes(session: Session) -> Counter:
    """(day, process, group) -> +1 / -1 for the tasks of this flush that became or stopped being completed."""
    found: Counter = Counter()
    tz = None
    for obj in list(session.new) + list(session.dirty):
        if not isinstance(obj, HumanTask):
            continue
        state = inspect(obj)
        status = state.attrs.status.history
        was = status.deleted[0] if status.deleted else (None if state.pending else obj.status)
        now_done, was_done = obj.status == TaskStatus.COMPLETED, was == TaskStatus.COMPLETED
        if now_done == was_done:
            continue
        tz = tz or ZoneInfo(get_env(session).settings.timezone)
        at = obj.completed_at if now_done else (state.attrs.completed_at.history.deleted or [obj.completed_at])[0]
        if at is None:
            continue
        found[(at.astimezone(tz).date(), _process(session, obj) or "", obj.group or "")] += 1 if now_done else -1
    return found


@event.listens_for(Session, "before_flush")
def _count_completed_tasks(session: Session, _context, _instances) -> None:
    changes = _changes(session)
    if changes:
        add(session.connection(), changes)


def add(conn, changes: Counter) -> None:
    """Add {(day, process, group): n} to the totals (rows in key order: no two writers wait
    for each other's rows in opposite orders)."""
    rows = [{"day": day, "process": process, "group": group, "completed": n}
            for (day, process, group), n in sorted(changes.items()) if n]
    upsert_add(conn, TasksDay, rows, ["day", "process", "group"], ("completed",))


def rebuild(conn, tz: ZoneInfo) -> None:
    """Every total counted afresh from the completed tasks (by UTC hour in SQL, then by local day here)."""
    conn.execute(TasksDay.__table__.delete())
    hour = (func.to_char(HumanTask.completed_at, "YYYY-MM-DD HH24") if conn.dialect.name == "postgresql"
            else func.strftime("%Y-%m-%d %H", HumanTask.completed_at))
    rows = conn.execute(select(hour, ProcessVersion.model, HumanTask.group, func.count())
                        .join(Case, Case.id == HumanTask.case_id)
                        .join(ProcessVersion, ProcessVersion.id == Case.process_version_id)
                        .where(HumanTask.status == TaskStatus.COMPLETED, HumanTask.completed_at.is_not(None))
                        .group_by(hour, ProcessVersion.model, HumanTask.group))
    totals: Counter = Counter()
    for at, process, group, n in rows:
        day = datetime.strptime(at, "%Y-%m-%d %H").replace(tzinfo=UTC).astimezone(tz).date()
        totals[(day, process or "", group or "")] += int(n)
    if totals:
        conn.execute(TasksDay.__table__.insert(), [{"day": d, "process": p, "group": g, "completed": n}
                                                   for (d, p, g), n in totals.items()])
