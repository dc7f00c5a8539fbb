"""Run every (scenario, seed) of a plan, on one or more processes, and put the results together."""
from __future__ import annotations

import multiprocessing
import queue
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait

from .model import CALIBRATION_MIN_DAYS, CALIBRATION_SHARE, Plan
from .results import RunResult, difference, summarise
from .run import simulate

Progress = Callable[[float], None]


def _jobs(plan: Plan) -> list[tuple[int, int]]:
    return [(s, r) for r in range(plan.runs) for s in range(len(plan.scenarios))]


def _in_worker(plan: Plan, scenario_index: int, run: int, updates) -> RunResult:
    def progress(fraction: float) -> None:
        updates.put((scenario_index, run, fraction))

    return simulate(plan, plan.scenarios[scenario_index], run, progress)


def run_plan(plan: Plan, *, workers: int = 1, progress: Progress | None = None) -> dict:
    """Every run of every scenario; the result is JSON-able (see ``report``)."""
    jobs = _jobs(plan)
    done: dict[tuple[int, int], float] = {job: 0.0 for job in jobs}

    def report_progress() -> None:
        if progress is not None:
            progress(sum(done.values()) / len(done))

    results: dict[tuple[int, int], RunResult] = {}
    if workers <= 1 or len(jobs) == 1:
        for s, r in jobs:
            def one(fraction: float, key=(s, r)) -> None:
                done[key] = fraction
                report_progress()

            results[(s, r)] = simulate(plan, plan.scenarios[s], r, one)
            done[(s, r)] = 1.0
            report_progress()
    else:
        context = multiprocessing.get_context("spawn")
        with context.Manager() as manager, ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            updates = manager.Queue()
            futures = {job: pool.submit(_in_worker, plan, job[0], job[1], updates) for job in jobs}
            pending = set(futures.values())
            while pending:  # progress every half second, and at once when a run ends
                pending = wait(pending, timeout=0.5, return_when=FIRST_COMPLETED).not_done
                _drain(updates, done)
                report_progress()
            _drain(updates, done)
            results = {job: f.result() for job, f in futures.items()}
            done.update({job: 1.0 for job in jobs})
            report_progress()
    return report(plan, results)


def _drain(updates, done: dict) -> None:
    while True:
        try:
            s, r, fraction = updates.get_nowait()
        except queue.Empty:
            return
        done[(s, r)] = max(done.get((s, r), 0.0), fraction)


def report(plan: Plan, results: dict[tuple[int, int], RunResult]) -> dict:
    """Each scenario summarised over its runs, and B − A when two are compared."""
    by_scenario = [[results[(s, r)] for r in range(plan.runs)] for s in range(len(plan.scenarios))]
    out = {"process": plan.process, "cases": plan.cases, "runs": plan.runs, "seed": plan.seed,
           "start": plan.start.isoformat(), "inputs": dict(plan.inputs.sources), "scenarios": []}
    for scenario, runs in zip(plan.scenarios, by_scenario, strict=True):
        summary = summarise(runs)
        summary.update({"name": scenario.name, "label": scenario.label, "spec_key": scenario.spec_key,
                        "diagram": scenario.diagram if scenario.spec_key < 0 else None,
                        "staff": {g: {"people": st.people, "hours_per_week": st.hours_per_week}
                                  for g, st in sorted(scenario.staff.items())}})
        out["scenarios"].append(summary)
    if len(by_scenario) == 2:
        out["difference"] = difference(by_scenario[0], by_scenario[1])
    if plan.calibration_target is not None:
        out["calibration"] = calibration(plan.calibration_target,
                                         out["scenarios"][0]["metrics"]["statutory_days_median"]["mean"])
    return out


def calibration(measured: float, simulated: float | None) -> dict:
    """How close last year's applications, simulated, came to last year's measured median statutory days."""
    tolerance = round(max(CALIBRATION_MIN_DAYS, CALIBRATION_SHARE * measured), 1)
    off = None if simulated is None else round(simulated - measured, 1)
    return {"measured": round(measured, 1), "simulated": None if simulated is None else round(simulated, 1),
            "off": off, "tolerance": tolerance, "within": off is not None and abs(off) <= tolerance}
