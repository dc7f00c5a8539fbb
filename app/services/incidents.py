"""Failures of process steps, recorded on the case after the rollback."""
from __future__ import annotations

from sqlalchemy.orm import Session

from app.clock import utcnow
from app.models import Case

from . import audit
from .errors import StepFailed


def record_step_failure(session: Session, exc: StepFailed) -> None:
    """Keep the error on the case (which is otherwise unchanged) and audit it."""
    case = session.get(Case, exc.case_id) if exc.case_id else None
    if case is not None:
        case.last_error = f"{exc.element or ''}: {exc.message}".strip(": ")
        case.updated_at = utcnow()
    audit.record(session, actor="engine", action="handler.failed", case_id=case.id if case else None,
                 element_id=exc.element, details={"error": exc.message})
