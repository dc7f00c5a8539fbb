"""Incidents: failed process steps, kept so an administrator can retry or skip them.

A failing handler rolls its action back (the case stays as it was), and the
action is stored here with the error. While an incident is open the case is
blocked: staff cannot complete its tasks, timers wait and messages are kept.
Staff see the case marked as blocked, with the input that was rolled back; an
administrator retries, skips the step with a result, or moves the case back to
its last user task (``incident_repair``).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.clock import utcnow
from app.engine import spec_facts
from app.engine.gate.fakes import answers
from app.engine.gate.names import code_sets
from app.models import Case, HumanTask, Incident, TaskStatus

from handlers import REGISTRY

from . import audit
from .env import get_env
from .errors import CaseBlocked, StepFailed


def open_incident(session: Session, case_id: int) -> Incident | None:
    return session.scalar(select(Incident).where(Incident.case_id == case_id, Incident.resolved_at.is_(None))
                          .order_by(Incident.id.desc()).limit(1))


def list_open(session: Session) -> list[Incident]:
    return list(session.scalars(select(Incident).where(Incident.resolved_at.is_(None)).order_by(Incident.created_at)))


def record_step_failure(session: Session, exc: StepFailed) -> Incident | None:
    """After the rollback: keep the error on the case and, with its action, open an incident."""
    case = session.get(Case, exc.case_id) if exc.case_id else None
    if case is not None:
        case.last_error = exc.message  # names the step by its name; the element id is for administrators
        case.updated_at = utcnow()
    audit.record(session, actor="engine", action="handler.failed", case_id=case.id if case else None,
                 element_id=exc.element, details={"error": exc.message})
    if case is None or exc.action is None:
        return None
    return open_for(session, case_id=case.id, element=exc.element, error=exc.message, action=exc.action)


def open_for(session: Session, *, case_id: int, element: str | None, error: str, action: dict) -> Incident:
    """Open an incident on a case (or, when one is open, note the new error on it)."""
    incident = open_incident(session, case_id)
    if incident is not None:  # a retry failed again: same incident, new error
        incident.error, incident.element_id = error, element
        return incident
    incident = Incident(case_id=case_id, element_id=element, error=error, action=action, created_at=utcnow())
    session.add(incident)
    session.flush()
    audit.record(session, actor="engine", action="incident.opened", case_id=case_id, element_id=element,
                 details={"incident": incident.id, "error": error, "kind": action.get("kind")})
    return incident


def ensure_actionable(session: Session, case: Case) -> None:
    """Refuse work on a suspended case or one with an open incident."""
    if case.suspended_at is not None:
        raise CaseBlocked(f"the case is suspended: {case.suspended_reason or 'no reason given'}")
    if open_incident(session, case.id) is not None:
        raise CaseBlocked("the case has an open incident; an administrator must retry or skip the failed step")


def _last_user_task(session: Session, case: Case) -> HumanTask | None:
    return session.scalar(select(HumanTask).where(HumanTask.case_id == case.id,
                                                  HumanTask.status == TaskStatus.COMPLETED)
                          .order_by(HumanTask.completed_at.desc(), HumanTask.created_at.desc()).limit(1))


def back_to(session: Session, incident: Incident) -> HumanTask | None:
    """The user task "move back" returns the case to: the one whose input was rolled back, else the last one done."""
    if incident.action.get("kind") == "complete_task":
        task = session.get(HumanTask, incident.action.get("task_id"))
        if task is not None and task.status == TaskStatus.OPEN:
            return task
    case = session.get(Case, incident.case_id)
    return _last_user_task(session, case) if case is not None else None


@dataclass(frozen=True)
class Blocked:
    """What staff see about a case whose step failed: since when, which step, and their lost input."""

    since: datetime
    step: str
    task: HumanTask | None
    data: dict
    by: str | None
    #: The error as the engine wrote it (shown to staff only when it is one of Lotsen's plain sentences).
    error: str = ""
    #: The step's Swedish title, if the diagram gives it one.
    step_sv: str | None = None


def _facts(session: Session, case: Case, element: str | None) -> dict | None:
    spec, subprocesses = get_env(session).specs.get(case.process_version_id)
    return spec_facts.element_facts(spec, subprocesses, element)


def step_name(session: Session, case: Case, element: str | None) -> str:
    """The name of ``element`` in the case's diagram (its id when it has none)."""
    facts = _facts(session, case, element)
    return facts["name"] if facts is not None else (element or "")


def step_title_sv(session: Session, case: Case, element: str | None) -> str | None:
    """The Swedish title the diagram gives ``element`` (``title_sv``), if any."""
    facts = _facts(session, case, element)
    return facts["title_sv"] if facts is not None else None


def blocked(session: Session, case: Case) -> Blocked | None:
    """The case's open incident as staff see it, or None."""
    incident = open_incident(session, case.id)
    if incident is None:
        return None
    task = None
    if incident.action.get("kind") == "complete_task":
        task = session.get(HumanTask, incident.action.get("task_id"))
    return Blocked(since=incident.created_at, step=step_name(session, case, incident.element_id), task=task,
                   data=dict(incident.action.get("data") or {}) if task is not None else {},
                   by=incident.action.get("actor") if task is not None else None,
                   error=(incident.error or "").split(": ", 1)[-1],
                   step_sv=step_title_sv(session, case, incident.element_id))


def blocked_cases(session: Session, case_ids: list[int]) -> set[int]:
    """Which of ``case_ids`` have an open incident."""
    if not case_ids:
        return set()
    return set(session.scalars(select(Incident.case_id).where(Incident.case_id.in_(case_ids),
                                                              Incident.resolved_at.is_(None))))


def input_to_reenter(session: Session, task: HumanTask) -> dict | None:
    """The input a user gave ``task`` that was rolled back when a later step failed (to fill in again)."""
    for incident in session.scalars(select(Incident).where(Incident.case_id == task.case_id)
                                    .order_by(Incident.id.desc())):
        action = incident.action or {}
        if action.get("kind") == "complete_task" and action.get("task_id") == task.id:
            return dict(action.get("data") or {})
    return None


def skip_template(session: Session, case: Case, element: str | None) -> dict:
    """A starting point for the skip result: what the step would have produced."""
    facts = _facts(session, case, element)
    if facts is None:
        return {}
    if facts["operation"]:
        op = REGISTRY.get(facts["operation"])
        return answers(op.returns if op else None)[0]
    return {name: None for name in sorted(code_sets(facts["script"]))}


def input_task(session: Session, incident: Incident) -> HumanTask | None:
    """The user task whose completion was rolled back (its form words the input), if that is what failed."""
    if incident.action.get("kind") != "complete_task":
        return None
    return session.get(HumanTask, incident.action.get("task_id"))


def describe(session: Session, incident: Incident) -> dict:
    """An open incident as administrators see it: the case, how long it is blocked, what can be done."""
    from . import clocks

    case = session.get(Case, incident.case_id)
    target = back_to(session, incident)
    return {
        "id": incident.id, "case_id": incident.case_id, "reference": case.reference, "element": incident.element_id,
        "step": step_name(session, case, incident.element_id),
        "step_sv": step_title_sv(session, case, incident.element_id), "error": incident.error,
        "kind": incident.action.get("kind"), "task": incident.action.get("task_id"),
        "actor": incident.action.get("actor"), "input": incident.action.get("data"),
        "created_at": incident.created_at, "blocked_seconds": int((utcnow() - incident.created_at).total_seconds()),
        "statutory_due": case.statutory_due, "statutory_days_left": clocks.clocks_for(session, case).days_left,
        "move_back_to": {"task": target.id, "title": target.title, "title_sv": target.title_sv}
        if target is not None else None,
        "skip_template": skip_template(session, case, incident.element_id),
        "resolved_at": incident.resolved_at, "resolution": incident.resolution}
