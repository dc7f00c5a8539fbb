"""What the deploy gate costs on the reference process (section 9 of ``make bench``).

The gate walks every path of the new version before a deploy (studio, API,
``lotsen processes deploy``; ``make run`` and the test fixtures deploy on every
start, but an unchanged bundle is not walked again). Measured here: one full
walk, uncached, with the forms' database choices (referral departments) filled
in with two departments as a municipality would have them, and the app's own
form rules (``app.services.gate.host_rules``).
"""
from __future__ import annotations

import copy
import statistics
import time

from app.config import Settings
from app.engine import gate
from app.engine.script_pool import ScriptPool
from app.services.gate import host_rules
from handlers import REGISTRY

DEPARTMENTS = [{"const": "miljo", "title": "Environment"}, {"const": "trafik", "title": "Traffic"}]


def _with_choices(forms: dict) -> dict:
    """The forms as users see them: referral choices offer two departments (no case has documents yet)."""
    filled = copy.deepcopy(forms)
    for schema in filled.values():
        for prop in ((schema or {}).get("properties") or {}).values():
            for holder in (prop, prop.get("items")) if isinstance(prop, dict) else ():
                if isinstance(holder, dict) and holder.get("x-options-from") == "referral_departments":
                    holder["oneOf"] = DEPARTMENTS
    return filled


def report(bundle, scripts: ScriptPool, repeats: int) -> list[str]:
    """Lines for the bench report: the gate's wall and processor time, and what it covered."""
    rules = host_rules(Settings(), scripts, _with_choices(bundle.forms))
    walls, cpus, result = [], [], None
    for _ in range(repeats):
        wall, cpu = time.perf_counter(), time.process_time()
        result = gate.check(bundle, REGISTRY, rules)
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    lines = []
    for coverage in result.coverage:
        lines.append(
            f"     {coverage.process + ':':<30}{coverage.paths} paths, {coverage.steps} steps, "
            f"{len(coverage.elements_reached)} of {coverage.elements_total} elements, "
            f"{coverage.branches_total - len(coverage.branches_not_taken)} of {coverage.branches_total} branches"
            f"{'' if coverage.complete else ' (stopped at its limit)'}")
    return [
        "  9. deploy gate on processes/ (uncached; cached re-deploys of the same files skip it):",
        f"     walk:                         {statistics.median(walls) * 1000:7.0f} ms wall, "
        f"{statistics.median(cpus) * 1000:.0f} ms processor (range {min(walls) * 1000:.0f}–{max(walls) * 1000:.0f} ms)",
        f"     verdict:                      {result.verdict}",
        *lines,
    ]
