"""``lotsen simulate``: what-if runs of a process through the real engine, from the command line."""
from __future__ import annotations

import json
import os
import sys

import click


def _staff(values: tuple[str, ...], option: str) -> dict[str, int]:
    staff = {}
    for value in values:
        group, _, number = value.partition("=")
        if not group or not number.isdigit():
            raise click.BadParameter(f"{value!r}: write GROUP=PEOPLE, e.g. officer=5", param_hint=option)
        staff[group.strip()] = int(number)
    return staff


@click.command("simulate")
@click.option("--process", required=True, help="the process model, e.g. building_permit")
@click.option("--cases", type=int, required=True, help="applications per run")
@click.option("--version", type=int, default=None, help="the deployed version (default: the latest)")
@click.option("--compare-version", type=int, default=None, help="a second version to compare with")
@click.option("--staff", multiple=True, help="GROUP=PEOPLE (repeat), e.g. --staff coordinator=2 --staff officer=5")
@click.option("--compare-staff", multiple=True, help="GROUP=PEOPLE for the second scenario (a staffing plan)")
@click.option("--draft", is_flag=True, help="simulate the studio's draft instead of a version")
@click.option("--compare-draft", is_flag=True, help="compare with the studio's draft")
@click.option("--runs", type=int, default=1, help="seeded runs per scenario (the spread gives the uncertainty)")
@click.option("--seed", type=int, default=1, help="seed of the first run; run i uses seed + i")
@click.option("--per-year", type=float, default=None, help="applications a year instead of last year's arrivals")
@click.option("--no-history", is_flag=True, help="defaults and uniform answers instead of last year's history")
@click.option("--calibrate", is_flag=True, help="replay last year's applications on the version they ran and "
              "compare with last year's measured median")
@click.option("--workers", type=int, default=None, help="processes to run on (default: up to 2)")
@click.option("--save", is_flag=True, help="keep the result so the studio can show it")
@click.option("--json", "as_json", is_flag=True, help="print the whole result as JSON")
def simulate(process, cases, version, compare_version, staff, compare_staff, draft, compare_draft, runs, seed,
             per_year, no_history, calibrate, workers, save, as_json) -> None:
    """Simulate CASES applications through PROCESS and print each scenario's statutory days and share
    within 10 weeks (median over runs with a 95 % interval)."""
    from app.cli_common import domain_errors as _domain_errors
    from app.cli_common import runtime as _runtime
    from app.services import simulation
    from app.simulation.execute import run_plan

    base = _staff(staff, "--staff")
    variants = [simulation.Variant(version=version, draft=draft, staff=base)]
    if compare_version is not None or compare_staff or compare_draft:
        variants.append(simulation.Variant(version=compare_version if compare_version is not None else version,
                                           draft=compare_draft, staff={**base, **_staff(compare_staff,
                                                                                         "--compare-staff")}))
    request = simulation.Request(process=process, cases=cases, runs=runs, seed=seed, variants=variants,
                                 per_year=per_year, use_history=not no_history, calibrate=calibrate,
                                 title="lotsen simulate")
    rt = _runtime()
    try:
        with _domain_errors(), rt.db.unit_of_work(write=False) as session:
            plan = simulation.plan_for(session, request)
        result = run_plan(plan, workers=workers or min(2, os.cpu_count() or 1), progress=_bar())
        if save:
            with rt.db.unit_of_work() as session:
                run = simulation.create(session, actor=None, request=request)
                simulation.record_result(session, run.id, result)
                result["saved_as"] = run.id
    finally:
        rt.close()
    click.echo(json.dumps(result, indent=1, ensure_ascii=False) if as_json else _table(result))


def _bar():
    from tqdm import tqdm

    bar = tqdm(total=100, unit="%", file=sys.stderr, disable=None, desc="simulating", leave=False)

    def progress(fraction: float) -> None:
        bar.update(int(fraction * 100) - bar.n)
        if fraction >= 1:
            bar.close()

    return progress


MINUS = "\u2212"
REASONS = {"refused": "the step refused the simulated answers however they were given",
           "failed": "the step failed (a handler, a script or an expression)",
           "unexpected": "the case was not waiting for what the simulation did next"}


def _num(value: float, signed: bool = False) -> str:
    """One decimal, a true minus sign, a plus sign for a difference above zero."""
    text = f"{abs(value):,.1f}"
    if text.strip("0.,") == "":
        return text
    return MINUS + text if value < 0 else ("+" + text if signed else text)


def _fmt(metric: dict, scale: float = 1.0, unit: str = "", signed: bool = False) -> str:
    """Mean with its 95 % interval: "−12.6 points (−14.7 to −10.4)"."""
    if metric["mean"] is None:
        return "–"
    text = f"{_num(metric['mean'] * scale, signed)}{unit}"
    if metric["low"] is not None:
        text += f" ({_num(metric['low'] * scale, signed)} to {_num(metric['high'] * scale, signed)})"
    return text


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}" + ("" if n == 1 else "s")


def _failures(failures: list[dict]) -> str:
    """How many cases could not be simulated, where the most of them stopped and why (the details: --json)."""
    count, first = sum(f["count"] for f in failures), failures[0]
    where = f" at the step “{first['step']}”" if first.get("step") else ""
    reason = REASONS.get(first.get("reason") or "failed", REASONS["failed"])
    stopped = "it stopped" if count == 1 else "most of them stopped"
    return f"  {_plural(count, 'case')} could not be simulated to a decision: {stopped}{where}: {reason}"


def _table(result: dict) -> str:
    lines = [f"{result['process']}: {_plural(result['cases'], 'case')} per run, {_plural(result['runs'], 'run')} "
             f"from seed {result['seed']}; inputs: " + ", ".join(f"{k} {v}" for k, v in result["inputs"].items()),
             f"{'scenario':<10}{'staff':<34}{'statutory days, median':<26}{'p90':<22}{'within 10 weeks':<22}"]
    for s in result["scenarios"]:
        staff = ", ".join(f"{g}={v['people']}" for g, v in s["staff"].items() if g in ("coordinator", "officer"))
        m = s["metrics"]
        lines.append(f"{s['name'] + ' ' + s['label']:<10}{staff:<34}{_fmt(m['statutory_days_median']):<26}"
                     f"{_fmt(m['statutory_days_p90']):<22}{_fmt(m['within_10_weeks_share'], 100, ' %'):<22}")
        if s["failures"]:
            lines.append(_failures(s["failures"]))
    if "difference" in result:
        d = result["difference"]
        lines.append(f"B − A: statutory median {_fmt(d['statutory_days_median'], signed=True)} days, within 10 "
                     f"weeks {_fmt(d['within_10_weeks_share'], 100, ' points', signed=True)} (95 % interval over "
                     "paired runs)")
    if result.get("calibration"):
        c = result["calibration"]
        verdict = "within" if c["within"] else "OUTSIDE"
        lines.append(f"calibration: last year measured a median of {c['measured']} statutory days, the simulation "
                     f"gives {c['simulated']} ({c['off']:+} days; {verdict} the tolerance of ±{c['tolerance']})")
    if "saved_as" in result:
        lines.append(f"saved as simulation {result['saved_as']}: /studio/simulations/{result['saved_as']}")
    return "\n".join(lines)
