"""Administrators' API: audit trail, incidents, case operations, personal-data export."""
from __future__ import annotations


from flask import Response, g, jsonify, request, url_for

from app.ids import db_id
from app.models import ExternalTask, HumanTask, Incident
from app import uow
from app.services import audit, audit_search, audit_verify, incident_repair, incidents, operations, retention
from app.services.cases import get_case
from app.services.errors import Forbidden, InvalidInput, NotFound
from app.uow import db

from .common import api_user, bp, json_body
from .serialize import task_json


def _admin():
    if not g.api_user.has_role("admin"):
        raise Forbidden("only administrators may use this")
    return g.api_user


def incident_json(i: Incident) -> dict:
    found = incidents.describe(db(), i)
    for key in ("created_at", "resolved_at", "statutory_due"):
        found[key] = found[key].isoformat() if found[key] else None
    return found


@bp.get("/api/cases/<int:case_id>/audit")
@api_user
def case_audit(case_id: int):
    _admin()
    session = db()
    get_case(session, actor=g.api_user, case_id=case_id)
    return jsonify([audit_search.event_dict(e) for e in audit.case_history(session, case_id)])


@bp.get("/api/audit")
@api_user
def search_audit():
    actor = _admin()
    q = audit_search.AuditQuery.parse(request.args)
    fmt = request.args.get("format")
    if fmt:
        # the export is audited: its record is an explicit write of its own
        content_type, body = uow.run(lambda session: audit_search.export(session, actor=actor, q=q, fmt=fmt))
        return Response(body, content_type=content_type,
                        headers={"Content-Disposition": f"attachment; filename=audit.{fmt}"})
    after = _event_id(request.args.get("after"))
    events = audit_search.search(db(), q, after=after)
    response = jsonify([audit_search.event_dict(e) for e in events])
    if len(events) == q.limit:  # there may be more: the next page starts after this page's last event
        url = url_for("api.search_audit", **{**request.args.to_dict(), "after": events[-1].id})
        response.headers["Link"] = f'<{url}>; rel="next"'
    return response


def _event_id(raw: str | None) -> int | None:
    if raw in (None, ""):
        return None
    if not (raw.isascii() and raw.isdigit()):
        raise InvalidInput([{"field": "after", "message": "must be an audit event id (a whole number)"}])
    return int(raw)


@bp.get("/api/audit/verify")
@api_user
def verify_audit():
    _admin()
    report = audit_verify.verify(db())
    if report.broken is None:
        head = uow.run(lambda session: audit_verify.sign_verified_head(session, report))
        return jsonify({"ok": True, "events": report.events, "checkpoints": report.checkpoints,
                        "head": head.printable() if head else None})
    broken = report.broken
    return jsonify({"ok": False, "event": broken.event_id, "at": broken.at.isoformat() if broken.at else None,
                    "action": broken.action, "reason": broken.reason}), 409


@bp.get("/api/admin/incidents")
@api_user
def list_incidents():
    _admin()
    return jsonify([incident_json(i) for i in incidents.list_open(db())])


@bp.post("/api/admin/cases/<int:case_id>/<any(suspend, resume, terminate):operation>")
@api_user
def case_operation(case_id: int, operation: str):
    _admin()  # refused before the body is read: a non-administrator learns nothing from a 422
    body = json_body(required=("reason",), allowed=("reason",))
    case = getattr(operations, operation)(db(), actor=g.api_user, case_id=case_id, reason=str(body["reason"]))
    return jsonify({"id": case.id, "status": case.status.value, "suspended": case.suspended_at is not None})


@bp.post("/api/admin/cases/<int:case_id>/move-back")
@api_user
def move_back(case_id: int):
    _admin()
    body = json_body(required=("task", "reason"), allowed=("task", "reason"))
    case = operations.move_back(db(), actor=g.api_user, case_id=case_id, task_id=str(body["task"]),
                                reason=str(body["reason"]))
    return jsonify({"id": case.id, "status": case.status.value})


def _incident_for(task_or_incident: str) -> int:
    """Accept an incident id or the id of the blocked task (the failed step's user or external task)."""
    if task_or_incident.isdigit():
        incident_id = db_id(task_or_incident)
        if incident_id is None:
            raise NotFound(f"no open incident for {task_or_incident}")
        return incident_id
    session = db()
    task = session.get(HumanTask, task_or_incident) or session.get(ExternalTask, task_or_incident)
    incident = incidents.open_incident(session, task.case_id) if task else None
    if incident is None:
        raise NotFound(f"no open incident for {task_or_incident}")
    return incident.id


@bp.post("/api/admin/tasks/<task_id>/retry")
@api_user
def retry(task_id: str):
    _admin()
    json_body(allowed=())
    incident = incident_repair.retry(db(), actor=g.api_user, incident_id=_incident_for(task_id))
    return jsonify(incident_json(incident))


@bp.post("/api/admin/tasks/<task_id>/skip")
@api_user
def skip(task_id: str):
    _admin()
    body = json_body(required=("data", "reason"), allowed=("data", "reason"))
    incident = incident_repair.skip(db(), actor=g.api_user, incident_id=_incident_for(task_id), data=body["data"],
                              reason=str(body["reason"]))
    return jsonify(incident_json(incident))


@bp.post("/api/admin/incidents/<int:incident_id>/move-back")
@api_user
def move_back_incident(incident_id: int):
    _admin()
    body = json_body(required=("reason",), allowed=("reason",))
    incident = incident_repair.move_back(db(), actor=g.api_user, incident_id=incident_id, reason=str(body["reason"]))
    return jsonify(incident_json(incident))


@bp.post("/api/admin/tasks/<task_id>/reassign")
@api_user
def reassign(task_id: str):
    _admin()
    body = json_body(required=("reason",), allowed=("reason", "user", "group"))
    task = operations.reassign(db(), actor=g.api_user, task_id=task_id, reason=str(body["reason"]),
                               user=body.get("user"), group=body.get("group"))
    return jsonify(task_json(task))


@bp.get("/api/admin/users/<username>/export")
@api_user
def export_user(username: str):
    _admin()
    actor = g.api_user
    return jsonify(uow.run(lambda session: retention.export_person(session, actor=actor, username=username)))


@bp.get("/api/me/export")
@api_user
def export_me():
    actor = g.api_user
    return jsonify(uow.run(lambda session: retention.export_person(session, actor=actor, username=actor.username)))
