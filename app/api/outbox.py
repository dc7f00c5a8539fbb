"""The administrator's outbox: what was sent, what waits, what failed; retry."""
from __future__ import annotations

from flask import g, jsonify, request

from app.models import OutboxMessage
from app.services import outbox
from app.services.errors import InvalidInput
from app.uow import db

from .common import api_user, bp, json_body


def outbox_json(m: OutboxMessage) -> dict:
    def when(value):
        return value.isoformat() if value else None

    return {"id": m.id, "case_id": m.case_id, "reference": m.case.reference if m.case else None, "kind": m.kind,
            "status": m.status.value, "recipient": m.recipient, "subject": m.subject, "body": m.body,
            "attempts": m.attempts, "last_error": m.last_error, "created_at": when(m.created_at),
            "next_attempt_at": when(m.next_attempt_at), "sent_at": when(m.sent_at),
            "attachment": {"document_id": m.document.id, "filename": m.document.filename} if m.document else None}


def _int_arg(name: str, default: int) -> int:
    value = request.args.get(name, "")
    if not value:
        return default
    if not value.isdigit() or len(value) > 6:
        raise InvalidInput([{"field": name, "message": "must be a whole number"}])
    return int(value)


@bp.get("/api/admin/outbox")
@api_user
def list_outbox():
    page = outbox.list_messages(db(), actor=g.api_user, status=outbox.parse_status(request.args.get("status")),
                                page=_int_arg("page", 1), per_page=_int_arg("per_page", 50))
    response = jsonify([outbox_json(m) for m in page.messages])
    response.headers["X-Total-Count"] = str(page.total)
    return response


@bp.post("/api/admin/outbox/<int:message_id>/retry")
@api_user
def retry_outbox(message_id: int):
    outbox.require_admin(g.api_user)  # refused before the body is read
    json_body(allowed=())
    return jsonify(outbox_json(outbox.retry(db(), actor=g.api_user, message_id=message_id)))
