"""What-if simulation as a use case: build the plan from deployed versions or a draft, run it, keep the result.

The runs themselves are ``app.simulation`` (no database). Here the scenarios
are read from the process versions, the staff from the groups, the inputs
from history (``simulation_history``) or defaults, and the result is stored
as a ``SimulationRun`` that can be reopened.
"""
from __future__ import annotations

import json
import random
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.clock import utcnow
from app.engine import spec_facts
from app.engine.specs import BundleInvalid, parse_bundle
from app.engine.store import specs_to_json
from app.models import Group, ProcessDraft, ProcessVersion, SimulationRun, User, group_membership
from app.simulation.model import DEFAULT_CASES_PER_YEAR, Inputs, Plan, Scenario, Staff, weekly_rates

from . import form_options, simulation_history
from .insight.heatmap import diagram_of
from .env import get_env
from .errors import InvalidInput, N_, NotFound
from .processes import rules_for, start_form_name

#: Where a committee meets when nothing else is said: the third Tuesday of every month.
COMMITTEE_MEETING = (3, 1)
MAX_CASES = 1_000_000
MAX_RUNS = 50


@dataclass
class Variant:
    """One side of a comparison as asked: a version number (None: the latest) or the draft, and staff."""

    version: int | None = None
    draft: bool = False
    staff: dict[str, int] = field(default_factory=dict)
    hours: dict[str, float] = field(default_factory=dict)


@dataclass
class Request:
    """A simulation as a person asks for it (page, API or command line)."""

    process: str
    cases: int
    runs: int = 1
    seed: int = 1
    variants: list[Variant] = field(default_factory=lambda: [Variant()])
    #: "history" (last year's weekly arrivals), or a number of applications per year.
    per_year: float | None = None
    #: Draw applications, answers, durations and reply times from history (else the defaults).
    use_history: bool = True
    title: str = ""
    #: Replay last year's applications on the version they ran, to compare with what was measured.
    calibrate: bool = False

    def check(self) -> None:
        errors = []
        if not 1 <= self.cases <= MAX_CASES:
            errors.append({"field": "cases", "message": N_("must be a number of cases from 1 to 1,000,000")})
        if not 1 <= self.runs <= MAX_RUNS:
            errors.append({"field": "runs", "message": N_("must be from 1 to 50 runs")})
        if self.per_year is not None and not 1 <= self.per_year <= 1_000_000:
            errors.append({"field": "per_year", "message": N_("must be from 1 to 1,000,000 applications a year")})
        if not 1 <= len(self.variants) <= 2:
            errors.append({"field": "variants", "message": N_("simulate one scenario, or compare two")})
        if self.calibrate and (len(self.variants) != 1 or self.variants[0].draft):
            errors.append({"field": "calibrate", "message": N_("the calibration check simulates one deployed "
                                                                 "version, without a comparison")})
        for variant in self.variants:
            if any(n < 0 or n > 1000 for n in variant.staff.values()):
                errors.append({"field": "staff", "message": N_("staff per group must be from 0 to 1,000 people")})
            if any(not 1 <= h <= 60 for h in variant.hours.values()):
                errors.append({"field": "hours", "message": N_("hours per week must be from 1 to 60")})
        if errors:
            raise InvalidInput(errors)

    def to_dict(self) -> dict:
        return {"process": self.process, "cases": self.cases, "runs": self.runs, "seed": self.seed,
                "per_year": self.per_year, "use_history": self.use_history, "title": self.title,
                "calibrate": self.calibrate,
                "variants": [{"version": v.version, "draft": v.draft, "staff": v.staff, "hours": v.hours}
                             for v in self.variants]}

    @classmethod
    def from_dict(cls, d: Mapping) -> Request:
        return cls(process=d["process"], cases=int(d["cases"]), runs=int(d.get("runs", 1)),
                   seed=int(d.get("seed", 1)), per_year=d.get("per_year"), use_history=bool(d.get("use_history")),
                   title=d.get("title") or "", calibrate=bool(d.get("calibrate")),
                   variants=[Variant(version=v.get("version"), draft=bool(v.get("draft")),
                                     staff=dict(v.get("staff") or {}), hours=dict(v.get("hours") or {}))
                             for v in d.get("variants") or [{}]])


# ------------------------------------------------------------------ scenarios


def _version(session: Session, process: str, number: int | None) -> ProcessVersion:
    query = select(ProcessVersion).where(ProcessVersion.model == process)
    query = query.where(ProcessVersion.number == number) if number else query.order_by(
        ProcessVersion.number.desc()).limit(1)
    version = session.scalar(query)
    if version is None:
        raise NotFound(N_("no such deployed process or version"))
    return version


def _forms(session: Session, files: Mapping[str, str]) -> dict[str, dict]:
    return {name.removeprefix("forms/"): form_options.fill(session, json.loads(text))
            for name, text in files.items() if name.startswith("forms/") and name.endswith(".json")}


def staff_for(session: Session, groups: set[str], variant: Variant) -> dict[str, Staff]:
    """Each group's people: as asked, else its active members now (at least one)."""
    members = dict(session.execute(select(Group.name, func.count(group_membership.c.user_id))
                                   .join(group_membership, group_membership.c.group_id == Group.id)
                                   .group_by(Group.name)).all())
    staff = {}
    for group in groups | set(variant.staff):
        people = variant.staff.get(group, max(1, int(members.get(group, 0))))
        staff[group] = Staff(people=people, hours_per_week=variant.hours.get(group, 40.0),
                             meeting=COMMITTEE_MEETING if group == "committee" else None)
    return staff


def scenario_for(session: Session, process: str, variant: Variant, name: str) -> Scenario:
    """The variant's diagram (a deployed version or the studio draft) with its staff."""
    if variant.draft:
        draft = session.scalar(select(ProcessDraft).where(ProcessDraft.model == process))
        if draft is None:
            raise NotFound(N_("there is no draft of this process"))
        try:
            bundle = parse_bundle(draft.files, rules_for(session))
        except BundleInvalid as exc:
            raise InvalidInput([{"field": "draft", "message": N_("the draft does not validate; fix it in the "
                                                                   "studio first")}]) from exc
        if process not in bundle.specs:
            raise InvalidInput([{"field": "draft", "message": N_("the draft has no process of this name")}])
        spec, subprocesses = bundle.specs[process]
        files = {**draft.files, **bundle.generated}
        lanes, label, key, start = dict(bundle.lane_groups), "draft", -1, spec_facts.start_form(spec)
        spec_json = specs_to_json(spec, subprocesses)
    else:
        version = _version(session, process, variant.version)
        files, lanes = version.files, dict((version.properties or {}).get("lanes") or {})
        label, key, spec_json = f"v{version.number}", version.id, version.spec_json
        start = start_form_name(session, version)
    groups = _group_names(session) | set(lanes.values())
    return Scenario(name=name, spec_key=key, spec_json=spec_json, label=label, lanes=lanes,
                    forms=_forms(session, files), staff=staff_for(session, groups, variant),
                    start_form=start or "application.json",
                    diagram=diagram_of(files, process) or "" if variant.draft else "")


def _names(session: Session, settings) -> dict[str, str]:
    """Swedish names of whoever a referral can go to (as the real host gives them to the letters)."""
    names = {g.name: g.title_sv for g in session.scalars(select(Group))}
    return names | {k: b.get("name_sv") or k for k, b in settings.external_bodies.items()}


def _group_names(session: Session) -> set[str]:
    return set(session.scalars(select(Group.name)))


# ------------------------------------------------------------------ plan


def plan_for(session: Session, request: Request) -> Plan:
    """Everything a run needs, read now (the runs then need no database)."""
    request.check()
    if request.calibrate:
        return _calibration_plan(session, request)
    settings = get_env(session).settings
    scenarios = [scenario_for(session, request.process, v, name)
                 for v, name in zip(request.variants, ("A", "B"), strict=False)]
    if request.use_history:
        inputs = simulation_history.inputs(session, request.process, scenarios[0])
    else:
        inputs = Inputs(arrivals_per_week=weekly_rates(DEFAULT_CASES_PER_YEAR),
                        sources={"arrivals": "default", "mix": "uniform", "durations": "default",
                                 "replies": "default"})
    if request.per_year is not None:
        inputs.arrivals_per_week = weekly_rates(request.per_year)
        inputs.sources["arrivals"] = "rate"
    zone = ZoneInfo(settings.timezone)
    tomorrow = utcnow().astimezone(zone).date() + timedelta(days=1)
    return Plan(process=request.process, cases=request.cases, runs=request.runs, seed=request.seed,
                start=datetime.combine(tomorrow, time(0), tzinfo=zone), scenarios=scenarios, inputs=inputs,
                settings=settings.handler_settings(), service_goals=settings.service_goals,
                default_goal_days=settings.service_goal_days, names=_names(session, settings))


def _calibration_plan(session: Session, request: Request) -> Plan:
    """Last year's applications, at the times they arrived, through the version most of them ran on."""
    arrivals, measured, version = simulation_history.last_year(session, request.process)
    if not arrivals or measured is None:
        raise InvalidInput([{"field": "calibrate", "message": N_("there are no applications decided in the last "
                                                                   "year to compare with")}])
    variant = request.variants[0]
    variant.version = variant.version or version
    scenario = scenario_for(session, request.process, variant, "A")
    settings = get_env(session).settings
    zone = ZoneInfo(settings.timezone)
    rng, today = random.Random(request.seed), utcnow().astimezone(zone).date()
    schema = scenario.forms.get(scenario.start_form) or {}
    replay = [(when, simulation_history.anonymised(schema, facts, rng, today) or {}) for when, facts in arrivals]
    first = replay[0][0].astimezone(zone).date()
    request.cases = len(replay)
    return Plan(process=request.process, cases=len(replay), runs=request.runs, seed=request.seed,
                start=datetime.combine(first, time(0), tzinfo=zone), scenarios=[scenario],
                inputs=simulation_history.inputs(session, request.process, scenario),
                settings=settings.handler_settings(), service_goals=settings.service_goals,
                default_goal_days=settings.service_goal_days, names=_names(session, settings), replay=replay,
                calibration_target=measured)


# ------------------------------------------------------------------ saved runs


def create(session: Session, *, actor: User | None, request: Request) -> SimulationRun:
    """Store a simulation to run (queued); its plan is checked now so a bad request is refused at once."""
    plan_for(session, request)
    run = SimulationRun(model=request.process, title=request.title[:200], params=request.to_dict(),
                        status="queued", progress=0.0, created_by_id=actor.id if actor else None,
                        created_at=utcnow())
    session.add(run)
    session.flush()
    return run


def get(session: Session, run_id: int) -> SimulationRun:
    run = session.get(SimulationRun, run_id)
    if run is None:
        raise NotFound(N_("no such simulation"))
    return run


def recent(session: Session, model: str | None = None, limit: int = 30) -> list[SimulationRun]:
    query = select(SimulationRun).order_by(SimulationRun.id.desc()).limit(limit)
    if model:
        query = query.where(SimulationRun.model == model)
    return list(session.scalars(query))


def record_progress(session: Session, run_id: int, progress: float) -> None:
    run = get(session, run_id)
    run.status, run.progress = "running", round(progress, 3)


def record_result(session: Session, run_id: int, result: dict | None, error: str | None = None) -> None:
    run = get(session, run_id)
    run.status = "failed" if error else "done"
    run.progress = 1.0 if not error else run.progress
    run.result, run.error, run.finished_at = result, error, utcnow()



def choices(session: Session) -> dict:
    """What the page offers: each process's versions, the processes with a draft, the groups and their people."""
    versions: dict[str, list[int]] = {}
    for model, number in session.execute(select(ProcessVersion.model, ProcessVersion.number)
                                         .order_by(ProcessVersion.model, ProcessVersion.number)):
        versions.setdefault(model, []).append(number)
    members = dict(session.execute(select(Group.name, func.count(group_membership.c.user_id))
                                   .join(group_membership, group_membership.c.group_id == Group.id)
                                   .group_by(Group.name)).all())
    groups = [(g, max(1, int(members.get(g.name, 0)))) for g in session.scalars(
        select(Group).where(Group.retired_at.is_(None)).order_by(Group.name))]
    return {"versions": versions, "drafts": set(session.scalars(select(ProcessDraft.model))), "groups": groups}


def scenario_diagram(session: Session, run: SimulationRun, index: int) -> str | None:
    """The BPMN text of the diagram scenario ``index`` of a finished run ran on."""
    scenarios = (run.result or {}).get("scenarios") or []
    if not 0 <= index < len(scenarios):
        return None
    scenario = scenarios[index]
    if scenario.get("diagram"):
        return scenario["diagram"]
    version = session.get(ProcessVersion, scenario.get("spec_key") or 0)
    return diagram_of(version.files, version.model) if version is not None else None
