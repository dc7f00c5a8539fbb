"""What an upload shows (its category) and which earlier upload it replaces (versions of a drawing).

Categories follow the drawings a building permit asks for: ritning (plan), situationsplan (site plan),
fasad (elevation), sektion (section) and annat (anything else). A new version replaces an upload of the
same case; the list shows the newest version of each with its earlier ones below it.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from app.models import Document, User

from . import audit
from .errors import N_, InvalidInput

CATEGORIES = ("situationsplan", "ritning", "fasad", "sektion", "annat")
PREVIEWABLE = ("application/pdf", "image/png", "image/jpeg")


def classify(session: Session, doc: Document, *, category: str | None, replaces: int | str | None,
             actor: User) -> Document:
    """Give a new upload its category and, when it replaces an earlier upload, its version."""
    category = (category or "annat").strip()
    if category not in CATEGORIES:
        raise InvalidInput([{"field": "category", "message": N_("choose what the document shows")}])
    doc.category = category
    if replaces not in (None, ""):
        try:
            earlier = session.get(Document, int(replaces))
        except (TypeError, ValueError):
            earlier = None
        if earlier is None or earlier.case_id != doc.case_id or earlier.is_letter or earlier.id == doc.id:
            raise InvalidInput([{"field": "replaces", "message": N_("no such document on this case")}])
        if not actor.is_staff and not earlier.for_applicant:
            raise InvalidInput([{"field": "replaces", "message": N_("no such document on this case")}])
        doc.replaces_id, doc.version = earlier.id, earlier.version + 1
        doc.category = category if category != "annat" else (earlier.category or "annat")
    session.flush()
    audit.record(session, actor=actor.username, action="document.classified", case_id=doc.case_id,
                 details={"document": doc.id, "category": doc.category, "replaces": doc.replaces_id,
                          "version": doc.version})
    return doc


@dataclass
class Entry:
    """The newest version of an upload (or a letter), with the versions it replaced, newest first."""

    document: Document
    earlier: list[Document] = field(default_factory=list)

    @property
    def previewable(self) -> bool:
        return self.document.is_letter or self.document.content_type in PREVIEWABLE


def entries(documents: list[Document]) -> list[Entry]:
    """Documents as a reader lists them: each upload's newest version, earlier versions under it."""
    replaced_by = {d.replaces_id: d for d in documents if d.replaces_id}
    out = []
    for doc in documents:
        if doc.id in replaced_by:
            continue  # shown under its newest version
        earlier, current = [], doc
        while current.replaces_id:
            previous = next((d for d in documents if d.id == current.replaces_id), None)
            if previous is None:
                break
            earlier.append(previous)
            current = previous
        out.append(Entry(doc, earlier))
    return out
