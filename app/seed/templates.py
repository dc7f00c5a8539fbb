"""Live workflow state for seeded open cases: real cases run through the engine, then cloned.

For every stage an open case can wait at, one real case is submitted and worked (through the same
services a user's clicks go through) until it waits there. A seeded open case at that stage gets a copy of
that case's workflow state in which the task ids are fresh, and the reference and application values are
its own; its open tasks, timers and message subscriptions are copied with the new ids. The clone is as
workable as the original: an officer can open, claim and complete its task, a reply can arrive, a timer can
fire. Dates inside the copied state (a reply-by day, the appeal window) are those of the template run.
"""
from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.clock import utcnow
from app.models import Case, HumanTask, MessageSubscription, TaskCandidateGroup, TaskStatus, Timer, User
from app.services import cases as case_service
from app.services import tasks as task_service

#: Application values of the template runs; a clone gets its case's own values in their place.
MARKERS = {"applicant_name": "SEEDNAME", "applicant_email": "seed.applicant@seed.example",
           "property_designation": "SEEDPROPERTY 1:1", "description": "SEEDDESCRIPTION"}
TEMPLATE_MEASURE = "tillbyggnad"
TRIAGE = {"case_type": "bygglov", "neighbours_required": False, "referrals": [], "complete": True}
REVIEW = {"assessment": "Förenligt med planen.", "referrals": [], "neighbours_required": False}
DECISION = {"outcome": "granted", "decision_text": "Bygglov beviljas."}
#: stage -> the (task, form data) steps that bring a fresh case there.
STAGES: dict[str, list[tuple[str, dict]]] = {
    "triage": [],
    "awaiting_supplement": [("triage", TRIAGE | {"track": "simple", "complete": False,
                                                 "supplement_request": "Situationsplan saknas."})],
    "coordinator_decision": [("triage", TRIAGE | {"track": "simple"})],
    "review": [("triage", TRIAGE | {"track": "standard"})],
    "answer_referral": [("triage", TRIAGE | {"track": "standard"}), ("review", REVIEW | {"referrals": ["miljo"]})],
    "draft_decision": [("triage", TRIAGE | {"track": "standard"}), ("review", REVIEW)],
    "committee_decision": [("triage", TRIAGE | {"track": "committee"}), ("review", REVIEW),
                           ("draft_decision", DECISION)],
    "decided": [("triage", TRIAGE | {"track": "simple"}), ("coordinator_decision", DECISION)],
}


@dataclass
class Template:
    stage: str
    case_id: int
    state: str
    status: object
    facts_json: str
    path: list
    case_type: str | None
    track: str | None
    tasks: list[dict]
    candidates: list[dict]
    timers: list[dict]
    subscriptions: list[dict]
    pattern: re.Pattern
    reference: str


def build(session: Session, *, stage: str, staff: dict[str, User]) -> int:
    """Submit a case and work it to ``stage`` (in the caller's unit of work); its id."""
    data = {**MARKERS, "measure": TEMPLATE_MEASURE, "in_detailed_plan": True, "deviates_from_plan": False}
    case = case_service.submit_case(session, actor=staff["coordinator"], process="building_permit", data=data)
    for element, form in STAGES[stage]:
        if element == "triage" and not form["complete"]:
            form = form | {"reply_by": (utcnow() + timedelta(weeks=3)).date().isoformat()}
        [task] = [t for t in case_service.open_tasks(session, case) if t.element_id == element]
        task_service.complete_now(session, actor=staff[task.group], task_id=task.id, data=form)
    return case.id


def load(session: Session, stage: str, case_id: int) -> Template:
    """What a clone copies from the template case ``case_id``."""
    case = session.get(Case, case_id)
    tasks = list(session.scalars(select(HumanTask).where(HumanTask.case_id == case_id,
                                                         HumanTask.status == TaskStatus.OPEN)))
    ids = [t.id for t in tasks] + _task_ids(case.state)
    values = [case.reference] + [json.dumps(v)[1:-1] for v in MARKERS.values()]
    pattern = re.compile("|".join(re.escape(v) for v in sorted(set(ids) | set(values), key=len, reverse=True)
                                  if v) + r'|"measure": ?"' + TEMPLATE_MEASURE + '"')
    return Template(
        stage=stage, case_id=case_id, state=case.state, status=case.status, facts_json=json.dumps(case.facts),
        path=list(case.path or []), case_type=case.case_type, track=case.track, reference=case.reference,
        tasks=[_columns(t) for t in tasks],
        candidates=[{"task_id": c.task_id, "group": c.group, "position": c.position} for c in session.scalars(
            select(TaskCandidateGroup).where(TaskCandidateGroup.task_id.in_([t.id for t in tasks])))],
        timers=[{"task_id": t.task_id, "element_id": t.element_id, "due_at": t.due_at}
                for t in session.scalars(select(Timer).where(Timer.case_id == case_id))],
        subscriptions=[{"name": m.name, "element_id": m.element_id} for m in session.scalars(
            select(MessageSubscription).where(MessageSubscription.case_id == case_id))],
        pattern=pattern)


UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def _task_ids(state: str) -> list[str]:
    """Every id in the state (tasks, subprocesses): each gets a fresh one in a clone."""
    return sorted(set(UUID.findall(state)))


def _columns(task: HumanTask) -> dict:
    return {"id": task.id, "element_id": task.element_id, "title": task.title, "title_sv": task.title_sv,
            "group": task.group, "form": task.form, "defaults": task.defaults or {}, "due_at": task.due_at}


@dataclass
class Clone:
    state: str
    facts: dict
    tasks: list[dict]
    candidates: list[dict]
    timers: list[dict]
    subscriptions: list[dict]


def clone(t: Template, *, case_id: int, reference: str, application: dict, since) -> Clone:
    """The template's state and open work for another case, with fresh task ids and that case's values."""
    mapping = {old: str(uuid.uuid4()) for old in _task_ids(t.state)}
    mapping.update({row["id"]: mapping.get(row["id"]) or str(uuid.uuid4()) for row in t.tasks})
    mapping[t.reference] = reference
    for key, marker in MARKERS.items():
        mapping[json.dumps(marker)[1:-1]] = json.dumps(application[key])[1:-1]
    measure = f'"measure": "{application["measure"]}"'

    def swap(match: re.Match) -> str:
        found = match.group(0)
        return measure if found.startswith('"measure"') else mapping[found]

    def sub(text: str) -> str:
        return t.pattern.sub(swap, text)

    tasks = [{**row, "id": mapping[row["id"]], "case_id": case_id, "status": TaskStatus.OPEN, "created_at": since,
              "defaults": json.loads(sub(json.dumps(row["defaults"])))} for row in t.tasks]
    return Clone(
        state=sub(t.state), facts=json.loads(sub(t.facts_json)), tasks=tasks,
        candidates=[{**c, "task_id": mapping[c["task_id"]]} for c in t.candidates],
        timers=[{**row, "case_id": case_id, "task_id": mapping.get(row["task_id"], row["task_id"])}
                for row in t.timers],
        subscriptions=[{**row, "case_id": case_id} for row in t.subscriptions])
