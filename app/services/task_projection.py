"""The inbox projection of a case: its open task rows follow the ready user tasks of its saved state.

Only what changed is written: a task still ready keeps its row (claim, submitted answers), one no longer
ready is cancelled (or completed, for the one just completed), a new one gets a row with its groups, title,
form defaults and diagram assignee; a task made ready again (after a reset) reopens its earlier row.
"""
from __future__ import annotations

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session, lazyload

from app.engine.runtime import Snapshot
from app.models import Case, HumanTask, ProcessVersion, TaskCandidateGroup, TaskStatus, User

from . import audit
from . import groups as group_service
from .env import get_env
from .errors import StepFailed
from .forms import defaults_from
from .processes import form_schema


def _subject_value(ready) -> str | None:
    subject = ready.properties.get("subject")
    value = ready.data.get(subject) if subject else None
    return str(value)[:120] if value not in (None, "") else None


def _subject_suffixes(session: Session, ready) -> tuple[str, str]:
    """What tells instances of a multi-instance task apart (" — Miljö"); a group is shown by its title."""
    subject = ready.properties.get("subject")
    value = ready.data.get(subject) if subject else None
    if not value:
        return "", ""
    group = group_service.find(session, value) if isinstance(value, str) else None
    if group is not None:
        return f" — {group.title_en}", f" — {group.title_sv}"
    body = get_env(session).settings.external_bodies.get(value) if isinstance(value, str) else None
    if body is not None:
        return f" — {body.get('name_en') or value}", f" — {body.get('name_sv') or value}"
    return f" — {value}", f" — {value}"


def _groups_of(session: Session, case: Case, version: ProcessVersion, ready) -> list[str]:
    """The groups a ready task is offered to: those it names itself, else its lane's (fixed at deploy).

    A task assigned to a person by its diagram may have no group ([""]).
    """
    names = []
    for label in ready.groups:
        group = group_service.resolve(session, label)
        if group is None:
            raise StepFailed(f"{ready.name}: the task is for the group {label!r}, which does not exist or is "
                             f"retired; create it in Administration → Groups, then retry",
                             case_id=case.id, element=ready.element_id)
        names.append(group.name)
    if names:
        return list(dict.fromkeys(names))
    lanes = (version.properties or {}).get("lanes") or {}
    if lanes.get(ready.lane):
        return [lanes[ready.lane]]
    if ready.assignee:  # its lane, if any, is only a drawing
        return [""]
    group = group_service.resolve(session, ready.lane or "", active_only=False)  # versions deployed before 0006
    return [group.name if group is not None else (ready.lane or "").lower()]


def project(session: Session, case: Case, snapshot: Snapshot, now, completed_task) -> None:
    version = session.get(ProcessVersion, case.process_version_id)
    ready_ids = {t.id for t in snapshot.ready}
    open_rows, earlier_rows = _task_rows(session, case, ready_ids)
    if completed_task is not None:
        row, user = completed_task
        row.status = TaskStatus.COMPLETED
        row.completed_at = now
        row.completed_by_id = user.id if user is not None else None
        if row.assignee_id is None and user is not None:  # completed without a claim: taken now
            row.assignee_id, row.claimed_at = user.id, now
        open_rows.pop(row.id, None)
    for task_id, row in open_rows.items():
        if task_id not in ready_ids:
            row.status = TaskStatus.CANCELLED
            row.completed_at = now
    for ready in snapshot.ready:
        if ready.id in open_rows:
            continue
        earlier = earlier_rows.get(ready.id)
        if earlier is not None:  # the same task made ready again (e.g. after a reset)
            earlier.status, earlier.completed_at, earlier.completed_by_id = TaskStatus.OPEN, None, None
            assignee = _assignee(session, case, ready)
            earlier.assignee_id = assignee.id if assignee else None
            earlier.claimed_at = now if assignee else None
            continue
        suffix_en, suffix_sv = _subject_suffixes(session, ready)
        schema = form_schema(version, ready.form)
        groups = _groups_of(session, case, version, ready)
        assignee = _assignee(session, case, ready)
        audit.record(session, actor="engine", action="engine.task_ready", case_id=case.id,
                     element_id=ready.element_id, details={"task": ready.id, "name": ready.name, **_name_sv(ready),
                                                           "group": groups[0],
                                                           **({"groups": groups} if len(groups) > 1 else {}),
                                                           **({"assignee": ready.assignee} if ready.assignee else {})})
        session.add(HumanTask(
            id=ready.id, case_id=case.id, element_id=ready.element_id, title=ready.name + suffix_en,
            title_sv=(ready.properties.get("title_sv") + suffix_sv) if ready.properties.get("title_sv") else None,
            group=groups[0], form=ready.form, status=TaskStatus.OPEN, assignee_id=assignee.id if assignee else None,
            claimed_at=now if assignee else None,
            due_at=ready.due_at, defaults=defaults_from(schema, ready.data), created_at=now,
            subject=_subject_value(ready),
            other_groups=[TaskCandidateGroup(group=g, position=i) for i, g in enumerate(groups[1:], 1)]))


def _task_rows(session: Session, case: Case, ready_ids: set[str]) -> tuple[dict, dict]:
    """({id: the case's open task row}, {id: an earlier row of a task now ready again}), in one query."""
    wanted = and_(HumanTask.case_id == case.id, HumanTask.status == TaskStatus.OPEN)
    if ready_ids:
        wanted = or_(wanted, HumanTask.id.in_(sorted(ready_ids)))
    open_rows, earlier = {}, {}
    for row in session.scalars(select(HumanTask).where(wanted).options(lazyload(HumanTask.other_groups))):
        if row.case_id == case.id and row.status == TaskStatus.OPEN:
            open_rows[row.id] = row
        else:
            earlier[row.id] = row
    return open_rows, earlier


def _name_sv(ready) -> dict:
    """The task's Swedish title for the case history, when the diagram gives one."""
    return {"name_sv": ready.properties["title_sv"]} if ready.properties.get("title_sv") else {}


def _assignee(session: Session, case: Case, ready) -> User | None:
    """The user a task is assigned to by its diagram; an unknown name is noted and the task left unassigned."""
    if not ready.assignee:
        return None
    user = session.scalar(select(User).where(User.username == ready.assignee, User.deleted_at.is_(None)))
    if user is None:
        audit.record(session, actor="engine", action="task.assignee_unknown", case_id=case.id,
                     element_id=ready.element_id, details={"task": ready.id, "assignee": ready.assignee})
    return user
