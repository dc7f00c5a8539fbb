"""Process models: list, deploy (multipart upload), versions, diff; case migration."""
from __future__ import annotations

from flask import current_app, g, jsonify, request
from flask_babel import force_locale, gettext
from werkzeug.exceptions import RequestEntityTooLarge

from app.ids import db_id
from app.services import bundle_uploads, studio
from app.services.cases import is_staff
from app.services.errors import Forbidden, InvalidInput, NotFound
from app.uow import db

from .common import api_user, bp, json_body


def _staff_only() -> None:
    if not is_staff(g.api_user):
        raise Forbidden("process models are for staff")


def _version_json(version, full_gate: bool = False) -> dict:
    gate = version.gate_report
    if gate is not None and not full_gate:
        gate = {k: gate.get(k) for k in ("verdict", "complete", "summary")} | {"warnings": len(gate["warnings"])}
    return {"model": version.model, "version": version.number, "message": version.message,
            "author": version.author.username if version.author else None,
            "created_at": version.created_at.isoformat(), "content_hash": version.content_hash,
            "files": sorted(version.files), "warnings": version.warnings or [], "gate": gate}


def _uploaded_files() -> tuple[dict[str, str], dict]:
    limit = current_app.config.get("MAX_CONTENT_LENGTH")
    try:
        uploads, form = request.files.getlist("files"), request.form
    except RequestEntityTooLarge:
        raise _TooLarge(limit) from None
    files = bundle_uploads.read((upload.filename, upload.read()) for upload in uploads)
    return files, form


class _TooLarge(Exception):
    def __init__(self, limit: int | None):
        super().__init__(limit)
        self.limit = limit


#: The largest version number the database stores (a 32-bit integer column).
MAX_VERSION = 2**31 - 1


@bp.errorhandler(_TooLarge)
def _too_large(exc: _TooLarge):
    size = f"{exc.limit / 1024 / 1024:g} MB" if exc.limit else "the limit"
    return jsonify({"error": "upload_too_large",
                    "message": f"the upload is larger than {size} (LOTSEN_MAX_UPLOAD_BYTES); "
                               "nothing was deployed"}), 413


@bp.get("/api/process-models")
@api_user
def list_models():
    _staff_only()
    rows = studio.list_models(db())
    return jsonify([r | {"updated_at": r["updated_at"].isoformat() if r["updated_at"] else None} for r in rows])


@bp.post("/api/process-models")
@api_user
def deploy():
    studio.require_owner(g.api_user)  # refused before the upload is read
    files, form = _uploaded_files()
    version, created = studio.upload(db(), files=files, message=form.get("message", ""), author=g.api_user,
                                     model=form.get("model") or None)
    return jsonify({"model": version.model, "version": version.number, "unchanged": not created,
                    "warnings": version.warnings or [], "gate": version.gate_report}), 201 if created else 200


@bp.post("/api/process-models/<model>/rollback")
@api_user
def rollback(model: str):
    studio.require_owner(g.api_user)  # who may act is decided before the body is read
    body = json_body(required=("version",), allowed=("version", "message"))
    number, message = body["version"], body.get("message")
    if not isinstance(number, int) or isinstance(number, bool) or not 1 <= number <= MAX_VERSION:
        raise InvalidInput([{"field": "version", "message": "must be a version number"}])
    if message is not None and not isinstance(message, str):
        raise InvalidInput([{"field": "message", "message": "must be text"}])
    version, created = studio.restore_version(db(), model=model, version=number, message=message,
                                              author=g.api_user)
    return jsonify({"model": version.model, "version": version.number, "rolled_back_to": number,
                    "unchanged": not created, "gate": version.gate_report}), 201 if created else 200


@bp.get("/api/process-models/<model>/versions")
@api_user
def versions(model: str):
    _staff_only()
    found = studio.list_versions(db(), model)
    if not found:
        raise NotFound(f"no deployed process named {model!r}")
    return jsonify([_version_json(v) for v in found])


@bp.get("/api/process-models/<model>/versions/<int:number>")
@api_user
def version(model: str, number: int):
    _staff_only()
    found = studio.get_version(db(), model, number)
    name = request.args.get("file")
    if name is None:
        return jsonify(_version_json(found, full_gate=True))
    if name not in found.files:
        raise NotFound(f"version {number} of {model!r} has no file {name!r}")
    mime = "application/json" if name.endswith(".json") else "application/xml"
    return current_app.response_class(found.files[name], mimetype=mime)


def _int_arg(name: str) -> int:
    value = db_id(request.args.get(name))
    if value is None:
        raise InvalidInput([{"field": name, "message": "must be a version number"}])
    return value


@bp.get("/api/process-models/<model>/diff")
@api_user
def diff(model: str):
    _staff_only()
    return jsonify(studio.diff(db(), model, _int_arg("from"), _int_arg("to")))


def _reason_locale() -> str:
    """The API answers in English unless the caller asks for Swedish (Accept-Language)."""
    return request.accept_languages.best_match(["en", "sv"]) or "en"


@bp.get("/api/process-models/<model>/migration-preview")
@api_user
def migration_preview(model: str):
    _staff_only()
    locale = _reason_locale()
    rows = studio.migration_preview(db(), model, _int_arg("to"))
    with force_locale(locale):
        return jsonify([{k: v for k, v in row.items() if k != "why"}
                        | {"reason": row["why"].text(locale, gettext) if row["why"] else None} for row in rows])


@bp.post("/api/cases/<int:case_id>/migrate")
@api_user
def migrate(case_id: int):
    studio.require_owner(g.api_user)  # refused before the body is read
    body = json_body(required=("version",), allowed=("version",))
    if not isinstance(body["version"], int) or isinstance(body["version"], bool):
        raise InvalidInput([{"field": "version", "message": "must be a version number"}])
    case = studio.migrate_case(db(), actor=g.api_user, case_id=case_id, to_n=body["version"])
    return jsonify({"id": case.id, "reference": case.reference, "process": case.process_version.model,
                    "process_version": case.process_version.number, "status": case.status.value})
