"""Append-only, hash-chained audit events.

Each event's hash covers the previous hash, who, when, what, where and the
hash of its details; the details themselves (which may hold personal data)
sit in ``audit_detail``. Retention erases details by a recorded redaction; the
chain stays verifiable because it only needs the details' hash.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from app.clock import utcnow
from app.models import AuditDetail, AuditEvent

GENESIS = "0" * 64


def _canonical(value) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)


def details_digest(details: dict) -> str:
    return hashlib.sha256(_canonical(details).encode()).hexdigest()


def event_hash(prev_hash: str, at: datetime, actor: str, action: str, case_id: int | None,
               element_id: str | None, details_hash: str) -> str:
    body = _canonical({"prev": prev_hash, "at": at.isoformat(), "actor": actor, "action": action,
                       "case": case_id, "element": element_id, "details": details_hash})
    return hashlib.sha256(body.encode()).hexdigest()


def _legacy_hash(event: AuditEvent, details: dict) -> str:
    """The formula of events written before revision 0003 (details inline)."""
    body = _canonical({"prev": event.prev_hash, "at": event.at.isoformat(), "actor": event.actor,
                       "action": event.action, "case": event.case_id, "element": event.element_id,
                       "details": details})
    return hashlib.sha256(body.encode()).hexdigest()


def record(session: Session, *, actor: str, action: str, case_id: int | None = None,
           element_id: str | None = None, details: dict | None = None) -> AuditEvent:
    """Append one audit event linked to the previous one."""
    if session.get_bind().dialect.name == "postgresql":
        # Serialise writers of the chain so two transactions never share a predecessor.
        session.execute(text("SELECT pg_advisory_xact_lock(4242)"))
    prev = session.scalar(select(AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1)) or GENESIS
    details = json.loads(_canonical(details or {}))
    at = utcnow()
    digest = details_digest(details)
    event = AuditEvent(at=at, actor=actor, action=action, case_id=case_id, element_id=element_id,
                       details_hash=digest, chain_version=2, prev_hash=prev,
                       hash=event_hash(prev, at, actor, action, case_id, element_id, digest))
    event.detail = AuditDetail(details=details)
    session.add(event)
    session.flush()
    return event


@dataclass
class Broken:
    event: AuditEvent
    reason: str


def verify(session: Session) -> Broken | None:
    """Walk the chain; return the first event whose content or link does not match."""
    prev = GENESIS
    redactions = {e.id for e in session.scalars(select(AuditEvent).where(AuditEvent.action == "retention.redacted"))}
    for event in session.scalars(select(AuditEvent).order_by(AuditEvent.id)).unique():
        if event.prev_hash != prev:
            return Broken(event, "its link to the previous event does not match")
        detail = event.detail
        if detail is None:
            return Broken(event, "its details are missing")
        if detail.details is None:
            if detail.redacted_by_event_id not in redactions:
                return Broken(event, "its details were erased without a recorded redaction")
        elif details_digest(detail.details) != event.details_hash:
            return Broken(event, "its details do not match their hash")
        if event.chain_version == 1:
            if detail.details is not None and _legacy_hash(event, detail.details) != event.hash:
                return Broken(event, "its content does not match its hash")
        elif event_hash(event.prev_hash, event.at, event.actor, event.action, event.case_id, event.element_id,
                        event.details_hash) != event.hash:
            return Broken(event, "its content does not match its hash")
        prev = event.hash
    return None


def case_history(session: Session, case_id: int) -> list[AuditEvent]:
    return list(session.scalars(select(AuditEvent).where(AuditEvent.case_id == case_id)
                                .order_by(AuditEvent.id)).unique())
