"""Row locks that make concurrent actions on one case or one task take turns.

On PostgreSQL ``SELECT ... FOR UPDATE`` holds the row until the transaction
ends; whoever comes second waits, then reads what the first one committed. On
SQLite a writing unit of work already holds the database's only write lock
(``BEGIN IMMEDIATE``), so what the session read is current and the same calls
are plain ``session.get`` there: no extra statement.

Lock order, to rule out deadlocks: a case before its tasks, timers and
messages. Claiming or releasing a task locks only that task.

Take a lock before changing the object: reading it afresh discards changes
not yet flushed. (The lock is a plain ``SELECT id ... FOR UPDATE``, then the
object is reloaded: SQLAlchemy refuses to reload a versioned object that is
already in the session through ``FOR UPDATE`` when its version moved on.)
"""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Case, HumanTask


def _single_writer(session: Session) -> bool:
    return session.get_bind().dialect.name == "sqlite"


def case(session: Session, case_id: int) -> Case | None:
    """The case, locked until the transaction ends and read afresh."""
    if _single_writer(session):
        return session.get(Case, case_id)
    session.execute(select(Case.id).where(Case.id == case_id).with_for_update())
    return session.get(Case, case_id, populate_existing=True)


def task(session: Session, task_id: str) -> HumanTask | None:
    """The task, locked until the transaction ends and read afresh."""
    if _single_writer(session):
        return session.get(HumanTask, task_id)
    session.execute(select(HumanTask.id).where(HumanTask.id == task_id).with_for_update())
    return session.get(HumanTask, task_id, populate_existing=True)
