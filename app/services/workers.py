"""Worker credentials: tokens administrators issue to integration workers (external tasks)."""
from __future__ import annotations

import hashlib
import re
import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.clock import utcnow
from app.models import User, WorkerCredential

from . import audit
from .errors import Conflict, Forbidden, InvalidInput, NotFound, Unauthorized
from .forms import N_

TOKEN_PREFIX = "lotsen_worker_"
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,79}$")


def _require_admin(actor: User | None) -> str:
    if actor is None:  # the command line
        return "cli"
    if not actor.has_role("admin"):
        raise Forbidden("only administrators manage integration workers")
    return actor.username


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _clean_topics(topics) -> list[str]:
    if topics is None:
        return []
    if not isinstance(topics, list) or not all(isinstance(t, str) and t.strip() for t in topics):
        raise InvalidInput([{"field": "topics", "message": N_("must be a list of topic names (empty: every topic)")}])
    return sorted({t.strip() for t in topics})


def issue(session: Session, *, name: str, topics: list[str] | None, actor: User | None) -> tuple[WorkerCredential, str]:
    """Create a worker credential (or renew a revoked one); return it with its token (shown once)."""
    by = _require_admin(actor)
    if not isinstance(name, str) or not _NAME.match(name):
        raise InvalidInput([{"field": "name", "message": N_("use 1–80 letters, digits, '.', '-' or '_'")}])
    clean = _clean_topics(topics)
    worker = session.scalar(select(WorkerCredential).where(WorkerCredential.name == name))
    if worker is not None and worker.revoked_at is None:
        raise Conflict(f"a worker named {name!r} already has a token; revoke it first to issue a new one")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    if worker is None:
        worker = WorkerCredential(name=name)
        session.add(worker)
    worker.token_hash, worker.topics, worker.created_by, worker.created_at = _hash(token), clean, by, utcnow()
    worker.revoked_at = None
    session.flush()
    audit.record(session, actor=by, action="worker.issued", details={"name": name, "topics": clean})
    return worker, token


def list_workers(session: Session, *, actor: User) -> list[WorkerCredential]:
    _require_admin(actor)
    return list(session.scalars(select(WorkerCredential).order_by(WorkerCredential.name)))


def revoke(session: Session, *, name: str, actor: User | None) -> WorkerCredential:
    """The worker's token stops working; its tasks' locks run out and other workers take them."""
    by = _require_admin(actor)
    worker = session.scalar(select(WorkerCredential).where(WorkerCredential.name == name))
    if worker is None:
        raise NotFound(f"no worker named {name!r}")
    if worker.revoked_at is None:
        worker.revoked_at = utcnow()
        audit.record(session, actor=by, action="worker.revoked", details={"name": name})
    return worker


def authenticate(session: Session, token: str) -> WorkerCredential:
    """The worker a Bearer token belongs to; ``Unauthorized`` for anything else."""
    if not token.startswith(TOKEN_PREFIX):
        raise Unauthorized("external-task calls need a worker token (an administrator issues one: "
                           "lotsen workers add NAME, or POST /api/admin/workers)")
    worker = session.scalar(select(WorkerCredential).where(WorkerCredential.token_hash == _hash(token)))
    if worker is None:
        raise Unauthorized("unknown worker token")
    if worker.revoked_at is not None:
        raise Unauthorized("the worker token has been revoked")
    return worker


def may_fetch(worker: WorkerCredential, topic: str) -> bool:
    return not worker.topics or topic in worker.topics
