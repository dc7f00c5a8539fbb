"""Per group: open tasks, how old they are, and how many are done per week — what a manager moves people by."""
from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import Case, Group, HumanTask, ProcessVersion, TasksDay, TaskStatus, group_membership

from .filters import Filters
from .stats import interpolate

_OPEN = HumanTask.status == TaskStatus.OPEN


def workload(session: Session, filters: Filters, now: datetime, tz: ZoneInfo, locale: str | None = None) -> list[dict]:
    """One row per group that has work or did work in the period, busiest first."""
    ages = _open_ages(session, filters, now)
    done_query = select(TasksDay.group, func.sum(TasksDay.completed)).where(
        TasksDay.day.between(filters.start, filters.end)).group_by(TasksDay.group)
    if filters.process:
        done_query = done_query.where(TasksDay.process == filters.process)
    done = {group: int(n) for group, n in session.execute(done_query) if n}
    weeks = max(1.0, ((filters.end - filters.start).days + 1) / 7)
    groups = {g.name: g for g in session.scalars(select(Group))}
    members = dict(session.execute(select(Group.name, func.count(group_membership.c.user_id))
                                   .join(group_membership, group_membership.c.group_id == Group.id)
                                   .group_by(Group.name)).all())
    rows = []
    for name in set(ages) | set(done):
        if not name:
            continue  # tasks assigned to a person, not offered to a group
        count, median = ages.get(name, (0, None))
        group = groups.get(name)
        rows.append({"group": name, "title": group.title(locale) if group else name,
                     "members": int(members.get(name, 0)), "open_tasks": count,
                     "median_age_days": round(median, 1) if median is not None else None,
                     "completed": int(done.get(name, 0)),
                     "throughput_per_week": round(int(done.get(name, 0)) / weeks, 1)})
    return sorted(rows, key=lambda r: (-r["open_tasks"], -r["completed"], r["group"]))


def _open_ages(session: Session, filters: Filters, now: datetime) -> dict[str, tuple[int, float | None]]:
    """{group: (open tasks, median age in days)}."""
    if filters.process:  # through the cases: the tasks' rows
        found: dict[str, list[float]] = defaultdict(list)
        query = (select(HumanTask.group, HumanTask.created_at).join(Case, Case.id == HumanTask.case_id)
                 .join(ProcessVersion, ProcessVersion.id == Case.process_version_id)
                 .where(_OPEN, ProcessVersion.model == filters.process))
        for group, created in session.execute(query):
            found[group].append((now - created).total_seconds() / 86400)
        return {g: (len(v), interpolate(sorted(v), 0.5)) for g, v in found.items()}
    counts = dict(session.execute(select(HumanTask.group, func.count()).where(_OPEN).group_by(HumanTask.group)).all())
    return {group: (int(n), _median_age(session, group, int(n), now)) for group, n in counts.items()}


def _median_age(session: Session, group: str, count: int, now: datetime) -> float:
    """The median age of a group's open tasks from its one or two middle creation times, read at their offset in
    the open tasks' index (newest first: ages ascending), without fetching the other tasks."""
    middle = session.scalars(select(HumanTask.created_at).where(_OPEN, HumanTask.group == group)
                             .order_by(HumanTask.created_at.desc(), HumanTask.id.desc())
                             .limit(2).offset((count - 1) // 2)).all()
    ages = [(now - created).total_seconds() / 86400 for created in middle]
    return interpolate(ages, 0.5 if count % 2 == 0 else 0.0)
