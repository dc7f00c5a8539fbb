"""Documents of cases: content-addressed uploads and the letters the authority issued."""
from __future__ import annotations

import hashlib
from pathlib import Path
from typing import BinaryIO

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.clock import utcnow
from app.models import Case, Document, User

from . import audit, files, letters
from .cases import is_staff
from .env import get_env
from .errors import InvalidInput, NotFound

ALLOWED_TYPES = {"application/pdf", "image/png", "image/jpeg", "text/plain",
                 "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}


def _folder(session: Session, case: Case) -> Path:
    return get_env(session).settings.documents_dir / str(case.id)


def store(session: Session, *, case: Case, filename: str, content_type: str, stream: BinaryIO,
          uploaded_by: User) -> Document:
    """Write the file under its sha256 and record it on the case."""
    data = stream.read()
    if not data:
        raise InvalidInput([{"field": "documents", "message": f"{filename} is empty"}])
    if content_type not in ALLOWED_TYPES:
        raise InvalidInput([{"field": "documents",
                             "message": f"{filename}: type {content_type} is not accepted "
                                        "(PDF, PNG, JPEG, text, Word)"}])
    digest = hashlib.sha256(data).hexdigest()
    files.write(session, _folder(session, case) / digest, data)
    doc = Document(case_id=case.id, kind="upload", sha256=digest, filename=Path(filename).name[:255] or "document",
                   content_type=content_type, size=len(data), uploaded_by_id=uploaded_by.id, created_at=utcnow())
    session.add(doc)
    session.flush()
    audit.record(session, actor=uploaded_by.username, action="document.added", case_id=case.id,
                 details={"document": doc.id, "filename": doc.filename, "sha256": digest, "size": doc.size})
    return doc


def list_documents(session: Session, case: Case, *, actor: User) -> list[Document]:
    """Uploads and letters of the case; an applicant sees their own uploads and the letters to them."""
    query = select(Document).where(Document.case_id == case.id)
    if not is_staff(actor):
        query = query.where(Document.for_applicant.is_(True))
    return list(session.scalars(query.order_by(Document.created_at, Document.id)))


def open_document(session: Session, case: Case, doc_id: int, *, actor: User) -> tuple[Document, Path]:
    """The document and the file to send: an upload as it came, a letter as its PDF."""
    doc = session.get(Document, doc_id)
    if doc is None or doc.case_id != case.id or (not doc.for_applicant and not is_staff(actor)):
        raise NotFound(f"case {case.id} has no document {doc_id}")
    if doc.is_letter:
        return doc, letters.pdf_path(session, doc)
    return doc, _folder(session, case) / doc.sha256
