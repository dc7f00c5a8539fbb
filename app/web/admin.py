"""Administration: find cases, see what happened, repair them; audit trail; users."""
from __future__ import annotations

import json
from collections import Counter

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import or_, select

from app.models import Case, MessageSubscription, Timer, User
from app.services import audit, audit_search, incidents, operations, retention
from app.services import cases as case_service
from app.services import users as user_service
from app.services.errors import DomainError, InvalidInput
from app.uow import db

from . import role_required

bp = Blueprint("admin", __name__, url_prefix="/admin")


def _done(message: str, endpoint: str = "", **kw):
    flash(message, "success")
    return redirect(request.referrer or url_for(endpoint or "admin.index", **kw))


def _failed(exc: DomainError):
    db().rollback()
    errors = getattr(exc, "errors", None)
    flash("; ".join(f"{e['field']}: {_(e['message'])}" for e in errors) if errors else exc.message, "error")
    return redirect(request.referrer or url_for("admin.index"))


@bp.get("/")
@role_required("admin")
def index():
    session = db()
    q = (request.args.get("q") or "").strip()
    found = []
    if q:
        like = f"%{q}%"
        found = list(session.scalars(select(Case).where(or_(
            Case.reference.ilike(like), Case.property_designation.ilike(like), Case.applicant_name.ilike(like)))
            .order_by(Case.created_at.desc()).limit(50)))
    suspended = list(session.scalars(select(Case).where(Case.suspended_at.is_not(None))))
    return render_template("admin/index.html", q=q, found=found, suspended=suspended,
                           incidents=incidents.list_open(session),
                           recent=audit_search.search(session, audit_search.AuditQuery(limit=10000))[-15:])


def _markers(session, case: Case) -> dict:
    """What the diagram shows: how often each element ran, what is active, waiting or failed."""
    counts = Counter(step["element"] for step in case.path or [])
    active = [t.element_id for t in case_service.open_tasks(session, case)]
    waiting = [t.element_id for t in session.scalars(select(Timer).where(Timer.case_id == case.id))]
    waiting += [m.element_id for m in session.scalars(select(MessageSubscription)
                                                      .where(MessageSubscription.case_id == case.id))]
    incident = incidents.open_incident(session, case.id)
    return {"counts": dict(counts), "active": active, "waiting": waiting,
            "failed": [incident.element_id] if incident and incident.element_id else []}


@bp.get("/cases/<int:case_id>")
@role_required("admin")
def case(case_id: int):
    session = db()
    c = case_service.get_case(session, actor=current_user, case_id=case_id)
    users = list(session.scalars(select(User).where(User.deleted_at.is_(None)).order_by(User.username)))
    return render_template("admin/case.html", case=c, markers=_markers(session, c),
                           events=audit.case_history(session, c.id), incident=incidents.open_incident(session, c.id),
                           open_tasks=case_service.open_tasks(session, c),
                           done_tasks=case_service.completed_tasks(session, c),
                           users=users, groups=sorted(operations.GROUPS))


@bp.get("/cases/<int:case_id>/diagram.bpmn")
@role_required("admin", "process_owner")
def diagram(case_id: int):
    c = db().get(Case, case_id)
    if c is None:
        abort(404)
    files = c.process_version.files
    for name in sorted(files):
        if name.endswith(".bpmn") and f'id="{c.process_version.model}"' in files[name]:
            return Response(files[name], content_type="application/xml")
    abort(404)


@bp.post("/cases/<int:case_id>/<any(suspend, resume, terminate):operation>")
@role_required("admin")
def case_operation(case_id: int, operation: str):
    try:
        getattr(operations, operation)(db(), actor=current_user, case_id=case_id, reason=request.form.get("reason", ""))
    except DomainError as exc:
        return _failed(exc)
    done = {"suspend": _("The case is suspended."), "resume": _("The case is resumed."),
            "terminate": _("The case is terminated.")}
    return _done(done[operation])


@bp.post("/cases/<int:case_id>/move-back")
@role_required("admin")
def move_back(case_id: int):
    try:
        operations.move_back(db(), actor=current_user, case_id=case_id, task_id=request.form.get("task", ""),
                             reason=request.form.get("reason", ""))
    except DomainError as exc:
        return _failed(exc)
    return _done(_("The case was moved back."))


@bp.post("/tasks/<task_id>/reassign")
@role_required("admin")
def reassign(task_id: str):
    try:
        operations.reassign(db(), actor=current_user, task_id=task_id, reason=request.form.get("reason", ""),
                            user=request.form.get("user") or None, group=request.form.get("group") or None)
    except DomainError as exc:
        return _failed(exc)
    return _done(_("The task was reassigned."))


@bp.get("/incidents")
@role_required("admin")
def incident_list():
    session = db()
    rows = [(i, session.get(Case, i.case_id)) for i in incidents.list_open(session)]
    return render_template("admin/incidents.html", rows=rows)


@bp.post("/incidents/<int:incident_id>/retry")
@role_required("admin")
def retry(incident_id: int):
    incidents.retry(db(), actor=current_user, incident_id=incident_id)  # a failure re-records the incident
    return _done(_("The step ran again and succeeded."))


@bp.post("/incidents/<int:incident_id>/skip")
@role_required("admin")
def skip(incident_id: int):
    try:
        data = json.loads(request.form.get("data") or "{}")
    except json.JSONDecodeError as exc:
        flash(_("The result is not valid JSON: %(e)s", e=str(exc)), "error")
        return redirect(request.referrer or url_for("admin.incident_list"))
    try:
        incidents.skip(db(), actor=current_user, incident_id=incident_id, data=data,
                       reason=request.form.get("reason", ""))
    except InvalidInput as exc:
        return _failed(exc)
    return _done(_("The step was skipped with the data you entered."))


@bp.get("/audit")
@role_required("admin")
def audit_page():
    session = db()
    try:
        q = audit_search.AuditQuery.parse(request.args)
    except InvalidInput as exc:
        flash("; ".join(e["message"] for e in exc.errors), "error")
        q = audit_search.AuditQuery()
    fmt = request.args.get("format")
    if fmt:
        content_type, body = audit_search.export(session, actor=current_user, q=q, fmt=fmt)
        session.commit()
        return Response(body, content_type=content_type,
                        headers={"Content-Disposition": f"attachment; filename=lotsen-audit.{fmt}"})
    verified = None
    if request.args.get("verify"):
        broken = audit.verify(session)
        verified = {"ok": broken is None, "event": broken.event if broken else None,
                    "reason": broken.reason if broken else None}
    searched = any(request.args.get(k) for k in ("case", "actor", "action", "from", "to"))
    events = audit_search.search(session, q) if searched else []
    return render_template("admin/audit.html", events=events, args=request.args, verified=verified, searched=searched)


@bp.get("/users")
@role_required("admin")
def users():
    rows = list(db().scalars(select(User).order_by(User.deleted_at.is_not(None), User.username)))
    return render_template("admin/users.html", users=rows, roles=user_service.ROLE_NAMES)


@bp.post("/users")
@role_required("admin")
def create_user():
    import secrets

    password = secrets.token_urlsafe(12)
    try:
        user_service.create_user(db(), username=request.form.get("username", "").strip(),
                                 roles=request.form.getlist("role"), password=password,
                                 display_name=request.form.get("display_name") or None,
                                 email=request.form.get("email") or None, actor=current_user.username)
    except DomainError as exc:
        return _failed(exc)
    flash(_("User created. Their first password is %(p)s — give it to them safely.", p=password), "success")
    return redirect(url_for("admin.users"))


@bp.post("/users/<username>/roles")
@role_required("admin")
def set_roles(username: str):
    try:
        user_service.set_roles(db(), username=username, roles=request.form.getlist("role"), actor=current_user.username)
    except DomainError as exc:
        return _failed(exc)
    return _done(_("Roles changed."))


@bp.post("/users/<username>/delete")
@role_required("admin")
def delete_user(username: str):
    if username == current_user.username:
        flash(_("You cannot delete yourself."), "error")
        return redirect(url_for("admin.users"))
    try:
        user_service.delete_user(db(), username=username, actor=current_user.username)
    except DomainError as exc:
        return _failed(exc)
    return _done(_("User deleted; their sessions and tokens no longer work."))


@bp.get("/users/<username>/export")
@role_required("admin")
def export_user(username: str):
    session = db()
    data = retention.export_person(session, actor=current_user, username=username)
    session.commit()
    return Response(json.dumps(data, ensure_ascii=False, indent=2), content_type="application/json",
                    headers={"Content-Disposition": f"attachment; filename=lotsen-{username}.json"})
