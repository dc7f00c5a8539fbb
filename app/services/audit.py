"""Append-only, hash-chained audit events.

Each event's hash covers the previous hash, who, when, what, where and the
hash of its details; the details themselves (which may hold personal data)
sit in ``audit_detail``. Retention erases details by a recorded redaction; the
chain stays verifiable because it only needs the details' hash.

``record`` only buffers an event in the session. Right before the session
commits, the transaction's events are appended to the chain at once: the
chain's lock (an advisory transaction lock on PostgreSQL; SQLite's single
writer elsewhere) is taken then and released by the commit, so unrelated
transactions never wait on each other for longer than one append. A rolled
back transaction leaves no event behind.
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import event, insert, select, text
from sqlalchemy.orm import Session

from app.clock import utcnow
from app.models import AuditDetail, AuditEvent

from . import audit_checkpoints

GENESIS = "0" * 64
PENDING = "audit_pending"
#: Any constant shared by every writer of the chain (PostgreSQL advisory lock key).
CHAIN_LOCK = 4242


def canonical(value) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)


def details_digest(details: dict) -> str:
    return hashlib.sha256(canonical(details).encode()).hexdigest()


def event_hash(prev_hash: str, at: datetime, actor: str, action: str, case_id: int | None,
               element_id: str | None, details_hash: str) -> str:
    body = canonical({"prev": prev_hash, "at": at.isoformat(), "actor": actor, "action": action,
                      "case": case_id, "element": element_id, "details": details_hash})
    return hashlib.sha256(body.encode()).hexdigest()


@dataclass(frozen=True)
class PendingEvent:
    at: datetime
    actor: str
    action: str
    case_id: int | None
    element_id: str | None
    details: dict


def record(session: Session, *, actor: str, action: str, case_id: int | None = None,
           element_id: str | None = None, details: dict | None = None) -> None:
    """Note one audit event; it joins the chain when the session commits."""
    pending = PendingEvent(utcnow(), actor[:80], action, case_id, element_id, json.loads(canonical(details or {})))
    session.info.setdefault(PENDING, []).append(pending)
    session.info["wrote"] = True


def record_now(session: Session, *, actor: str, action: str, case_id: int | None = None,
               element_id: str | None = None, details: dict | None = None) -> int:
    """Record an event and append it (with everything pending) at once; return its id.

    For the rare caller that must refer to the event in the same transaction
    (a redaction names its own event). It holds the chain's lock until commit.
    """
    record(session, actor=actor, action=action, case_id=case_id, element_id=element_id, details=details)
    return append_pending(session)


def append_pending(session: Session) -> int | None:
    """Append the session's pending events to the chain; return the last event's id."""
    pending: list[PendingEvent] = session.info.pop(PENDING, None) or []
    if not pending:
        return None
    session.flush()
    conn = session.connection()
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": CHAIN_LOCK})
    last = conn.execute(select(AuditEvent.id, AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1)).first()
    prev = last.hash if last else GENESIS
    ids = _new_ids(conn, last.id if last else 0, len(pending))
    rows = []
    for i, p in zip(ids, pending, strict=True):
        digest = details_digest(p.details)
        link = event_hash(prev, p.at, p.actor, p.action, p.case_id, p.element_id, digest)
        rows.append({"id": i, "at": p.at, "actor": p.actor, "action": p.action, "case_id": p.case_id,
                     "element_id": p.element_id, "details_hash": digest, "chain_version": 2,
                     "prev_hash": prev, "hash": link})
        prev = link
    conn.execute(insert(AuditEvent), rows)  # one executemany; no RETURNING (SQLite would send it row by row)
    details = [{"event_id": i, "details": p.details} for i, p in zip(ids, pending, strict=True)]
    conn.execute(insert(AuditDetail), details)
    audit_checkpoints.after_append(session, last_id=ids[-1], last_hash=prev, appended=len(ids))
    return ids[-1]


def _new_ids(conn, last_id: int, n: int) -> list[int]:
    """``n`` ascending ids for new events, taken under the chain's lock (nobody else appends meanwhile)."""
    if conn.dialect.name == "postgresql":
        return sorted(conn.scalars(text("SELECT nextval(pg_get_serial_sequence('audit_event', 'id')) "
                                        "FROM generate_series(1, :n)"), {"n": n}))
    return list(range(last_id + 1, last_id + 1 + n))


@event.listens_for(Session, "before_commit")
def _append_before_commit(session: Session) -> None:
    append_pending(session)


@event.listens_for(Session, "after_rollback")
def _forget_on_rollback(session: Session) -> None:
    session.info.pop(PENDING, None)


@contextmanager
def savepoint(session: Session) -> Iterator[None]:
    """A savepoint whose rollback also forgets the audit events noted inside it."""
    mark = len(session.info.get(PENDING, []))
    try:
        with session.begin_nested():
            yield
    except BaseException:
        del session.info.get(PENDING, [])[mark:]
        raise


def pending_for_case(session: Session, case_id: int) -> list[PendingEvent]:
    return [p for p in session.info.get(PENDING, []) if p.case_id == case_id]


def case_history(session: Session, case_id: int) -> list[AuditEvent]:
    return list(session.scalars(select(AuditEvent).where(AuditEvent.case_id == case_id)
                                .order_by(AuditEvent.id)).unique())
