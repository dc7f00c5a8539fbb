"""Simulated cases per second: ONE what-if run at a national rate, through the real engine.

A scratch SQLite database gets the reference processes and the standard
groups; the plan is read from it once, then ``cases`` applications go through
``building_permit`` at a national rate (100,000 applications a year), with
defaults and every allowed answer alike, in one run: one simulated timeline
where tasks queue for a national office's staff.

The line gives the run's wall-clock rate, its rate per CPU-second (the
steadier figure on a busy machine), and the minutes one run of a national year
(100,000 cases) would take at that wall-clock rate. Run with
``--sim-cases 100000`` (or ``LOTSEN_BENCH_SIM_CASES=100000``) and it is not an
estimate: the whole year is simulated and its wall time printed (about nine
minutes of one core), with the load average over the run, and the line says
whether every case was decided.

A short run flatters the estimate: the engine's work per case grows with the
number of cases open at once (over 10,000 at a national year's spring peak
against at most ``cases`` in a short run). On an idle machine 2,000 cases
estimated 6.8 minutes; the whole year took 8.7.
"""
from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

NATIONAL_YEAR = 100_000
GOAL_MIN = 10
#: A national office staffed for 100,000 applications a year: each group's yearly work at the reference
#: process's default working hours is about 50–65 % of what its people can do (more at the spring peak), so
#: queues come and go as in a real office. An understaffed office never catches up: with 40 coordinators, 120
#: officers and 20 on each board, cases waited a year for triage and for the committee, and 18,466 of 100,000
#: were still open three years after the last arrival. ``tests/test_bench_runs.py`` checks the load.
STAFF = {"coordinator": 140, "officer": 400, "committee": 240, "miljo": 60, "trafik": 20, "va": 20, "kulturmiljo": 20}
#: The most of its working time a group of the national office may need over a year (the check above).
STAFF_LOAD_MAX = 0.8


def _plan(cases: int, processes_dir: Path):
    from app.config import Settings
    from app.models import Base
    from app.runtime import build_runtime
    from app.services import groups as group_service
    from app.services import simulation
    from app.services.processes import deploy_directory

    with tempfile.TemporaryDirectory(prefix="lotsen-sim-bench-") as tmp:
        rt = build_runtime(Settings.from_env({"database_url": f"sqlite:///{tmp}/sim.sqlite3", "instance_dir": tmp,
                                              "processes_dir": str(processes_dir)}))
        try:
            Base.metadata.create_all(rt.db.write_engine)
            with rt.db.unit_of_work() as session:
                group_service.ensure_demo(session)
                deploy_directory(session, processes_dir, message="bench")
            request = simulation.Request(process="building_permit", cases=cases, per_year=NATIONAL_YEAR,
                                         use_history=False, variants=[simulation.Variant(staff=STAFF)])
            with rt.db.unit_of_work(write=False) as session:
                return simulation.plan_for(session, request)
        finally:
            rt.close()


def _left(result: dict) -> tuple[int, int]:
    """(cases left unfinished, cases that failed) over the run's scenarios."""
    unfinished = sum(s["unfinished"] for s in result["scenarios"])
    failed = sum(f["count"] for s in result["scenarios"] for f in s["failures"])
    return unfinished, failed


def _outcome(cases: int, result: dict) -> str:
    """Whether every case was decided; if not, how many were not and at which steps they failed."""
    unfinished, failed = _left(result)
    if not unfinished and not failed:
        return f"     all {cases:,} cases decided"
    steps = "; ".join(f"{f['count']} at {f['step'] or f['element'] or 'an unknown step'}: {f['reason']}"
                      for s in result["scenarios"] for f in s["failures"])
    return (f"     NOT ALL DECIDED: {unfinished:,} cases left unfinished, {failed:,} failed"
            + (f" ({steps})" if steps else ""))


def _load() -> float:
    return os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")


def report(cases: int, processes_dir: Path) -> tuple[list[str], int]:
    """The bench lines and the number of simulated cases that failed or were left unfinished."""
    from app.simulation.execute import run_plan

    plan = _plan(cases, processes_dir)
    load_before = _load()
    started, cpu = time.perf_counter(), time.process_time()
    result = run_plan(plan, workers=1)
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    load = (load_before + _load()) / 2
    rate, per_cpu = cases / wall, cases / cpu
    lines = [f"  7. simulation, one run:       {rate:8.1f} simulated cases/s   ({per_cpu:.1f} per CPU-second)"
             f"   [{cases:,} cases at a national rate, one process, load average {load:.1f}]"]
    if cases >= NATIONAL_YEAR:
        goal = "meets" if wall / 60 < GOAL_MIN else "misses"
        lines.append(f"     a national year in one run: {wall / 60:.1f} min wall, {cpu / 60:.1f} min CPU "
                     f"({goal} the goal of {GOAL_MIN} min)")
    else:
        year = NATIONAL_YEAR / rate / 60
        goal = "meets" if year < GOAL_MIN else "misses"
        lines.append(f"     a national year ({NATIONAL_YEAR:,} cases) in one run: ~{year:.1f} min at this rate "
                     f"({goal} the goal of {GOAL_MIN} min); on a core of its own ~{NATIONAL_YEAR / per_cpu / 60:.1f}"
                     f" min (--sim-cases {NATIONAL_YEAR} runs it)")
    lines.append(_outcome(cases, result))
    return lines, sum(_left(result))


def main() -> int:
    import argparse
    import logging

    from app.config import PROJECT_ROOT

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=int(os.environ.get("LOTSEN_BENCH_SIM_CASES", 2000)),
                        help=f"applications in the run (default 2000; {NATIONAL_YEAR}: a whole national year)")
    args = parser.parse_args()
    logging.getLogger("spiff").setLevel(logging.WARNING)
    lines, bad = report(max(1, args.cases), PROJECT_ROOT / "processes")
    print("\n".join(lines))
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
