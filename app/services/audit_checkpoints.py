"""Signed checkpoints of the audit chain's head.

Every ``audit_checkpoint_every`` events, and whenever the chain is verified, the
id and hash of the newest event are signed with the installation's audit key
(HMAC-SHA256) and stored. A chain that ends before a signed checkpoint lost its
tail; a checkpoint whose event no longer has the signed hash was rewritten. The
printed head (``lotsen audit checkpoint``) can be handed to an external witness,
who can later check it with ``lotsen audit verify --witness ID:HASH``: that also
catches an attacker who holds the key.
"""
from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from app.clock import utcnow
from app.models import AuditCheckpoint, AuditEvent

from .env import get_env


@dataclass(frozen=True)
class Head:
    event_id: int
    event_hash: str
    at: datetime
    signature: str

    def printable(self) -> str:
        return f"{self.event_id}:{self.event_hash} signed {self.signature} at {self.at.isoformat()}"


def signature(key: str, event_id: int, event_hash: str, at: datetime) -> str:
    message = f"{event_id}|{event_hash}|{at.isoformat()}".encode()
    return hmac.new(key.encode(), message, hashlib.sha256).hexdigest()


def _key(session: Session) -> str:
    return get_env(session).settings.audit_key


def write(session: Session, event_id: int, event_hash: str) -> Head:
    at = utcnow()
    sig = signature(_key(session), event_id, event_hash, at)
    session.connection().execute(insert(AuditCheckpoint).values(
        event_id=event_id, event_hash=event_hash, at=at, signature=sig))
    return Head(event_id, event_hash, at, sig)


def after_append(session: Session, *, last_id: int, last_hash: str, appended: int) -> None:
    """Sign the head when this append crossed a multiple of the checkpoint interval."""
    every = max(1, get_env(session).settings.audit_checkpoint_every)
    if last_id // every > (last_id - appended) // every:
        write(session, last_id, last_hash)


def checkpoint_head(session: Session) -> Head | None:
    """Sign the chain's current head now (on verify, or for an external witness)."""
    head = session.execute(select(AuditEvent.id, AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1)).first()
    if head is None:
        return None
    return write(session, head.id, head.hash)


def all_checkpoints(session: Session) -> list[AuditCheckpoint]:
    return list(session.scalars(select(AuditCheckpoint).order_by(AuditCheckpoint.id)))


def is_genuine(session: Session, checkpoint: AuditCheckpoint) -> bool:
    expected = signature(_key(session), checkpoint.event_id, checkpoint.event_hash, checkpoint.at)
    return hmac.compare_digest(expected, checkpoint.signature)
