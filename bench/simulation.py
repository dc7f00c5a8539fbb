"""Simulated cases per second: the what-if simulation through the real engine, on one process.

A scratch SQLite database gets the reference processes and the standard
groups; the plan is read from it once, then ``cases`` applications run
through ``building_permit`` with defaults and every allowed answer alike, at
a national rate (100,000 applications a year). The line says how long a
national year would take on two processes (runs are independent, so two
processes do two runs at a time).
"""
from __future__ import annotations

import tempfile
import time
from pathlib import Path

NATIONAL_YEAR = 100_000


def report(cases: int, processes_dir: Path) -> tuple[list[str], int]:
    """The bench lines and the number of simulated cases that failed or were left unfinished."""
    from app.config import Settings
    from app.models import Base
    from app.runtime import build_runtime
    from app.services import groups as group_service
    from app.services import simulation
    from app.services.processes import deploy_directory
    from app.simulation.execute import run_plan

    with tempfile.TemporaryDirectory(prefix="lotsen-sim-bench-") as tmp:
        rt = build_runtime(Settings.from_env({"database_url": f"sqlite:///{tmp}/sim.sqlite3", "instance_dir": tmp,
                                              "processes_dir": str(processes_dir)}))
        try:
            Base.metadata.create_all(rt.db.write_engine)
            with rt.db.unit_of_work() as session:
                group_service.ensure_demo(session)
                deploy_directory(session, processes_dir, message="bench")
            request = simulation.Request(process="building_permit", cases=cases, per_year=NATIONAL_YEAR,
                                         use_history=False, variants=[simulation.Variant(
                                             staff={"coordinator": 40, "officer": 120, "committee": 20})])
            with rt.db.unit_of_work(write=False) as session:
                plan = simulation.plan_for(session, request)
        finally:
            rt.close()
    started = time.perf_counter()
    result = run_plan(plan, workers=1)
    elapsed = time.perf_counter() - started
    scenario = result["scenarios"][0]
    bad = scenario["unfinished"] + sum(f["count"] for f in scenario["failures"])
    rate = cases / elapsed
    year_min = NATIONAL_YEAR / (2 * rate) / 60
    goal = "meets" if year_min < 10 else "misses"
    return [f"  5. simulation, one process:   {rate:8.1f} simulated cases/s   [{cases} cases, real engine]",
            f"     a national year ({NATIONAL_YEAR:,} cases) on 2 processes: ~{year_min:.0f} min "
            f"({goal} the goal of 10 min)"], bad
