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
        case.last_error = f"{exc.element or ''}: {exc.message}".strip(": ")
        case.updated_at = utcnow()
    audit.record(session, actor="engine", action="handler.failed", case_id=case.id if case else None,
                 element_id=exc.element, details={"error": exc.message})
    if case is None or exc.action is None:
        return None
    incident = open_incident(session, case.id)
    if incident is not None:  # a retry failed again: same incident, new error
        incident.error, incident.element_id = exc.message, exc.element
        return incident
    incident = Incident(case_id=case.id, element_id=exc.element, error=exc.message, action=exc.action,
                        created_at=utcnow())
    session.add(incident)
    session.flush()
    audit.record(session, actor="engine", action="incident.opened", case_id=case.id, element_id=exc.element,
                 details={"incident": incident.id, "error": exc.message, "kind": exc.action.get("kind")})
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
            message = PendingMessage(case_id=case.id, name=action["name"], payload=action["payload"],
                                     sender_id=action.get("sender_id"), received_at=utcnow())
            session.add(message)
            session.flush()
            runner.apply(session, case, lambda wf, events, host: None, actor=actor_name, overrides=overrides)
        elif action["kind"] == "timer":
            engine = get_env(session).engine
            runner.apply(session, case, lambda wf, events, host: engine.fire_due_timers(wf, events),
                         actor="scheduler", overrides=overrides)
        else:
            raise Conflict(f"unknown incident action {action['kind']!r}")
    except StepFailed as exc:
        exc.action = action
        raise


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
