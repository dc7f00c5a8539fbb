"""Runs a stored simulation in a process of its own, so the web server stays responsive.

The studio page stores the request (``services.simulation.create``) and calls
``start``; the worker reads it, runs it, writes its progress every few
seconds and finally the result (or what went wrong).
"""
from __future__ import annotations

import logging
import multiprocessing
import time

from app.config import Settings
from app.services.errors import N_, DomainError

log = logging.getLogger(__name__)
UNEXPECTED = N_("the simulation failed unexpectedly; the server log has the details")
#: Seconds between progress writes.
PROGRESS_EVERY_S = 2.0


def start(settings: Settings, run_id: int) -> None:
    """Start the worker for simulation ``run_id`` (returns at once)."""
    process = multiprocessing.get_context("spawn").Process(target=main, args=(settings, run_id),
                                                            name=f"lotsen-simulation-{run_id}")
    process.start()


def main(settings: Settings, run_id: int, workers: int = 1) -> None:
    """Run simulation ``run_id`` to its end and store the result."""
    from app.runtime import build_runtime
    from app.services import simulation
    from app.simulation.execute import run_plan

    rt = build_runtime(settings)
    last = [0.0]

    def progress(fraction: float) -> None:
        if time.monotonic() - last[0] >= PROGRESS_EVERY_S:
            last[0] = time.monotonic()
            with rt.db.unit_of_work() as session:
                simulation.record_progress(session, run_id, fraction)

    try:
        with rt.db.unit_of_work(write=False) as session:
            plan = simulation.plan_for(session, simulation.Request.from_dict(simulation.get(session, run_id).params))
        progress(0.0)
        result = run_plan(plan, workers=workers, progress=progress)
        with rt.db.unit_of_work() as session:
            simulation.record_result(session, run_id, result)
    except Exception as exc:  # the page shows what went wrong instead of waiting forever
        log.exception("simulation %s failed", run_id)
        message = exc.message if isinstance(exc, DomainError) else UNEXPECTED
        with rt.db.unit_of_work() as session:
            simulation.record_result(session, run_id, None, error=str(message))
    finally:
        rt.close()
