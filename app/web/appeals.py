"""After the decision on the case page: parties served, appeals registered, the appeal body's rulings."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app.translated import translated
from app.services import appeals
from app.uow import db

from . import STAFF, form_errors, role_required

bp = Blueprint("appeals", __name__)

#: The form fields by name, for messages that say which field is wrong.
LABELS = {
    "name": _l("Name"), "email": _l("E-mail"), "address": _l("Postal address"), "served_on": _l("Served on"),
    "method": _l("How"), "appellant": _l("Appellant"), "received_on": _l("Received on"), "party": _l("Party"),
    "language": _l("Language"), "outcome": _l("Ruling"), "decided_on": _l("Ruled on"),
    "legal_force_on": _l("Ruling final on"),
}


def _back(case_id: int):
    return redirect(url_for("cases.show", case_id=case_id) + "#appeal-period")


def _refused(exc, case_id: int, **_ignored):
    """Nothing was saved: say which field was wrong, on the case page."""
    flash("; ".join(f"{LABELS.get(e.get('field'), e.get('field'))}: {translated(e['message'])}"
                    for e in exc.errors), "error")
    return _back(case_id)


def _form(name: str) -> str | None:
    return (request.form.get(name) or "").strip() or None


@bp.post("/cases/<int:case_id>/parties")
@role_required(*STAFF)
@form_errors(_refused)
def add_party(case_id: int):
    party = appeals.add_party(db(), actor=current_user, case_id=case_id, name=_form("name") or "",
                              email=_form("email"), address=_form("address"))
    flash(_("%(name)s is to be served the decision.", name=party.name) + " "
          + (_("The decision is e-mailed to them.") if party.email else _("Record the day they are served.")),
          "success")
    return _back(case_id)


@bp.post("/cases/<int:case_id>/parties/<int:party_id>/service")
@role_required(*STAFF)
@form_errors(_refused)
def record_service(case_id: int, party_id: int):
    party = appeals.record_service(db(), actor=current_user, case_id=case_id, party_id=party_id,
                                   served_on=_form("served_on"), method=_form("method"))
    flash(_("%(name)s was served on %(d)s.", name=party.name, d=party.served_on.isoformat()), "success")
    return _back(case_id)


@bp.post("/cases/<int:case_id>/appeals")
@role_required(*STAFF)
@form_errors(_refused)
def register(case_id: int):
    appeal = appeals.register_appeal(db(), actor=current_user, case_id=case_id, appellant=_form("appellant") or "",
                                     received_on=_form("received_on"), party_id=_form("party"),
                                     email=_form("email"), address=_form("address"),
                                     language=_form("language") or "sv")
    flash(_("The appeal came in time and is sent on to the appeal body.") if appeal.timely
          else _("The appeal came in too late: it is dismissed and the appellant gets the decision."), "success")
    return _back(case_id)


@bp.post("/cases/<int:case_id>/appeals/<int:appeal_id>/decision")
@role_required(*STAFF)
@form_errors(_refused)
def ruling(case_id: int, appeal_id: int):
    appeals.record_appeal_decision(db(), actor=current_user, case_id=case_id, appeal_id=appeal_id,
                                   outcome=_form("outcome") or "", decided_on=_form("decided_on"),
                                   legal_force_on=_form("legal_force_on"))
    flash(_("The appeal body's ruling is recorded."), "success")
    return _back(case_id)
