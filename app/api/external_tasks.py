"""External tasks for integration workers (modelled on Camunda's external-task REST API), and their credentials."""
from __future__ import annotations

from functools import wraps

from flask import g, jsonify, request

from app.models import ExternalTask, WorkerCredential
from app.services import external_tasks, workers
from app.services.errors import Forbidden, Unauthorized
from app import uow
from app.uow import db

from .common import api_user, bp, json_body

FETCH_FIELDS = ("workerId", "maxTasks", "usePriority", "asyncResponseTimeout", "topics", "sorting")


def worker_auth(view):
    """Authenticate the request by a worker token (``Authorization: Bearer lotsen_worker_…``)."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        header = request.headers.get("Authorization", "")
        if not header.startswith("Bearer "):
            raise Unauthorized("send a worker token as 'Authorization: Bearer <token>'")
        token = header[len("Bearer "):].strip()
        g.worker = uow.detached(lambda session: workers.authenticate(session, token))
        return view(*args, **kwargs)

    return wrapper


def camunda_time(moment) -> str:
    """Camunda's date format (``2026-05-04T10:15:30.000+0000``), which its worker clients parse."""
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}" + moment.strftime("%z")


def _lock_json(row: ExternalTask, topic: dict) -> dict:
    case = row.case
    return {
        "id": row.id, "topicName": row.topic, "workerId": row.worker_id,
        "lockExpirationTime": camunda_time(row.lock_expires_at), "retries": row.retries,
        "errorMessage": row.error_message, "errorDetails": row.error_details, "priority": 0,
        "activityId": row.element_id, "activityInstanceId": None, "executionId": None,
        "processInstanceId": str(row.case_id), "businessKey": case.reference,
        "processDefinitionKey": case.process_version.model,
        "processDefinitionId": f"{case.process_version.model}:{case.process_version.number}",
        "processDefinitionVersionTag": None, "tenantId": None, "extensionProperties": {},
        "variables": external_tasks.typed_variables(row.variables, topic["variables"]),
    }


@bp.post("/api/external-tasks/fetch-and-lock")
@worker_auth
def external_fetch_and_lock():
    body = json_body(required=("workerId", "topics"), allowed=FETCH_FIELDS)
    locked = external_tasks.fetch_and_lock(db(), worker=g.worker, body=body)
    return jsonify([_lock_json(row, topic) for row, topic in locked])


@bp.post("/api/external-tasks/<task_id>/complete")
@worker_auth
def external_complete(task_id: str):
    body = json_body(required=("workerId",), allowed=("workerId", "variables"))
    external_tasks.complete(db(), worker=g.worker, task_id=task_id, body=body)
    return "", 204


@bp.post("/api/external-tasks/<task_id>/failure")
@worker_auth
def external_failure(task_id: str):
    body = json_body(required=("workerId", "retries"),
                     allowed=("workerId", "errorMessage", "errorDetails", "retries", "retryTimeout"))
    external_tasks.fail(db(), worker=g.worker, task_id=task_id, body=body)
    return "", 204


@bp.post("/api/external-tasks/<task_id>/extend-lock")
@worker_auth
def external_extend_lock(task_id: str):
    body = json_body(required=("workerId", "newDuration"), allowed=("workerId", "newDuration"))
    external_tasks.extend_lock(db(), worker=g.worker, task_id=task_id, body=body)
    return "", 204


# ------------------------------------------------------------------ administrators


def _admin():
    if not g.api_user.has_role("admin"):
        raise Forbidden("only administrators manage integration workers")
    return g.api_user


def worker_json(worker: WorkerCredential) -> dict:
    return {"name": worker.name, "topics": worker.topics, "created_by": worker.created_by,
            "created_at": worker.created_at.isoformat(),
            "revoked_at": worker.revoked_at.isoformat() if worker.revoked_at else None}


@bp.get("/api/admin/workers")
@api_user
def admin_list_workers():
    return jsonify([worker_json(w) for w in workers.list_workers(db(), actor=_admin())])


@bp.post("/api/admin/workers")
@api_user
def admin_issue_worker():
    actor = _admin()  # refused before the body is read
    body = json_body(required=("name",), allowed=("name", "topics"))
    worker, token = workers.issue(db(), name=body["name"], topics=body.get("topics"), actor=actor)
    return jsonify(worker_json(worker) | {"token": token}), 201


@bp.delete("/api/admin/workers/<name>")
@api_user
def admin_revoke_worker(name: str):
    return jsonify(worker_json(workers.revoke(db(), name=name, actor=_admin())))


@bp.get("/api/admin/external-tasks")
@api_user
def waiting_external_tasks():
    _admin()
    return jsonify([{"id": t.id, "case_id": t.case_id, "reference": t.case.reference, "element": t.element_id,
                     "topic": t.topic, "retries": t.retries, "worker_id": t.worker_id,
                     "lock_expires_at": t.lock_expires_at.isoformat() if t.lock_expires_at else None,
                     "retry_at": t.retry_at.isoformat() if t.retry_at else None, "error_message": t.error_message,
                     "created_at": t.created_at.isoformat()} for t in external_tasks.waiting(db())])
