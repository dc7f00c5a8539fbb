"""Insight API: the dashboard's figures as JSON (managers, process owners, administrators)."""
from __future__ import annotations

from flask import Response, g, jsonify, request

from app.clock import utcnow
from app.services.clocks import local_today
from app.services.csv_export import CONTENT_TYPE
from app.services.errors import InvalidInput, N_
from app.services.insight import access, backlog, exports, filters, heatmap, summary, trends, workload
from app.uow import db, runtime

from .common import api_user, bp


def _filters():
    access.ensure_may_see(g.api_user)
    return filters.parse(db(), request.args)


@bp.get("/api/insight/summary")
@api_user
def insight_summary():
    return jsonify(summary.summary(db(), _filters()))


@bp.get("/api/insight/backlog")
@api_user
def insight_backlog():
    return jsonify(backlog.backlog(db(), _filters(), local_today(db())))


@bp.get("/api/insight/trends")
@api_user
def insight_trends():
    return jsonify({"months": trends.trends(db(), _filters())})


@bp.get("/api/insight/groups")
@api_user
def insight_groups():
    from zoneinfo import ZoneInfo

    tz = ZoneInfo(runtime().settings.timezone)
    return jsonify({"groups": workload.workload(db(), _filters(), utcnow(), tz, request.args.get("lang"))})


@bp.get("/api/insight/exports/<any('open-data', 'boverket', 'closed-cases'):kind>")
@api_user
def insight_export(kind: str):
    session, chosen = db(), _filters()
    if kind == "closed-cases":
        body = "".join(exports.closed_cases(session, chosen))
    else:
        body = (exports.open_data if kind == "open-data" else exports.boverket)(session, chosen)
    return Response(body, content_type=CONTENT_TYPE,
                    headers={"Content-Disposition": f"attachment; filename=lotsen-{kind}.csv"})


@bp.get("/api/insight/heatmap")
@api_user
def insight_heatmap():
    access.ensure_may_see(g.api_user)
    process = (request.args.get("process") or "").strip()
    if not process:
        raise InvalidInput([{"field": "process", "message": N_("choose a process")}])
    session = db()
    version = heatmap.version_of(session, process, request.args.get("version"))
    return jsonify(heatmap.heatmap(session, version))
