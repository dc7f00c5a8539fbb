"""Issuing letters: render the process's template in the transaction, keep it, mail it.

A letter is frozen when it is issued: its HTML is stored as a document of the
case (of the letter's kind) and never changes; its PDF is made from that HTML
outside the request (on first download or by the outbox) and cached. The
e-mail that carries it is queued in the outbox in the same transaction, in the
recipient's language (the applicant's by default).
"""
from __future__ import annotations

import hashlib
import re
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.clock import utcnow
from app.letters import templates, variables
from app.letters.pdf import cache_key, cached_pdf
from app.letters.text import html_to_text
from app.models import Case, Document, OutboxMessage, OutboxStatus, ProcessVersion

from . import audit, contacts
from .env import get_env
from .processes import form_schema, start_form_name

_ENVIRONMENTS: OrderedDict = OrderedDict()
_MAX_ENVIRONMENTS = 32


@dataclass(frozen=True)
class Recipient:
    """Whom a letter goes to. No e-mail: the letter is kept (and printed) but not mailed."""

    name: str
    email: str | None = None
    address: str | None = None
    language: str | None = None
    is_applicant: bool = False


def applicant_of(case: Case) -> Recipient:
    return Recipient(name=case.applicant_name, email=case.applicant_email or None, language=case.language,
                     is_applicant=True)


def _environment(session: Session, version: ProcessVersion):
    tz = get_env(session).settings.timezone
    key = (version.id, version.content_hash, tz)
    env = _ENVIRONMENTS.get(key)
    if env is None:
        env = templates.environment(version.files, ZoneInfo(tz))
        _ENVIRONMENTS[key] = env
        while len(_ENVIRONMENTS) > _MAX_ENVIRONMENTS:
            _ENVIRONMENTS.popitem(last=False)
    _ENVIRONMENTS.move_to_end(key)
    return env


def process_has_letter(session: Session, case: Case, kind: str) -> bool:
    """Whether some version of the case's process has letter ``kind`` in every language."""
    try:
        for lang in templates.LANGUAGES:
            _version_with(session, case, kind, lang)
    except templates.LetterError:
        return False
    return True


def _version_with(session: Session, case: Case, kind: str, lang: str) -> ProcessVersion:
    """The case's own version; a case started before its process had this letter uses the newest that has it."""
    name = templates.letter_name(kind, lang)
    version = session.get(ProcessVersion, case.process_version_id)
    if name in version.files:
        return version
    newer = session.scalars(select(ProcessVersion).where(ProcessVersion.model == version.model)
                            .order_by(ProcessVersion.number.desc()))
    for candidate in newer:
        if name in candidate.files:
            return candidate
    raise templates.LetterError(f"{name} is missing from process {version.model!r}; add it and deploy")


def _measure_title(session: Session, case: Case, lang: str) -> str:
    """The measure as the application form names it in ``lang`` ("Plank", "Fence"), never its code."""
    version = session.get(ProcessVersion, case.process_version_id)
    schema = form_schema(version, start_form_name(session, version)) or {}
    for option in ((schema.get("properties") or {}).get("measure") or {}).get("oneOf", []):
        if option.get("const") == case.measure:
            return option.get("x-title-sv" if lang == "sv" else "title") or option.get("title") or case.measure
    return case.measure


def common_context(session: Session, case: Case, recipient: Recipient, lang: str) -> dict:
    settings = get_env(session).settings
    tz = ZoneInfo(settings.timezone)
    facts = case.facts or {}
    return {
        "issued_on": utcnow().astimezone(tz).date().isoformat(),
        "authority": settings.authority(),
        "case": {"reference": case.reference, "property_designation": case.property_designation,
                 "measure": _measure_title(session, case, lang), "measure_code": case.measure,
                 "description": facts.get("description"),
                 "case_type": case.case_type or facts.get("case_type"),
                 "received_on": case.created_at.astimezone(tz).date().isoformat(),
                 "applicant_name": case.applicant_name, "applicant_email": case.applicant_email},
        "recipient": {"name": recipient.name, "email": recipient.email, "address": recipient.address},
        "contact": contacts.contact_of(session, case),
    }


def issue(session: Session, *, case: Case, kind: str, values: Mapping, recipient: Recipient | None = None,
          actor: str = "system") -> Document:
    """Render letter ``kind`` for ``case``, store it as a document and queue its e-mail."""
    wrong = variables.check_variables(kind, dict(values))
    if wrong:
        raise templates.LetterError(f"letter {kind!r} was given the wrong variables: {', '.join(wrong)} "
                                    f"(see processes/README.md)")
    recipient = recipient or applicant_of(case)
    lang = recipient.language if recipient.language in templates.LANGUAGES else "sv"
    version = _version_with(session, case, kind, lang)
    context = {**common_context(session, case, recipient, lang), **dict(values)}
    rendered = templates.render(_environment(session, version), kind, lang, context)
    now = utcnow()
    doc = Document(case_id=case.id, kind=kind, sha256=hashlib.sha256(rendered.html.encode()).hexdigest(),
                   filename=_filename(rendered.subject or kind), content_type="application/pdf", size=None,
                   created_at=now, language=lang, html=rendered.html,
                   recipient_name=None if recipient.is_applicant else recipient.name,
                   for_applicant=recipient.is_applicant)
    session.add(doc)
    session.flush()
    if recipient.email:
        session.add(OutboxMessage(case_id=case.id, kind=kind, recipient=recipient.email,
                                  subject=rendered.subject[:300], body=html_to_text(rendered.html),
                                  status=OutboxStatus.PENDING, attempts=0, created_at=now, next_attempt_at=now,
                                  document_id=doc.id))
    audit.record(session, actor=actor, action="letter.issued", case_id=case.id,
                 details={"document": doc.id, "kind": kind, "language": lang, "mailed": bool(recipient.email)})
    return doc


def _filename(subject: str) -> str:
    safe = re.sub(r"[^\w\s.,()§-]", "", subject, flags=re.UNICODE)
    return (" ".join(safe.split())[:200] or "letter") + ".pdf"


def cached_pdf_path(session: Session, doc: Document) -> Path:
    """Where the letter's PDF is kept once it was made (it may not be there yet)."""
    return _pdf_cache(session) / f"{cache_key(doc.html or '')}.pdf"


def _pdf_cache(session: Session) -> Path:
    return get_env(session).settings.documents_dir / "pdf"


def pdf_path(session: Session, doc: Document) -> Path:
    """The letter's PDF (made now and cached if it was not made before)."""
    return cached_pdf(doc.html or "", _pdf_cache(session))
