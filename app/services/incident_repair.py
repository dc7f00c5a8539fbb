"""Repairing an incident: an administrator retries the failed step, skips it with the result they enter, or
moves the case back to its last user task.

Retry runs the stored action again (so the handler runs again); skip runs it
with the failing step passed over, its result the data the administrator enters.
"""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.clock import utcnow
from app.models import Case, Incident, PendingMessage, TaskStatus, User

from . import audit, external_tasks, operations, runner, tasks
from .env import get_env
from .errors import Conflict, Forbidden, InvalidInput, NotFound, StepFailed
from .incidents import back_to


def _require_admin(actor: User) -> None:
    if not actor.has_role("admin"):
        raise Forbidden("only administrators handle incidents")


def _get_open(session: Session, incident_id: int) -> Incident:
    incident = session.get(Incident, incident_id)
    if incident is None:
        raise NotFound(f"no incident with id {incident_id}")
    if incident.resolved_at is not None:
        raise Conflict(f"incident {incident_id} was already resolved ({incident.resolution})")
    return incident


def _replay(session: Session, incident: Incident, skips: dict | None) -> None:
    """Run the incident's stored action again, with the case unblocked for it."""
    case = session.get(Case, incident.case_id)
    action = dict(incident.action)
    actor_name = action.get("actor", "system")
    try:
        if action["kind"] == "complete_task":
            user = session.scalar(select(User).where(User.username == actor_name))
            tasks.complete_now(session, actor=user, task_id=action["task_id"], data=action["data"],
                                      skips=skips)
        elif action["kind"] == "message":
            if "message_id" not in action:  # incidents from before messages were stored first
                session.add(PendingMessage(case_id=case.id, name=action["name"], payload=action["payload"],
                                           sender_id=action.get("sender_id"), received_at=utcnow()))
                session.flush()
            # the stored message is still pending: settling the case delivers it
            runner.apply(session, case, lambda wf, events, host: None, actor=actor_name, skips=skips)
        elif action["kind"] == "timer":
            engine = get_env(session).engine
            runner.apply(session, case, lambda wf, events, host: engine.fire_due_timers(wf, events),
                         actor="scheduler", skips=skips)
        elif action["kind"] in ("external_task", "external_complete"):
            _replay_external(session, case, incident, action, skips)
        else:
            raise Conflict(f"unknown incident action {action['kind']!r}")
    except StepFailed as exc:
        exc.action = action
        raise


def _replay_external(session: Session, case: Case, incident: Incident, action: dict, skips: dict | None) -> None:
    """Retry: offer the external task to workers again (or redo its completion); skip: complete it with the data."""
    if action["kind"] == "external_complete":
        external_tasks.finish(session, case=case, task_id=action["task_id"], variables=action["variables"],
                              actor=action.get("actor", "system"), skips=skips)
    elif skips and incident.element_id in skips:
        external_tasks.finish(session, case=case, task_id=action["task_id"],
                              variables=skips[incident.element_id], actor="admin")
    else:
        external_tasks.reopen(session, task_id=action["task_id"])


def retry(session: Session, *, actor: User, incident_id: int) -> Incident:
    """Run the failed action again (after the cause was fixed)."""
    _require_admin(actor)
    incident = _get_open(session, incident_id)
    incident.resolved_at, incident.resolution, incident.resolved_by = utcnow(), "retried", actor.username
    session.flush()  # unblock the case for the replay; rolled back if the replay fails
    _replay(session, incident, skips=None)
    audit.record(session, actor=actor.username, action="incident.retried", case_id=incident.case_id,
                 element_id=incident.element_id, details={"incident": incident.id})
    return incident


def skip(session: Session, *, actor: User, incident_id: int, data: dict, reason: str) -> Incident:
    """Complete the failed step with data the administrator enters, and carry on."""
    _require_admin(actor)
    incident = _get_open(session, incident_id)
    if not reason.strip():
        raise InvalidInput([{"field": "reason", "message": "say why the step is skipped"}])
    if not isinstance(data, dict):
        raise InvalidInput([{"field": "data", "message": "must be a JSON object (the step's result)"}])
    incident.resolved_at, incident.resolution, incident.resolved_by = utcnow(), "skipped", actor.username
    session.flush()
    _replay(session, incident, skips={incident.element_id: data})
    audit.record(session, actor=actor.username, action="incident.skipped", case_id=incident.case_id,
                 element_id=incident.element_id, details={"incident": incident.id, "data": data, "reason": reason})
    return incident


def move_back(session: Session, *, actor: User, incident_id: int, reason: str) -> Incident:
    """Give up the failed action and move the case back to its last user task, to be done again.

    When the failed action was a user's completion, that task is still open (the
    completion was rolled back): it stays open and its input is offered again.
    Otherwise the case goes back to the last completed user task; a message that
    was being delivered is kept and delivered when the case waits for it again.
    """
    _require_admin(actor)
    incident = _get_open(session, incident_id)
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput([{"field": "reason", "message": "say why the case goes back"}])
    target = back_to(session, incident)
    if target is None:
        raise Conflict("the case has no user task to go back to; retry or skip the step instead")
    incident.resolved_at, incident.resolution, incident.resolved_by = utcnow(), "moved_back", actor.username
    session.flush()
    audit.record(session, actor=actor.username, action="incident.moved_back", case_id=incident.case_id,
                 element_id=incident.element_id, details={"incident": incident.id, "task": target.id,
                                                          "title": target.title, "reason": reason})
    if target.status == TaskStatus.OPEN:
        return incident
    if incident.action.get("kind") == "message":
        action = incident.action
        session.add(PendingMessage(case_id=incident.case_id, name=action["name"], payload=action["payload"],
                                   sender_id=action.get("sender_id"), received_at=utcnow()))
    operations.move_back(session, actor=actor, case_id=incident.case_id, task_id=target.id, reason=reason)
    return incident
