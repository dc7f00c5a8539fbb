"""What administrators look up about cases: search, suspended cases, the path on the diagram."""
from __future__ import annotations

from collections import Counter

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from app.models import Case, HumanTask, MessageSubscription, TaskStatus, Timer

from . import incidents


def find_cases(session: Session, text: str, *, limit: int = 50) -> list[Case]:
    """Cases whose reference, property or applicant contains ``text``, newest first."""
    text = text.strip()
    if not text:
        return []
    like = f"%{text}%"
    return list(session.scalars(select(Case).where(or_(
        Case.reference.ilike(like), Case.property_designation.ilike(like), Case.applicant_name.ilike(like)))
        .order_by(Case.created_at.desc()).limit(limit)))


def suspended_cases(session: Session) -> list[Case]:
    return list(session.scalars(select(Case).where(Case.suspended_at.is_not(None)).order_by(Case.suspended_at)))


def diagram_markers(session: Session, case: Case) -> dict:
    """What the diagram shows: how often each element ran, what is active, waiting or failed."""
    counts = Counter(step["element"] for step in case.steps)
    active = list(session.scalars(select(HumanTask.element_id).where(
        HumanTask.case_id == case.id, HumanTask.status == TaskStatus.OPEN)))
    waiting = list(session.scalars(select(Timer.element_id).where(Timer.case_id == case.id)))
    waiting += list(session.scalars(select(MessageSubscription.element_id)
                                    .where(MessageSubscription.case_id == case.id)))
    incident = incidents.open_incident(session, case.id)
    return {"counts": dict(counts), "active": active, "waiting": waiting,
            "failed": [incident.element_id] if incident and incident.element_id else []}


def main_diagram(case: Case) -> str | None:
    """The BPMN text of the case's process version (the file that holds its process)."""
    files = case.process_version.files
    for name in sorted(files):
        if name.endswith(".bpmn") and f'id="{case.process_version.model}"' in files[name]:
            return files[name]
    return None
