"""The in-memory reference of the bench: the building permit's simple path in SpiffWorkflow alone.

Shared data (the application, the steps) and the fake host live here; bench/run.py
reports them next to the service layer (line 1, and with bench/floor.py line 1b).
"""
from __future__ import annotations

import copy
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState

from app.clock import clock, utcnow
from app.config import Settings
from app.engine.runtime import HostScriptEngine
from app.engine.script_pool import ScriptPool
from bench import floor
from handlers import REGISTRY
from handlers.registry import HandlerContext

ROOT = Path(__file__).resolve().parent.parent
PROCESSES = ROOT / "processes"
PROCESS = "building_permit"

APPLICATION = {
    "applicant_name": "Anna Andersson",
    "applicant_email": "anna@example.se",
    "property_designation": "Gamla staden 1:23",
    "measure": "plank",
    "description": "Plank 1,8 m mot gatan",
    "in_detailed_plan": True,
    "deviates_from_plan": False,
    "height_m": None,
    "area_m2": None,
    "inside_built_up_area": None,
}
TRIAGE = {"case_type": "bygglov", "track": "simple", "neighbours_required": False, "referrals": [],
          "complete": True}
DECISION = {"outcome": "granted", "decision_text": "Bygglov beviljas."}
STEPS = [("triage", TRIAGE), ("coordinator_decision", DECISION)]


# --------------------------------------------------------------------------- in memory


def _local_today() -> date:
    return utcnow().astimezone(ZoneInfo(Settings.__dataclass_fields__["timezone"].default)).date()


@dataclass
class MemoryHost:
    counter: int = 0
    notifications: list = field(default_factory=list)
    events: list = field(default_factory=list)

    def next_number(self, series: str, year: int) -> int:
        self.counter += 1
        return self.counter

    def notify(self, notification) -> None:
        self.notifications.append(notification)

    def record_event(self, kind: str, data) -> None:
        self.events.append((kind, dict(data)))

    def has_event(self, kind: str) -> bool:
        return any(k == kind for k, _ in self.events)

    def statutory_clock(self, case_type=None) -> dict:
        due = (utcnow() + timedelta(weeks=10)).date().isoformat()
        return {"statutory_due": due, "statutory_start": utcnow().date().isoformat(), "statutory_weeks": 10}

    def extend_deadline(self, reason: str) -> dict:
        return self.statutory_clock()

    def publish_notice(self, kind: str, title: str, text: str, until: str) -> dict:
        return {"notice_id": 0, "channel": "anslagstavla", "posted_on": until, "until": until}

    def send_letter(self, kind: str, values, recipient=None) -> dict:
        self.notifications.append((kind, dict(values)))
        return {"document_id": len(self.notifications), "kind": kind, "language": "sv"}

    served_on: date | None = None

    def serve(self, document_id: int) -> dict:
        self.served_on = _local_today()  # served the day of the decision (and published that day)
        return {"party_id": 1, "email": None}

    def appeal_period(self, decision) -> dict:
        last_day = self.served_on + timedelta(weeks=4)
        force = last_day + timedelta(days=1)
        # the local day, as the real host counts it: the timer wakes at 00:00 in Stockholm, 23:00 UTC
        return {"state": "legal_force" if _local_today() >= force else "running",
                "decided_on": self.served_on.isoformat(), "published_on": self.served_on.isoformat(),
                "appeal_last_day": last_day.isoformat(), "legal_force_on": force.isoformat(),
                "parties": [{"name": "Anna", "served_on": self.served_on.isoformat()}], "appeals": []}


def _context_for(host: MemoryHost, case_id: int):
    settings = Settings.__dataclass_fields__
    tz = settings["timezone"].default
    prefix = "BYGG"  # the building-permit process's reference prefix

    def context_for(step) -> HandlerContext:
        return HandlerContext(case_id=case_id, reference=None, element_id=step.element_id, now=utcnow(),
                              data=copy.deepcopy(dict(step.data)),
                              settings={"timezone": tz, "reference_prefix": prefix}, host=host)

    return context_for


def memory_case(spec, subprocesses, host: MemoryHost, case_id: int, scripts: ScriptPool,
                environment=None, roundtrip=None) -> bool:
    """One case to the end in SpiffWorkflow only; True if it completed granted.

    ``roundtrip`` (bench/floor.py) saves and loads the workflow after each transaction's engine work.
    """
    engine = HostScriptEngine(REGISTRY, _context_for(host, case_id), scripts)
    if environment is not None:
        engine.environment = environment
    saved = roundtrip or (lambda wf: wf)
    wf = BpmnWorkflow(spec, subprocesses, script_engine=engine)
    wf.task_tree.data.update(APPLICATION)
    wf.do_engine_steps()
    wf = saved(wf)
    for element, data in STEPS:
        ready = [t for t in wf.get_tasks(state=TaskState.READY, manual=True) if t.task_spec.bpmn_id == element]
        if len(ready) != 1:
            return False
        task = ready[0]
        task.set_data(**copy.deepcopy(data))
        task.run()
        wf.do_engine_steps()
        wf = saved(wf)
    # the decision waits out the appeal period; then the case gains legal force and closes
    waiting = wf.get_tasks(state=TaskState.WAITING)[0]
    decision = waiting.data["decision"]
    clock.set(datetime.fromisoformat(waiting.data["appeal_check"]["wake_at"]) + timedelta(seconds=1))
    try:
        wf.refresh_timers()
        wf.do_engine_steps()
        wf = saved(wf)
    finally:
        clock.reset()
    return wf.is_completed() and decision.get("outcome") == "granted"


def run_memory(n: int, bundle, scripts: ScriptPool, environment=None, json_floor: bool = False) -> tuple[float, int]:
    spec, subprocesses = bundle.specs[PROCESS]
    host = MemoryHost()
    roundtrip = floor.roundtrip_for(spec, subprocesses) if json_floor else None
    failed = 0
    start = time.perf_counter()
    for i in range(n):
        if not memory_case(spec, subprocesses, host, i + 1, scripts, environment, roundtrip):
            failed += 1
    return time.perf_counter() - start, failed
