"""The applicants' portal: apply, follow own cases, answer supplement requests."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import get_locale, gettext as _
from flask_login import current_user

from app.services import cases as case_service
from app.services import clocks
from app.services import documents as document_service
from app.services import messages as message_service
from app.services.errors import InvalidInput
from app.services.forms import coerce_html
from app.services.processes import form_schema, latest_version, start_form_name
from app.uow import db

from . import form_errors, role_required

bp = Blueprint("portal", __name__, url_prefix="/portal")
PROCESS = "building_permit"


@bp.get("/")
@role_required("applicant")
def index():
    return render_template("portal/index.html", cases=case_service.list_cases(db(), actor=current_user))


def _application_schema() -> dict:
    session = db()
    version = latest_version(session, PROCESS)
    return form_schema(version, start_form_name(session, version))


def _application_refused(exc: InvalidInput):
    schema = _application_schema()
    return render_template("portal/apply.html", schema=schema,
                           values=coerce_html(schema, request.form.to_dict(flat=False)),
                           errors={e["field"]: e["message"] for e in exc.errors}), 422


@bp.route("/apply", methods=["GET", "POST"])
@role_required("applicant")
@form_errors(_application_refused)
def apply():
    schema = _application_schema()
    if request.method == "GET":
        values = {"applicant_name": current_user.display_name, "applicant_email": current_user.email or ""}
        return render_template("portal/apply.html", schema=schema, values=values, errors={})
    session = db()
    data = coerce_html(schema, request.form.to_dict(flat=False))
    case = case_service.submit_case(session, actor=current_user, process=PROCESS, data=data,
                                    language=str(get_locale() or "sv")[:2])
    for upload in request.files.getlist("documents"):
        if upload and upload.filename:
            document_service.store(session, case=case, filename=upload.filename,
                                   content_type=upload.mimetype, stream=upload.stream, uploaded_by=current_user)
    flash(_("Thank you! Your application has reference %(ref)s.", ref=case.reference), "success")
    return redirect(url_for("portal.show", case_id=case.id))


@bp.get("/cases/<int:case_id>")
@role_required("applicant")
def show(case_id: int):
    session = db()
    case = case_service.get_case(session, actor=current_user, case_id=case_id)
    return render_template("portal/show.html", case=case, clocks=clocks.clocks_for(session, case),
                           history=case_service.history(session, actor=current_user, case=case),
                           documents=document_service.list_documents(session, case, actor=current_user),
                           application=case_service.application_of(session, case))


@bp.post("/cases/<int:case_id>/supplement")
@role_required("applicant")
def supplement(case_id: int):
    session = db()
    case = case_service.get_case(session, actor=current_user, case_id=case_id)
    text = (request.form.get("message") or "").strip()
    uploads = [u for u in request.files.getlist("documents") if u and u.filename]
    if not text and not uploads:
        flash(_("Write what you supplement or attach a document."), "error")
        return redirect(url_for("portal.show", case_id=case_id))
    doc_ids = [document_service.store(session, case=case, filename=u.filename, content_type=u.mimetype,
                                      stream=u.stream, uploaded_by=current_user).id for u in uploads]
    message_service.send_message(session, actor=current_user, case_id=case_id, name="supplement_received",
                                 data={"message": text, "documents": doc_ids})
    flash(_("Your supplement has been sent."), "success")
    return redirect(url_for("portal.show", case_id=case_id))


@bp.post("/cases/<int:case_id>/withdraw")
@role_required("applicant")
def withdraw(case_id: int):
    case_service.withdraw(db(), actor=current_user, case_id=case_id, reason=(request.form.get("reason") or "").strip())
    flash(_("Your application has been withdrawn."), "success")
    return redirect(url_for("portal.show", case_id=case_id))
