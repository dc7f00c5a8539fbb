"""Searching and exporting the audit trail."""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.ids import db_id
from app.models import AuditEvent, Case, User

from . import audit, csv_export
from .errors import N_, Forbidden, InvalidInput


MAX_LIMIT = 10000
#: What a person reads when a date of the search is not one (the API names the field too).
BAD_DATE = {"from": N_("“From” must be a date such as 2026-11-30, or a date and time such as 2026-11-30T14:00"),
            "to": N_("“To” must be a date such as 2026-11-30, or a date and time such as 2026-11-30T14:00")}


@dataclass
class AuditQuery:
    case: str | None = None  # case id or reference
    actor: str | None = None
    action: str | None = None  # exact, or a prefix ending in "." (e.g. "task.")
    start: datetime | None = None
    end: datetime | None = None
    limit: int = 1000

    @classmethod
    def parse(cls, args) -> AuditQuery:
        def when(name: str) -> datetime | None:
            raw = (args.get(name) or "").strip()
            if not raw:
                return None
            try:
                value = datetime.fromisoformat(raw)
            except ValueError:
                raise InvalidInput([{"field": name, "message": BAD_DATE[name]}]) from None
            if value.tzinfo is None:
                from zoneinfo import ZoneInfo
                value = value.replace(tzinfo=ZoneInfo("Europe/Stockholm"))
            return value
        limit_text = args.get("limit") or "1000"
        if not (limit_text.isascii() and limit_text.isdigit()) or int(limit_text) < 1:
            raise InvalidInput([{"field": "limit", "message": N_("“limit” must be a whole number above 0")}])
        limit = min(MAX_LIMIT, int(limit_text))
        return cls(case=(args.get("case") or "").strip() or None, actor=(args.get("actor") or "").strip() or None,
                   action=(args.get("action") or "").strip() or None, start=when("from"), end=when("to"), limit=limit)


def require_admin(actor: User) -> None:
    if not actor.has_role("admin"):
        raise Forbidden("only administrators read the audit trail")


def search(session: Session, q: AuditQuery, *, after: int | None = None) -> list[AuditEvent]:
    """The first ``q.limit`` matching events in chain order; ``after``: only those after that event id (the
    next page starts after the last event of this one)."""
    query = select(AuditEvent)
    if q.case:
        case_id = db_id(q.case) if q.case.isdigit() else session.scalar(select(Case.id).where(Case.reference == q.case))
        query = query.where(AuditEvent.case_id == (case_id or -1))
    if q.actor:
        query = query.where(AuditEvent.actor == q.actor)
    if q.action:
        query = query.where(AuditEvent.action.startswith(q.action) if q.action.endswith(".")
                            else AuditEvent.action == q.action)
    if q.start:
        query = query.where(AuditEvent.at >= q.start)
    if q.end:
        query = query.where(AuditEvent.at <= q.end)
    if after is not None:
        query = query.where(AuditEvent.id > after)
    return list(session.scalars(query.order_by(AuditEvent.id).limit(q.limit)).unique())


def recent(session: Session, count: int) -> list[AuditEvent]:
    """The newest ``count`` events, oldest of them first."""
    newest = session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(count)).unique()
    return list(reversed(list(newest)))


def event_dict(e: AuditEvent) -> dict:
    return {"id": e.id, "at": e.at.isoformat(), "actor": e.actor, "action": e.action, "case_id": e.case_id,
            "element": e.element_id, "details": e.details, "hash": e.hash, "prev_hash": e.prev_hash}


def export(session: Session, *, actor: User, q: AuditQuery, fmt: str) -> tuple[str, str]:
    """(content type, text) of the matching events as CSV or JSON; the export itself is audited."""
    require_admin(actor)
    if fmt not in ("csv", "json"):
        raise InvalidInput([{"field": "format", "message": "choose csv or json"}])
    events = [event_dict(e) for e in search(session, q)]
    audit.record(session, actor=actor.username, action="data.exported",
                 details={"what": "audit", "format": fmt, "count": len(events),
                          "query": {k: (v.isoformat() if isinstance(v, datetime) else v)
                                    for k, v in q.__dict__.items()}})
    if fmt == "json":
        return "application/json", json.dumps(events, ensure_ascii=False, indent=1)
    header = ["id", "at", "actor", "action", "case_id", "element", "details", "hash", "prev_hash"]
    rows = ([e["id"], e["at"], e["actor"], e["action"], e["case_id"], e["element"],
             json.dumps(e["details"], ensure_ascii=False), e["hash"], e["prev_hash"]] for e in events)
    return csv_export.CONTENT_TYPE, csv_export.to_csv(header, rows)
