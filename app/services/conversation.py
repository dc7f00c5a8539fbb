"""The conversation of a case: the applicant writes, the municipality answers with one voice.

The applicant of the case and staff read it and write to it; the text an applicant sends with a
supplement joins it too. Each message from the applicant notifies the case's contact (or the authority's
address while no one is named); each answer from the municipality notifies the applicant, in their language.
"""
from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from app import i18n
from app.clock import utcnow
from app.ids import MAX_DB_ID
from app.models import Case, ConversationMessage, Document, OutboxMessage, OutboxStatus, User

from . import audit
from .env import get_env
from .errors import N_, CaseNotFound, Conflict, Forbidden, InvalidInput

MAX_TEXT = 5000


def case_for(session: Session, actor: User, case_id: int) -> Case:
    """The case, if ``actor`` may read and write its conversation (its applicant, or staff)."""
    case = session.get(Case, case_id)
    if case is None:
        raise CaseNotFound(f"no case with id {case_id}")
    if actor.is_staff or (case.applicant_id is not None and case.applicant_id == actor.id):
        return case
    raise Forbidden("you may only read your own cases")


def messages(session: Session, *, actor: User, case_id: int) -> list[ConversationMessage]:
    case = case_for(session, actor, case_id)
    return list(session.scalars(select(ConversationMessage).where(ConversationMessage.case_id == case.id)
                                .order_by(ConversationMessage.created_at, ConversationMessage.id)))


def post(session: Session, *, actor: User, case_id: int, text: str,
         documents: Iterable[int] = ()) -> ConversationMessage:
    """Add a message to the case's conversation and notify the other side."""
    case = case_for(session, actor, case_id)
    text = (text or "").strip()
    if not text:
        raise InvalidInput([{"field": "text", "message": N_("write a message")}])
    if len(text) > MAX_TEXT:
        raise InvalidInput([{"field": "text", "message": N_("at most 5000 characters")}])
    from_applicant = not actor.is_staff
    if not from_applicant and not case.has_applicant:
        raise Conflict(N_("this case has no applicant, so there is no one to write to"))
    doc_ids = _own_documents(session, case, documents)
    message = _add(session, case, actor, text=text, documents=doc_ids, from_applicant=from_applicant, source="message")
    _notify(session, case, message)
    return message


def record_supplement_text(session: Session, *, case: Case, actor: User, text: str, documents: Iterable[int] = ()):
    """The text an applicant sent with a supplement: staff see it in the conversation."""
    text = (text or "").strip()
    if text:
        message = _add(session, case, actor, text=text[:MAX_TEXT], documents=list(documents),
                       from_applicant=not actor.is_staff, source="supplement")
        _notify(session, case, message)


def _add(session, case, actor, *, text, documents, from_applicant, source) -> ConversationMessage:
    message = ConversationMessage(case_id=case.id, author_id=actor.id, from_applicant=from_applicant, source=source,
                                  text=text, documents=documents, created_at=utcnow())
    session.add(message)
    session.flush()
    audit.record(session, actor=actor.username, action="conversation.message", case_id=case.id,
                 details={"message_id": message.id, "from_applicant": from_applicant, "source": source,
                          "documents": documents})
    return message


def _own_documents(session: Session, case: Case, ids: Iterable[int]) -> list[int]:
    ids = list(ids)
    if not all(type(i) is int and 1 <= i <= MAX_DB_ID for i in ids):
        raise InvalidInput([{"field": "documents", "message": N_("document ids are numbers")}])
    wanted = sorted(set(ids))
    if not wanted:
        return []
    found = set(session.scalars(select(Document.id).where(Document.case_id == case.id, Document.id.in_(wanted))))
    missing = [i for i in wanted if i not in found]
    if missing:
        raise InvalidInput([{"field": "documents", "message": N_("no such document on this case")}])
    return wanted


def _notify(session: Session, case: Case, message: ConversationMessage) -> None:
    settings = get_env(session).settings
    reference = case.reference or f"#{case.id}"
    if message.from_applicant:
        lang = settings.default_locale
        recipient = (case.contact.email if case.contact is not None and case.contact.is_active else None) \
            or settings.authority_email
        subject = i18n.gettext(lang, N_("New message from the applicant in %(ref)s"), ref=reference)
        body = i18n.gettext(lang, N_("%(name)s wrote in case %(ref)s:"), name=case.applicant_name, ref=reference)
    else:
        lang = case.language or "sv"
        recipient = case.applicant_email
        subject = i18n.gettext(lang, N_("An answer about your application %(ref)s"), ref=reference)
        body = i18n.gettext(lang, N_("%(authority)s answered about your application %(ref)s:"),
                            authority=settings.authority_name, ref=reference)
    if not recipient:
        return
    now = utcnow()
    session.add(OutboxMessage(case_id=case.id, kind="conversation", recipient=recipient, subject=subject[:300],
                              body=f"{body}\n\n{message.text}\n", status=OutboxStatus.PENDING, attempts=0,
                              created_at=now, next_attempt_at=now))
