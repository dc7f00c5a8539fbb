"""Per group: open tasks, how old they are, and how many are done per week — what a manager moves people by."""
from __future__ import annotations

from collections import defaultdict
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import Case, Group, HumanTask, ProcessVersion, TaskStatus, group_membership

from .filters import Filters
from .stats import interpolate


def _tasks(filters: Filters, *columns):
    query = select(*columns).select_from(HumanTask)
    if filters.process:
        query = (query.join(Case, Case.id == HumanTask.case_id)
                 .join(ProcessVersion, ProcessVersion.id == Case.process_version_id)
                 .where(ProcessVersion.model == filters.process))
    return query


def workload(session: Session, filters: Filters, now: datetime, tz: ZoneInfo, locale: str | None = None) -> list[dict]:
    """One row per group that has work or did work in the period, busiest first."""
    ages: dict[str, list[float]] = defaultdict(list)
    for group, created in session.execute(_tasks(filters, HumanTask.group, HumanTask.created_at)
                                          .where(HumanTask.status == TaskStatus.OPEN)):
        ages[group].append((now - created).total_seconds() / 86400)
    period_start = datetime.combine(filters.start, time(0), tzinfo=tz)
    period_end = datetime.combine(filters.end + timedelta(days=1), time(0), tzinfo=tz)
    done = dict(session.execute(_tasks(filters, HumanTask.group, func.count()).where(
        HumanTask.status == TaskStatus.COMPLETED, HumanTask.completed_at >= period_start,
        HumanTask.completed_at < period_end).group_by(HumanTask.group)).all())
    weeks = max(1.0, ((filters.end - filters.start).days + 1) / 7)
    groups = {g.name: g for g in session.scalars(select(Group))}
    members = dict(session.execute(select(Group.name, func.count(group_membership.c.user_id))
                                   .join(group_membership, group_membership.c.group_id == Group.id)
                                   .group_by(Group.name)).all())
    rows = []
    for name in set(ages) | set(done):
        if not name:
            continue  # tasks assigned to a person, not offered to a group
        open_ages = sorted(ages.get(name, []))
        group = groups.get(name)
        rows.append({"group": name, "title": group.title(locale) if group else name,
                     "members": int(members.get(name, 0)), "open_tasks": len(open_ages),
                     "median_age_days": round(interpolate(open_ages, 0.5), 1) if open_ages else None,
                     "completed": int(done.get(name, 0)),
                     "throughput_per_week": round(int(done.get(name, 0)) / weeks, 1)})
    return sorted(rows, key=lambda r: (-r["open_tasks"], -r["completed"], r["group"]))
