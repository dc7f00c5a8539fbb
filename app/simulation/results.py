"""What a run measured, and the same figures over several seeded runs with their uncertainty."""
from __future__ import annotations

import math
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from app.services.clocks import Clocks
from app.services.insight.stats import interpolate

from .pools import Pool

TEN_WEEKS = 70
#: Two-sided 95 % quantiles of Student's t by degrees of freedom (runs − 1).
T95 = {1: 12.706, 2: 4.303, 3: 3.182, 4: 2.776, 5: 2.571, 6: 2.447, 7: 2.365, 8: 2.306, 9: 2.262, 10: 2.228,
       12: 2.179, 15: 2.131, 20: 2.086, 30: 2.042}
METRICS = ("statutory_days_median", "statutory_days_p90", "within_10_weeks_share", "lead_time_days_median",
           "lead_time_days_p90", "fee_reductions_kronor", "extended_share")


@dataclass
class CaseResult:
    statutory_days: int | None
    lead_days: int
    fee_reduction_kr: int
    extended: bool
    outcome: str | None

    @classmethod
    def of(cls, clock: Clocks, arrived: datetime, decided: datetime, fee: dict, outcome: str | None) -> CaseResult:
        start = clock.statutory_start
        decided_on = clock.decided_on or decided.date()
        return cls(statutory_days=(decided_on - start).days if start else None,
                   lead_days=(decided_on - (clock.arrived_on or arrived.date())).days,
                   fee_reduction_kr=int(fee.get("reduction") or 0), extended=clock.extended, outcome=outcome)


#: Why a simulated case could not go on, by the kind of failure (the page says it in words).
REFUSED, FAILED, UNEXPECTED = "refused", "failed", "unexpected"


def failure_reason(exc: BaseException) -> str:
    """``refused``: a step refused the simulated answers every time they were given again; ``unexpected``: the
    case was not waiting for what the simulation did; ``failed``: a step failed (handler, script, expression)."""
    name = type(exc).__name__
    if name in ("HandlerInputError", "InvalidInput"):
        return REFUSED
    if isinstance(exc, LookupError) or name == "MessageNotExpected":
        return UNEXPECTED
    return FAILED


@dataclass(frozen=True)
class Failure:
    """Where cases of a run stopped: the step (its id, English and Swedish names) and why."""

    element: str | None
    step: str | None
    step_sv: str | None
    reason: str


@dataclass
class RunResult:
    scenario: str
    run: int
    cases: list[CaseResult] = field(default_factory=list)
    failures: Counter = field(default_factory=Counter)
    #: The first technical error text of each failure (for the JSON result and the people who fix the diagram).
    failure_texts: dict = field(default_factory=dict)
    late_replies: int = 0
    #: Tasks answered again because a step after them refused the first answers.
    answered_again: int = 0
    unfinished: int = 0
    end: datetime | None = None
    waits: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    works: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    groups: dict[str, dict] = field(default_factory=dict)
    open_cases: list[tuple[int, int]] = field(default_factory=list)

    def fail(self, failure: Failure, exc: BaseException) -> None:
        self.failures[failure] += 1
        self.failure_texts.setdefault(failure, f"{type(exc).__name__}: {exc}"[:300])

    def task_done(self, element: str, ready: datetime, started: datetime, finished: datetime) -> None:
        self.waits[element].append((started - ready).total_seconds() / 3600)
        self.works[element].append((finished - started).total_seconds() / 3600)

    def add_pool(self, pool: Pool, start: datetime) -> None:
        """The group's queue at the start of each week and its utilisation that week."""
        weeks = [w for w, _, _ in pool.samples]
        utilisation = []
        for week in weeks:
            hours = pool.office_hours(start + timedelta(weeks=week))
            utilisation.append(round(min(1.0, pool.busy_hours.get(week, 0.0) / hours), 3) if hours else None)
        self.groups[pool.group] = {"people": pool.staff.people, "hours_per_week": pool.staff.hours_per_week,
                                   "weeks": weeks, "queue": [q for _, q, _ in pool.samples],
                                   "utilisation": utilisation}

    def metrics(self) -> dict[str, float | None]:
        statutory = sorted(c.statutory_days for c in self.cases if c.statutory_days is not None)
        lead = sorted(c.lead_days for c in self.cases)
        return {
            "cases": len(self.cases),
            "statutory_days_median": interpolate(statutory, 0.5),
            "statutory_days_p90": interpolate(statutory, 0.9),
            "within_10_weeks_share": (sum(1 for d in statutory if d <= TEN_WEEKS) / len(statutory)
                                      if statutory else None),
            "lead_time_days_median": interpolate(lead, 0.5),
            "lead_time_days_p90": interpolate(lead, 0.9),
            "fee_reductions_kronor": sum(c.fee_reduction_kr for c in self.cases),
            "extended_share": sum(1 for c in self.cases if c.extended) / len(self.cases) if self.cases else None,
        }

    def heatmap(self) -> dict[str, dict]:
        return {element: {"count": len(waits),
                          "median_wait_hours": round(interpolate(sorted(waits), 0.5), 2),
                          "median_work_hours": round(interpolate(sorted(self.works[element]), 0.5), 2)}
                for element, waits in self.waits.items() if waits}


#: Metrics that are shares: their interval stays within 0–1 (a difference of shares within −1–1).
SHARES = frozenset({"within_10_weeks_share", "extended_share"})


def interval(values: list[float], bounds: tuple[float, float] | None = None) -> dict:
    """Mean over runs with a 95 % interval (Student's t), kept within ``bounds``; no interval from one run."""
    values = [v for v in values if v is not None]
    if not values:
        return {"mean": None, "low": None, "high": None, "runs": []}
    mean = statistics.fmean(values)
    if len(values) < 2:
        return {"mean": round(mean, 4), "low": None, "high": None, "runs": [round(v, 4) for v in values]}
    df = len(values) - 1
    t = T95.get(df) or next((T95[k] for k in sorted(T95) if k >= df), 1.96)
    half = t * statistics.stdev(values) / math.sqrt(len(values))
    low, high = mean - half, mean + half
    if bounds is not None:
        low, high = max(bounds[0], low), min(bounds[1], high)
    return {"mean": round(mean, 4), "low": round(low, 4), "high": round(high, 4),
            "runs": [round(v, 4) for v in values]}


def summarise(runs: list[RunResult]) -> dict:
    """One scenario over its runs: each metric's mean and 95 % interval, heatmap, queues, failures."""
    per_run = [r.metrics() for r in runs]
    heat: dict[str, dict] = {}
    for element in {e for r in runs for e in r.waits}:
        maps = [r.heatmap().get(element) for r in runs]
        maps = [m for m in maps if m]
        heat[element] = {"count": round(statistics.fmean(m["count"] for m in maps)),
                         "median_wait_hours": round(statistics.fmean(m["median_wait_hours"] for m in maps), 2),
                         "median_work_hours": round(statistics.fmean(m["median_work_hours"] for m in maps), 2)}
    failures, texts = Counter(), {}
    for r in runs:
        failures.update(r.failures)
        texts = {**r.failure_texts, **texts}
    return {
        "metrics": {m: interval([p[m] for p in per_run], (0.0, 1.0) if m in SHARES else (0.0, math.inf))
                    for m in METRICS},
        "cases_measured": sum(p["cases"] for p in per_run),
        "unfinished": sum(r.unfinished for r in runs), "late_replies": sum(r.late_replies for r in runs),
        "failures": [{"element": f.element, "step": f.step, "step_sv": f.step_sv, "reason": f.reason,
                      "error": texts.get(f, ""), "count": n} for f, n in failures.most_common(10)],
        "heatmap": heat, "groups": runs[0].groups if runs else {},
        "open_cases": runs[0].open_cases if runs else [],
    }


def difference(a: list[RunResult], b: list[RunResult]) -> dict:
    """B minus A per metric, paired by seed (common random numbers), with a 95 % interval."""
    a_metrics = {r.run: r.metrics() for r in a}
    b_metrics = {r.run: r.metrics() for r in b}
    pairs = sorted(set(a_metrics) & set(b_metrics))
    out = {}
    for m in METRICS:
        diffs = [b_metrics[i][m] - a_metrics[i][m] for i in pairs
                 if a_metrics[i][m] is not None and b_metrics[i][m] is not None]
        out[m] = interval(diffs, (-1.0, 1.0) if m in SHARES else None)
    return out
