"""The inbox: listing, claiming, releasing and completing human tasks."""
from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from app.clock import utcnow
from app.models import HumanTask, ProcessVersion, TaskCandidateGroup, TaskStatus, User
from handlers import i18n

from . import audit, contacts, form_options, incidents, keyset, locks, runner, task_list
from . import groups as group_service
from .env import get_env
from .errors import (
    N_, CaseClosed, Forbidden, StepFailed, TaskAlreadyCompleted, TaskClaimedByOther, TaskNotFound,
    TaskOfOtherGroups)
from .forms import validate, with_defaults
from .processes import form_schema


def list_tasks(session: Session, *, actor: User, element: str | None = None, mine: bool = False,
               sort: str = "oldest", group: str | None = None, after: str | None = None,
               size: int = keyset.DEFAULT_SIZE) -> keyset.Page[HumanTask]:
    """One page of the open tasks of all the actor's groups (or of one of them) and of tasks assigned to the
    actor; ``after`` is the previous page's ``next`` cursor (see ``task_list``)."""
    return task_list.page(session, actor=actor, element=element, mine=mine, sort=sort, group=group, after=after,
                          size=size)


def _in_groups(names: set[str]):
    """Tasks offered to one of these groups (as their first group, or as one of several)."""
    groups = sorted(names)
    return or_(HumanTask.group.in_(groups), HumanTask.id.in_(
        select(TaskCandidateGroup.task_id).where(TaskCandidateGroup.group.in_(groups))))


def task_types(session: Session, *, actor: User) -> list[tuple[str, str, str | None]]:
    """(element id, title, Swedish title) of the task kinds the actor can see, for filtering."""
    rows = session.execute(select(HumanTask.element_id, HumanTask.title, HumanTask.title_sv).where(
        HumanTask.status == TaskStatus.OPEN, _in_groups(actor.work_groups)).distinct())
    seen: dict[str, tuple[str, str | None]] = {}
    for element, title, title_sv in rows:
        seen.setdefault(element, (title.split(" — ")[0], title_sv.split(" — ")[0] if title_sv else None))
    return sorted(((e, t, sv) for e, (t, sv) in seen.items()), key=lambda row: row[1])


def get_task(session: Session, *, actor: User, task_id: str, lock: bool = False) -> HumanTask:
    """The task if the actor may see it; ``lock`` holds its row until the transaction ends."""
    task = locks.task(session, task_id) if lock else session.get(HumanTask, task_id)
    if task is None:
        raise TaskNotFound(f"no task with id {task_id}")
    if not task.offered_to(actor):
        raise _not_yours(session, task)
    return task


def _not_yours(session: Session, task: HumanTask) -> Forbidden:
    """Why ``task`` is not the actor's; the work groups' names and titles let a page name them in words."""
    if task.groups:
        titles = {g.name: {"sv": g.title_sv, "en": g.title_en}
                  for g in group_service.list_groups(session) if g.name in task.groups}
        return TaskOfOtherGroups(i18n.N_("this task is for the %(groups)s group", groups=" or ".join(task.groups)),
                                 groups=list(task.groups), titles=titles)
    return Forbidden(N_("this task is assigned to someone else"))


def task_form(session: Session, task: HumanTask) -> dict | None:
    """The task's JSON Schema with the computed defaults filled in."""
    version = session.get(ProcessVersion, task.case.process_version_id)
    schema = form_options.fill(session, form_schema(version, task.form), task.case)
    return with_defaults(schema, task.defaults or {}) if schema else None


def _ensure_open(task: HumanTask) -> None:
    if task.status == TaskStatus.COMPLETED:
        raise TaskAlreadyCompleted("this task has already been completed")
    if task.status != TaskStatus.OPEN:
        raise TaskAlreadyCompleted("this task is no longer open")


def claim(session: Session, *, actor: User, task_id: str) -> HumanTask:
    """Take the task; of two people claiming it at once exactly one gets it."""
    task = get_task(session, actor=actor, task_id=task_id, lock=True)
    _ensure_open(task)
    _ensure_not_claimed_by_other(task, actor)
    if task.assignee_id is None:
        task.assignee_id, task.claimed_at = actor.id, utcnow()
        audit.record(session, actor=actor.username, action="task.claimed", case_id=task.case_id,
                     element_id=task.element_id, details={"task": task.id})
    return task


def release(session: Session, *, actor: User, task_id: str) -> HumanTask:
    """Give the task back to its group."""
    task = get_task(session, actor=actor, task_id=task_id, lock=True)
    _ensure_open(task)
    _ensure_not_claimed_by_other(task, actor)
    if task.assignee_id is not None:
        task.assignee_id, task.claimed_at = None, None
        audit.record(session, actor=actor.username, action="task.released", case_id=task.case_id,
                     element_id=task.element_id, details={"task": task.id})
    return task


def _ensure_not_claimed_by_other(task: HumanTask, actor: User) -> None:
    if task.assignee_id not in (None, actor.id):
        raise TaskClaimedByOther(f"claimed by {task.assignee.display_name}")


def complete(session: Session, *, actor: User, task_id: str, data: Mapping) -> HumanTask:
    """Validate the form data, complete the task and advance the case."""
    task = get_task(session, actor=actor, task_id=task_id)
    # the case first, then its task (see locks); kept in hand: the session holds objects only weakly, and a
    # case nobody refers to would be read again by ``task.case``
    case = locks.case(session, task.case_id)
    task = get_task(session, actor=actor, task_id=task_id, lock=True)
    _ensure_open(task)
    if not task.offered_to(actor):
        raise _not_yours(task)
    _ensure_not_claimed_by_other(task, actor)
    if case.completed_at is not None:
        raise CaseClosed("the case is closed")
    incidents.ensure_actionable(session, case)
    return complete_now(session, actor=actor, task_id=task_id, data=data)


def complete_now(session: Session, *, actor: User, task_id: str, data: Mapping,
                 skips: dict | None = None) -> HumanTask:
    """Complete an open task as ``actor`` (who was authorised already) and advance the case."""
    task = session.get(HumanTask, task_id)
    if task is None:
        raise TaskNotFound(f"no task with id {task_id}")
    _ensure_open(task)
    case = task.case
    schema = task_form(session, task)
    clean = validate(schema, data) if schema else dict(data)
    before = {k: (case.facts or {}).get(k) for k in clean}
    task.submitted = clean

    def act(wf, events, host):
        try:
            get_env(session).engine.complete_task(wf, task.id, clean, events)
        except LookupError:
            raise TaskAlreadyCompleted("this task has already been completed") from None

    audit.record(session, actor=actor.username, action="task.completed", case_id=case.id,
                 element_id=task.element_id, details={"task": task.id, "title": task.title,
                                                      **({"title_sv": task.title_sv} if task.title_sv else {}),
                                                      "before": before, "after": clean})
    if contacts.adopt_default(case, actor):
        audit.record(session, actor=actor.username, action="case.contact_changed", case_id=case.id,
                     details={"from": None, "to": actor.username})
    try:
        runner.apply(session, case, act, actor=actor.username, completed_task=(task, actor), skips=skips)
    except StepFailed as exc:
        exc.action = {"kind": "complete_task", "task_id": task.id, "data": clean, "actor": actor.username}
        raise
    return task
