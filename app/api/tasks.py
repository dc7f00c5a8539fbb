"""The caller's tasks: list, read, claim, release, complete."""
from __future__ import annotations

from flask import g, jsonify, request

from app.services import keyset
from app.services import tasks as task_service
from app.uow import db

from .common import api_user, bp, json_body, with_next_link
from .serialize import task_json


@bp.get("/api/tasks")
@api_user
def list_tasks():
    """One page of the caller's open tasks; the next page's address is in the ``Link`` header (rel="next")."""
    args = request.args
    page = task_service.list_tasks(
        db(), actor=g.api_user, group=args.get("group") or None, element=args.get("name") or None,
        mine=args.get("mine") in ("1", "true"), sort=args.get("sort") or "oldest", after=args.get("after") or None,
        size=keyset.page_size(args.get("limit")))
    return with_next_link(jsonify([task_json(t) for t in page]), page, "api.list_tasks")


@bp.get("/api/tasks/<task_id>")
@api_user
def get_task(task_id: str):
    session = db()
    task = task_service.get_task(session, actor=g.api_user, task_id=task_id)
    return jsonify(task_json(task, task_service.task_form(session, task)))


@bp.post("/api/tasks/<task_id>/claim")
@api_user
def claim(task_id: str):
    task_service.get_task(db(), actor=g.api_user, task_id=task_id)  # refused before the body is read
    json_body(allowed=())
    return jsonify(task_json(task_service.claim(db(), actor=g.api_user, task_id=task_id)))


@bp.post("/api/tasks/<task_id>/release")
@api_user
def release(task_id: str):
    task_service.get_task(db(), actor=g.api_user, task_id=task_id)  # refused before the body is read
    json_body(allowed=())
    return jsonify(task_json(task_service.release(db(), actor=g.api_user, task_id=task_id)))


@bp.post("/api/tasks/<task_id>/complete")
@api_user
def complete(task_id: str):
    task_service.get_task(db(), actor=g.api_user, task_id=task_id)  # refused before the body is read
    body = json_body(required=("data",), allowed=("data",))
    task = task_service.complete(db(), actor=g.api_user, task_id=task_id, data=body["data"])
    return jsonify(task_json(task) | {"case_status": task.case.status.value})
