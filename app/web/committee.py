"""For the committee: the decisions taken on delegation in a period, to report (page and CSV)."""
from __future__ import annotations

from flask import Blueprint, Response, abort, render_template, request
from flask_babel import get_locale, gettext as _
from flask_login import current_user, login_required

from app.services import clocks, csv_export, delegation
from app.uow import db

from .filters import CASE_TYPE_WORDS, OUTCOME_WORDS, group_word, local_dt

bp = Blueprint("committee", __name__)


def _period_and_rows():
    session = db()
    if not delegation.may_read(current_user):
        abort(403)
    start, end = delegation.parse_period(request.args.get("from"), request.args.get("to"),
                                         today=clocks.local_today(session))
    return start, end, delegation.delegated_decisions(session, actor=current_user, start=start, end=end)


def _csv_row(r: delegation.DelegatedDecision, locale: str) -> list[str]:
    return [local_dt(r.decided_at), r.reference, r.property_designation,
            str(CASE_TYPE_WORDS.get(r.case_type, r.case_type or "")), str(OUTCOME_WORDS.get(r.outcome, r.outcome)),
            r.decided_by, group_word(r.group, locale), r.rule]


@bp.get("/delegation-decisions")
@login_required
def index():
    start, end, rows = _period_and_rows()
    return render_template("committee/delegation.html", start=start, end=end, rows=rows)


@bp.get("/delegation-decisions.csv")
@login_required
def csv():
    start, end, rows = _period_and_rows()
    header = [_("Decided"), _("Reference"), _("Property"), _("Case type"), _("Outcome"), _("Decided by"), _("Group"),
              _("Rule of the delegation order")]
    locale = str(get_locale() or "sv")
    text = csv_export.to_csv(header, [_csv_row(r, locale) for r in rows])
    name = f"delegationsbeslut-{start.isoformat()}-{end.isoformat()}.csv"
    return Response("\ufeff" + text, mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
