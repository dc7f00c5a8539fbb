"""A drawn case life as table rows: case, case events, human tasks, audit events (pure: no database)."""
from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from app.models import CaseFigures, CaseStatus, Outcome, TaskStatus
from app.models.task import NO_DEADLINE, seconds
from app.services import clocks
from app.services.survey import FACTORS, NKI_QUESTIONS
from app.services.insight import figures

from .history import Life

#: element -> (English title, Swedish title, form file)
TITLES = {
    "triage": ("Triage application", "Granska ansökan", "triage.json"),
    "coordinator_decision": ("Decide on delegation", "Besluta på delegation", "coordinator_decision.json"),
    "review": ("Review application", "Handlägg ärendet", "review.json"),
    "answer_referral": ("Answer referral", "Besvara remiss", "referral.json"),
    "draft_decision": ("Draft decision", "Skriv beslutsförslag", "draft_decision.json"),
    "committee_decision": ("Record committee decision", "Registrera nämndens beslut", "committee_decision.json"),
}
#: measure -> a plausible full fee in kronor (the reduction is fifths of it).
FEES = {"nybyggnad": 38000, "tillbyggnad": 16000, "plank": 6500, "mur": 6500, "skylt": 4800, "attefall": 5200,
        "rivning": 7400, "marklov": 9800}
#: Of the applicants invited to the survey: the share who answer, and who decline (not verified: SKR's
#: Insikt reports answer rates of roughly a quarter to a third for building permits).
SURVEY_ANSWERED, SURVEY_DECLINED = 0.3, 0.03
#: Mean days from the invitation to an answer (or a refusal).
SURVEY_ANSWER_DAYS = 4.0
#: A closed case's workflow state is never loaded again; its history is in the case events and audit trail.
COMPACTED = json.dumps({"compacted": True, "note": "closed seeded case; history in case events and audit trail"})


@dataclass
class Rows:
    """The rows of one batch, the cases' rows in order (their ids come back from the insert)."""

    cases: list[dict] = field(default_factory=list)
    #: per case: its events, tasks, candidate groups, timers, subscriptions, audit events (lists of dicts)
    children: list[dict] = field(default_factory=list)


@dataclass(frozen=True)
class Context:
    version_id: int
    tz: ZoneInfo
    today: date
    service_goals: dict
    default_goal_days: int
    staff: dict  # group -> list of (user id, username)
    has_claimed_at: bool
    prefix: str  # the process's reference prefix (BYGG)
    version_number: int
    survey_scale_max: int = 10
    survey_valid_days: int = 30


def case_row(ctx: Context, life: Life, reference: str, rng) -> tuple[dict, clocks.Clocks]:
    events = [clocks.Event(kind, at, data) for kind, at, data in life.events]
    c = clocks.compute(events, case_type=life.case_type, measure=life.measure, today=ctx.today, tz=ctx.tz,
                       service_goals=ctx.service_goals, default_goal_days=ctx.default_goal_days)
    facts = {**life.application, "case_type": life.case_type, "track": life.track,
             "registration": {"reference": reference}}
    if life.outcome and life.outcome != "withdrawn":
        full = FEES[life.measure]
        fifths = c.fee_reduction_fifths or 0
        facts["decision"] = {"outcome": life.outcome, "decided_at": life.decided_at.isoformat()}
        facts["fee"] = {"total": full - full * fifths // 5, "full": full, "reduction": full * fifths // 5,
                        "reduction_fifths": fifths}
    closed = life.stage is None
    status = (CaseStatus.WITHDRAWN if life.outcome == "withdrawn" else CaseStatus.CLOSED) if closed else None
    last = life.closed_at or (life.events[-1][1] if life.events else life.created_at)
    row = {"reference": reference, "process_version_id": ctx.version_id, "state": COMPACTED, "version": 1,
           "status": status, "outcome": Outcome(life.outcome) if life.outcome else None, "applicant_id": None,
           "applicant_name": life.application["applicant_name"],
           "applicant_email": life.application["applicant_email"], "language": "sv",
           "property_designation": life.application["property_designation"], "measure": life.measure,
           "case_type": life.case_type, "track": life.track, "facts": facts,
           "path": [_step(t) for t in life.tasks], "statutory_due": c.statutory_due,
           "service_goal_due": c.service_goal_due, "deadline_extended": c.extended,
           "fee_reduction_fifths": c.fee_reduction_fifths, "created_at": life.created_at, "updated_at": last,
           "completed_at": life.closed_at if closed else None}
    return row, c


def _step(task) -> dict:
    """A completed task's step of the case's path, as the engine records one (``ProcessEngine.path``)."""
    title, title_sv, _form = TITLES[task.element_id]
    return {"element": task.element_id, "name": title, **({"name_sv": title_sv} if title_sv else {}),
            "type": "User Task", "at": task.completed_at.isoformat(), "task": str(uuid.uuid4())}


def task_rows(ctx: Context, life: Life, case_id: int, reference: str, rng) -> tuple[list[dict], list[dict]]:
    """Completed human tasks and their audit events."""
    tasks, audit = [], []
    for task in life.tasks:
        user_id, username = rng.choice(ctx.staff[task.group])
        title, title_sv, form = TITLES[task.element_id]
        row = {"id": str(uuid.uuid4()), "case_id": case_id, "element_id": task.element_id, "title": title,
               "title_sv": title_sv, "group": task.group, "form": form, "status": TaskStatus.COMPLETED,
               "assignee_id": user_id, "defaults": {}, "created_at": task.created_at, "due_at": None,
               "completed_at": task.completed_at, "completed_by_id": user_id, "submitted": task.submitted,
               "sort_due": NO_DEADLINE}
        if ctx.has_claimed_at:
            row["claimed_at"] = task.claimed_at
            # as the model stamps a task completed after a claim (``models.task._time_completed_tasks``)
            row.update(process_version_id=ctx.version_id, wait_seconds=seconds(task.created_at, task.claimed_at),
                       work_seconds=seconds(task.claimed_at, task.completed_at))
        tasks.append(row)
        audit.append(event(task.completed_at, username, "task.completed", case_id, task.element_id,
                           {"task": row["id"], "title": title, "after": task.submitted}))
    return tasks, audit


def event(at: datetime, actor: str, action: str, case_id: int, element_id: str | None, details: dict) -> dict:
    return {"at": at, "actor": actor, "action": action, "case_id": case_id, "element_id": element_id,
            "details": details}



def figures_row(ctx: Context, case: dict, clock: clocks.Clocks) -> dict:
    """Insight's per-case figures (``case_figures``) from the clocks already computed for the case row, filled
    the way ``insight.figures.project`` fills them for a live case."""
    row = CaseFigures(case_id=case["id"], process="building_permit", version=ctx.version_number,
                      case_type=case["case_type"], track=case["track"], measure=case["measure"],
                      outcome=case["outcome"].value if case["outcome"] else None,
                      status=case["status"].value if case["status"] else None,
                      closed_on=case["completed_at"].astimezone(ctx.tz).date() if case["completed_at"] else None)
    figures._fill(row, clock, (case["facts"] or {}).get("fee") if clock.decided_on else None)
    return {column.key: getattr(row, column.key) for column in CaseFigures.__table__.columns}


def survey_rows(ctx: Context, case: dict, now: datetime, rng) -> tuple[dict | None, dict | None]:
    """A closed case's survey invitation (within a day of closing, as the scheduler sends it) and its answer
    (``SURVEY_ANSWERED`` of them): (None, None) for a case not invited (open, or no e-mail address).

    The invitation holds a random hash whose link was never made: it cannot be opened. The scores hang around
    one satisfaction per applicant, each question a little off it; a factor is sometimes "cannot say"."""
    closed = case["completed_at"]
    if closed is None or not case["applicant_email"] or case["outcome"] is None:
        return None, None
    created = closed + timedelta(hours=rng.uniform(1, 24))
    if created >= now:
        return None, None
    valid = timedelta(days=ctx.survey_valid_days)
    invitation = {"case_id": case["id"], "secret_hash": f"{rng.getrandbits(256):064x}", "language": "sv",
                  "created_at": created, "expires_at": created + valid, "reminders_sent": 0, "last_sent_at": created,
                  "answered_at": None, "declined_at": None}
    draw = rng.random()
    if draw >= SURVEY_ANSWERED + SURVEY_DECLINED:
        return invitation, None
    at = created + min(timedelta(days=rng.expovariate(1 / SURVEY_ANSWER_DAYS)), valid - timedelta(hours=1))
    if at >= now:
        return invitation, None
    if draw >= SURVEY_ANSWERED:
        invitation["declined_at"] = at
        return invitation, None
    invitation["answered_at"] = at
    top = ctx.survey_scale_max
    level = rng.gauss(0.68 * top, 0.2 * top)

    def score(may_skip: bool):
        if may_skip and rng.random() < 0.06:
            return None
        return max(1, min(top, round(level + rng.gauss(0, 0.08 * top))))

    scores = {q: score(False) for q in NKI_QUESTIONS} | {f: score(True) for f in FACTORS}
    return invitation, {"answered_at": at, "scale_max": top, "scores": scores, "comment": None}
