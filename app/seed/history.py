"""One seeded case's life, drawn at random from the shapes the domain describes (pure: no database).

The figures come from DOMAIN.md and the insight helper's needs: ≈89 % bygglov measures; 23.6 % of
applications complete on arrival (Umeå), the rest get a supplement order whose reply takes 31 days on
average (a few never come: decided as it stands, or dismissed); complete → decision median ≈ 35 days and
≈ 95 % within the 10 weeks; a few extensions; outcomes granted / refused / dismissed / withdrawn; tasks wait
hours to days and take minutes to hours of work.
"""
from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

#: (measure, case_type, share); bygglov measures add up to 0.89.
MEASURES = [("tillbyggnad", "bygglov", 0.34), ("nybyggnad", "bygglov", 0.25), ("plank", "bygglov", 0.12),
            ("mur", "bygglov", 0.08), ("skylt", "bygglov", 0.10), ("attefall", "anmalan", 0.06),
            ("rivning", "rivningslov", 0.03), ("marklov", "marklov", 0.02)]
COMPLETE_ON_ARRIVAL = 0.236
NEVER_REPLIES = 0.07
WITHDRAWN = 0.03
EXTENDED = 0.03
REFERRAL_GROUPS = ("miljo", "trafik")
STREETS = ("Tallen", "Björken", "Eken", "Lönnen", "Granen", "Aspen", "Rönnen", "Sälgen", "Linden", "Almen")
TOWNS = ("Umeå", "Holmsund", "Sävar", "Hörnefors", "Obbola", "Täfteå")
GIVEN = ("Anna", "Erik", "Maria", "Lars", "Karin", "Johan", "Eva", "Per", "Sara", "Anders", "Lena", "Mikael")
FAMILY = ("Andersson", "Johansson", "Karlsson", "Nilsson", "Eriksson", "Larsson", "Olsson", "Persson", "Berg")


@dataclass
class Task:
    element_id: str
    group: str
    created_at: datetime
    claimed_at: datetime | None = None
    completed_at: datetime | None = None
    submitted: dict | None = None


@dataclass
class Life:
    """What happened to one case, in time order; ``stage`` is where an open case waits now (None: closed)."""

    created_at: datetime
    measure: str
    case_type: str
    track: str
    application: dict
    events: list[tuple[str, datetime, dict]] = field(default_factory=list)
    tasks: list[Task] = field(default_factory=list)
    outcome: str | None = None
    decided_at: datetime | None = None
    closed_at: datetime | None = None
    stage: str | None = None
    stage_since: datetime | None = None


def season(week_start: datetime) -> float:
    """Arrivals relative to an average week: more in spring, few in July and at Christmas."""
    doy = week_start.timetuple().tm_yday
    weight = 1.0 + 0.3 * math.cos(2 * math.pi * (doy - 120) / 365)  # peak around May
    if week_start.month == 7:
        weight *= 0.45
    if (week_start.month == 12 and week_start.day >= 20) or (week_start.month == 1 and week_start.day <= 6):
        weight *= 0.35
    return weight


WEEKDAYS = (22, 43, 63, 82, 97, 99, 100)  # cumulative: Monday busiest, weekends nearly empty
_MEASURE_CHOICES = [(m, t) for m, t, _ in MEASURES]
_MEASURE_CUM = [sum(w for *_, w in MEASURES[:i + 1]) for i in range(len(MEASURES))]


def arrivals(rng: random.Random, n: int, now: datetime, years: float) -> list[datetime]:
    """``n`` arrival times over ``years`` up to ``now``, by seasonal weekly weights, office hours on weekdays."""
    weeks = max(1, int(years * 52.18))
    start = now - timedelta(weeks=weeks)
    starts = [start + timedelta(weeks=i) for i in range(weeks)]
    chosen = rng.choices(starts, weights=[season(s) for s in starts], k=n)
    times = []
    for week in chosen:
        day = rng.choices(range(7), cum_weights=WEEKDAYS)[0]
        at = week + timedelta(days=day, hours=rng.uniform(-2, 8))  # 07:00–17:00 local-ish around the week start
        times.append(min(at, now - timedelta(minutes=1)))
    times.sort()
    return times


def _hours(rng: random.Random, median: float, sigma: float = 0.9) -> timedelta:
    return timedelta(hours=rng.lognormvariate(math.log(median), sigma))


def _work(rng: random.Random, task: Task, at: datetime, wait_h: float, work_min: float, submitted: dict) -> datetime:
    """Claim after a wait, complete after the work; returns the completion time."""
    task.claimed_at = at + _hours(rng, wait_h)
    task.completed_at = task.claimed_at + timedelta(minutes=rng.lognormvariate(math.log(work_min), 0.8))
    task.submitted = submitted
    return task.completed_at


def draw(rng: random.Random, created_at: datetime, now: datetime) -> Life:
    measure, case_type = rng.choices(_MEASURE_CHOICES, cum_weights=_MEASURE_CUM)[0]
    track = _track(rng, measure)
    life = Life(created_at, measure, case_type, track, _application(rng, measure))
    life.events.append(("received", created_at, {}))
    _triage(rng, life, created_at)
    if life.outcome is None:
        _to_decision(rng, life)
    _cut_at(life, now)
    return life


def _track(rng: random.Random, measure: str) -> str:
    if measure in ("plank", "mur", "skylt", "attefall"):
        return "simple" if rng.random() < 0.85 else "standard"
    return "committee" if rng.random() < 0.15 else "standard"


def _application(rng: random.Random, measure: str) -> dict:
    name = f"{rng.choice(GIVEN)} {rng.choice(FAMILY)}"
    return {"applicant_name": name, "applicant_email": f"{name.lower().replace(' ', '.')}@example.se",
            "property_designation": f"{rng.choice(TOWNS)} {rng.choice(STREETS)} {rng.randint(1, 40)}:"
                                    f"{rng.randint(1, 300)}",
            "measure": measure, "description": "Ansökan (genererad testdata).",
            "in_detailed_plan": rng.random() < 0.8, "deviates_from_plan": rng.random() < 0.08}


def _triage(rng: random.Random, life: Life, at: datetime) -> None:
    triage = Task("triage", "coordinator", at)
    life.tasks.append(triage)
    base = {"case_type": life.case_type, "track": life.track, "neighbours_required": life.track == "committee",
            "referrals": []}
    if rng.random() < COMPLETE_ON_ARRIVAL:
        done = _work(rng, triage, at, 20, 25, base | {"complete": True})
        life.events.append(("complete", done, {}))
        return
    done = _work(rng, triage, at, 30, 30, base | {"complete": False})
    reply_by = done + timedelta(weeks=3)
    life.events.append(("supplement_ordered", done, {"reply_by": reply_by.date().isoformat()}))
    if rng.random() < NEVER_REPLIES:
        if rng.random() < 0.5:
            life.outcome, life.decided_at = "dismissed", reply_by + timedelta(days=1)
            life.events.append(("decided", life.decided_at, {"outcome": "dismissed"}))
        else:
            life.events.append(("decided_as_it_stands", reply_by + timedelta(days=1), {}))
        return
    received = done + timedelta(days=rng.lognormvariate(math.log(24), 0.7))
    life.events.append(("supplement_received", received, {}))
    again = Task("triage", "coordinator", received)
    life.tasks.append(again)
    complete = _work(rng, again, received, 24, 20, base | {"complete": True})
    life.events.append(("complete", complete, {"remedied_on": received.date().isoformat()}))


def _to_decision(rng: random.Random, life: Life) -> None:
    start = life.events[-1][1]
    span = timedelta(days=rng.lognormvariate(math.log(33), 0.45))
    if rng.random() < WITHDRAWN:
        life.outcome, life.closed_at = "withdrawn", start + span * rng.random()
        life.events.append(("withdrawn", life.closed_at, {}))
        return
    if rng.random() < EXTENDED:
        life.events.append(("extended", start + timedelta(days=45), {"weeks": 10, "reason": "Remiss dröjer."}))
        span += timedelta(days=30)
    roll = rng.random()
    life.outcome = "granted" if roll < 0.92 else "refused" if roll < 0.98 else "dismissed"
    steps = _steps(rng, life)
    at = start
    for i, (element, group, submitted) in enumerate(steps):
        task = Task(element, group, at)
        life.tasks.append(task)
        target = start + span * ((i + 1) / len(steps))
        task.claimed_at = at + (target - at) * rng.uniform(0.3, 0.9)
        task.completed_at = max(target, task.claimed_at + timedelta(minutes=5))
        task.submitted = submitted
        at = task.completed_at
    life.decided_at = at
    life.events.append(("decided", at, {"at": at.isoformat(), "outcome": life.outcome}))
    life.closed_at = at + timedelta(weeks=3, days=rng.randint(2, 7))
    life.events.append(("legal_force", life.closed_at, {}))


def _steps(rng: random.Random, life: Life) -> list[tuple[str, str, dict]]:
    decision = {"outcome": life.outcome, "decision_text": "Beslut (genererad testdata)."}
    if life.track == "simple":
        return [("coordinator_decision", "coordinator", decision)]
    referrals = rng.sample(REFERRAL_GROUPS, rng.choice((0, 0, 1, 2)))
    steps = [("review", "officer", {"assessment": "Bedömning.", "referrals": referrals,
                                    "neighbours_required": life.track == "committee"})]
    steps += [("answer_referral", g, {"statement": "Inget att erinra.", "objection": False}) for g in referrals]
    steps.append(("draft_decision", "officer", decision))
    if life.track == "committee":
        steps.append(("committee_decision", "committee", {"outcome": life.outcome, "minutes_reference": "§ 1"}))
    return steps


def _cut_at(life: Life, now: datetime) -> None:
    """Keep what happened before ``now``; an unfinished case waits at the stage it had reached."""
    if life.closed_at is not None and life.closed_at <= now:
        return
    life.events = [e for e in life.events if e[1] <= now]
    pending = next((t for t in life.tasks if t.completed_at is None or t.completed_at > now), None)
    life.tasks = [t for t in life.tasks if t.completed_at is not None and t.completed_at <= now]
    last_kind, last_at = life.events[-1][:2]
    if last_kind == "supplement_ordered":
        life.stage, life.stage_since = "awaiting_supplement", last_at
    elif any(kind == "decided" for kind, *_ in life.events):
        life.stage, life.stage_since = "decided", life.decided_at
    elif pending is not None and pending.created_at <= now:
        life.stage, life.stage_since = pending.element_id, pending.created_at
    else:
        life.stage, life.stage_since = ("coordinator_decision" if life.track == "simple" else "review"), last_at
    if life.stage != "decided":
        life.outcome, life.decided_at = None, None
    life.closed_at = None


def utc(dt: datetime) -> datetime:
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)
