"""The case page: status in plain words, the path so far, the data."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.models import CaseStatus
from app.responses import download
from app.services import cases as case_service
from app.services import (appeal_period, appeals, clocks, contacts, conversation, extension, extension_rules,
                          external_tasks, hearing, incidents, previews, process_info)
from app.services import documents as document_service
from app.services.errors import InvalidInput, NotFound
from app.services.forms import coerce_html, defaults_from
from app.services.processes import latest_version
from app.uow import db

from . import STAFF, form_errors, pages, role_required

bp = Blueprint("cases", __name__)


@bp.get("/cases")
@role_required(*STAFF)
def index():
    session = db()
    status = request.args.get("status") or None
    if status not in {s.value for s in CaseStatus}:
        status = None  # an unknown status in a link: all cases
    page = pages.page_or_first(lambda after: case_service.list_cases(
        session, actor=current_user, status=status, after=after, size=pages.size()))
    return render_template("cases/index.html", cases=page.items, status=status, **pages.links(page, "cases.index"),
                           startable=process_info.startable(session, current_user))


@bp.get("/cases/new")
@role_required(*STAFF)
def new():
    """The processes this staff member may start a case of."""
    return render_template("cases/new.html", processes=process_info.startable(db(), current_user))


def _startable(process: str):
    session = db()
    try:
        version = latest_version(session, process)
    except NotFound:
        abort(404)
    info = process_info.of(version)
    if not process_info.may_start(current_user, info):
        abort(403)
    return info, case_service.start_form(session, version)


def _start_refused(exc: InvalidInput, process: str):
    info, schema = _startable(process)
    values = coerce_html(schema, request.form.to_dict(flat=False)) if schema else {}
    return render_template("cases/start.html", info=info, schema=schema, values=values,
                           errors={e["field"]: e["message"] for e in exc.errors}), 422


@bp.route("/cases/new/<process>", methods=["GET", "POST"])
@role_required(*STAFF)
@form_errors(_start_refused)
def start(process: str):
    """Start a case with the process's own start form (or with no data when it has none)."""
    info, schema = _startable(process)
    if request.method == "GET":
        return render_template("cases/start.html", info=info, schema=schema, values=defaults_from(schema, {}),
                               errors={})
    data = coerce_html(schema, request.form.to_dict(flat=False)) if schema else {}
    case = case_service.submit_case(db(), actor=current_user, process=process, data=data)
    flash(_("Case %(ref)s started.", ref=case.reference), "success")
    return redirect(url_for("cases.show", case_id=case.id))


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
                           can_extend=extension_rules.may_extend(current_user),
                           hearing=hearing.summary(session, case), can_edit_hearing=hearing.may_record(current_user),
                           period=appeal_period.shown_for(session, case),
                           can_record_appeals=appeals.may_record(current_user),
                           contact=case.contact, contact_choices=contacts.staff_choices(session),
                           messages=conversation.messages(session, actor=current_user, case_id=case.id),
                           blocked=incidents.blocked(session, case),
                           application=case_service.application_of(session, case),
                           integrations=[(t, external_tasks.step_name(session, t))
                                         for t in external_tasks.waiting(session, case.id)])


@bp.post("/cases/<int:case_id>/extension")
@role_required(*STAFF)
def extend(case_id: int):
    result = extension.extend(db(), actor=current_user, case_id=case_id, reason=request.form.get("reason", ""),
                              weeks=request.form.get("weeks"))
    flash(_("The deadline is now %(d)s.", d=result.statutory_due.isoformat()), "success")
    return redirect(url_for("cases.show", case_id=case_id))


@bp.post("/cases/<int:case_id>/contact")
@role_required(*STAFF)
def set_contact(case_id: int):
    case = contacts.set_contact(db(), actor=current_user, case_id=case_id, username=request.form.get("username", ""))
    flash(_("%(name)s is now the applicant's contact.", name=case.contact.display_name), "success")
    return redirect(url_for("cases.show", case_id=case_id))


@bp.post("/cases/<int:case_id>/conversation")
@role_required(*STAFF)
def answer(case_id: int):
    conversation.post(db(), actor=current_user, case_id=case_id, text=request.form.get("text", ""))
    flash(_("Your answer has been sent to the applicant."), "success")
    back = request.form.get("back_to_task")
    if back:
        return redirect(url_for("inbox.task", task_id=back) + "#conversation")
    return redirect(url_for("cases.show", case_id=case_id) + "#conversation")


@bp.get("/cases/<int:case_id>/documents/<int:doc_id>/preview")
@login_required
def preview(case_id: int, doc_id: int):
    """A page of the document as an image, for the case pages (the applicant's own, or staff)."""
    session = db()
    case = case_service.get_case(session, actor=current_user, case_id=case_id)
    path, content_type = previews.preview(session, case, doc_id, actor=current_user,
                                          page=request.args.get("page", 1, type=int))
    response = send_file(path, mimetype=content_type, max_age=3600)
    response.headers["Cache-Control"] = "private, max-age=3600"
    return response


@bp.get("/cases/<int:case_id>/documents/<int:doc_id>")
@login_required
def document(case_id: int, doc_id: int):
    session = db()
    case = case_service.get_case(session, actor=current_user, case_id=case_id)
    doc, path = document_service.open_document(session, case, doc_id, actor=current_user)
    return download(path, content_type=doc.content_type, filename=doc.filename, inline=doc.is_letter)
