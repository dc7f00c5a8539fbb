"""One error vocabulary: domain errors as JSON for the API, as pages for people."""
from __future__ import annotations

import logging

from flask import Flask, flash, g, jsonify, redirect, render_template, request
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException

from app.services import errors as e

log = logging.getLogger(__name__)

STATUS = [
    (e.NotFound, 404), (e.Forbidden, 403), (e.Unauthorized, 401), (e.Conflict, 409),
    (e.InvalidInput, 422), (e.DeployRejected, 422), (e.StepFailed, 500),
]


def status_for(exc: e.DomainError) -> int:
    for cls, code in STATUS:
        if isinstance(exc, cls):
            return code
    return 400


def wants_json() -> bool:
    return request.path.startswith("/api/") or request.path == "/healthz"


def conflict_response(message: str):
    if wants_json():
        return jsonify({"error": "concurrent_update", "message": message}), 409
    return render_template("error.html", code=409, message=message), 409


def _record_step_failure(exc: e.StepFailed) -> None:
    """The action was rolled back; note the failure on the case in its own transaction."""
    from app.services.incidents import record_step_failure
    from app.uow import runtime

    session = g.pop("db_session", None)
    if session is not None:
        session.rollback()
        session.close()
    try:
        with runtime().db.unit_of_work() as fresh:
            record_step_failure(fresh, exc)
    except Exception:  # never mask the original error
        log.exception("could not record the step failure")


def init_app(app: Flask) -> None:
    @app.errorhandler(e.DomainError)
    def _domain(exc: e.DomainError):
        code = status_for(exc)
        if isinstance(exc, e.StepFailed):
            _record_step_failure(exc)
        if wants_json():
            body = {"error": exc.code, "message": exc.message}
            body.update({k: v for k, v in exc.details.items() if v is not None})
            return jsonify(body), code
        if isinstance(exc, e.Unauthorized):
            return redirect("/login")
        if isinstance(exc, (e.InvalidInput, e.Conflict, e.StepFailed)) and request.referrer:
            flash(exc.message if not isinstance(exc, e.StepFailed)
                  else _("The step could not be completed: %(msg)s. Nothing was saved; try again.", msg=exc.message),
                  "error")
            return redirect(request.referrer)
        return render_template("error.html", code=code, message=exc.message), code

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException):
        if wants_json():
            return jsonify({"error": exc.name.lower().replace(" ", "_"), "message": exc.description}), exc.code
        messages = {
            403: _("You do not have access to this page."),
            404: _("There is no such page."),
            413: _("The upload is too large."),
        }
        message = messages.get(exc.code, exc.description)
        if exc.code == 400 and "CSRF" in (exc.description or ""):
            message = _("The form had expired or was sent from elsewhere (CSRF). Reload the page and try again.")
        return render_template("error.html", code=exc.code, message=message), exc.code
