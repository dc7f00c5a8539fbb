"""Form choices that come from data, not from the form file.

A field (or the ``items`` of an array field) with ``"x-options-from":
"referral_departments"`` gets its ``oneOf`` from the groups marked as referral
departments when the form is shown and when a submission is validated, so a
department the administrator adds is offered at the next triage.
``"case_documents"`` offers the documents of the task's case (by id), e.g. the
neighbours' written consents.
"""
from __future__ import annotations

import copy
from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Case, Document

from . import groups as group_service
from .env import get_env


def _referral_departments(session: Session, case: Case | None) -> list[dict]:
    """The departments (groups) that answer referrals, then the external bodies that get a referral letter."""
    groups = [{"const": g.name, "title": g.title_en, "x-title-sv": g.title_sv}
              for g in sorted(group_service.referral_departments(session), key=lambda g: g.title_sv.casefold())]
    taken = {g["const"] for g in groups}
    bodies = get_env(session).settings.external_bodies
    return groups + [{"const": name, "title": f"{b.get('name_en') or name} (by letter)",
                      "x-title-sv": f"{b.get('name_sv') or name} (med brev)"}
                     for name, b in sorted(bodies.items()) if name not in taken]


def _case_documents(session: Session, case: Case | None) -> list[dict]:
    if case is None or case.id is None:
        return []
    documents = session.scalars(select(Document).where(Document.case_id == case.id, Document.kind == "upload")
                                .order_by(Document.id))
    return [{"const": d.id, "title": d.filename} for d in documents]


#: name → choices ([{const, title, x-title-sv}]) read from the database (for the case, when a source needs it).
SOURCES: dict[str, Callable[[Session, Case | None], list[dict]]] = {
    "referral_departments": _referral_departments,
    "case_documents": _case_documents,
}


def fill(session: Session, schema: dict | None, case: Case | None = None) -> dict | None:
    """``schema`` with every ``x-options-from`` field's choices filled in (a copy; the stored form is untouched)."""
    if not schema:
        return schema
    holders = []
    for prop in (schema.get("properties") or {}).values():
        if not isinstance(prop, dict):
            continue
        holders += [h for h in (prop, prop.get("items")) if isinstance(h, dict) and h.get("x-options-from")]
    if not holders:
        return schema
    filled = copy.deepcopy(schema)
    cache: dict[str, list[dict]] = {}
    for prop in (filled.get("properties") or {}).values():
        if not isinstance(prop, dict):
            continue
        for holder in (prop, prop.get("items")):
            source = holder.get("x-options-from") if isinstance(holder, dict) else None
            if source in SOURCES:
                if source not in cache:
                    cache[source] = SOURCES[source](session, case)
                holder["oneOf"] = cache[source]  # none at all: nothing is offered and nothing validates
    return filled
