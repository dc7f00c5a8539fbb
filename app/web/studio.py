"""The diagram studio: process owners edit, validate, deploy, compare and migrate.

Pages render server-side; the editor talks to the JSON endpoints below with
``fetch`` (CSRF token in the ``X-CSRFToken`` header). Every use case lives in
``app.services.studio``; this module only parses, authorises and renders.
"""
from __future__ import annotations

import json
from collections.abc import Mapping

from flask import (Blueprint, Response, abort, flash, jsonify, redirect, render_template, render_template_string,
                   request, url_for)
from flask_babel import get_locale, gettext as _
from flask_login import current_user
from jsonschema import Draft202012Validator

from app.translated import translated
from app.services import bundle_uploads, process_info
from app.services import users as user_service
from app.headers import draws_diagrams
from app.ids import db_id
from app.services.errors import N_, DeployRejected, InvalidInput
from app.uow import db

from . import form_errors, gate_words, role_required

bp = Blueprint("studio", __name__, url_prefix="/studio")


def _svc():
    """``app.services.studio``, imported when first used."""
    from app.services import studio

    return studio

ROLES = ("process_owner", "admin")
MAX_FILES = 200


# --------------------------------------------------------------------------- helpers


def _files_from_request() -> dict[str, str]:
    payload = request.get_json(silent=True)
    if not isinstance(payload, Mapping):
        abort(400, description="expected a JSON object")
    files = payload.get("files")
    if not isinstance(files, Mapping) or not files or len(files) > MAX_FILES:
        abort(400, description="expected {\"files\": {name: text}}")
    clean = {}
    for name, text in files.items():
        if not isinstance(name, str) or not isinstance(text, str) or not name or name.startswith("/") or ".." in name:
            abort(400, description=f"invalid file {name!r}")
        clean[name] = text
    return clean


def _main_bpmn(files: Mapping[str, str], model: str) -> str | None:
    """The BPMN file that holds process ``model`` (else the first one)."""
    names = sorted(n for n in files if n.endswith(".bpmn"))
    for name in names:
        if f'id="{model}"' in files[name]:
            return name
    return names[0] if names else None


def _versions_or_404(session, model: str) -> list:
    """The model's versions, oldest first; 404 when the model has none."""
    versions = _svc().list_versions(session, model)
    if not versions:
        abort(404)
    return sorted(versions, key=lambda v: v.number)


def _model_or_404(session, model: str) -> tuple[list, object]:
    """(versions oldest first, draft or None); 404 when the model has neither."""
    versions = sorted(_svc().list_versions(session, model), key=lambda v: v.number)
    draft = _svc().get_draft(session, model)
    if not versions and draft is None:
        abort(404)
    return versions, draft


def _gate_shown(session, versions) -> dict[int, dict | None]:
    """Each version's gate report as it stands today, in the reader's language (by version number)."""
    from app.services.gate import groups_with_members

    staffed = groups_with_members(session)
    titles = {g["name"]: g["title"] for g in _svc().groups(session, str(get_locale() or "sv"))}
    return {v.number: gate_words.shown(v.gate_report, staffed, titles) for v in versions}


def _worded(session, findings) -> list[dict]:
    """Problems and warnings with ``text``: the message in the reader's language where it can be worded again.

    ``message`` is translated where the engine kept it translatable; ``text`` words the gate's own findings.
    """
    titles = {g["name"]: g["title"] for g in _svc().groups(session, str(get_locale() or "sv"))}
    readable = [{**f, "message": translated(f["message"])} if f.get("message") else dict(f) for f in findings or []]
    return [{**f, "text": gate_words.finding_text(f, titles)} for f in readable]


def _catalog() -> dict:
    return {"operations": _svc().operations_catalog(), "groups": _svc().groups(db(), str(get_locale() or "sv")),
            "statuses": list(_svc().statuses())}


# --------------------------------------------------------------------------- pages


def _index(problems: list[dict] | None = None, message: str = "", status: int = 200):
    session = db()
    models = _svc().list_models(session)
    versions = {m["model"]: sorted(_svc().list_versions(session, m["model"]), key=lambda v: -v.number)
                for m in models}
    names = user_service.display_names(session, [v.author_id for vs in versions.values() for v in vs])
    locale = str(get_locale() or "sv")
    titles = {model: process_info.of(vs[0]).title(locale) for model, vs in versions.items() if vs}
    gates = {m: _gate_shown(session, vs) for m, vs in versions.items()}
    return render_template("studio/index.html", models=models, versions=versions, names=names, titles=titles,
                           gates=gates, problems=problems or [], message=message), status


@bp.get("/")
@role_required(*ROLES)
def index():
    return _index()


def _upload_refused(exc: InvalidInput | DeployRejected):
    """The upload form again, with what was wrong (nothing was deployed: the unit of work is rolled back)."""
    return _index(exc.details.get("errors") or [{"message": exc.message}], request.form.get("message", ""), 422)


@bp.post("/upload")
@role_required(*ROLES)
@form_errors(_upload_refused, errors=(InvalidInput, DeployRejected))
def upload():
    """Deploy a new process (or new files of one) from files made elsewhere, e.g. in Camunda Modeler."""
    message = request.form.get("message", "").strip()
    if not message:
        raise InvalidInput([{"field": "message", "message": N_("Describe the change in a deploy message.")}])
    uploads = [f for f in request.files.getlist("files") if f.filename]
    if not uploads:
        raise InvalidInput([{"field": "files", "message": N_("Choose the files to deploy.")}])
    files = bundle_uploads.read((f.filename, f.read()) for f in uploads)
    version, created = _svc().upload(db(), files=files, message=message, author=current_user)
    if created:
        title = process_info.of(version).title(str(get_locale() or "sv"))
        flash(_("Deployed “%(process)s” as version %(number)d. New cases follow it.",
                process=title, number=version.number), "success")
    else:
        flash(_("Nothing has changed since version %(number)d; no new version was deployed.",
                number=version.number), "info")
    return redirect(url_for("studio.version", model=version.model, number=version.number))


@bp.get("/<model>/edit")
@role_required(*ROLES)
@draws_diagrams
def edit(model: str):
    session = db()
    versions, draft = _model_or_404(session, model)
    return render_template("studio/edit.html", model=model, latest=versions[-1] if versions else None, draft=draft)


@bp.get("/<model>/versions/<int:number>")
@role_required(*ROLES)
@draws_diagrams
def version(model: str, number: int):
    session = db()
    v = _svc().get_version(session, model, number)
    if v is None:
        abort(404)
    versions = _versions_or_404(session, model)
    main = request.args.get("file") or _main_bpmn(v.files, model)
    if main not in v.files or not main.endswith(".bpmn"):
        abort(404)
    return render_template("studio/version.html", model=model, version=v, versions=versions, main=main,
                           author=user_service.display_names(session, [v.author_id]).get(v.author_id),
                           gate=_gate_shown(session, [v])[v.number])


@bp.get("/<model>/versions/<int:number>/files/<path:name>")
@role_required(*ROLES)
def version_file(model: str, number: int, name: str):
    v = _svc().get_version(db(), model, number)
    if v is None or name not in v.files:
        abort(404)
    # an uploaded HTML form is text to download, never a page to show
    kind = ("application/json" if name.endswith((".json", ".form"))
            else "text/plain" if name.endswith((".html", ".htm")) else "application/xml")
    filename = name.rsplit("/", 1)[-1]
    return Response(v.files[name], mimetype=kind,
                    headers={"Content-Disposition": f'attachment; filename="{filename}"',
                             "X-Content-Type-Options": "nosniff"})


@bp.get("/<model>/diff")
@role_required(*ROLES)
@draws_diagrams
def diff(model: str):
    session = db()
    versions = _versions_or_404(session, model)
    numbers = [v.number for v in versions]
    to_n = request.args.get("to", type=int) or numbers[-1]
    from_n = request.args.get("from", type=int) or (numbers[-2] if len(numbers) > 1 else numbers[-1])
    if from_n not in numbers or to_n not in numbers:
        abort(404)
    result = _svc().diff(session, model, from_n, to_n)
    to_version = next(v for v in versions if v.number == to_n)
    main = _main_bpmn(to_version.files, model)
    return render_template("studio/diff.html", model=model, versions=versions, from_n=from_n, to_n=to_n,
                           result=result, to_version=to_version, main=main)


@bp.route("/<model>/migrate", methods=["GET", "POST"])
@role_required(*ROLES)
def migrate(model: str):
    session = db()
    versions = _versions_or_404(session, model)
    numbers = [v.number for v in versions]
    to_n = request.values.get("to", type=int) or numbers[-1]
    if to_n not in numbers:
        abort(404)
    results = None
    if request.method == "POST":
        case_ids = [i for i in map(db_id, request.form.getlist("case_id")) if i is not None]
        results = _svc().migrate_cases(session, actor=current_user, case_ids=case_ids, to_n=to_n,
                                       model=model) if case_ids else []
    preview = _svc().migration_preview(session, model, to_n)
    return render_template("studio/migrate.html", model=model, versions=versions, to_n=to_n,
                           preview=preview, results=results)


@bp.post("/<model>/rollback")
@role_required(*ROLES)
def rollback(model: str):
    session = db()
    number = request.form.get("version", type=int)
    if number is None:
        abort(400, description="which version?")
    try:
        version, created = _svc().restore_version(session, model=model, version=number,
                                           message=request.form.get("message") or None, author=current_user)
    except DeployRejected as exc:  # nothing was written
        flash(_("Version %(n)s cannot be made current again: the deploy gate found %(count)s problems.",
                n=number, count=len(exc.errors)), "error")
        return redirect(url_for("studio.index"))
    if created:
        flash(_("Version %(new)s has the files of version %(old)s and is now current.", new=version.number,
                old=number), "success")
    else:
        flash(_("Version %(n)s is already current.", n=number), "success")
    return redirect(url_for("studio.index", _anchor=f"model-{model}"))


# --------------------------------------------------------------------------- JSON for the editor


@bp.get("/catalog")
@role_required(*ROLES)
def catalog():
    return jsonify(_catalog())


@bp.get("/<model>/bundle")
@role_required(*ROLES)
def bundle_json(model: str):
    session = db()
    versions, draft = _model_or_404(session, model)
    latest = versions[-1] if versions else None
    if draft is not None:
        return jsonify({"model": model, "source": "draft", "files": draft.files,
                        "base_version": draft.base_version_number,
                        "latest_version": latest.number if latest else None,
                        "updated_at": draft.updated_at.isoformat() if draft.updated_at else None,
                        "main": _main_bpmn(draft.files, model)})
    return jsonify({"model": model, "source": "version", "files": latest.files, "base_version": latest.number,
                    "latest_version": latest.number, "updated_at": latest.created_at.isoformat(),
                    "main": _main_bpmn(latest.files, model)})


@bp.post("/<model>/draft")
@role_required(*ROLES)
def draft_json(model: str):
    session = db()
    _model_or_404(session, model)
    draft = _svc().save_draft(session, model=model, files=_files_from_request(), author=current_user)
    updated_at = draft.updated_at.isoformat() if getattr(draft, "updated_at", None) else None
    return jsonify({"ok": True, "updated_at": updated_at,
                    "base_version": getattr(draft, "base_version_number", None)})


@bp.post("/<model>/validate")
@role_required(*ROLES)
def validate_json(model: str):
    session = db()
    _model_or_404(session, model)
    found = _svc().check(session, _files_from_request())
    return jsonify({"ok": not found["problems"], **found, "problems": _worded(session, found["problems"]),
                    "warnings": _worded(session, found["warnings"])})


@bp.post("/<model>/deploy")
@role_required(*ROLES)
def deploy_json(model: str):
    session = db()
    versions, _draft = _model_or_404(session, model)
    before = versions[-1].number if versions else 0
    files = _files_from_request()
    message = str((request.get_json(silent=True) or {}).get("message") or "").strip()
    if not message:
        return jsonify({"ok": False, "error": "message_required",
                        "problems": [{"file": None, "line": None, "element": None,
                                      "message": _("Describe the change in a deploy message.")}]}), 422
    try:
        version = _svc().deploy(session, files=files, message=message, author=current_user)
    except DeployRejected as exc:
        return jsonify({"ok": False, "error": exc.code, "problems": _worded(session, exc.errors),
                        "gate": exc.gate}), 422
    return jsonify({"ok": True, "model": version.model, "version": version.number, "gate": version.gate_report,
                    "new": version.model != model or version.number > before, "warnings": version.warnings,
                    "url": url_for("studio.version", model=version.model, number=version.number),
                    "migrate_url": url_for("studio.migrate", model=version.model, to=version.number)})


# --------------------------------------------------------------------------- form preview

_PREVIEW = ('{% from "_form.html" import schema_form with context %}'
            '<div class="form-preview">{{ schema_form(schema, {}, {}) }}</div>')


def _schema_problems(schema: object) -> list[dict]:
    """JSON-Schema errors plus the conventions of processes/README.md."""
    problems = []
    if not isinstance(schema, dict):
        return [{"path": "", "message": _("A form must be a JSON object.")}]
    for error in Draft202012Validator(Draft202012Validator.META_SCHEMA).iter_errors(schema):
        path = "/".join(str(p) for p in error.absolute_path)
        problems.append({"path": path, "message": error.message})
    if problems:
        return problems
    if schema.get("type") != "object":
        problems.append({"path": "type", "message": _('A form schema must have "type": "object".')})
    props = schema.get("properties") or {}
    if not isinstance(props, dict):
        return problems
    problems.extend(_title_problems(props))
    for name in schema.get("required") or []:
        if name not in props:
            problems.append({"path": "required", "message": _("Required field %(name)s is not defined.", name=name)})
    return problems


def _title_problems(props: dict) -> list[dict]:
    """Fields without a title or without a Swedish title."""
    problems = []
    for name, prop in props.items():
        if isinstance(prop, dict):
            if not prop.get("title"):
                problems.append({"path": f"properties/{name}", "message": _("The field has no title.")})
            if not prop.get("x-title-sv"):
                problems.append({"path": f"properties/{name}",
                                 "message": _("The field has no Swedish title (x-title-sv).")})
    return problems


@bp.post("/preview-form")
@role_required(*ROLES)
def preview_form():
    payload = request.get_json(silent=True)
    if not isinstance(payload, Mapping):
        abort(400, description="expected a JSON object")
    if "text" in payload:
        try:
            schema = json.loads(payload["text"])
        except (TypeError, json.JSONDecodeError) as exc:
            return jsonify({"ok": False, "html": "", "errors": [
                {"path": "", "line": getattr(exc, "lineno", None), "column": getattr(exc, "colno", None),
                 "message": _("Not valid JSON: %(msg)s", msg=getattr(exc, "msg", str(exc)))}]})
    else:
        schema = payload.get("schema")
    errors = _schema_problems(schema)
    html = ""
    if isinstance(schema, dict) and isinstance(schema.get("properties", {}), dict) and all(
            isinstance(p, dict) for p in schema.get("properties", {}).values()):
        try:
            html = render_template_string(_PREVIEW, schema=schema)
        except Exception as exc:  # an odd schema must not break the editor
            errors.append({"path": "", "message": _("The form cannot be shown: %(msg)s", msg=str(exc))})
    return jsonify({"ok": not errors, "html": html, "errors": errors})
