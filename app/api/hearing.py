"""The neighbour hearing of a case: parties and their responses."""
from __future__ import annotations

from flask import g, jsonify

from app.services import cases as case_service
from app.services import hearing
from app.uow import db

from .common import api_user, bp, json_body


def party_json(p) -> dict:
    return {"id": p.id, "name": p.name, "address": p.address, "email": p.email,
            "notified_at": p.notified_at.isoformat() if p.notified_at else None,
            "letter_document_id": p.letter_document_id, "response": p.response, "response_text": p.response_text,
            "received_on": p.responded_on.isoformat() if p.responded_on else None}


def hearing_json(case, result: hearing.Summary) -> dict:
    facts = case.facts or {}
    notice = facts.get("neighbour_hearing") or {}
    rule = facts.get("hearing_rule") or {}
    return {"required": bool(rule.get("required")), "exemption": rule.get("exemption"),
            "consent_documents": rule.get("consent_documents") or [],
            "channel": notice.get("channel"), "response_by": notice.get("last_day"),
            "notified": result.notified, "answered": result.answered, "objections": result.objections,
            "all_answered": result.all_answered, "parties": [party_json(p) for p in result.parties]}


def _may_record(case_id: int) -> None:
    """Refused before the body is read: a caller who may not record learns nothing from a 422."""
    case_service.get_case(db(), actor=g.api_user, case_id=case_id)
    hearing.require_staff(g.api_user)


@bp.get("/api/cases/<int:case_id>/hearing")
@api_user
def get_hearing(case_id: int):
    session = db()
    case = case_service.get_case(session, actor=g.api_user, case_id=case_id)
    hearing.require_staff(g.api_user)
    return jsonify(hearing_json(case, hearing.summary(session, case)))


@bp.post("/api/cases/<int:case_id>/hearing/parties")
@api_user
def add_party(case_id: int):
    _may_record(case_id)
    body = json_body(required=("name",), allowed=("name", "address", "email"))
    party = hearing.add_party(db(), actor=g.api_user, case_id=case_id, name=body["name"],
                              address=body.get("address"), email=body.get("email"))
    return jsonify(party_json(party)), 201


@bp.delete("/api/cases/<int:case_id>/hearing/parties/<int:party_id>")
@api_user
def remove_party(case_id: int, party_id: int):
    hearing.remove_party(db(), actor=g.api_user, case_id=case_id, party_id=party_id)
    return "", 204


@bp.post("/api/cases/<int:case_id>/hearing/parties/<int:party_id>/response")
@api_user
def record_response(case_id: int, party_id: int):
    _may_record(case_id)
    body = json_body(required=("response",), allowed=("response", "text", "received_on"))
    session = db()
    result = hearing.record_response(session, actor=g.api_user, case_id=case_id, party_id=party_id,
                                     response=body["response"], text=body.get("text"),
                                     received_on=body.get("received_on"))
    case = case_service.get_case(session, actor=g.api_user, case_id=case_id)
    return jsonify(hearing_json(case, result))
