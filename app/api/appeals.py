"""After the decision: service on each party, appeals, the appeal body's decisions, and legal force."""
from __future__ import annotations

from flask import g, jsonify

from app.services import appeal_period, appeals
from app.services import cases as case_service
from app.uow import db

from .common import api_user, bp, json_body


def _period_json(case, period: appeal_period.Period, *, staff: bool) -> dict:
    body = period.to_dict()
    for appeal in body["appeals"]:
        appeal["letter_url"] = f"/api/cases/{case.id}/documents/{appeal['letter']}" if appeal["letter"] else None
    if not staff:  # an applicant sees their own service, not other parties or appellants
        body["parties"] = [p for p in body["parties"] if p["is_applicant"]]
        body["appeals"] = []
    return body


def _may_record(case_id: int) -> None:
    """Refused before the body is read: a caller who may not record learns nothing from a 422."""
    case_service.get_case(db(), actor=g.api_user, case_id=case_id)
    appeals.require_recorder(g.api_user)


@bp.get("/api/cases/<int:case_id>/appeal-period")
@api_user
def appeal_period_of(case_id: int):
    session = db()
    case = case_service.get_case(session, actor=g.api_user, case_id=case_id)
    return jsonify(_period_json(case, appeal_period.period_of(session, case),
                                staff=case_service.is_staff(g.api_user)))


@bp.post("/api/cases/<int:case_id>/parties")
@api_user
def add_decision_party(case_id: int):
    _may_record(case_id)
    body = json_body(required=("name",), allowed=("name", "email", "address"))
    party = appeals.add_party(db(), actor=g.api_user, case_id=case_id, name=body["name"], email=body.get("email"),
                              address=body.get("address"))
    return _after(case_id, {"party": party.id}), 201


@bp.post("/api/cases/<int:case_id>/parties/<int:party_id>/service")
@api_user
def record_party_service(case_id: int, party_id: int):
    _may_record(case_id)
    body = json_body(required=("served_on", "method"), allowed=("served_on", "method"))
    appeals.record_service(db(), actor=g.api_user, case_id=case_id, party_id=party_id, served_on=body["served_on"],
                           method=body["method"])
    return _after(case_id, {"party": party_id})


@bp.post("/api/cases/<int:case_id>/appeals")
@api_user
def register_appeal(case_id: int):
    _may_record(case_id)
    body = json_body(required=("appellant", "received_on"),
                     allowed=("appellant", "received_on", "party", "email", "address", "language"))
    appeal = appeals.register_appeal(db(), actor=g.api_user, case_id=case_id, appellant=body["appellant"],
                                     received_on=body["received_on"], party_id=body.get("party"),
                                     email=body.get("email"), address=body.get("address"),
                                     language=body.get("language", "sv"))
    return _after(case_id, {"appeal": appeal.id}), 201


@bp.post("/api/cases/<int:case_id>/appeals/<int:appeal_id>/decision")
@api_user
def appeal_decision(case_id: int, appeal_id: int):
    _may_record(case_id)
    body = json_body(required=("outcome", "decided_on"), allowed=("outcome", "decided_on", "legal_force_on"))
    appeals.record_appeal_decision(db(), actor=g.api_user, case_id=case_id, appeal_id=appeal_id,
                                   outcome=body["outcome"], decided_on=body["decided_on"],
                                   legal_force_on=body.get("legal_force_on"))
    return _after(case_id, {"appeal": appeal_id})


def _after(case_id: int, changed: dict):
    """The appeal period as it stands after the change, with what was changed."""
    session = db()
    case = case_service.get_case(session, actor=g.api_user, case_id=case_id)
    return jsonify({**changed, "status": case.status.value,
                    "appeal_period": _period_json(case, appeal_period.period_of(session, case), staff=True)})
