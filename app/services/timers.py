"""Waking cases whose timers are due; safe with several scheduler processes."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.clock import utcnow
from app.models import Case, Timer

from . import runner
from .env import get_env


def due_timers(session: Session, now: datetime | None = None, limit: int = 100) -> list[Timer]:
    now = now or utcnow()
    return list(session.scalars(select(Timer).where(Timer.due_at <= now, Timer.claimed_by.is_(None))
                                .order_by(Timer.due_at).limit(limit)))


def all_timers(session: Session) -> list[Timer]:
    return list(session.scalars(select(Timer).order_by(Timer.due_at)))


def fire(session: Session, *, timer_id: int, worker: str) -> bool:
    """Claim the timer row and wake its case, in the caller's transaction.

    Returns False when another worker claimed it first or it is gone: the
    claim is an atomic UPDATE ... WHERE claimed_by IS NULL, and the wake
    replaces the case's timer rows in the same transaction, so a timer fires
    at most once.
    """
    timer = session.get(Timer, timer_id)
    if timer is None:
        return False
    claimed = session.execute(update(Timer).where(Timer.id == timer_id, Timer.claimed_by.is_(None))
                              .values(claimed_by=worker, claimed_at=utcnow())).rowcount
    if claimed != 1:
        return False
    case = session.get(Case, timer.case_id)
    engine = get_env(session).engine
    runner.apply(session, case, lambda wf, events, host: engine.fire_due_timers(wf, events), actor="scheduler")
    return True
