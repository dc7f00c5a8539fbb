"""Administration of integration workers: their tokens, and the external tasks waiting for them."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.clock import utcnow
from app.services import external_tasks, workers
from app.services.errors import Conflict, InvalidInput
from app.uow import db

from . import form_errors, role_required

bp = Blueprint("admin_workers", __name__, url_prefix="/admin/workers")


def _page(values=None, errors=None, token=None, status=200):
    session = db()
    waiting, now = external_tasks.waiting(session), utcnow()
    return render_template("admin/workers.html", workers=workers.list_workers(session, actor=current_user),
                           waiting=waiting, names={t.id: external_tasks.step_name(session, t) for t in waiting},
                           held={t.id for t in waiting if t.worker_id and (t.lock_expires_at or now) > now},
                           values=values or {}, errors=errors or {}, token=token), status


@bp.get("/")
@role_required("admin")
def index():
    return _page()


def _topics(raw: str) -> list[str]:
    return [t.strip() for t in raw.replace("\n", ",").split(",") if t.strip()]


def _issue_refused(exc):
    values = {"name": (request.form.get("name") or "").strip(), "topics": request.form.get("topics", "")}
    if isinstance(exc, Conflict):
        errors = {"name": _("A worker with this name has a token. Revoke it first to issue a new one.")}
    else:
        errors = {e["field"]: e["message"] for e in exc.errors}
    return _page(values, errors, status=422)


@bp.post("/")
@role_required("admin")
@form_errors(_issue_refused, errors=(InvalidInput, Conflict))
def issue():
    worker, token = workers.issue(db(), name=(request.form.get("name") or "").strip(),
                                  topics=_topics(request.form.get("topics", "")), actor=current_user)
    flash(_("Token issued for %(name)s. Copy it now: it is not shown again.", name=worker.name), "success")
    return _page(token={"name": worker.name, "value": token}, status=201)


@bp.post("/<name>/revoke")
@role_required("admin")
def revoke(name: str):
    workers.revoke(db(), name=name, actor=current_user)
    flash(_("The token of %(name)s no longer works. Tasks it held become free when their locks run out.",
            name=name), "success")
    return redirect(url_for("admin_workers.index"))
