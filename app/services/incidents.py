"""Incidents: failed process steps, kept so an administrator can retry or skip them.

A failing handler rolls its action back (the case stays as it was), and the
action is stored here with the error. While an incident is open the case is
blocked: staff cannot complete its tasks, timers wait and messages are kept.
Retry runs the stored action again (so the handler runs again); skip runs it
with the failing step answered by data the administrator enters.
"""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.clock import utcnow
from app.models import Case, Incident, PendingMessage, User

from . import audit, runner
from .env import get_env
from .errors import Conflict, Forbidden, NotFound, StepFailed


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
        from .errors import CaseBlocked
        raise CaseBlocked(f"the case is suspended: {case.suspended_reason or 'no reason given'}")
    if open_incident(session, case.id) is not None:
        from .errors import CaseBlocked
        raise CaseBlocked("the case has an open incident; an administrator must retry or skip the failed step")


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


def _replay(session: Session, incident: Incident, overrides: dict | None) -> None:
    """Run the incident's stored action again, with the case unblocked for it."""
    from . import tasks as task_service

    case = session.get(Case, incident.case_id)
    action = dict(incident.action)
    actor_name = action.get("actor", "system")
    try:
        if action["kind"] == "complete_task":
            user = session.scalar(select(User).where(User.username == actor_name))
            task_service.complete_now(session, actor=user, task_id=action["task_id"], data=action["data"],
                                      overrides=overrides)
        elif action["kind"] == "message":
            if "message_id" not in action:  # incidents from before messages were stored first
                session.add(PendingMessage(case_id=case.id, name=action["name"], payload=action["payload"],
                                           sender_id=action.get("sender_id"), received_at=utcnow()))
                session.flush()
            # the stored message is still pending: settling the case delivers it
            runner.apply(session, case, lambda wf, events, host: None, actor=actor_name, overrides=overrides)
        elif action["kind"] == "timer":
            engine = get_env(session).engine
            runner.apply(session, case, lambda wf, events, host: engine.fire_due_timers(wf, events),
                         actor="scheduler", overrides=overrides)
        elif action["kind"] in ("external_task", "external_complete"):
            _replay_external(session, case, incident, action, overrides)
        else:
            raise Conflict(f"unknown incident action {action['kind']!r}")
    except StepFailed as exc:
        exc.action = action
        raise


def _replay_external(session: Session, case: Case, incident: Incident, action: dict, overrides: dict | None) -> None:
    """Retry: offer the external task to workers again (or redo its completion); skip: complete it with the data."""
    from . import external_tasks

    if action["kind"] == "external_complete":
        external_tasks.finish(session, case=case, task_id=action["task_id"], variables=action["variables"],
                              actor=action.get("actor", "system"), overrides=overrides)
    elif overrides and incident.element_id in overrides:
        external_tasks.finish(session, case=case, task_id=action["task_id"],
                              variables=overrides[incident.element_id], actor="admin")
    else:
        external_tasks.reopen(session, task_id=action["task_id"])


def retry(session: Session, *, actor: User, incident_id: int) -> Incident:
    """Run the failed action again (after the cause was fixed)."""
    _require_admin(actor)
    incident = _get_open(session, incident_id)
    incident.resolved_at, incident.resolution, incident.resolved_by = utcnow(), "retried", actor.username
    session.flush()  # unblock the case for the replay; rolled back if the replay fails
    _replay(session, incident, overrides=None)
    audit.record(session, actor=actor.username, action="incident.retried", case_id=incident.case_id,
                 element_id=incident.element_id, details={"incident": incident.id})
    return incident


def skip(session: Session, *, actor: User, incident_id: int, data: dict, reason: str) -> Incident:
    """Complete the failed step with data the administrator enters, and carry on."""
    _require_admin(actor)
    incident = _get_open(session, incident_id)
    if not reason.strip():
        from .errors import InvalidInput
        raise InvalidInput([{"field": "reason", "message": "say why the step is skipped"}])
    if not isinstance(data, dict):
        from .errors import InvalidInput
        raise InvalidInput([{"field": "data", "message": "must be a JSON object (the step's result)"}])
    incident.resolved_at, incident.resolution, incident.resolved_by = utcnow(), "skipped", actor.username
    session.flush()
    _replay(session, incident, overrides={incident.element_id: data})
    audit.record(session, actor=actor.username, action="incident.skipped", case_id=incident.case_id,
                 element_id=incident.element_id, details={"incident": incident.id, "data": data, "reason": reason})
    return incident
