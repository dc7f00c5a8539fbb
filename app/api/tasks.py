"""The caller's tasks: list, read, claim, release, complete."""
from __future__ import annotations

from flask import g, jsonify, request

from app.services import tasks as task_service
from app.uow import db

from .common import api_user, bp, json_body
from .serialize import task_json


@bp.get("/api/tasks")
@api_user
def list_tasks():
    session = db()
    rows = task_service.list_tasks(session, actor=g.api_user, group=request.args.get("group") or None)
    return jsonify([task_json(t, task_service.task_form(session, t)) for t in rows])


@bp.get("/api/tasks/<task_id>")
@api_user
def get_task(task_id: str):
    session = db()
    task = task_service.get_task(session, actor=g.api_user, task_id=task_id)
    return jsonify(task_json(task, task_service.task_form(session, task)))


@bp.post("/api/tasks/<task_id>/claim")
@api_user
def claim(task_id: str):
    json_body(allowed=())
    return jsonify(task_json(task_service.claim(db(), actor=g.api_user, task_id=task_id)))


@bp.post("/api/tasks/<task_id>/release")
@api_user
def release(task_id: str):
    json_body(allowed=())
    return jsonify(task_json(task_service.release(db(), actor=g.api_user, task_id=task_id)))


@bp.post("/api/tasks/<task_id>/complete")
@api_user
def complete(task_id: str):
    body = json_body(required=("data",), allowed=("data",))
    task = task_service.complete(db(), actor=g.api_user, task_id=task_id, data=body["data"])
    return jsonify(task_json(task) | {"case_status": task.case.status.value})
