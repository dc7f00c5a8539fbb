"""The studio's simulation pages: ask for a what-if run, watch it, read and reopen its results."""
from __future__ import annotations

from flask import Blueprint, Response, abort, jsonify, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_login import current_user

from app import simulation_worker, uow
from app.services import groups as group_service, simulation
from app.services.errors import InvalidInput, N_
from app.uow import db, runtime

from . import form_errors, role_required
from .insight import process_word
from .simulation_view import figure, nobreak, number, result_view, spread

bp = Blueprint("simulation", __name__, url_prefix="/studio/simulations")
ROLES = ("process_owner", "admin")


@bp.context_processor
def _words():
    return {"process_word": process_word, "figure": figure, "spread": spread, "number": number,
            "nobreak": nobreak}


def _int(form, name: str, default: int | None = None) -> int | None:
    raw = (form.get(name) or "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError:
        raise InvalidInput([{"field": name, "message": N_("must be a whole number")}]) from None


def _variant(form, prefix: str) -> simulation.Variant:
    chosen = form.get(f"{prefix}version") or ""
    staff = {key.removeprefix(f"{prefix}staff-"): _int(form, key) for key in form
             if key.startswith(f"{prefix}staff-") and (form.get(key) or "").strip()}
    return simulation.Variant(version=None if chosen in ("", "draft") else _int(form, f"{prefix}version"),
                              draft=chosen == "draft", staff=staff)


def request_from(form) -> simulation.Request:
    """The simulation asked for on the page."""
    variants = [_variant(form, "a-")]
    if form.get("compare"):
        variants.append(_variant(form, "b-"))
    per_year = None
    if form.get("arrivals") == "rate":
        per_year = _int(form, "per_year")
        if per_year is None:
            raise InvalidInput([{"field": "per_year", "message": N_("give the number of applications a year")}])
    return simulation.Request(process=form.get("process") or "", cases=_int(form, "cases", 0), runs=_int(
        form, "runs", 1), seed=_int(form, "seed", 1), variants=variants, per_year=per_year,
        use_history=bool(form.get("use_history")) or bool(form.get("calibrate")),
        title=(form.get("title") or "").strip(), calibrate=bool(form.get("calibrate")))


def _page(errors: dict | None = None, status: int = 200):
    session = db()
    return render_template("simulation/index.html", errors=errors or {}, form=request.form,
                           runs=simulation.recent(session), **simulation.choices(session)), status


@bp.get("/")
@role_required(*ROLES)
def index():
    return _page()


@bp.post("/")
@role_required(*ROLES)
@form_errors(lambda exc: _page({e["field"]: e["message"] for e in exc.errors}, 422))
def create():
    wanted = request_from(request.form)
    # stored in a transaction of its own: the worker process reads it as soon as it starts
    run_id = uow.run(lambda session: simulation.create(session, actor=current_user, request=wanted).id)
    simulation_worker.start(runtime().settings, run_id)
    return redirect(url_for("simulation.show", run_id=run_id))


@bp.get("/<int:run_id>")
@role_required(*ROLES)
def show(run_id: int):
    session = db()
    run = simulation.get(session, run_id)
    locale = str(get_locale() or "sv")
    titles = {g.name: g.title(locale) for g in group_service.list_groups(session)}
    return render_template("simulation/show.html", run=run, view=result_view(run, titles, locale))


@bp.get("/<int:run_id>/status.json")
@role_required(*ROLES)
def status_json(run_id: int):
    run = simulation.get(db(), run_id)
    return jsonify({"status": run.status, "progress": run.progress, "error": run.error})


@bp.get("/<int:run_id>/<int(min=0):scenario>.bpmn")
@role_required(*ROLES)
def diagram(run_id: int, scenario: int):
    session = db()
    text = simulation.scenario_diagram(session, simulation.get(session, run_id), scenario)
    if text is None:
        abort(404)
    return Response(text, content_type="application/xml")
