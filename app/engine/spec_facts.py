"""What a parsed process says about itself, read for the services (which never walk SpiffWorkflow specs)."""
from __future__ import annotations

from SpiffWorkflow.bpmn.specs.event_definitions.message import MessageEventDefinition


def start_form(spec) -> str | None:
    """The form the process starts with (its start event's form), if any."""
    for ts in spec.task_specs.values():
        if type(ts).__name__ == "StartEvent":
            extensions = getattr(ts, "extensions", {}) or {}
            form = extensions.get("formJsonSchemaFilename") or (extensions.get("properties") or {}).get("form")
            if form:
                return form
    return None


def forms(spec) -> set[str]:
    """The names of the forms the process's own tasks and events use."""
    found = set()
    for ts in spec.task_specs.values():
        extensions = getattr(ts, "extensions", {}) or {}
        for name in (extensions.get("formJsonSchemaFilename"), (extensions.get("properties") or {}).get("form")):
            if name:
                found.add(name)
    return found


def decides(spec) -> bool:
    """Whether one of the process's tasks calls a decision (a DMN business-rule task)."""
    return any(getattr(ts, "decision_ref", None) or hasattr(ts, "dmnEngine") for ts in spec.task_specs.values())


def message_names(spec, subprocesses: dict) -> set[str]:
    """Every message the process (or one of its subprocesses) can catch."""
    names = set()
    for s in [spec, *[v for v in subprocesses.values() if v is not None]]:
        for ts in s.task_specs.values():
            ed = getattr(ts, "event_definition", None)
            for d in getattr(ed, "event_definitions", None) or ([ed] if ed else []):
                if isinstance(d, MessageEventDefinition):
                    names.add(d.name)
    return names


def element_name(spec, subprocesses: dict, element_id: str) -> str:
    """The name the diagram gives an element (of the process or a subprocess); its id when it has none."""
    for s in [spec, *[v for v in subprocesses.values() if v is not None]]:
        for ts in s.task_specs.values():
            if getattr(ts, "bpmn_id", None) == element_id:
                return ts.bpmn_name or element_id
    return element_id


def element_facts(spec, subprocesses: dict, element_id: str | None) -> dict | None:
    """What the diagram says about one element (of the process or a subprocess): its name, Swedish title
    (``title_sv``), the operation it calls and its script; None when no such element exists."""
    for s in [spec, *[v for v in subprocesses.values() if v is not None]]:
        ts = s.task_specs.get(element_id) if element_id else None
        if ts is not None:
            props = (getattr(ts, "extensions", None) or {}).get("properties") or {}
            return {"name": ts.bpmn_name or element_id, "title_sv": props.get("title_sv") or None,
                    "operation": getattr(ts, "operation_name", None), "script": getattr(ts, "script", None)}
    return None
