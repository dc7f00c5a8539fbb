"""Waking cases whose timers are due; safe with several scheduler processes."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.clock import utcnow
from app.models import Case, Incident, Timer

from . import incidents, locks, runner
from .env import get_env
from .errors import DomainError, InvalidInput, StepFailed


def due_timers(session: Session, now: datetime | None = None, limit: int = 100) -> list[Timer]:
    """Due, unclaimed timers that have not failed, of cases neither suspended nor blocked by an incident."""
    now = now or utcnow()
    blocked = select(Incident.case_id).where(Incident.resolved_at.is_(None))
    return list(session.scalars(
        select(Timer).join(Case, Case.id == Timer.case_id)
        .where(Timer.due_at <= now, Timer.claimed_by.is_(None), Timer.failed_at.is_(None),
               Case.suspended_at.is_(None), Timer.case_id.not_in(blocked))
        .order_by(Timer.due_at).limit(limit)))


def all_timers(session: Session) -> list[Timer]:
    return list(session.scalars(select(Timer).order_by(Timer.due_at)))


def mark_failed(session: Session, *, timer_id: int) -> None:
    """Keep a timer whose step failed from firing again until its incident is resolved.

    Resolving the incident runs the step again, which replaces the case's
    timer rows (and with them this mark).
    """
    session.execute(update(Timer).where(Timer.id == timer_id).values(failed_at=utcnow()))


def step_failure(exc: Exception, *, case_id: int, element: str) -> StepFailed:
    """The incident-worthy failure for whatever stopped a timer's step."""
    if isinstance(exc, StepFailed):
        failure = exc
    elif isinstance(exc, InvalidInput):  # a handler refused the case's data
        failure = StepFailed("; ".join(f"{e['field']}: {e['message']}" for e in exc.errors), case_id=case_id,
                             element=element)
    elif isinstance(exc, DomainError):
        failure = StepFailed(exc.message, case_id=case_id, element=element)
    else:
        failure = StepFailed(f"{type(exc).__name__}: {exc}", case_id=case_id, element=element)
    failure.action = failure.action or {"kind": "timer", "element": element}
    return failure


def fire(session: Session, *, timer_id: int, worker: str) -> bool:
    """Claim the timer row and wake its case, in the caller's transaction.

    Returns False when another worker claimed it first or it is gone: the
    claim is an atomic UPDATE ... WHERE claimed_by IS NULL, and the wake
    removes the row of a timer that fired in the same transaction, so a timer
    fires at most once.
    """
    timer = session.get(Timer, timer_id)
    if timer is None:
        return False
    # the case first (see locks): a completion or message on it meanwhile has replaced its timer rows
    case = locks.case(session, timer.case_id)
    if case is None or case.suspended_at is not None or incidents.open_incident(session, case.id) is not None:
        return False
    claimed = session.execute(update(Timer).where(Timer.id == timer_id, Timer.claimed_by.is_(None))
                              .values(claimed_by=worker, claimed_at=utcnow())).rowcount
    if claimed != 1:
        return False
    engine = get_env(session).engine
    try:
        runner.apply(session, case, lambda wf, events, host: engine.fire_due_timers(wf, events), actor="scheduler")
    except StepFailed as exc:
        exc.action = {"kind": "timer", "element": timer.element_id}
        raise
    # still waiting (its time had not come for the engine): the case keeps the row, free for the next poll
    session.execute(update(Timer).where(Timer.id == timer_id).values(claimed_by=None, claimed_at=None))
    return True
