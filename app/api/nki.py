"""NKI from the applicants' survey, for managers and administrators."""
from __future__ import annotations

from flask import g, jsonify, request

from app.services import clocks, survey_results
from app.services.errors import Forbidden
from app.uow import db

from .common import api_user, bp


@bp.get("/api/insight/nki")
@api_user
def nki():
    if not (g.api_user.has_role("manager") or g.api_user.has_role("admin")):
        raise Forbidden("only managers and administrators see survey results")
    session = db()
    first, last = survey_results.parse_period(request.args.get("from"), request.args.get("to"),
                                              today=clocks.local_today(session))
    return jsonify(survey_results.results(session, first=first, last=last, process=request.args.get("process")))
