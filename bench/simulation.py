"""Simulated cases per second: the what-if simulation through the real engine, on one and on two processes.

A scratch SQLite database gets the reference processes and the standard
groups; the plan is read from it once, then ``cases`` applications per run go
through ``building_permit`` with defaults and every allowed answer alike, at a
national rate (100,000 applications a year).

- one process: one run; wall-clock rate and the rate per CPU-second of the
  process (the steadier figure on a busy machine);
- two processes: two seeded runs at once (``lotsen simulate --runs 2`` does
  the same), timed from start to the last result, process start-up included.

The national-year estimate is 100,000 cases at the two-process rate.
"""
from __future__ import annotations

import dataclasses
import tempfile
import time
from pathlib import Path

NATIONAL_YEAR = 100_000
GOAL_MIN = 10
#: A national office: enough staff that cases do not queue without end at 100,000 a year.
STAFF = {"coordinator": 40, "officer": 120, "committee": 20}


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


def _bad(result: dict) -> int:
    return sum(s["unfinished"] + sum(f["count"] for f in s["failures"]) for s in result["scenarios"])


def report(cases: int, processes_dir: Path) -> tuple[list[str], int]:
    """The bench lines and the number of simulated cases that failed or were left unfinished."""
    from app.simulation.execute import run_plan

    plan = _plan(cases, processes_dir)
    started, cpu = time.perf_counter(), time.process_time()
    one = run_plan(plan, workers=1)
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    started = time.perf_counter()
    two = run_plan(dataclasses.replace(plan, runs=2, seed=plan.seed + 1), workers=2)
    wall_two = time.perf_counter() - started
    rate, per_cpu, rate_two = cases / wall, cases / cpu, 2 * cases / wall_two
    year_min = NATIONAL_YEAR / rate_two / 60
    goal = "meets" if year_min < GOAL_MIN else "misses"
    return [f"  7. simulation, one process:   {rate:8.1f} simulated cases/s   ({per_cpu:.1f} per CPU-second)"
            f"   [{cases} cases, real engine]",
            f"     two processes:             {rate_two:8.1f} simulated cases/s   [2 runs × {cases} cases at once]",
            f"     a national year ({NATIONAL_YEAR:,} cases) on 2 processes: ~{year_min:.1f} min "
            f"({goal} the goal of {GOAL_MIN} min; at one process's rate per CPU-second on two idle cores: "
            f"~{NATIONAL_YEAR / (2 * per_cpu) / 60:.1f} min)"], _bad(one) + _bad(two)
