"""The satisfaction survey: the applicant's page by signed link (no login) and the results for managers."""
from __future__ import annotations

from flask import Blueprint, Response, render_template, request
from flask import session as cookie_session
from flask_babel import force_locale, get_locale, gettext
from flask_login import current_user

from app.services import clocks, survey, survey_exports, survey_results
from app.services.csv_export import CONTENT_TYPE
from app.services.env import get_env
from app.services.errors import InvalidInput, NotFound
from app.uow import db

from . import form_errors, role_required

bp = Blueprint("survey", __name__)
UNAVAILABLE = (NotFound, survey.SurveyUnavailable)


def _page(language: str | None, template: str, status: int = 200, **context):
    """Render in the language the applicant chose for the case, unless they picked one on this site."""
    with force_locale(cookie_session.get("lang") or language or "sv"):
        return render_template(template, **context), status


def _questionnaire(invitation, token: str, errors: dict | None = None, status: int = 200):
    scale = range(1, get_env(db()).settings.survey_scale_max + 1)
    return _page(invitation.language, "survey/form.html", status, token=token, nki=survey.NKI_QUESTIONS,
                 factors=survey.FACTORS, texts=survey.QUESTION_TEXT, scale=scale, errors=errors or {},
                 values=request.form.to_dict() if request.method == "POST" else {})


def _refused(exc, token: str):
    """A link that cannot be used says why; an incomplete answer shows the questionnaire again."""
    if isinstance(exc, InvalidInput):
        invitation = survey.open_link(db(), token)
        return _questionnaire(invitation, token, {e["field"]: e["message"] for e in exc.errors}, 422)
    return _page(None, "survey/closed.html", 404 if isinstance(exc, NotFound) else 409, message=str(exc))


@bp.get("/survey/<token>")
@form_errors(_refused, errors=UNAVAILABLE)
def questionnaire(token: str):
    return _questionnaire(survey.open_link(db(), token), token)


@bp.post("/survey/<token>")
@form_errors(_refused, errors=(InvalidInput, *UNAVAILABLE))
def answer(token: str):
    row = survey.answer(db(), token=token, scores=request.form, comment=request.form.get("comment"))
    return _page(row.invitation.language, "survey/thanks.html", declined=False)


@bp.post("/survey/<token>/decline")
@form_errors(_refused, errors=UNAVAILABLE)
def decline(token: str):
    invitation = survey.decline(db(), token=token)
    return _page(invitation.language, "survey/thanks.html", declined=True)


@bp.get("/admin/survey")
@role_required("admin", "manager")
def results():
    session = db()
    first, last = survey_results.parse_period(request.args.get("from"), request.args.get("to"),
                                              today=clocks.local_today(session))
    locale = str(get_locale() or "sv")
    case_types = survey_results.option_words(session, "case_type", locale)
    tracks = survey_results.option_words(session, "track", locale)
    return render_template("survey/results.html", r=survey_results.results(session, first=first, last=last),
                           factors=survey.FACTORS, band_words=survey_results.BAND_WORDS,
                           factor_word=lambda f: gettext(survey_results.FACTOR_WORDS[f]),
                           case_type_word=lambda k: case_types.get(k, k) if k else gettext("Case type not set"),
                           track_word=lambda k: tracks.get(k, k) if k else gettext("Track not set"),
                           month_word=lambda k: k)


def _period():
    return survey_results.parse_period(request.values.get("from"), request.values.get("to"),
                                       today=clocks.local_today(db()))


def _csv(text: str, name: str) -> Response:
    return Response(text, content_type=CONTENT_TYPE, headers={"Content-Disposition": f"attachment; filename={name}"})


@bp.post("/admin/survey/cases.csv")
@role_required("admin", "manager")
def cases_csv():
    """Closed cases with the applicants' contact details, for a survey provider (audited, so a POST)."""
    first, last = _period()
    return _csv(survey_exports.closed_cases(db(), first=first, last=last, actor=current_user),
                f"lotsen-closed-cases-{first}-{last}.csv")


@bp.get("/admin/survey/answers.csv")
@role_required("admin", "manager")
def answers_csv():
    first, last = _period()
    return _csv(survey_exports.answers(db(), first=first, last=last), f"lotsen-survey-answers-{first}-{last}.csv")
