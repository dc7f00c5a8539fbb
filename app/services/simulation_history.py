"""What last year looked like, as simulation inputs: arrivals, applications, answers, working times, replies.

Only what carries no personal data is read into a simulation: choices,
yes/no, numbers and dates (as days after the task); names, addresses and free
text are replaced ("Simulerad.").
"""
from __future__ import annotations

import random
from collections import Counter, defaultdict
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from app.models import Case, CaseEvent, CaseFigures, HumanTask, ProcessVersion, TaskStatus
from app.simulation import answers
from app.simulation.calendar import WorkCalendar
from app.simulation.model import DEFAULT_CASES_PER_YEAR, DEFAULT_REPLY_SHARE, Inputs, Scenario, weekly_rates

from .clocks import local_today
from .env import get_env
from .forms import normalise
from .insight.stats import percentiles

WINDOW = timedelta(days=365)
#: Fewer arrivals than this in the window: the default yearly volume is used instead.
MIN_ARRIVALS = 52
SAMPLES = 3000
APPLICATIONS = 2000
#: Supplement orders younger than this are left out of the reply share (their reply may still come).
REPLY_CENSOR = timedelta(days=60)


def inputs(session: Session, process: str, scenario: Scenario) -> Inputs:
    """Last year's history of ``process``; each part falls back to its default when there is too little."""
    today = local_today(session)
    zone = ZoneInfo(get_env(session).settings.timezone)
    since = _moment(today - WINDOW, zone)
    rng = random.Random(0)
    result = Inputs(arrivals_per_week=weekly_rates(DEFAULT_CASES_PER_YEAR))
    result.sources = {"arrivals": "default", "mix": "uniform", "durations": "default", "replies": "default"}
    weekly = _arrivals(session, process, today - WINDOW)
    if weekly is not None:
        result.arrivals_per_week, result.sources["arrivals"] = weekly, "history"
    result.applications = _applications(session, process, scenario, since, rng, today)
    result.answers = _answers(session, process, scenario, since, zone)
    if result.applications or result.answers:
        result.sources["mix"] = "history"
    result.work_hours = _work_hours(session, process, since, zone)
    if result.work_hours:
        result.sources["durations"] = "history"
    replies = _replies(session, process, since, zone, today)
    if replies is not None:
        result.reply_days, result.reply_share = replies
        result.sources["replies"] = "history"
    return result


def _moment(day, zone) -> datetime:
    """Midnight at the start of ``day``, local time."""
    return datetime.combine(day, time(0), tzinfo=zone)


def _of_process(query, process: str):
    return (query.join(ProcessVersion, ProcessVersion.id == Case.process_version_id)
            .where(ProcessVersion.model == process))


def _arrivals(session: Session, process: str, since) -> list[float] | None:
    days = list(session.scalars(select(CaseFigures.arrived_on).where(
        CaseFigures.process == process, CaseFigures.arrived_on > since)))
    if len(days) < MIN_ARRIVALS:
        return None
    counts = Counter(d.isocalendar().week for d in days)
    raw = [counts.get(w, 0) for w in range(1, 54)]
    # three-week moving average: one busy week in the history is not a seasonal pattern
    smooth = [(raw[w - 1] + raw[w] + raw[(w + 1) % 53]) / 3 for w in range(53)]
    scale = len(days) / max(1e-9, sum(smooth[:52]))
    return [v * scale for v in smooth]


def _applications(session: Session, process: str, scenario: Scenario, since, rng, today) -> list[dict]:
    schema = scenario.forms.get(scenario.start_form) or {}
    rows = session.scalars(_of_process(select(Case.facts), process).where(Case.created_at >= since)
                           .order_by(Case.id.desc()).limit(APPLICATIONS))
    out = []
    for facts in rows:
        application = anonymised(schema, facts, rng, today)
        if application is not None:
            out.append(application)
    return out


def anonymised(schema: dict, facts: dict | None, rng, today) -> dict | None:
    """An application like ``facts`` with only its choices, numbers and dates kept (the rest invented)."""
    properties = schema.get("properties") or {}
    kept = {name: [value] for name, prop in properties.items()
            if (value := answers.remembered(prop, (facts or {}).get(name), today)) is not None}
    return normalise(schema, answers.generate(schema, {}, kept, rng, today)) if kept else None


def _answers(session: Session, process: str, scenario: Scenario, since, zone) -> dict[str, dict[str, list]]:
    query = _of_process(select(HumanTask.case_id, HumanTask.element_id, HumanTask.form, HumanTask.submitted,
                               HumanTask.completed_at).join(Case, Case.id == HumanTask.case_id), process)
    rows = session.execute(query.where(HumanTask.status == TaskStatus.COMPLETED, HumanTask.completed_at >= since)
                           .order_by(HumanTask.case_id, HumanTask.completed_at))
    visits: Counter = Counter()
    out: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    for case_id, element, form, submitted, completed_at in rows:
        visits[(case_id, element)] += 1
        key = element if visits[(case_id, element)] == 1 else f"{element}#2"
        properties = (scenario.forms.get(form or "") or {}).get("properties") or {}
        day = completed_at.astimezone(zone).date()
        for name, value in (submitted or {}).items():
            kept = answers.remembered(properties.get(name) or {}, value, day)
            if kept is not None and len(out[key][name]) < SAMPLES:
                out[key][name].append(kept)
    return {k: dict(v) for k, v in out.items()}


def _work_hours(session: Session, process: str, since, zone) -> dict[str, list[float]]:
    """Working hours per task from claimed → completed, counted in office hours."""
    if "claimed_at" not in HumanTask.__table__.c:  # tasks record when they were claimed from issue 11 on
        return {}
    calendar = WorkCalendar(zone)
    query = _of_process(select(HumanTask.element_id, HumanTask.claimed_at, HumanTask.completed_at)
                        .join(Case, Case.id == HumanTask.case_id), process)
    out: dict[str, list[float]] = defaultdict(list)
    for element, claimed, completed in session.execute(query.where(
            HumanTask.status == TaskStatus.COMPLETED, HumanTask.completed_at >= since,
            HumanTask.claimed_at.is_not(None)).order_by(HumanTask.completed_at.desc())):
        if len(out[element]) < SAMPLES:
            out[element].append(max(0.05, calendar.work_hours_between(claimed, completed)))
    return dict(out)


def _replies(session: Session, process: str, since, zone, today) -> tuple[list[float], float] | None:
    query = _of_process(select(CaseEvent.case_id, CaseEvent.kind, CaseEvent.at).join(
        Case, Case.id == CaseEvent.case_id), process)
    rows = session.execute(query.where(CaseEvent.at >= since, CaseEvent.kind.in_(
        ("supplement_ordered", "supplement_received"))).order_by(CaseEvent.case_id, CaseEvent.at))
    days, orders, answered, open_order = [], 0, 0, {}
    censor = today - REPLY_CENSOR
    for case_id, kind, at in rows:
        if kind == "supplement_ordered":
            open_order[case_id] = at
            if at.astimezone(zone).date() <= censor:
                orders += 1
        elif case_id in open_order:
            ordered = open_order.pop(case_id)
            days.append((at - ordered).total_seconds() / 86400)
            if ordered.astimezone(zone).date() <= censor:
                answered += 1
    if len(days) < 10:
        return None
    return days[-SAMPLES:], (answered / orders if orders else DEFAULT_REPLY_SHARE)


def last_year(session: Session, process: str) -> tuple[list[tuple], float | None, int | None]:
    """Last year's applications as they arrived ``[(when, facts)]``, their measured median statutory days
    (decided ones, withdrawals left out) and the version most of them ran on."""
    since = local_today(session) - WINDOW
    zone = ZoneInfo(get_env(session).settings.timezone)
    rows = session.execute(_of_process(select(Case.created_at, Case.facts, ProcessVersion.number), process)
                           .where(Case.created_at >= _moment(since, zone)).order_by(Case.created_at)).all()
    version = Counter(number for _, _, number in rows).most_common(1)[0][0] if rows else None
    where = and_(CaseFigures.process == process, CaseFigures.arrived_on >= since,
                 CaseFigures.statutory_days.is_not(None), CaseFigures.outcome != "withdrawn")
    median = percentiles(session, {"days": CaseFigures.statutory_days}, where, (0.5,))["days"][0]
    return [(created, facts) for created, facts, _ in rows], median, version
