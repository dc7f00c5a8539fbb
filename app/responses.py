"""One error vocabulary, rendered: JSON for the API and the studio's calls, pages for people."""
from __future__ import annotations

from pathlib import Path

from flask import Response, flash, jsonify, redirect, render_template, request, send_file
from flask_babel import get_locale
from flask_babel import gettext as _

from app.headers import DOWNLOAD_CSP
from app.redirects import back
from app.services.documents import clean_filename
from app.translated import translated
from app.web.action_words import ROLE_WORDS
from app.services import errors as e
from app.web.step_errors import step_error

STATUS = [
    (e.NotFound, 404), (e.Forbidden, 403), (e.Unauthorized, 401), (e.Conflict, 409),
    (e.InvalidInput, 422), (e.DeployRejected, 422), (e.StepFailed, 500),
]
#: Endpoints the studio's editor calls with fetch (they answer JSON even to a form post).
JSON_ENDPOINT_SUFFIXES = ("_json", ".catalog", ".preview_form")


def download(path: Path, *, content_type: str, filename: str, inline: bool = False) -> Response:
    """Send a stored file under a safe name with ``nosniff``.

    Uploads (people's files) go as downloads that, even opened in the browser, run and load nothing
    (sandbox CSP). ``inline`` is for the authority's own letters, shown in the browser's PDF viewer.
    """
    response = send_file(path, mimetype=content_type, download_name=clean_filename(filename),
                         as_attachment=not inline)
    if not inline:
        response.headers["Content-Security-Policy"] = DOWNLOAD_CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def status_for(exc: e.DomainError) -> int:
    for cls, code in STATUS:
        if isinstance(exc, cls):
            return code
    return 400


def wants_json() -> bool:
    return (request.path.startswith("/api/") or request.path == "/healthz" or request.is_json
            or request.accept_mimetypes.best == "application/json"
            or (request.endpoint or "").endswith(JSON_ENDPOINT_SUFFIXES))


def error_message(exc: e.DomainError) -> str:
    """What a person reads: the field messages of invalid input, else the error's message."""
    if isinstance(exc, e.StepFailed):  # which step, that nothing was lost; never a technical error
        blocked = _("The case is blocked: the step “%(step)s” could not be done, so nothing was saved. Your input "
                    "is kept on the case page, and an administrator has been told.", step=exc.step or _("next step"))
        reason = exc.message.split(": ", 1)[-1]
        plain = step_error(reason)  # Lotsen's own sentences (a script's limits) are shown, translated
        return f"{blocked} {plain}." if plain != reason else blocked
    if isinstance(exc, e.TaskOfOtherGroups):  # a task of other work groups: named in words
        return _("This task is for %(groups)s. Ask someone there, or an administrator, if it should be yours.",
                 groups=", ".join(_group_word(exc, name) for name in exc.details["groups"]))
    errors = getattr(exc, "errors", None)
    if isinstance(exc, e.InvalidInput) and errors:
        return "; ".join(translated(err["message"]) for err in errors)
    return translated(exc.message)


def _group_word(exc: e.TaskOfOtherGroups, name: str) -> str:
    if name in ROLE_WORDS:
        return str(ROLE_WORDS[name])
    lang = "sv" if str(get_locale() or "sv").startswith("sv") else "en"
    return exc.titles.get(name, {}).get(lang) or name


def error_response(exc: e.DomainError) -> Response | tuple:
    """The response for a domain error, after the unit of work was rolled back."""
    code = status_for(exc)
    if wants_json():
        body = {"error": exc.code, "message": exc.message}
        body.update({k: v for k, v in exc.details.items() if v is not None})
        return jsonify(body), code
    if isinstance(exc, e.Unauthorized):
        return redirect("/login")
    if isinstance(exc, (e.InvalidInput, e.Conflict, e.StepFailed)) and back(""):
        flash(error_message(exc), "error")
        return redirect(back("/"))
    return render_template("error.html", code=code, message=error_message(exc)), code
