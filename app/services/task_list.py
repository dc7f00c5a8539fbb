"""The inbox query: one page of open tasks, keyset-paginated, each branch an ordered index range.

"All my groups" is answered as one small ordered scan per group (and one for tasks offered to several
groups, one for tasks assigned to the actor), each stopping after a page, merged and cut to a page: the
partial indexes over open tasks (``group`` or ``assignee_id``, then the sort keys) make every page cost the
same however many tasks are open or closed. The case (without its workflow state) and the assignee come in
the same query, never one query per row; form defaults are not computed here (only when a task is opened).
"""
from __future__ import annotations

from sqlalchemy import Select, func, or_, select, union
from sqlalchemy.orm import Session, contains_eager, defer, joinedload, lazyload

from app.models import Case, HumanTask, TaskCandidateGroup, TaskStatus, User

from . import keyset
from .errors import InvalidInput
from .keyset import Key, Page

_CREATED = Key(HumanTask.created_at, "datetime")
_ID = Key(HumanTask.id)
#: sort name -> (keys, descending). Every key list ends in the id, so a position is unique.
SORTS = {
    "deadline": ([Key(HumanTask.sort_due, "date"), _CREATED, _ID], False),  # closest deadline, no clock last
    "oldest": ([_CREATED, _ID], False),
    "newest": ([_CREATED, _ID], True),
}


def page(session: Session, *, actor: User, element: str | None = None, mine: bool = False, sort: str = "oldest",
         group: str | None = None, after: str | None = None, size: int = keyset.DEFAULT_SIZE) -> Page[HumanTask]:
    """Open tasks of all the actor's groups (or of one of them) and tasks assigned to the actor, one page."""
    if sort not in SORTS:
        raise InvalidInput([{"field": "sort", "message": f"must be one of {', '.join(SORTS)}"}])
    if group and group not in actor.work_groups:
        raise InvalidInput([{"field": "group", "message": f"you are not in the group {group!r}"}])
    keys, descending = SORTS[sort]
    position = keyset.decode(after, sort, keys)

    def branch(*conditions, candidates: list[str] | None = None) -> Select:
        query = select(HumanTask.id.label("task_id"), *(k.column.label(f"k{i}") for i, k in enumerate(keys)))
        if candidates:
            # Driven by the few extra-group rows. Its tests on the task are written so that no index serves
            # them: a planner without statistics (SQLite) would otherwise scan every open task by ``status``
            # (or every task of the type, open or not, by ``element_id``).
            query = query.select_from(TaskCandidateGroup).join(HumanTask, HumanTask.id == TaskCandidateGroup.task_id)
            query = query.where(TaskCandidateGroup.group.in_(candidates),
                                func.coalesce(HumanTask.status, "") == TaskStatus.OPEN.name)
            if element:
                query = query.where(func.coalesce(HumanTask.element_id, "") == element)
        else:
            query = query.where(HumanTask.status == TaskStatus.OPEN)
            if element:
                query = query.where(HumanTask.element_id == element)
        query = query.where(*conditions)
        if position is not None:
            query = query.where(keyset.after(keys, position, descending=descending))
        return query.order_by(*keyset.order_by(keys, descending=descending)).limit(size + 1)

    branches = _branches(branch, actor, mine=mine, group=group)
    if not branches:
        return Page([], None, size)
    ranked = (branches[0] if len(branches) == 1
              else union(*(select(b.subquery()) for b in branches))).subquery()
    rank = [ranked.c[f"k{i}"] for i in range(len(keys))]
    query = (select(HumanTask).join(ranked, ranked.c.task_id == HumanTask.id).join(HumanTask.case)
             # not the workflow state (tens of KB a case); what a list does not show is loaded only if asked
             .options(contains_eager(HumanTask.case).options(defer(Case.state), lazyload(Case.contact)),
                      joinedload(HumanTask.assignee).lazyload(User.groups), lazyload(HumanTask.other_groups))
             .order_by(*(c.desc() if descending else c.asc() for c in rank)).limit(size + 1))
    rows = list(session.scalars(query).unique())
    cursor = None
    if len(rows) > size:
        rows = rows[:size]
        cursor = keyset.encode(sort, keys, [getattr(rows[-1], k.column.key) for k in keys])
    return Page(rows, cursor, size)


def _branches(branch, actor: User, *, mine: bool, group: str | None) -> list[Select]:
    if mine:
        return [branch(HumanTask.assignee_id == actor.id, *([_offered_to({group})] if group else []))]
    names = [group] if group else sorted(actor.work_groups)
    branches = [branch(HumanTask.group == name) for name in names]
    if names:
        branches.append(branch(candidates=names))
    if not group:
        branches.append(branch(HumanTask.assignee_id == actor.id))
    return branches


def _offered_to(names: set[str]):
    """Tasks offered to one of these groups (as their first group, or as one of several)."""
    groups = sorted(names)
    return or_(HumanTask.group.in_(groups), HumanTask.id.in_(
        select(TaskCandidateGroup.task_id).where(TaskCandidateGroup.group.in_(groups))))
