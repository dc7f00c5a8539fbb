"""The gate's static checks: names no earlier step can have set, unreachable elements, labels, groups."""
from __future__ import annotations

from collections.abc import Callable, Mapping

from lxml import etree

from ..routing import groups_of
from ..specs import BPMN_NS
from .names import ANY, PHASES, element_io
from .report import WARNING, Finding

#: BPMN flow nodes: what a case can pass through.
FLOW_NODES = frozenset({
    "task", "userTask", "manualTask", "serviceTask", "scriptTask", "businessRuleTask", "sendTask", "receiveTask",
    "callActivity", "subProcess", "transaction", "startEvent", "endEvent", "intermediateCatchEvent",
    "intermediateThrowEvent", "boundaryEvent", "exclusiveGateway", "parallelGateway", "inclusiveGateway",
    "eventBasedGateway", "complexGateway"})


def _where(element: str | None, lines: Mapping) -> tuple[str | None, int | None]:
    return lines.get(element, (None, None)) if element else (None, None)


def _name(ts) -> str:
    return ts.bpmn_name or ts.bpmn_id


def _task_args(ts) -> dict:
    """A task as a message names it: its name, and its Swedish title when it has one."""
    props = (getattr(ts, "extensions", None) or {}).get("properties") or {}
    return {"task": _name(ts), "task_sv": props.get("title_sv") or None}


def _set_before(spec, io: dict) -> dict[str, set[str]]:
    """For every task spec, the names some path into it can have set (a fixpoint over the flow)."""
    before: dict[str, set[str]] = {name: set() for name in spec.task_specs}
    changed = True
    while changed:
        changed = False
        for name, ts in spec.task_specs.items():
            incoming: set[str] = set()
            for prev in ts.inputs:
                incoming |= before[prev.name] | io[prev.name].all_sets
            if not incoming <= before[name]:
                before[name] |= incoming
                changed = True
    return before


def unset_names(spec, forms: Mapping[str, dict], lines: Mapping, given: frozenset[str] = frozenset()) -> list[Finding]:
    """Each name an element reads that no step before it, on any path, can have set."""
    io = {name: element_io(ts, forms) for name, ts in spec.task_specs.items()}
    before = _set_before(spec, io)
    findings: dict[tuple[str, str], Finding] = {}
    for name, ts in spec.task_specs.items():
        element = getattr(ts, "bpmn_id", None)
        if not element:
            continue
        available = set(before[name]) | set(given)
        for phase in PHASES:
            for var, where in sorted(io[name].reads[phase].items()):
                if var not in available and ANY not in available and (element, var) not in findings:
                    file, line = _where(element, lines)
                    findings[(element, var)] = Finding(
                        f"{_name(ts)} reads {var!r} ({where}), which no earlier step can have set",
                        element=element, file=file, line=line, kind="names",
                        args={**_task_args(ts), "name": var, "where": where})
            available |= io[name].sets[phase]
    return list(findings.values())


def unreachable(roots: Mapping[str, etree._Element], specs: Mapping, lines: Mapping) -> list[Finding]:
    """Flow nodes of an executable process that no path from its start event reaches."""
    parsed = {getattr(ts, "bpmn_id", None) for spec, subs in specs.values()
              for s in [spec, *[v for v in subs.values() if v is not None]] for ts in s.task_specs.values()}
    findings = []
    for file, root in roots.items():
        for process in root.iter(f"{{{BPMN_NS}}}process"):
            if process.get("isExecutable") != "true" or process.get("id") not in specs:
                continue
            for el in process.iter(f"{{{BPMN_NS}}}*"):
                ident = el.get("id")
                if etree.QName(el).localname in FLOW_NODES and ident and ident not in parsed:
                    label = el.get("name") or ident
                    findings.append(Finding(f"{label} cannot be reached: no path from the start event leads to it",
                                            element=ident, file=file, line=el.sourceline, kind="reachability",
                                            args={"task": label}))
    return findings


def _groups(ts, lane_groups: Mapping[str, str], group_for: Callable[[str], str | None]) -> list[str] | None:
    """The groups a user task is offered to; None when an expression or an assignee decides at run time."""
    props = ((getattr(ts, "extensions", None) or {}).get("properties") or {})
    if any(props.get(key) for key in ("group_expression", "assignee", "assignee_expression")):
        return None
    if props.get("group"):
        return [group_for(name) or name for name in groups_of(props["group"])]
    lane = getattr(ts, "lane", None)
    return [lane_groups.get(lane) or group_for(lane) or lane] if lane else None


def user_tasks(spec) -> list:
    """The user tasks of a spec, one per element (a multi-instance task's instances share one)."""
    seen, found = set(), []
    for ts in spec.task_specs.values():
        if getattr(ts, "manual", False) and getattr(ts, "bpmn_id", None) and ts.bpmn_id not in seen:
            seen.add(ts.bpmn_id)
            found.append(ts)
    return found


def empty_groups(spec, groups_with_members: frozenset[str], lines: Mapping, lane_groups: Mapping[str, str],
                 group_for: Callable[[str], str | None]) -> list[Finding]:
    """User tasks offered only to groups nobody is in (a warning: people may be added before cases arrive)."""
    findings = []
    for ts in user_tasks(spec):
        groups = _groups(ts, lane_groups, group_for)
        if groups and not any(g in groups_with_members for g in groups):
            file, line = _where(ts.bpmn_id, lines)
            findings.append(Finding(f"{_name(ts)} is offered to the group {', '.join(map(repr, groups))}, "
                                    "which has no members yet", element=ts.bpmn_id, file=file, line=line,
                                    severity=WARNING, kind="group", args={**_task_args(ts), "groups": groups}))
    return findings


def missing_swedish(spec, forms: Mapping[str, dict], lines: Mapping) -> list[Finding]:
    """User tasks without a Swedish title and form fields without a Swedish label."""
    findings, forms_used = [], {}
    for ts in user_tasks(spec):
        ext = getattr(ts, "extensions", None) or {}
        file, line = _where(ts.bpmn_id, lines)
        if not (ext.get("properties") or {}).get("title_sv"):
            findings.append(Finding(f"{_name(ts)} has no Swedish title (title_sv); the Swedish inbox would show "
                                    "the English name", element=ts.bpmn_id, file=file, line=line,
                                    severity=WARNING, kind="labels", args=_task_args(ts)))
        if ext.get("formJsonSchemaFilename"):
            forms_used.setdefault(ext["formJsonSchemaFilename"], ts)
    for ts in spec.task_specs.values():  # the start event's form too
        form = (getattr(ts, "extensions", None) or {}).get("formJsonSchemaFilename")
        if form and not getattr(ts, "manual", False):
            forms_used.setdefault(form, ts)
    for form, ts in sorted(forms_used.items()):
        schema = forms.get(form)
        for name, prop in ((schema or {}).get("properties") or {}).items():
            if isinstance(prop, Mapping) and not prop.get("x-title-sv"):
                findings.append(Finding(f"field {name!r} of form {form} has no Swedish label (x-title-sv)",
                                        element=ts.bpmn_id, file=f"forms/{form}", severity=WARNING, kind="labels",
                                        args={"field": prop.get("title") or name, "form": form}))
    return findings
