"""Administration: find cases, see what happened, repair them; audit trail; users."""
from __future__ import annotations

import json
import secrets

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.exceptions import BadRequest

from app import input_limits, uow
from app.headers import draws_diagrams
from app.redirects import back
from app.responses import error_message
from app.services import (audit, audit_search, audit_verify, case_admin, external_tasks, incident_repair, incidents,
                          operations, outbox, retention)
from app.services import cases as case_service
from app.services import groups as group_service
from app.services import users as user_service
from app.services.errors import InvalidInput
from app.uow import db

from . import action_words, role_required

bp = Blueprint("admin", __name__, url_prefix="/admin")


def _done(message: str, endpoint: str = "", **kw):
    flash(message, "success")
    return redirect(back(url_for(endpoint or "admin.index", **kw)))


@bp.get("/")
@role_required("admin")
def index():
    session = db()
    q = (request.args.get("q") or "").strip()
    return render_template("admin/index.html", q=q, found=case_admin.find_cases(session, q),
                           suspended=case_admin.suspended_cases(session), incidents=incidents.list_open(session),
                           recent=audit_search.recent(session, 15), failed_mails=outbox.counts(session)["failed"])


@bp.get("/cases/<int:case_id>")
@role_required("admin")
@draws_diagrams
def case(case_id: int):
    session = db()
    c = case_service.get_case(session, actor=current_user, case_id=case_id)
    incident = incidents.open_incident(session, c.id)
    return render_template("admin/case.html", case=c, markers=case_admin.diagram_markers(session, c),
                           events=audit.case_history(session, c.id), incident=incident,
                           incident_step=incidents.step_name(session, c, incident.element_id) if incident else None,
                           open_tasks=case_service.open_tasks(session, c),
                           done_tasks=case_service.completed_tasks(session, c),
                           users=user_service.active_users(session),
                           external=[(t, external_tasks.step_name(session, t))
                                     for t in external_tasks.waiting(session, c.id)],
                           groups=[g.name for g in group_service.list_groups(session, include_retired=False)])


@bp.get("/cases/<int:case_id>/diagram.bpmn")
@role_required("admin", "process_owner")
def diagram(case_id: int):
    text = case_admin.main_diagram(case_service.get_case(db(), actor=current_user, case_id=case_id))
    if text is None:
        abort(404)
    return Response(text, content_type="application/xml")


@bp.post("/cases/<int:case_id>/<any(suspend, resume, terminate):operation>")
@role_required("admin")
def case_operation(case_id: int, operation: str):
    getattr(operations, operation)(db(), actor=current_user, case_id=case_id, reason=request.form.get("reason", ""))
    done = {"suspend": _("The case is suspended."), "resume": _("The case is resumed."),
            "terminate": _("The case is terminated.")}
    return _done(done[operation])


@bp.post("/cases/<int:case_id>/move-back")
@role_required("admin")
def move_back(case_id: int):
    operations.move_back(db(), actor=current_user, case_id=case_id, task_id=request.form.get("task", ""),
                         reason=request.form.get("reason", ""))
    return _done(_("The case was moved back."))


@bp.post("/tasks/<task_id>/reassign")
@role_required("admin")
def reassign(task_id: str):
    operations.reassign(db(), actor=current_user, task_id=task_id, reason=request.form.get("reason", ""),
                        user=request.form.get("user") or None, group=request.form.get("group") or None)
    return _done(_("The task was reassigned."))


@bp.get("/incidents")
@role_required("admin")
def incident_list():
    session = db()
    open_ = incidents.list_open(session)
    rows = [incidents.describe(session, i) for i in open_]
    forms = {i.id: incidents.input_task(session, i) for i in open_}  # the form that words each rolled-back input
    return render_template("admin/incidents.html", rows=rows, forms=forms)


@bp.post("/incidents/<int:incident_id>/move-back")
@role_required("admin")
def move_back_incident(incident_id: int):
    incident = incident_repair.move_back(db(), actor=current_user, incident_id=incident_id,
                                   reason=request.form.get("reason", ""))
    return _done(_("The case is back at its last user task."), "admin.case", case_id=incident.case_id)


@bp.post("/incidents/<int:incident_id>/retry")
@role_required("admin")
def retry(incident_id: int):
    incident_repair.retry(db(), actor=current_user, incident_id=incident_id)  # a failure re-records the incident
    return _done(_("The step ran again and succeeded."))


@bp.post("/incidents/<int:incident_id>/skip")
@role_required("admin")
def skip(incident_id: int):
    try:
        data = input_limits.loads(request.form.get("data") or "{}")
    except (json.JSONDecodeError, BadRequest) as exc:
        flash(_("The result is not valid JSON: %(e)s", e=getattr(exc, "description", None) or str(exc)), "error")
        return redirect(back(url_for("admin.incident_list")))
    incident_repair.skip(db(), actor=current_user, incident_id=incident_id, data=data,
                   reason=request.form.get("reason", ""))
    return _done(_("The step was skipped with the data you entered."))


@bp.get("/outbox")
@role_required("admin")
def outbox_page():
    session = db()
    status = request.args.get("status") or None
    try:
        page = outbox.list_messages(session, actor=current_user, status=outbox.parse_status(status),
                                    page=request.args.get("page", 1, type=int) or 1)
    except InvalidInput:
        abort(404)
    return render_template("admin/outbox.html", page=page, status=status, counts=outbox.counts(session),
                           max_attempts=uow.runtime().settings.outbox_max_attempts, explain=outbox.explain)


@bp.post("/outbox/<int:message_id>/retry")
@role_required("admin")
def outbox_retry(message_id: int):
    outbox.retry(db(), actor=current_user, message_id=message_id)
    return _done(_("The e-mail will be sent again in a moment."), "admin.outbox_page")


@bp.get("/audit")
@role_required("admin")
def audit_page():
    session = db()
    try:
        q = audit_search.AuditQuery.parse(request.args)
    except InvalidInput as exc:
        flash(error_message(exc), "error")
        q = audit_search.AuditQuery()
    fmt = request.args.get("format")
    if fmt:
        actor = current_user._get_current_object()
        # the export is audited: its record is an explicit write of its own
        content_type, body = uow.run(lambda s: audit_search.export(s, actor=actor, q=q, fmt=fmt))
        return Response(body, content_type=content_type,
                        headers={"Content-Disposition": f"attachment; filename=lotsen-audit.{fmt}"})
    verified = None
    if request.args.get("verify"):
        report = audit_verify.verify(session)
        head = uow.run(lambda s: audit_verify.sign_verified_head(s, report))
        verified = {"ok": report.broken is None, "broken": report.broken, "events": report.events,
                    "head": head.printable() if head else None}
    searched = any(request.args.get(k) for k in ("case", "actor", "action", "from", "to"))
    events = audit_search.search(session, q) if searched else []
    return render_template("admin/audit.html", events=events, args=request.args, verified=verified, searched=searched,
                           event_types=action_words.choices())


@bp.get("/users")
@role_required("admin")
def users():
    session = db()
    return render_template("admin/users.html", users=user_service.all_users(session), roles=user_service.ROLE_NAMES,
                           groups=group_service.list_groups(session, include_retired=False))


@bp.post("/users")
@role_required("admin")
def create_user():
    password = secrets.token_urlsafe(12)
    user_service.create_user(db(), username=request.form.get("username", "").strip(),
                             roles=request.form.getlist("role"), groups=request.form.getlist("group"),
                             password=password, display_name=request.form.get("display_name") or None,
                             email=request.form.get("email") or None, phone=request.form.get("phone") or None,
                             actor=current_user.username)
    flash(_("User created. Their first password is %(p)s — give it to them safely.", p=password), "success")
    return redirect(url_for("admin.users"))


@bp.post("/users/<username>/roles")
@role_required("admin")
def set_roles(username: str):
    user_service.set_roles(db(), username=username, roles=request.form.getlist("role"), actor=current_user.username)
    return _done(_("Roles changed."))


@bp.post("/users/<username>/delete")
@role_required("admin")
def delete_user(username: str):
    if username == current_user.username:
        flash(_("You cannot delete yourself."), "error")
        return redirect(url_for("admin.users"))
    user_service.delete_user(db(), username=username, actor=current_user.username)
    return _done(_("User deleted; their sessions and tokens no longer work."))


@bp.get("/users/<username>/export")
@role_required("admin")
def export_user(username: str):
    actor = current_user._get_current_object()
    # the export is audited: its record is an explicit write of its own
    data = uow.run(lambda s: retention.export_person(s, actor=actor, username=username))
    return Response(json.dumps(data, ensure_ascii=False, indent=2), content_type="application/json",
                    headers={"Content-Disposition": f"attachment; filename=lotsen-{username}.json"})
