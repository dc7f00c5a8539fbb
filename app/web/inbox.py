"""The staff inbox and the task page."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.redirects import back
from app.services import cases as case_service
from app.services import clocks, conversation, hearing, incidents
from app.services import documents as document_service
from app.services import groups as group_service
from app.services import tasks as task_service
from app.services.errors import InvalidInput
from app.services.forms import coerce_html
from app.uow import db

from . import STAFF, form_errors, pages, role_required

bp = Blueprint("inbox", __name__)
#: Tasks whose page shows the neighbour hearing first (the officer records parties and answers there).
HEARING_TASKS = frozenset({"prepare_hearing", "record_neighbour_responses"})


@bp.get("/inbox")
@role_required(*STAFF)
def index():
    session = db()
    element = request.args.get("type") or None
    sort = request.args.get("sort", "deadline")
    if sort not in task_service.task_list.SORTS:
        sort = "deadline"
    mine = request.args.get("mine") == "1"
    my_groups = [g for g in group_service.list_groups(session) if g.name in current_user.work_groups]
    group = request.args.get("group") or None
    if group not in {g.name for g in my_groups}:
        group = None  # a stale link to a group the user left: show all their groups
    page = pages.page_or_first(lambda after: task_service.list_tasks(
        session, actor=current_user, element=element, mine=mine, sort=sort, group=group, after=after,
        size=pages.size()))
    types = task_service.task_types(session, actor=current_user)
    return render_template("inbox/index.html", tasks=page.items, types=types, element=element, sort=sort, mine=mine,
                           groups=my_groups, group=group, **pages.links(page, "inbox.index"),
                           blocked=incidents.blocked_cases(session, sorted({t.case_id for t in page.items})))


def _render_task(task, values=None, errors=None, status=200):
    session = db()
    case = task.case
    schema = task_service.task_form(session, task)
    blocked = incidents.blocked(session, case)
    earlier = incidents.input_to_reenter(session, task) if values is None and blocked is None else None
    if values is None:
        values = {**(task.defaults or {}), **(earlier or {})}
    return render_template(
        "inbox/task.html", task=task, case=case, schema=schema, values=values, errors=errors or {},
        blocked=blocked, refilled=bool(earlier),
        history=case_service.history(session, actor=current_user, case=case),
        documents=document_service.list_documents(session, case, actor=current_user),
        done_tasks=case_service.completed_tasks(session, case), clocks=clocks.clocks_for(session, case),
        hearing=hearing.summary(session, case), can_edit_hearing=hearing.may_record(current_user),
        hearing_first=task.element_id in HEARING_TASKS,
        application=case_service.application_of(session, case),
        messages=conversation.messages(session, actor=current_user, case_id=case.id)), status


@bp.get("/tasks/<task_id>")
@role_required(*STAFF)
def task(task_id: str):
    return _render_task(task_service.get_task(db(), actor=current_user, task_id=task_id))


@bp.post("/tasks/<task_id>/claim")
@role_required(*STAFF)
def claim(task_id: str):
    task_service.claim(db(), actor=current_user, task_id=task_id)
    return redirect(back(url_for("inbox.task", task_id=task_id)))


@bp.post("/tasks/<task_id>/release")
@role_required(*STAFF)
def release(task_id: str):
    task_service.release(db(), actor=current_user, task_id=task_id)
    return redirect(back(url_for("inbox.index")))


def _submitted(task) -> dict:
    schema = task_service.task_form(db(), task) or {"properties": {}}
    return coerce_html(schema, request.form.to_dict(flat=False))


def _completion_refused(exc: InvalidInput, task_id: str):
    task = task_service.get_task(db(), actor=current_user, task_id=task_id)
    return _render_task(task, values=_submitted(task), errors={e["field"]: e["message"] for e in exc.errors},
                        status=422)


@bp.post("/tasks/<task_id>/complete")
@role_required(*STAFF)
@form_errors(_completion_refused)
def complete(task_id: str):
    session = db()
    task = task_service.get_task(session, actor=current_user, task_id=task_id)
    task_service.complete(session, actor=current_user, task_id=task_id, data=_submitted(task))
    flash(_("Task completed: %(title)s", title=task.title), "success")
    return redirect(url_for("inbox.index"))
