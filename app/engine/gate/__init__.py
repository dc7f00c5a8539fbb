"""The deploy gate: a new version runs every path before it goes live.

``check`` takes a parsed bundle and returns a ``GateReport``: the problems the
file checks found, what walking each process through the real engine (with
fake handlers and generated form data) found, names no earlier step can have
set, unreachable elements, failing ``spiffworkflow:unitTests``, and warnings
(missing Swedish labels). Nothing here touches the database: the host passes
in how it turns forms and messages into case data, and adds the warnings that
need it (groups without members, see ``empty_groups``).
"""
from __future__ import annotations

import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace

from ..sandbox import ScriptPool
from ..specs import BPMN_NS, ParsedBundle
from ..store import specs_from_json, specs_to_json
from . import checks, unittests
from .report import ERROR, WARNING, Coverage, Finding, GateReport
from .walk import Inputs, Limits, WalkedPath, Walker

__all__ = ["ERROR", "WARNING", "Coverage", "Finding", "GateReport", "HostRules", "Limits", "WalkedPath", "check",
           "empty_groups", "main_processes"]


@dataclass(frozen=True)
class HostRules:
    """How the host turns submissions into case data: the same functions the app runs."""

    start_data: Callable[[Mapping, Mapping], dict]
    task_data: Callable[[Mapping, Mapping], dict]
    defaults: Callable[[Mapping | None, Mapping], dict]
    message_payload: Callable[[str], dict] = field(default=lambda name: {})
    limits: Limits = field(default_factory=Limits)
    #: Where scripts run (the app's script workers); None: a pool of the gate's own.
    scripts: ScriptPool | None = None
    #: The forms as the app shows them (choices filled in from the host's data, ``x-options-from``);
    #: None: the bundle's forms as they are.
    forms: Mapping[str, dict] | None = None


def main_processes(bundle: ParsedBundle) -> list[str]:
    """Executable processes no other process of the bundle calls (the ones cases start in)."""
    called = {el.get("calledElement") for root in bundle.roots.values()
              for el in root.iter(f"{{{BPMN_NS}}}callActivity")}
    return sorted(p for p in bundle.specs if p not in called) or sorted(bundle.specs)


def _located(finding: Finding, lines: Mapping) -> Finding:
    if finding.file or not finding.element or finding.element not in lines:
        return finding
    file, line = lines[finding.element]
    return replace(finding, file=file, line=line)


def _lines_in(bundle: ParsedBundle, process: str) -> Mapping:
    """Where each element is, for findings about ``process``: ids are unique only within one file, so the
    elements of the process's own file come first."""
    file = bundle.element_lines.get(process, (None,))[0]
    root = bundle.roots.get(file) if file else None
    if root is None:
        return bundle.element_lines
    own = {el.get("id"): (file, el.sourceline) for el in root.iter() if isinstance(el.tag, str) and el.get("id")}
    return {**bundle.element_lines, **own}


def _coverage(process: str, specs: list, walker: Walker, limits: Limits) -> Coverage:
    elements = {ts.bpmn_id for s in specs for ts in s.task_specs.values() if getattr(ts, "bpmn_id", None)}
    branches = {(ts.bpmn_id, out.name) for s in specs for ts in s.task_specs.values()
                if getattr(ts, "bpmn_id", None) and len(ts.outputs) > 1 and "Gateway" in type(ts).__name__
                and "Parallel" not in type(ts).__name__ for out in ts.outputs}
    reached = walker.reached & elements
    return Coverage(
        process=process, paths=len(walker.paths), completed_paths=sum(p.end == "completed" for p in walker.paths),
        steps=walker.steps, elements_total=len(elements), elements_reached=sorted(reached),
        not_reached=sorted(elements - reached), branches_total=len(branches),
        branches_not_taken=[{"gateway": g, "to": _element_of(out)} for g, out in sorted(branches - walker.taken)],
        complete=walker.stopped_by is None, stopped_by=walker.stopped_by,
        limits={"max_paths": limits.max_paths, "max_steps": limits.max_steps, "loop_unroll": limits.loop_unroll})


def _partial(c: Coverage) -> Finding:
    limit = c.limits["max_paths"] if c.stopped_by == "paths" else c.limits["max_steps"]
    missing = f"; not reached: {', '.join(c.not_reached[:12])}{' …' if len(c.not_reached) > 12 else ''}" \
        if c.not_reached else "; every element was reached, but not every combination"
    return Finding(f"{c.process} is too large to walk every path: the walk stopped at its limit of {limit} "
                   f"{'paths' if c.stopped_by == 'paths' else 'steps'} after {c.paths} paths, reaching "
                   f"{len(c.elements_reached)} of {c.elements_total} elements{missing}",
                   severity=WARNING, kind="coverage",
                   args={"process": c.process, "limit": limit, "stopped_by": c.stopped_by, "paths": c.paths,
                         "reached": len(c.elements_reached), "total": c.elements_total,
                         "not_reached": c.not_reached})


def _element_of(spec_name: str) -> str:
    """The element a spec name stands for ("review.BoundaryEventSplit" is the task "review")."""
    return spec_name.split(".BoundaryEventSplit")[0]


def check(bundle: ParsedBundle, operations: Mapping, host: HostRules,
          walked: dict[str, list[WalkedPath]] | None = None) -> GateReport:
    """Everything the gate finds in ``bundle``; ``walked`` (if given) receives each process's paths."""
    started = time.perf_counter()
    report = GateReport()
    report.errors += [Finding(p.message, p.element, p.file, p.line, kind="check") for p in bundle.problems]
    report.warnings += [Finding(w.message, w.element, w.file, w.line, severity=WARNING, kind="check")
                        for w in bundle.warnings]
    all_specs = []
    for process in main_processes(bundle):
        spec, subprocesses = specs_from_json(specs_to_json(*bundle.specs[process]))  # as stored and run
        specs = [spec, *[s for s in subprocesses.values() if s is not None]]
        all_specs += specs
        inputs = Inputs(forms=host.forms if host.forms is not None else bundle.forms, start_data=host.start_data,
                        task_data=host.task_data, defaults=host.defaults, message_payload=host.message_payload)
        walker = Walker(spec, subprocesses, inputs, operations, limits=host.limits,
                        scripts=host.scripts).walk()
        report.errors += [_located(f, _lines_in(bundle, process)) for f in walker.findings.values()]
        coverage = _coverage(process, specs, walker, host.limits)
        report.coverage.append(coverage)
        if not coverage.complete:
            report.warnings.append(_partial(coverage))
        if walked is not None:
            walked[process] = walker.paths
        for s in specs:  # a called process starts with its caller's data: any name may be set
            given = frozenset() if s is spec else frozenset({"*"})
            report.errors += checks.unset_names(s, bundle.forms, _lines_in(bundle, s.name), given)
            report.warnings += checks.missing_swedish(s, bundle.forms, _lines_in(bundle, s.name))
    report.errors += checks.unreachable(bundle.roots, bundle.specs, bundle.element_lines)
    scripts = host.scripts or ScriptPool()
    for s in {s.name: s for s in all_specs}.values():  # a process two others call is tested once
        failures, counts = unittests.run([s], _lines_in(bundle, s.name), scripts)
        report.errors += failures
        report.unit_tests = {k: report.unit_tests.get(k, 0) + v for k, v in counts.items()}
    report.errors = _unique(_merge_paths(report.errors))
    report.warnings = _unique(report.warnings)
    report.seconds = time.perf_counter() - started
    return report


_NAME_ERROR = re.compile(r"NameError: name '([^']+)' is not defined")


def _merge_paths(findings: list[Finding]) -> list[Finding]:
    """A walk's NameError on a name the static check already reports becomes that report's path."""
    static = {(f.element, f.message.split("'")[1]): f for f in findings if f.kind == "names" and "'" in f.message}
    merged, kept = {}, []
    for f in findings:
        match = _NAME_ERROR.search(f.message) if f.kind == "path" else None
        if match and (f.element, match.group(1)) in static:
            merged[(f.element, match.group(1))] = f.path
            continue
        kept.append(f)
    return [replace(f, path=merged[key]) if f.kind == "names" and (key := (f.element, f.message.split("'")[1]))
            in merged else f for f in kept]


def _unique(findings: list[Finding]) -> list[Finding]:
    seen, out = set(), []
    for f in sorted(findings, key=lambda f: (f.file or "", f.line or 0, f.element or "", f.message)):
        key = (f.file, f.element, f.message)
        if key not in seen:
            seen.add(key)
            out.append(f)
    return out


def empty_groups(bundle: ParsedBundle, groups_with_members: frozenset[str],
                 group_for: Callable[[str], str | None] = lambda name: None) -> list[Finding]:
    """Warnings for user tasks offered to a group nobody is in."""
    found = []
    for process in main_processes(bundle):
        spec, subprocesses = bundle.specs[process]
        for s in [spec, *[v for v in subprocesses.values() if v is not None]]:
            found += checks.empty_groups(s, groups_with_members, _lines_in(bundle, s.name), bundle.lane_groups,
                                         group_for)
    return _unique(found)
