"""The projection of a case's started external tasks: one row each, for workers to fetch and lock.

Written by the runner after every engine step; ``external_tasks`` serves the
rows to workers.
"""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Case, ExternalTask

from . import audit


def project(session: Session, case: Case, external: list, now) -> None:
    """Keep one row per started external task of ``case``: add new ones, drop those that ended."""
    rows = {r.id: r for r in session.scalars(select(ExternalTask).where(ExternalTask.case_id == case.id))}
    wanted = {w.id for w in external}
    for task_id, row in rows.items():
        if task_id not in wanted:
            session.delete(row)
    for work in external:
        if work.id not in rows:
            session.add(ExternalTask(id=work.id, case_id=case.id, element_id=work.element_id, topic=work.topic,
                                     variables=work.data, retries=work.retries, created_at=now))
            audit.record(session, actor="engine", action="external_task.created", case_id=case.id,
                         element_id=work.element_id, details={"task": work.id, "topic": work.topic})
