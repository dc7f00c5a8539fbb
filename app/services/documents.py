"""Documents of cases: content-addressed uploads and the letters the authority issued."""
from __future__ import annotations

import hashlib
import unicodedata
from pathlib import Path
from typing import BinaryIO

import filetype
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.clock import utcnow
from app.models import Case, Document, User
from handlers.i18n import N_

from . import audit, files, letters
from .cases import is_staff
from .env import get_env
from .errors import InvalidInput, NotFound

ALLOWED_TYPES = {"application/pdf", "image/png", "image/jpeg", "text/plain",
                 "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}


def _folder(session: Session, case: Case) -> Path:
    return get_env(session).settings.documents_dir / str(case.id)


def clean_filename(name: str) -> str:
    """The file's own name as it may be shown and sent: no folders, no control or bidi-format characters."""
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch) not in ("Cc", "Cf", "Zl", "Zp"))
    return name.strip(" .")[:255] or "document"


def _is_text(data: bytes) -> bool:
    """Plain text in UTF-8 or Windows-1252: no control characters besides line breaks and tabs."""
    for encoding in ("utf-8", "cp1252"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        return False
    return not any(unicodedata.category(ch) == "Cc" and ch not in "\t\n\r\f" for ch in text)


def content_type_of(data: bytes) -> str | None:
    """What the bytes are (never what the sender said), if it is a type we accept."""
    found = filetype.guess_mime(data)
    if found is None and _is_text(data):
        found = "text/plain"
    return found if found in ALLOWED_TYPES else None


def store(session: Session, *, case: Case, filename: str, stream: BinaryIO, uploaded_by: User) -> Document:
    """Write the file under its sha256 and record it on the case, typed by its content."""
    data = stream.read()
    filename = clean_filename(filename)
    if not data:
        raise InvalidInput([{"field": "documents", "message": N_("%(file)s is empty", file=filename)}])
    content_type = content_type_of(data)
    if content_type is None:
        raise InvalidInput([{"field": "documents", "message": N_(
            "%(file)s: the content is not a PDF, PNG, JPEG, text or Word document", file=filename)}])
    digest = hashlib.sha256(data).hexdigest()
    files.write(session, _folder(session, case) / digest, data)
    doc = Document(case_id=case.id, kind="upload", sha256=digest, filename=filename, content_type=content_type,
                   size=len(data), uploaded_by_id=uploaded_by.id, created_at=utcnow())
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


def stored_path(session: Session, doc: Document) -> Path:
    """Where the document's file is kept."""
    return get_env(session).settings.documents_dir / str(doc.case_id) / doc.sha256


def open_document(session: Session, case: Case, doc_id: int, *, actor: User) -> tuple[Document, Path]:
    """The document and the file to send: an upload as it came, a letter as its PDF."""
    doc = session.get(Document, doc_id)
    if doc is None or doc.case_id != case.id or (not doc.for_applicant and not is_staff(actor)):
        raise NotFound(f"case {case.id} has no document {doc_id}")
    if doc.is_letter:
        return doc, letters.pdf_path(session, doc)
    return doc, _folder(session, case) / doc.sha256
