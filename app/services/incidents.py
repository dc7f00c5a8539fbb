"""Incidents: failed process steps, kept so an administrator can retry or skip them.

A failing handler rolls its action back (the case stays as it was), and the
action is stored here with the error. While an incident is open the case is
blocked: staff cannot complete its tasks, timers wait and messages are kept.
An administrator retries or skips it (``incident_repair``).
"""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.clock import utcnow
from app.models import Case, Incident

from . import audit
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
