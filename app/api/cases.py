"""Cases and messages."""
from __future__ import annotations

from flask import g, jsonify, request

from app.responses import download
from app.services import cases as case_service
from app.services import clocks, contacts, conversation, expectations, extension, keyset, outlook, process_info
from app.services.errors import Forbidden, InvalidInput
from app.services import documents as document_service
from app.services import messages as message_service
from app.uow import db

from .common import api_user, bp, json_body, with_next_link
from .serialize import case_json, conversation_json, deadlines_json, document_json, event_json, process_json


@bp.post("/api/cases")
@api_user
def submit():
    body = json_body(required=("process",), allowed=("process", "data", "language"))
    case = case_service.submit_case(db(), actor=g.api_user, process=str(body["process"]), data=body.get("data"),
                                    language=str(body.get("language", "sv")))
    return jsonify({"id": case.id, "reference": case.reference, "status": case.status.value}), 201


@bp.get("/api/processes")
@api_user
def startable_processes():
    """The processes the caller may start, each with its start form (None: started with no data)."""
    session = db()
    return jsonify([process_json(info, case_service.start_form(session, version))
                    for info, version in process_info.startable(session, g.api_user)])


@bp.get("/api/cases")
@api_user
def list_cases():
    """One page of the cases, newest first; the next page's address is in the ``Link`` header (rel="next")."""
    args = request.args
    page = case_service.list_cases(db(), actor=g.api_user, status=args.get("status") or None,
                                   after=args.get("after") or None, size=keyset.page_size(args.get("limit")))
    response = jsonify([{"id": c.id, "reference": c.reference, "status": c.status.value,
                         "outcome": c.outcome.value if c.outcome else None} for c in page])
    return with_next_link(response, page, "api.list_cases")


@bp.get("/api/cases/<int:case_id>")
@api_user
def get_case(case_id: int):
    session = db()
    case = case_service.get_case(session, actor=g.api_user, case_id=case_id)
    case_clocks = clocks.clocks_for(session, case)
    return jsonify(case_json(case, case_service.open_tasks(session, case),
                             case_service.history(session, actor=g.api_user, case=case), case_clocks,
                             contact=contacts.contact_of(session, case),
                             outlook=outlook.outlook(case, case_clocks, today=clocks.local_today(session))))


@bp.post("/api/cases/<int:case_id>/contact")
@api_user
def set_contact(case_id: int):
    if not g.api_user.is_staff:  # refuse before reading the body
        raise Forbidden("only staff may change a case's contact")
    body = json_body(required=("username",), allowed=("username",))
    session = db()
    case = contacts.set_contact(session, actor=g.api_user, case_id=case_id, username=str(body["username"]))
    return jsonify(contacts.contact_of(session, case) | {"username": case.contact.username})


@bp.get("/api/expectations")
def expectations_for():
    """What an applicant may expect for a measure; public (no login), like the apply page."""
    found = expectations.for_measure(db(), process=request.args.get("process", "").strip(),
                                     measure=request.args.get("measure", "").strip())
    return jsonify(found.to_dict())


@bp.get("/api/cases/<int:case_id>/history")
@api_user
def history(case_id: int):
    session = db()
    case = case_service.get_case(session, actor=g.api_user, case_id=case_id)
    return jsonify([event_json(e) for e in case_service.history(session, actor=g.api_user, case=case)])


@bp.post("/api/cases/<int:case_id>/messages/<name>")
@api_user
def message(case_id: int, name: str):
    message_service.may_send(db(), actor=g.api_user, case_id=case_id, name=name)  # refused before the body is read
    body = json_body(allowed=("data",))
    receipt = message_service.send_message(db(), actor=g.api_user, case_id=case_id, name=name,
                                           data=body.get("data", {}))
    if receipt.taken_as:
        return jsonify({"id": receipt.message.id, "status": "recorded", "taken_as": receipt.taken_as}), 200
    if receipt.delivered:
        return jsonify({"id": receipt.message.id, "status": "delivered"}), 200
    body = {"id": receipt.message.id, "status": "pending"}
    if receipt.incident is not None:
        body["incident"] = {"id": receipt.incident.id, "element": receipt.incident.element_id,
                            "error": receipt.incident.error}
    return jsonify(body), 202


@bp.post("/api/cases/<int:case_id>/withdraw")
@api_user
def withdraw(case_id: int):
    case_service.get_case(db(), actor=g.api_user, case_id=case_id)  # refused before the body is read
    body = json_body(allowed=("reason",))
    case = case_service.withdraw(db(), actor=g.api_user, case_id=case_id, reason=str(body.get("reason", "")))
    return jsonify({"id": case.id, "reference": case.reference, "status": case.status.value,
                    "outcome": case.outcome.value})


@bp.post("/api/cases/<int:case_id>/extension")
@api_user
def extend(case_id: int):
    extension.may_extend_case(db(), actor=g.api_user, case_id=case_id)  # refused before the body is read
    body = json_body(required=("reason",), allowed=("reason", "weeks"))
    result = extension.extend(db(), actor=g.api_user, case_id=case_id, reason=str(body["reason"]),
                              weeks=body.get("weeks"))
    return jsonify(deadlines_json(result))


@bp.get("/api/cases/<int:case_id>/documents")
@api_user
def documents(case_id: int):
    session = db()
    case = case_service.get_case(session, actor=g.api_user, case_id=case_id)
    return jsonify([document_json(d) for d in document_service.list_documents(session, case, actor=g.api_user)])


@bp.get("/api/cases/<int:case_id>/documents/<int:doc_id>")
@api_user
def document(case_id: int, doc_id: int):
    session = db()
    case = case_service.get_case(session, actor=g.api_user, case_id=case_id)
    doc, path = document_service.open_document(session, case, doc_id, actor=g.api_user)
    return download(path, content_type=doc.content_type, filename=doc.filename)


@bp.get("/api/cases/<int:case_id>/conversation")
@api_user
def conversation_list(case_id: int):
    rows = conversation.messages(db(), actor=g.api_user, case_id=case_id)
    return jsonify([conversation_json(m) for m in rows])


@bp.post("/api/cases/<int:case_id>/conversation")
@api_user
def conversation_post(case_id: int):
    conversation.case_for(db(), g.api_user, case_id)  # refuse before reading the body
    body = json_body(required=("text",), allowed=("text", "documents"))
    documents = body.get("documents") or []
    if not isinstance(body["text"], str) or not isinstance(documents, list):
        raise InvalidInput([{"field": "text" if not isinstance(body["text"], str) else "documents",
                             "message": "text is a string, documents a list of document ids"}])
    message = conversation.post(db(), actor=g.api_user, case_id=case_id, text=body["text"], documents=documents)
    return jsonify(conversation_json(message)), 201
