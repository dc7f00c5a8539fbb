"""The case's waiting timers and message subscriptions, kept by difference.

After every action the runner hands over what the workflow waits for now.
Rows that still match stay untouched (a timer keeps its id, its claim and its
failure mark); rows for what the case no longer waits for are deleted; only
new waits are inserted. A timer whose due time moved is updated in place and
starts afresh (unclaimed, not failed), as a new timer would.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.engine.projections import WaitingTimer
from app.models import Case, MessageSubscription, Timer


def project_timers(session: Session, case: Case, timers: Iterable[WaitingTimer]) -> None:
    wanted = {(t.task_id, t.element_id): t.due_at for t in timers}
    rows = session.scalars(select(Timer).where(Timer.case_id == case.id).order_by(Timer.id)
                           .execution_options(populate_existing=True))  # a claim made by UPDATE this transaction
    for row in rows:
        due = wanted.pop((row.task_id, row.element_id), None)
        if due is None:  # fired, cancelled, or a second row for the same wait
            session.delete(row)
        elif due != row.due_at:
            row.due_at, row.claimed_by, row.claimed_at, row.failed_at = due, None, None, None
    for (task_id, element_id), due in wanted.items():
        session.add(Timer(case_id=case.id, task_id=task_id, element_id=element_id, due_at=due))


def project_subscriptions(session: Session, case: Case, messages: Iterable[tuple[str, str]]) -> None:
    """One row per (message name, catching element) the case waits on now."""
    wanted = Counter(messages)
    for row in session.scalars(select(MessageSubscription).where(MessageSubscription.case_id == case.id)
                               .order_by(MessageSubscription.id)):
        key = (row.name, row.element_id)
        if wanted[key] > 0:
            wanted[key] -= 1
        else:
            session.delete(row)
    for (name, element), count in wanted.items():
        for _ in range(count):
            session.add(MessageSubscription(case_id=case.id, name=name, element_id=element))
