"""The decisions taken on delegation in a period (for the committee)."""
from __future__ import annotations

from flask import Response, g, jsonify, request

from app.services import clocks, csv_export, delegation
from app.services.errors import InvalidInput
from app.uow import db

from .common import api_user, bp

CSV_HEADER = ["decided_at", "case_id", "reference", "property_designation", "case_type", "measure", "outcome",
              "group", "decided_by", "rule"]


@bp.get("/api/delegation-decisions")
@api_user
def delegation_decisions():
    session = db()
    fmt = request.args.get("format", "json")
    if fmt not in ("json", "csv"):
        raise InvalidInput([{"field": "format", "message": "choose json or csv"}])
    start, end = delegation.parse_period(request.args.get("from"), request.args.get("to"),
                                         today=clocks.local_today(session))
    rows = delegation.delegated_decisions(session, actor=g.api_user, start=start, end=end)
    items = [{"decided_at": r.decided_at.isoformat(), "case_id": r.case_id, "reference": r.reference,
              "property_designation": r.property_designation, "case_type": r.case_type, "measure": r.measure,
              "outcome": r.outcome, "group": r.group, "decided_by": r.decided_by, "rule": r.rule} for r in rows]
    if fmt == "csv":
        text = csv_export.to_csv(CSV_HEADER, [[item[k] for k in CSV_HEADER] for item in items])
        return Response(text, mimetype="text/csv")
    return jsonify({"from": start.isoformat(), "to": end.isoformat(), "decisions": items})
