"""Previews of documents for the case pages: the pages of a PDF as PNG images, images as they are.

A PDF page is drawn with PDFium (pypdfium2) at a width that reads well on a phone and a desktop, once,
and kept by the document's content hash, like the letters' PDFs. Only the first pages are drawn.
"""
from __future__ import annotations

import io
from pathlib import Path

import pypdfium2 as pdfium
from sqlalchemy.orm import Session

from app.models import Case, User

from . import documents
from .env import get_env
from .errors import N_, NotFound

WIDTH_PX = 900
MAX_PAGES = 20
IMAGE_TYPES = ("image/png", "image/jpeg")


def preview(session: Session, case: Case, doc_id: int, *, actor: User, page: int = 1) -> tuple[Path, str]:
    """(file, content type) showing page ``page`` of the document; NotFound for what cannot be previewed."""
    doc, path = documents.open_document(session, case, doc_id, actor=actor)
    if doc.content_type in IMAGE_TYPES and not doc.is_letter:
        return path, doc.content_type
    if doc.content_type != "application/pdf":
        raise NotFound(N_("this document cannot be previewed; download it instead"))
    if not 1 <= page <= MAX_PAGES:
        raise NotFound(N_("no such page"))
    target = _folder(session) / f"{doc.sha256}-{page}.png"
    if not target.exists():
        _draw(path, page, target)
    return target, "image/png"


def _folder(session: Session) -> Path:
    return get_env(session).settings.documents_dir / "previews"


def drawn_pages(session: Session, sha256: str) -> list[Path]:
    """The preview images drawn of the content ``sha256`` (retention removes them with the document)."""
    return sorted(_folder(session).glob(f"{sha256}-*.png"))


def _draw(pdf_path: Path, page: int, target: Path) -> None:
    try:
        pdf = pdfium.PdfDocument(str(pdf_path))
    except pdfium.PdfiumError:
        raise NotFound(N_("this document cannot be previewed; download it instead")) from None
    try:
        if page > len(pdf):
            raise NotFound(N_("no such page"))
        sheet = pdf[page - 1]
        scale = WIDTH_PX / sheet.get_width()
        image = sheet.render(scale=scale).to_pil()
        buffer = io.BytesIO()
        image.save(buffer, format="PNG", optimize=True)
    except pdfium.PdfiumError:
        raise NotFound(N_("this document cannot be previewed; download it instead")) from None
    finally:
        pdf.close()
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(".tmp")
    tmp.write_bytes(buffer.getvalue())
    tmp.replace(target)
