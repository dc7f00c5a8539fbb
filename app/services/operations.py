"""Administrators repair and steer cases: suspend, resume, terminate, reassign, move back.

Every operation needs a reason and is audited.
"""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.clock import utcnow
from app.models import Case, HumanTask, TaskStatus, User

from . import audit, locks, runner
from .incidents import open_incident
from . import groups as group_service
from .env import get_env
from .errors import CaseClosed, Conflict, Forbidden, InvalidInput, NotFound, TaskNotFound


def _admin(actor: User) -> None:
    if not actor.has_role("admin"):
        raise Forbidden("only administrators may do this")


def _reason(reason: str | None) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput([{"field": "reason", "message": "is required"}])
    return reason


def _case(session: Session, case_id: int) -> Case:
    case = session.get(Case, case_id)
    if case is None:
        raise NotFound(f"no case with id {case_id}")
    return case


def suspend(session: Session, *, actor: User, case_id: int, reason: str) -> Case:
    _admin(actor)
    reason = _reason(reason)
    case = _case(session, case_id)
    if case.completed_at is not None:
        raise CaseClosed("the case is closed")
    if case.suspended_at is not None:
        raise Conflict("the case is already suspended")
    case.suspended_at, case.suspended_reason = utcnow(), reason
    audit.record(session, actor=actor.username, action="case.suspended", case_id=case.id, details={"reason": reason})
    return case


def resume(session: Session, *, actor: User, case_id: int, reason: str) -> Case:
    """Resume; messages kept meanwhile are delivered now, due timers fire on the next poll."""
    _admin(actor)
    reason = _reason(reason)
    case = _case(session, case_id)
    if case.suspended_at is None:
        raise Conflict("the case is not suspended")
    case.suspended_at, case.suspended_reason = None, None
    audit.record(session, actor=actor.username, action="case.resumed", case_id=case.id, details={"reason": reason})
    session.flush()

    if open_incident(session, case.id) is None:
        runner.apply(session, case, lambda wf, events, host: None, actor=actor.username)
    return case


def terminate(session: Session, *, actor: User, case_id: int, reason: str) -> Case:
    """End the case where it stands (no decision); open tasks are cancelled."""
    _admin(actor)
    reason = _reason(reason)
    case = _case(session, case_id)
    if case.completed_at is not None:
        raise CaseClosed("the case is already closed")
    engine = get_env(session).engine
    terminated = {"by": actor.username, "at": utcnow().isoformat(), "reason": reason}
    audit.record(session, actor=actor.username, action="case.terminated", case_id=case.id, details={"reason": reason})
    case.suspended_at = case.suspended_reason = None
    runner.apply(session, case, lambda wf, events, host: engine.cancel(wf, {"terminated": terminated}, events),
                 actor=actor.username)

    incident = open_incident(session, case.id)
    if incident is not None:
        incident.resolved_at, incident.resolution, incident.resolved_by = utcnow(), "terminated", actor.username
    return case


def reassign(session: Session, *, actor: User, task_id: str, reason: str, user: str | None = None,
             group: str | None = None) -> HumanTask:
    """Give an open task to another group and/or user.

    An assignee who is not in the task's (new) group loses the task: nobody
    could otherwise work it, and its group could not claim it.
    """
    _admin(actor)
    reason = _reason(reason)
    task = locks.task(session, task_id)
    if task is None:
        raise TaskNotFound(f"no task with id {task_id}")
    if task.status != TaskStatus.OPEN:
        raise Conflict("the task is no longer open")
    if not user and not group:
        raise InvalidInput([{"field": "user", "message": "name a user or a group (or both)"}])
    before = {"group": task.group, "assignee": task.assignee.username if task.assignee else None}
    if group:
        found = group_service.resolve(session, group)
        if found is None:
            names = ", ".join(g.name for g in group_service.list_groups(session, include_retired=False))
            raise InvalidInput([{"field": "group", "message": f"no active group {group!r}; choose from {names}"}])
        task.group = found.name
    if user:
        _assign(session, task, user)
    elif task.assignee is not None and task.groups and not set(task.groups) & task.assignee.work_groups:
        task.assignee, task.claimed_at = None, None
    session.flush()
    after = {"group": task.group, "assignee": task.assignee.username if task.assignee else None}
    audit.record(session, actor=actor.username, action="task.reassigned", case_id=task.case_id,
                 element_id=task.element_id, details={"task": task.id, "before": before, "after": after,
                                                      "reason": reason})
    return task


def _assign(session: Session, task: HumanTask, username: str) -> None:
    target = session.scalar(select(User).where(User.username == username, User.deleted_at.is_(None)))
    if target is None:
        raise InvalidInput([{"field": "user", "message": f"no active user named {username!r}"}])
    if task.groups and not set(task.groups) & target.work_groups:
        raise InvalidInput([{"field": "user",
                             "message": f"{username} is not in the {' or '.join(task.groups)} group"}])
    if task.assignee_id != target.id:
        task.assignee, task.claimed_at = target, utcnow()


def move_back(session: Session, *, actor: User, case_id: int, task_id: str, reason: str) -> Case:
    """Reset the case to an earlier (completed) task, which becomes ready again."""
    _admin(actor)
    reason = _reason(reason)
    case = _case(session, case_id)
    if case.completed_at is not None:
        raise CaseClosed("the case is closed")
    target = session.get(HumanTask, task_id)
    if target is None or target.case_id != case.id or target.status != TaskStatus.COMPLETED:
        raise InvalidInput([{"field": "task", "message": "choose a completed task of this case"}])
    engine = get_env(session).engine

    def act(wf, events, host):
        try:
            engine.reset_to(wf, task_id, events)
        except LookupError:
            raise InvalidInput([{"field": "task",
                                 "message": "the task is not in the case's history any more"}]) from None

    audit.record(session, actor=actor.username, action="case.moved_back", case_id=case.id,
                 element_id=target.element_id, details={"task": task_id, "title": target.title, "reason": reason})
    runner.apply(session, case, act, actor=actor.username)
    return case
