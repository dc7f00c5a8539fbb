"""The neighbour hearing on the case and task pages: add parties, record their answers."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.services import hearing
from app.uow import db

from . import STAFF, role_required

bp = Blueprint("hearing", __name__)


def _back(case_id: int):
    return redirect(request.referrer or url_for("cases.show", case_id=case_id) + "#hearing")


@bp.post("/cases/<int:case_id>/hearing/parties")
@role_required(*STAFF)
def add(case_id: int):
    party = hearing.add_party(db(), actor=current_user, case_id=case_id, name=request.form.get("name"),
                              address=request.form.get("address"), email=request.form.get("email"))
    flash(_("%(name)s will be heard.", name=party.name), "success")
    return _back(case_id)


@bp.post("/cases/<int:case_id>/hearing/parties/<int:party_id>/remove")
@role_required(*STAFF)
def remove(case_id: int, party_id: int):
    hearing.remove_party(db(), actor=current_user, case_id=case_id, party_id=party_id)
    return _back(case_id)


@bp.post("/cases/<int:case_id>/hearing/parties/<int:party_id>/response")
@role_required(*STAFF)
def respond(case_id: int, party_id: int):
    result = hearing.record_response(db(), actor=current_user, case_id=case_id, party_id=party_id,
                                     response=request.form.get("response"), text=request.form.get("text"),
                                     received_on=request.form.get("received_on"))
    flash(_("Every party has answered: the hearing is over.") if result.all_answered else _("The answer is saved."),
          "success")
    return _back(case_id)
