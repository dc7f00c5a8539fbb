"""The applicants' portal: apply, follow own cases, answer supplement requests."""
from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale, gettext as _
from flask_login import current_user

from app.services import cases as case_service
from app.services import appeal_period, clocks, contacts, conversation, document_versions, expectations, outlook
from app.services import documents as document_service
from app.services import messages as message_service
from app.services import process_info
from app.services.errors import N_, InvalidInput, NotFound
from app.services.forms import coerce_html, defaults_from, options
from app.services.processes import latest_version
from app.uow import db

from . import form_errors, role_required

bp = Blueprint("portal", __name__, url_prefix="/portal")


@bp.get("/")
@role_required("applicant")
def index():
    session = db()
    return render_template("portal/index.html", cases=case_service.list_cases(session, actor=current_user),
                           processes=process_info.startable(session, current_user, public_only=True))


def _public(process: str):
    """(process info, start form) of a process the portal offers to this applicant; 404 otherwise."""
    session = db()
    try:
        version = latest_version(session, process)
    except NotFound:
        abort(404)
    info = process_info.of(version)
    if not info.public or not process_info.may_start(current_user, info):
        abort(404)
    return info, case_service.start_form(session, version)


@bp.get("/apply")
@role_required("applicant")
def choose():
    """What do you want to apply for? With one process on offer, go straight to its form."""
    processes = process_info.startable(db(), current_user, public_only=True)
    if len(processes) == 1:
        return redirect(url_for("portal.apply", process=processes[0][0].model))
    return render_template("portal/choose.html", processes=processes)


def _expectations(info, schema: dict | None) -> list[tuple]:
    """(measure in words, expectations, decision date if applied today) for each measure of the start form."""
    measure = ((schema or {}).get("properties") or {}).get("measure")
    if not info.rule_set or not measure:
        return []
    session = db()
    today = clocks.local_today(session)
    rows = []
    for code, title in options(measure, str(get_locale() or "sv")):
        found = expectations.for_measure(session, process=info.model, measure=code)
        days = min(found.service_goal_days, found.statutory_days)
        rows.append((title, found, today + timedelta(days=days)))
    return rows


def _application_refused(exc: InvalidInput, process: str):
    info, schema = _public(process)
    values = coerce_html(schema, request.form.to_dict(flat=False)) if schema else {}
    return render_template("portal/apply.html", info=info, schema=schema, values=values,
                           expectations=_expectations(info, schema),
                           errors={e["field"]: e["message"] for e in exc.errors}), 422


@bp.route("/apply/<process>", methods=["GET", "POST"])
@role_required("applicant")
@form_errors(_application_refused)
def apply(process: str):
    info, schema = _public(process)
    if request.method == "GET":
        values = defaults_from(schema, {}) | {"applicant_name": current_user.display_name,
                                              "applicant_email": current_user.email or ""}
        return render_template("portal/apply.html", info=info, schema=schema, values=values, errors={},
                               expectations=_expectations(info, schema))
    session = db()
    data = coerce_html(schema, request.form.to_dict(flat=False)) if schema else {}
    case = case_service.submit_case(session, actor=current_user, process=process, data=data,
                                    language=str(get_locale() or "sv")[:2])
    _store_uploads(session, case)
    flash(_("Thank you! Your case has reference %(ref)s.", ref=case.reference), "success")
    return redirect(url_for("portal.show", case_id=case.id))


@bp.get("/cases/<int:case_id>")
@role_required("applicant")
def show(case_id: int):
    session = db()
    case = case_service.get_case(session, actor=current_user, case_id=case_id)
    period = appeal_period.shown_for(session, case)
    case_clocks = clocks.clocks_for(session, case)
    return render_template("portal/show.html", case=case, clocks=case_clocks, period=period,
                           contact=contacts.contact_of(session, case),
                           messages=conversation.messages(session, actor=current_user, case_id=case.id),
                           outlook=outlook.outlook(case, case_clocks, today=clocks.local_today(session)),
                           history=case_service.history(session, actor=current_user, case=case),
                           documents=document_service.list_documents(session, case, actor=current_user),
                           application=case_service.application_of(session, case))


def _store_uploads(session, case) -> list[int]:
    """Store the form's files with the case, each with the chosen category; one may replace an earlier one."""
    uploads = [u for u in request.files.getlist("documents") if u and u.filename]
    replaces = request.form.get("replaces") or None
    if replaces and len(uploads) != 1:
        raise InvalidInput([{"field": "replaces", "message": N_("choose one file to replace a document with")}])
    stored = []
    for upload in uploads:
        doc = document_service.store(session, case=case, filename=upload.filename, stream=upload.stream,
                                     uploaded_by=current_user)
        document_versions.classify(session, doc, category=request.form.get("category"), replaces=replaces,
                                   actor=current_user)
        stored.append(doc.id)
    return stored


def _send_with_documents(case_id: int, message: str, empty: str):
    """Store the uploads with the case and send ``message`` with the text and the documents; None if empty."""
    session = db()
    case = case_service.get_case(session, actor=current_user, case_id=case_id)
    text = (request.form.get("message") or "").strip()
    uploads = [u for u in request.files.getlist("documents") if u and u.filename]
    if not text and not uploads:
        flash(empty, "error")
        return None
    doc_ids = _store_uploads(session, case)
    return message_service.send_message(session, actor=current_user, case_id=case_id, name=message,
                                        data={"message": text, "documents": doc_ids})


@bp.post("/cases/<int:case_id>/supplement")
@role_required("applicant")
def supplement(case_id: int):
    if _send_with_documents(case_id, "supplement_received", _("Write what you supplement or attach a document.")):
        flash(_("Your supplement has been sent."), "success")
    return redirect(url_for("portal.show", case_id=case_id))


@bp.post("/cases/<int:case_id>/comments")
@role_required("applicant")
def comments(case_id: int):
    """The applicant comments on the material against the application before the decision (kommunicering)."""
    if _send_with_documents(case_id, "comments_received", _("Write your comments or attach a document.")):
        flash(_("Your comments have been sent. They will be considered before the decision."), "success")
    return redirect(url_for("portal.show", case_id=case_id))


@bp.post("/cases/<int:case_id>/conversation")
@role_required("applicant")
def write(case_id: int):
    conversation.post(db(), actor=current_user, case_id=case_id, text=request.form.get("text", ""))
    flash(_("Your message has been sent."), "success")
    return redirect(url_for("portal.show", case_id=case_id) + "#conversation")


@bp.post("/cases/<int:case_id>/withdraw")
@role_required("applicant")
def withdraw(case_id: int):
    case_service.withdraw(db(), actor=current_user, case_id=case_id, reason=(request.form.get("reason") or "").strip())
    flash(_("Your application has been withdrawn."), "success")
    return redirect(url_for("portal.show", case_id=case_id))
