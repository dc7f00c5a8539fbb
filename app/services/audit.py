"""Append-only, hash-chained audit events."""
from __future__ import annotations

import hashlib
import json
from datetime import datetime

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from app.clock import utcnow
from app.models import AuditEvent

GENESIS = "0" * 64


def event_hash(prev_hash: str, at: datetime, actor: str, action: str, case_id: int | None,
               element_id: str | None, details: dict) -> str:
    body = json.dumps({"prev": prev_hash, "at": at.isoformat(), "actor": actor, "action": action,
                       "case": case_id, "element": element_id, "details": details},
                      sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(body.encode()).hexdigest()


def record(session: Session, *, actor: str, action: str, case_id: int | None = None,
           element_id: str | None = None, details: dict | None = None) -> AuditEvent:
    """Append one audit event linked to the previous one."""
    if session.get_bind().dialect.name == "postgresql":
        # Serialise writers of the chain so two transactions never share a predecessor.
        session.execute(text("SELECT pg_advisory_xact_lock(4242)"))
    prev = session.scalar(select(AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1)) or GENESIS
    details = json.loads(json.dumps(details or {}, default=str))
    at = utcnow()
    event = AuditEvent(at=at, actor=actor, action=action, case_id=case_id, element_id=element_id,
                       details=details, prev_hash=prev,
                       hash=event_hash(prev, at, actor, action, case_id, element_id, details))
    session.add(event)
    session.flush()
    return event


def verify(session: Session) -> AuditEvent | None:
    """Walk the chain; return the first event whose content or link does not match."""
    prev = GENESIS
    for event in session.scalars(select(AuditEvent).order_by(AuditEvent.id)):
        expected = event_hash(event.prev_hash, event.at, event.actor, event.action, event.case_id,
                              event.element_id, event.details)
        if event.prev_hash != prev or event.hash != expected:
            return event
        prev = event.hash
    return None


def case_history(session: Session, case_id: int) -> list[AuditEvent]:
    return list(session.scalars(select(AuditEvent).where(AuditEvent.case_id == case_id)
                                .order_by(AuditEvent.id)))
