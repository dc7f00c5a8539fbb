"""JSON shapes of cases, tasks and history events."""
from __future__ import annotations

from app.models import AuditEvent, Case, ConversationMessage, Document, HumanTask
from app.services import process_info


def task_json(task: HumanTask, schema: dict | None = None) -> dict:
    return {
        "id": task.id, "case_id": task.case_id, "reference": task.case.reference,
        "name": task.element_id, "title": task.title, "group": task.group,
        "assignee": task.assignee.username if task.assignee else None,
        "status": task.status.value, "created_at": task.created_at.isoformat(),
        "claimed_at": task.claimed_at.isoformat() if task.claimed_at else None,
        "due_at": task.due_at.isoformat() if task.due_at else None,
        "form": {"schema": schema} if schema is not None else None,
    }


def event_json(event: AuditEvent) -> dict:
    return {"at": event.at.isoformat(), "actor": event.actor, "action": event.action,
            "element": event.element_id, "details": event.details}


def deadlines_json(clocks) -> dict:
    return {
        "statutory_due": clocks.statutory_due.isoformat() if clocks.statutory_due else None,
        "statutory_start": clocks.statutory_start.isoformat() if clocks.statutory_start else None,
        "days_left": clocks.days_left,
        "extended": clocks.extended,
        "service_goal_due": clocks.service_goal_due.isoformat() if clocks.service_goal_due else None,
        "lead_time_days": clocks.lead_time_days,
        "fee_reduction_fifths": clocks.fee_reduction_fifths,
        "start_basis": clocks.start_basis,
        "awaiting_remedy": clocks.awaiting_remedy,
        "order_window_ends": clocks.order_window_ends.isoformat() if clocks.order_window_ends else None,
        "decided_as_it_stands": clocks.as_it_stands,
        "extension_weeks": clocks.extension_weeks,
    }


def process_json(info, start_form: dict | None) -> dict:
    return {"process": info.model, "title_sv": info.title_sv, "title_en": info.title_en, "public": info.public,
            "reference_prefix": info.reference_prefix, "rule_set": info.rule_set,
            "start_form": {"schema": start_form} if start_form is not None else None}


def case_json(case: Case, open_tasks: list[HumanTask], history: list[AuditEvent], clocks, *,
              contact: dict, outlook) -> dict:
    return {
        "id": case.id, "reference": case.reference, "status": case.status.value,
        "outcome": case.outcome.value if case.outcome else None,
        "process": case.process_version.model, "process_version": case.process_version.number,
        "title": process_info.case_title(case), "columns": dict(process_info.list_values(case)),
        "property_designation": case.property_designation, "measure": case.measure,
        "case_type": case.case_type, "track": case.track,
        "created_at": case.created_at.isoformat(),
        "completed_at": case.completed_at.isoformat() if case.completed_at else None,
        "last_error": case.last_error,
        "deadlines": deadlines_json(clocks),
        "contact": {k: contact[k] for k in ("name", "email", "phone")},
        "expected_decision_date": outlook.expected_decision_date.isoformat() if outlook.expected_decision_date
        else None,
        "turn": outlook.turn,
        "open_tasks": [task_json(t) for t in open_tasks],
        "path": [{"element": step["element"], "name": step["name"], "at": step["at"]} for step in case.steps],
        "history": [event_json(e) for e in history],
    }


def document_json(doc: Document) -> dict:
    return {"id": doc.id, "kind": doc.kind, "filename": doc.filename, "content_type": doc.content_type,
            "size": doc.size, "language": doc.language, "recipient": doc.recipient_name,
            "category": doc.category, "version": doc.version, "replaces": doc.replaces_id,
            "created_at": doc.created_at.isoformat(), "url": f"/api/cases/{doc.case_id}/documents/{doc.id}"}


def conversation_json(message: ConversationMessage) -> dict:
    return {"id": message.id, "at": message.created_at.isoformat(),
            "from": "applicant" if message.from_applicant else "municipality",
            "author": message.author.display_name if message.author else None,
            "source": message.source, "text": message.text, "documents": list(message.documents or [])}
