"""Error handlers: roll the request's unit of work back, then answer.

Whatever escapes a view — a domain error, an HTTP error, anything else — first
rolls the unit of work back (``uow.abort``), so a view that wrote and then
failed never commits half its work. A failed process step is then recorded as
an incident in a transaction of its own.
"""
from __future__ import annotations

import logging

from flask import Flask, jsonify, make_response, render_template
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException, InternalServerError

from app import uow
from app.responses import error_response, wants_json
from app.services import errors as e
from app.services.incidents import record_step_failure

log = logging.getLogger(__name__)


def _record_step_failure(exc: e.StepFailed) -> None:
    """The action was rolled back; note the failure on the case in its own transaction."""
    try:
        uow.run(lambda session: record_step_failure(session, exc))
    except Exception:
        log.exception("could not record the step failure")  # never mask the original error


def _http_response(exc: HTTPException):
    if exc.response is not None:  # already rendered where it was raised (e.g. the throttled login page)
        return exc.response
    response = make_response(*_http_body(exc))
    for name, value in exc.get_headers():  # e.g. Allow on 405
        if name.lower() != "content-type":
            response.headers[name] = value
    return response


def _http_body(exc: HTTPException):
    if wants_json():
        return jsonify({"error": exc.name.lower().replace(" ", "_"), "message": exc.description}), exc.code
    messages = {
        400: _("The request could not be read (it may hold characters that cannot be stored). "
               "Check what you entered and try again."),
        403: _("You do not have access to this page."),
        404: _("There is no such page."),
        405: _("This page cannot be used that way."),
        413: _("The upload is too large."),
        429: _("Too many attempts. Wait a while and try again."),
        500: _("Something went wrong on our side. Nothing was saved; try again later."),
    }
    message = messages.get(exc.code, _("The request could not be handled."))
    if exc.code == 400 and "CSRF" in (exc.description or ""):
        message = _("The form had expired or was sent from elsewhere (CSRF). Reload the page and try again.")
    return render_template("error.html", code=exc.code, message=message), exc.code


def init_app(app: Flask) -> None:
    @app.errorhandler(e.DomainError)
    def _domain(exc: e.DomainError):
        uow.abort()
        if isinstance(exc, e.StepFailed):
            _record_step_failure(exc)
        return error_response(exc)

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException):
        uow.abort()
        return _http_response(exc)

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        uow.abort()
        log.exception("unhandled error", exc_info=exc)
        return _http_response(InternalServerError())
