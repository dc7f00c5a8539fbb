"""The insight dashboard (managers, process owners, administrators): figures, backlog, trends, groups."""
from __future__ import annotations

from zoneinfo import ZoneInfo

from flask import Blueprint, Response, abort, render_template, request, stream_with_context
from flask_babel import format_decimal, format_percent, get_locale, lazy_gettext as _l
from flask_login import current_user

from app import uow
from app.clock import utcnow
from app.services.csv_export import CONTENT_TYPE
from app.services import process_info
from app.services.insight import access, dashboard, exports, filters, heatmap, trends
from app.services.insight import event_log as event_log_service
from app.uow import db, runtime

from . import form_errors, role_required
from .insight_charts import BY_NAME, csv_of, rendered

bp = Blueprint("insight", __name__, url_prefix="/insight")
ROLES = access.INSIGHT_ROLES
CASE_TYPE_WORDS = {"bygglov": _l("Building permit"), "rivningslov": _l("Demolition permit"),
                   "marklov": _l("Site works permit"), "forhandsbesked": _l("Advance notice"),
                   "anmalan": _l("Notification")}
TRACK_WORDS = {"simple": _l("Simple"), "standard": _l("Standard"), "committee": _l("Committee")}


def number(value, digits: int = 1) -> str:
    """A figure in the reader's notation ("20,5" in Swedish); a dash when there is none."""
    if value is None:
        return "–"
    return format_decimal(round(value, digits), format="#,##0." + "#" * digits if digits else "#,##0")


def percent(value) -> str:
    return "–" if value is None else format_percent(value, format="#,##0 %")


@bp.context_processor
def _words():
    return {"case_type_word": lambda v: CASE_TYPE_WORDS.get(v, v), "track_word": lambda v: TRACK_WORDS.get(v, v),
            "num": number, "pct": percent, "process_word": process_word}


def process_word(model: str) -> str:
    """A process by its title in the reader's language (its model name only if it has none)."""
    titles = {v.model: process_info.of(v) for v in process_info.latest_versions(db())}
    return titles[model].title(str(get_locale() or "sv")) if model in titles else model


def _tz() -> ZoneInfo:
    return ZoneInfo(runtime().settings.timezone)


def _refused(exc):
    """The dashboard with empty figures and the filter errors beside their fields."""
    session = db()
    return render_template("insight/index.html", data=None, errors={e["field"]: e["message"] for e in exc.errors},
                           args=request.args, choices=filters.choices(session), charts=[]), 422


def _refused_exports(exc):
    return render_template("insight/exports.html", filters=None, errors={e["field"]: e["message"] for e in exc.errors},
                           args=request.args, choices=filters.choices(db())), 422


@bp.get("/")
@role_required(*ROLES)
@form_errors(_refused)
def index():
    session = db()
    chosen = filters.parse(session, request.args)
    data = dashboard.dashboard(session, chosen, now=utcnow(), tz=_tz(), locale=str(get_locale() or "sv"))
    return render_template("insight/index.html", data=data, filters=chosen, errors={}, args=request.args,
                           choices=filters.choices(session), charts=rendered(data["trends"]))


@bp.get("/charts/<name>.csv")
@role_required(*ROLES)
def chart_csv(name: str):
    spec = BY_NAME.get(name)
    if spec is None:
        abort(404)
    session = db()
    months = trends.trends(session, filters.parse(session, request.args))
    return Response(csv_of(spec, months), content_type=CONTENT_TYPE,
                    headers={"Content-Disposition": f"attachment; filename=lotsen-{name}.csv"})


EXPORTS = {
    "open-data": ("lotsen-open-data.csv", exports.open_data),
    "boverket": ("lotsen-boverket.csv", exports.boverket),
}


@bp.get("/exports")
@role_required(*ROLES)
@form_errors(_refused_exports)
def exports_page():
    session = db()
    chosen = filters.parse(session, request.args)
    return render_template("insight/exports.html", filters=chosen, errors={}, args=request.args,
                           choices=filters.choices(session), event_log=True)


@bp.get("/exports/event-log.<any('xes', 'csv'):fmt>")
@role_required(*ROLES)
def event_log(fmt: str):
    session = db()
    chosen = filters.parse(session, request.args)
    lang = str(get_locale() or "sv")
    headers = {"Content-Disposition": f"attachment; filename=lotsen-event-log.{fmt}"}
    if fmt == "xes":
        return Response(event_log_service.xes(session, chosen, lang), content_type="application/xml", headers=headers)
    return Response(stream_with_context(_event_log_csv(chosen, lang)), content_type=CONTENT_TYPE, headers=headers)


def _event_log_csv(chosen, lang: str):
    with runtime().db.unit_of_work(write=False) as session:
        yield from event_log_service.csv_lines(session, chosen, lang)


@bp.get("/exports/<any('open-data', 'boverket', 'closed-cases'):kind>.csv")
@role_required(*ROLES)
def export_csv(kind: str):
    session = db()
    chosen = filters.parse(session, request.args)
    headers = {"Content-Disposition": f"attachment; filename=lotsen-{kind}.csv"}
    if kind == "closed-cases":
        contacts = request.args.get("contacts") == "1"
        if contacts:
            uow.run(lambda s: exports.note_contact_export(s, actor=current_user, filters=chosen))
        return Response(stream_with_context(_closed_cases(chosen, contacts)), content_type=CONTENT_TYPE,
                        headers=headers)
    return Response(EXPORTS[kind][1](session, chosen), content_type=CONTENT_TYPE, headers=headers)


def _closed_cases(chosen, contacts: bool):
    with runtime().db.unit_of_work(write=False) as session:
        yield from exports.closed_cases(session, chosen, contacts=contacts)


@bp.get("/heatmap")
@role_required(*ROLES)
def heatmap_page():
    session = db()
    processes = filters.known_processes(session)
    process = request.args.get("process") or ("building_permit" if "building_permit" in processes else
                                              next(iter(processes), None))
    if process not in processes:
        abort(404)
    version = heatmap.version_of(session, process, request.args.get("version"))
    data = heatmap.heatmap(session, version)
    heat = {e["element"]: e for e in data["elements"]}
    return render_template("insight/heatmap.html", data=data, heat=heat, processes=processes, process=process)


@bp.get("/heatmap/<process>/<int:number>.bpmn")
@role_required(*ROLES)
def heatmap_diagram(process: str, number: int):
    version = heatmap.version_of(db(), process, number)
    text = heatmap.diagram_of(version.files, process)
    if text is None:
        abort(404)
    return Response(text, content_type="application/xml")
