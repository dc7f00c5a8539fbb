"""Retention and personal data: erase personal fields from closed cases; access requests.

Erasure keeps the statistics (status, outcome, dates, measure, clocks) and the
audit chain verifiable: audit details are erased by a recorded redaction
(``retention.redacted``), never by rewriting audit events.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import null, select, update
from sqlalchemy.orm import Session

from app.clock import utcnow
from app.models import (Appeal, AuditDetail, AuditEvent, Case, CaseEvent, ConversationMessage, DecisionParty, Document,
                        HearingParty, HumanTask, Incident, Notice, OutboxMessage, PendingMessage, ProcessVersion,
                        SurveyAnswer, SurveyInvitation, User)

from . import audit, audit_verify, clocks, documents, files, letters, previews
from .env import get_env
from .errors import Forbidden
from .users import find_user

REDACTED = "[redacted]"
PROPERTY_KEY = "property_designation"
#: Always personal: names and e-mail addresses.
PERSONAL_KEYS = {"applicant_name", "applicant_email", "email", "name", "message", "reason", "withdrawal_reason",
                 "unserved"}  # the appeal check lists the parties not yet served by name


def free_text_fields(version: ProcessVersion) -> set[str]:
    """Fields of the version's forms that hold free text (textareas) or identify a person."""
    keys = set(PERSONAL_KEYS)
    for name, text in version.files.items():
        if not name.startswith("forms/"):
            continue
        for prop_name, prop in (json.loads(text).get("properties") or {}).items():
            if prop.get("x-widget") == "textarea" or prop.get("format") == "email":
                keys.add(prop_name)
    return keys


def _scrub(value, keys: set[str]):
    if isinstance(value, dict):
        return {k: (REDACTED if k in keys and v not in (None, "", [], {}) else _scrub(v, keys))
                for k, v in value.items()}
    if isinstance(value, list):
        return [_scrub(v, keys) for v in value]
    return value


def _scrub_state(value, keys: set[str]):
    """Scrub only task and workflow data in serialized state, never its structure."""
    if isinstance(value, dict):
        return {k: (_scrub(v, keys) if k in ("data", "delta", "updates") else _scrub_state(v, keys))
                for k, v in value.items()}
    if isinstance(value, list):
        return [_scrub_state(v, keys) for v in value]
    return value


@dataclass
class Plan:
    case_id: int
    reference: str | None
    outcome: str | None
    closed_on: str
    fields: list[str] = field(default_factory=list)


def due_for_erasure(session: Session) -> list[Case]:
    settings = get_env(session).settings
    now = utcnow()
    days = settings.retention_days
    cases = session.scalars(select(Case).where(Case.completed_at.is_not(None), Case.redacted_at.is_(None)))
    due = []
    for case in cases:
        keep = days.get(case.outcome.value if case.outcome else "none", days.get("default"))
        if keep is not None and case.completed_at <= now - timedelta(days=int(keep)):
            due.append(case)
    return due


def run(session: Session, *, dry_run: bool, actor: str = "retention") -> list[Plan]:
    """Erase personal data of closed cases past their retention time (or only say which, with dry_run)."""
    plans = []
    erase_property = get_env(session).settings.retention_erases_property
    for case in due_for_erasure(session):
        keys = free_text_fields(case.process_version) | ({PROPERTY_KEY} if erase_property else set())
        present = sorted(k for k in keys if (case.facts or {}).get(k) not in (None, "", [], {}))
        plans.append(Plan(case.id, case.reference, case.outcome.value if case.outcome else None,
                          case.completed_at.date().isoformat(), present))
        if not dry_run:
            erase_case(session, case, keys, actor=actor)
    return plans


def erase_case(session: Session, case: Case, keys: set[str], *, actor: str) -> None:
    """Erase the personal data of one case; the audit trail records the redaction."""
    erasable = list(session.scalars(select(AuditDetail.event_id).join(AuditEvent).where(
        AuditEvent.case_id == case.id, AuditEvent.chain_version == 2, AuditEvent.action != audit_verify.REDACTION,
        AuditDetail.details.is_not(None)).order_by(AuditDetail.event_id)))
    redaction_id = audit.record_now(session, actor=actor, action=audit_verify.REDACTION, case_id=case.id,
                                    details={"fields": sorted(keys), "events": erasable,
                                             "outcome": case.outcome.value if case.outcome else None})
    _erase_case_row(case, keys)
    _erase_records(session, case, keys)
    _erase_documents(session, case)
    if erasable:
        session.execute(update(AuditDetail).where(AuditDetail.event_id.in_(erasable))
                        .values(details=null(), redacted_by_event_id=redaction_id))


def _erase_case_row(case: Case, keys: set[str]) -> None:
    case.applicant_name = REDACTED
    case.applicant_email = REDACTED
    if PROPERTY_KEY in keys:
        case.property_designation = REDACTED
    case.suspended_reason = REDACTED if case.suspended_reason else None
    case.last_error = None
    case.facts = _scrub(case.facts or {}, keys)
    case.state = json.dumps(_scrub_state(json.loads(case.state), keys)) if case.state else case.state
    case.redacted_at = utcnow()


def _erase_records(session: Session, case: Case, keys: set[str]) -> None:
    """Task input, case events (reasons), messages, mail and incidents of the case."""
    for task in session.scalars(select(HumanTask).where(HumanTask.case_id == case.id)):
        task.submitted = _scrub(task.submitted, keys) if task.submitted else task.submitted
        task.defaults = _scrub(task.defaults or {}, keys)
    for event in session.scalars(select(CaseEvent).where(CaseEvent.case_id == case.id)):
        event.data = _scrub(event.data or {}, keys)
    case.clock_state = None  # it holds an extension's reason: the clocks are read from the scrubbed events again
    clocks.forget(session, case)
    for message in session.scalars(select(PendingMessage).where(PendingMessage.case_id == case.id)):
        message.payload = _scrub(message.payload, keys | {"message"})
    for mail in session.scalars(select(OutboxMessage).where(OutboxMessage.case_id == case.id)):
        mail.recipient, mail.subject, mail.body = REDACTED, REDACTED, REDACTED
    for incident in session.scalars(select(Incident).where(Incident.case_id == case.id)):
        incident.action = _scrub(incident.action or {}, keys)
    _erase_parties(session, case)
    _erase_conversation(session, case)
    if PROPERTY_KEY in keys:  # the notices' text names what was decided, never a person
        for notice in session.scalars(select(Notice).where(Notice.case_id == case.id)):
            notice.property_designation = REDACTED


def _erase_parties(session: Session, case: Case) -> None:
    """Who was heard, served the decision or appealed: names and where they were reached."""
    for party in session.scalars(select(DecisionParty).where(DecisionParty.case_id == case.id)):
        party.name, party.email, party.address = REDACTED, None, None
    for appeal in session.scalars(select(Appeal).where(Appeal.case_id == case.id)):
        appeal.appellant, appeal.email, appeal.address = REDACTED, None, None
    for heard in session.scalars(select(HearingParty).where(HearingParty.case_id == case.id)):
        heard.name, heard.email, heard.address = REDACTED, None, None


def _erase_conversation(session: Session, case: Case) -> None:
    """What the applicant and staff wrote to each other, and the survey's free-text comment (its scores stay)."""
    for message in session.scalars(select(ConversationMessage).where(ConversationMessage.case_id == case.id)):
        message.text = REDACTED
    for answer in session.scalars(select(SurveyAnswer).join(SurveyInvitation)
                                  .where(SurveyInvitation.case_id == case.id, SurveyAnswer.comment.is_not(None))):
        answer.comment = REDACTED


def _erase_documents(session: Session, case: Case) -> None:
    """Uploaded files and letters' PDFs go (when the transaction commits); so do names and letters' text."""
    for doc in session.scalars(select(Document).where(Document.case_id == case.id)):
        for page in previews.drawn_pages(session, doc.sha256):
            files.remove(session, page)
        if doc.is_letter:
            files.remove(session, letters.cached_pdf_path(session, doc))
            doc.html = REDACTED
            doc.recipient_name = REDACTED if doc.recipient_name else None
        else:
            files.remove(session, documents.stored_path(session, doc))
        doc.filename = REDACTED


def export_person(session: Session, *, actor: User, username: str) -> dict:
    """Everything Lotsen holds about an applicant (access request), as JSON-able data."""
    if not (actor.has_role("admin") or actor.username == username):
        raise Forbidden("only administrators, or the person themself, may export personal data")
    person = find_user(session, username)
    cases = session.scalars(select(Case).where(Case.applicant_id == person.id).order_by(Case.id))
    out = {
        "exported_at": utcnow().isoformat(),
        "account": {"username": person.username, "name": person.display_name, "email": person.email,
                    "roles": sorted(person.roles), "created_at": person.created_at.isoformat()},
        "cases": [],
    }
    for case in cases:
        docs = session.scalars(select(Document).where(Document.case_id == case.id))
        mails = session.scalars(select(OutboxMessage).where(OutboxMessage.case_id == case.id))
        out["cases"].append({
            "reference": case.reference, "status": case.status.value,
            "outcome": case.outcome.value if case.outcome else None,
            "received": case.created_at.isoformat(), "property_designation": case.property_designation,
            "data": case.facts, "redacted": case.redacted_at is not None,
            "documents": [{"filename": d.filename, "size": d.size, "sha256": d.sha256,
                           "uploaded": d.created_at.isoformat()} for d in docs],
            "messages_to_you": [{"subject": m.subject, "sent": m.sent_at.isoformat() if m.sent_at else None,
                                 "body": m.body} for m in mails],
            "conversation": _conversation_of(session, case),
        })
    audit.record(session, actor=actor.username, action="data.exported",
                 details={"what": "personal data", "subject": username, "cases": len(out["cases"])})
    return out


def _conversation_of(session: Session, case: Case) -> list[dict]:
    """What the person and the municipality wrote to each other about the case."""
    rows = session.scalars(select(ConversationMessage).where(ConversationMessage.case_id == case.id)
                           .order_by(ConversationMessage.created_at, ConversationMessage.id))
    return [{"at": m.created_at.isoformat(), "from": "applicant" if m.from_applicant else "municipality",
             "text": m.text} for m in rows]
