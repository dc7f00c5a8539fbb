"""The case page: status in plain words, the path so far, the data."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.services import cases as case_service
from app.services import clocks, extension
from app.services import documents as document_service
from app.uow import db

from . import STAFF, role_required

bp = Blueprint("cases", __name__)


@bp.get("/cases")
@role_required(*STAFF)
def index():
    status = request.args.get("status") or None
    return render_template("cases/index.html", cases=case_service.list_cases(db(), actor=current_user, status=status),
                           status=status)


@bp.get("/cases/<int:case_id>")
@role_required(*STAFF)
def show(case_id: int):
    session = db()
    case = case_service.get_case(session, actor=current_user, case_id=case_id)
    return render_template("cases/show.html", case=case, open_tasks=case_service.open_tasks(session, case),
                           done_tasks=case_service.completed_tasks(session, case),
                           history=case_service.history(session, actor=current_user, case=case),
                           documents=document_service.list_documents(session, case, actor=current_user),
                           clocks=clocks.clocks_for(session, case),
                           can_extend=extension.may_extend(current_user),
                           application=case_service.application_of(session, case))


@bp.post("/cases/<int:case_id>/extension")
@role_required(*STAFF)
def extend(case_id: int):
    result = extension.extend(db(), actor=current_user, case_id=case_id, reason=request.form.get("reason", ""),
                              weeks=request.form.get("weeks"))
    flash(_("The deadline is now %(d)s.", d=result.statutory_due.isoformat()), "success")
    return redirect(url_for("cases.show", case_id=case_id))


@bp.get("/cases/<int:case_id>/documents/<int:doc_id>")
@login_required
def document(case_id: int, doc_id: int):
    session = db()
    case = case_service.get_case(session, actor=current_user, case_id=case_id)
    doc, path = document_service.open_document(session, case, doc_id, actor=current_user)
    return send_file(path, mimetype=doc.content_type, download_name=doc.filename, as_attachment=not doc.is_letter)
