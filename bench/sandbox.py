"""What isolating scripts costs: one call in-process vs. in a script worker, and a whole case.

Printed by ``make bench`` after the case throughput (section 4):

- per call: a DMN-like cell and the reference process's longest script, each
  run in-process (proven bounded, the path the reference process takes) and
  through a worker (the path of anything not proven bounded);
- a worker's start-up (paid again only after a script passed a limit);
- a whole in-memory case with every script and expression sent to a worker,
  against the same case as it runs (nothing needs a worker), and how many
  calls a case makes.
"""
from __future__ import annotations

import statistics
import time
from collections.abc import Callable

from app.engine.restricted import compile_expression, compile_script
from app.engine.sandbox import RestrictedEnvironment
from app.engine.script_pool import ScriptPool

CELL = '(measure) == ("plank")'
SCRIPT = "suggested_referrals = sorted(set(referral))\ndel referral\nreferrals = []"


class AllInWorker(RestrictedEnvironment):
    """Sends every script and expression to a worker (what the proof of boundedness saves), counting calls."""

    def __init__(self, pool: ScriptPool):
        super().__init__(pool)
        self.calls = 0

    def evaluate(self, expression, context, external_context=None):
        self.calls += 1
        compile_expression(expression.strip())
        return self.pool.evaluate(expression.strip(), context, external_context)

    def execute(self, script, context, external_context=None):
        self.calls += 1
        compile_script(script)
        result = self.pool.execute(script, context, external_context)
        context.clear()
        context.update(result)
        return True


def _per_call_us(fn: Callable[[], object], n: int, repeats: int) -> float:
    fn()  # warm-up (caches, a worker started)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(n):
            fn()
        times.append((time.perf_counter() - start) / n * 1e6)
    return statistics.median(times)


def _start_up_ms(pool: ScriptPool, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        worker = pool._start()
        times.append((time.perf_counter() - start) * 1000)
        worker.kill()
    return statistics.median(times)


def report(data: dict, pool: ScriptPool, whole_case: Callable[[RestrictedEnvironment | None], float],
           cases: int, repeats: int) -> list[str]:
    """Lines for the bench report.

    ``whole_case(env)`` runs ``cases`` in-memory cases (with ``env`` as their
    script environment, or the usual one) and returns the seconds per case.
    """
    here = RestrictedEnvironment(pool)
    context = {**data, "referral": ["miljo", "trafik"]}
    cell_here = _per_call_us(lambda: here.evaluate(CELL, dict(context)), 2000, repeats)
    cell_worker = _per_call_us(lambda: pool.evaluate(CELL, context), 300, repeats)
    script_here = _per_call_us(lambda: here.execute(SCRIPT, dict(context), {}), 2000, repeats)
    script_worker = _per_call_us(lambda: pool.execute(SCRIPT, context), 300, repeats)
    start_up = _start_up_ms(pool, repeats)
    all_in_worker = AllInWorker(pool)
    as_it_runs = whole_case(None)
    in_workers = whole_case(all_in_worker)
    calls = all_in_worker.calls / cases
    return [
        "  4. scripts and expressions (median per call; in-process = proven bounded, worker = killable process):",
        f"     DMN cell {CELL}:   in-process {cell_here:7.1f} µs   worker {cell_worker:7.1f} µs",
        f"     3-line script:                in-process {script_here:7.1f} µs   worker {script_worker:7.1f} µs",
        f"     worker start-up:              {start_up:7.1f} ms (again only after a script passed a limit)",
        f"     whole case in memory:         {as_it_runs * 1000:7.2f} ms as it runs (no worker needed),"
        f" {in_workers * 1000:.2f} ms with all {calls:.0f} calls/case in a worker",
    ]
